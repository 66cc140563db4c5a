package remote

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
	"lakeframe/exec/internal/hashmix"
)

// shuffleHash assigns rows to exchange partitions by their key values.
// Every executor and the coordinator must agree on it, so it has no
// per-process seed (the join's in-memory hashes do): FNV-1a over each
// value's bytes, combined by a 64-bit finalizer. Equal keys of equal types
// land in the same partition; floats are normalized so -0 meets 0 and
// NaN meets NaN, as the hash join matches them. NULLs all go to one
// partition, where joins emit them unmatched.
func shuffleHash(keys []arrow.Array, n int, out []uint64) error {
	out = out[:n]
	for i := range out {
		out[i] = fnvOffset
	}
	var buf [32]byte
	for _, k := range keys {
		if k.Len() != n {
			return fmt.Errorf("%w: shuffle key has %d rows, batch %d", errs.ErrInternal, k.Len(), n)
		}
		hasNulls := k.NullN() > 0
		hashOne := func(i int, b []byte) {
			if hasNulls && k.IsNull(i) {
				out[i] = hashmix.Mix64(out[i] ^ nullHash)
				return
			}
			out[i] = hashmix.Mix64(fnv(out[i], b))
		}
		switch a := k.(type) {
		case *array.Null:
			for i := range out {
				out[i] = hashmix.Mix64(out[i] ^ nullHash)
			}
			continue
		case *array.Boolean:
			for i := range out {
				buf[0] = 0
				if a.Value(i) {
					buf[0] = 1
				}
				hashOne(i, buf[:1])
			}
		case *array.Float32:
			for i := range out {
				binary.LittleEndian.PutUint64(buf[:8], normFloat(float64(a.Value(i))))
				hashOne(i, buf[:8])
			}
		case *array.Float64:
			for i := range out {
				binary.LittleEndian.PutUint64(buf[:8], normFloat(a.Value(i)))
				hashOne(i, buf[:8])
			}
		case interface{ Value(int) string }:
			for i := range out {
				hashOne(i, []byte(a.Value(i)))
			}
		case *array.Binary:
			for i := range out {
				hashOne(i, a.Value(i))
			}
		case *array.LargeBinary:
			for i := range out {
				hashOne(i, a.Value(i))
			}
		case *array.FixedSizeBinary:
			for i := range out {
				hashOne(i, a.Value(i))
			}
		default:
			// Other fixed-width values hash by their bytes.
			fw, ok := k.DataType().(arrow.FixedWidthDataType)
			if !ok || k.DataType().ID() == arrow.DICTIONARY || fw.BitWidth()%8 != 0 || len(k.Data().Buffers()) < 2 {
				return fmt.Errorf("%w: shuffle on a %s key", errs.ErrNotImplemented, k.DataType())
			}
			w := fw.BitWidth() / 8
			data := k.Data().Buffers()[1].Bytes()[k.Data().Offset()*w:]
			for i := range out {
				hashOne(i, data[i*w:(i+1)*w])
			}
		}
	}
	return nil
}

// shuffleKeyType says whether shuffleHash takes keys of type dt.
func shuffleKeyType(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.NULL, arrow.BOOL, arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING,
		arrow.BINARY, arrow.LARGE_BINARY, arrow.FIXED_SIZE_BINARY, arrow.STRING_VIEW:
		return true
	case arrow.DICTIONARY, arrow.FLOAT16:
		return false
	}
	fw, ok := dt.(arrow.FixedWidthDataType)
	return ok && fw.BitWidth()%8 == 0
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
	nullHash  = 0x9E3779B97F4A7C15
)

func fnv(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func normFloat(f float64) uint64 {
	switch {
	case f == 0:
		return 0
	case math.IsNaN(f):
		return 0x7ff8000000000001
	}
	return math.Float64bits(f)
}
