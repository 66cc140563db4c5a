package join

import (
	"hash/maphash"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/internal/hashmix"
)

// Hasher hashes key tuples to split both sides of a join into partitions
// that join separately: equal keys (of equal types) hash alike, so a probe
// row meets its build rows in the partition of the same number. Its scratch
// buffer is reused across batches; use one Hasher per goroutine.
type Hasher struct {
	codes []uint64
}

// Hash writes the hash of each of the n rows of the key columns to out
// (len(out) >= n). Different seeds give independent hashes, so that a
// partition that is still too large splits again under another seed. NULL
// keys, which match nothing, hash to arbitrary values.
func (h *Hasher) Hash(keys []arrow.Array, n int, seed uint64, out []uint64) error {
	if _, err := checkColumns(typesOf(keys), keys); err != nil {
		return err
	}
	out = out[:n]
	start := hashmix.Mix64(seed)
	for i := range out {
		out[i] = start
	}
	h.codes = resize(h.codes, n)
	for _, k := range keys {
		kind, err := kindOf(k.DataType())
		if err != nil {
			return err
		}
		switch kind {
		case codeDirect:
			encode(k, h.codes)
			for i, c := range h.codes {
				out[i] = hashmix.Mix64(out[i] ^ c)
			}
		case codeDict:
			rows := byteRowsOf(k)
			for i := range out {
				out[i] = hashmix.Mix64(out[i] ^ maphash.Bytes(hashSeed, rows.at(i)))
			}
		}
	}
	return nil
}

func typesOf(arrs []arrow.Array) []arrow.DataType {
	out := make([]arrow.DataType, len(arrs))
	for i, a := range arrs {
		out[i] = a.DataType()
	}
	return out
}
