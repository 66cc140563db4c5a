package join

import (
	"bytes"
	"hash/maphash"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// byteRows reads the values of a string, binary or fixed-width column as
// byte strings.
type byteRows struct {
	data   []byte
	offs32 []int32
	offs64 []int64
	width  int
}

func byteRowsOf(arr arrow.Array) byteRows {
	if arr.Len() == 0 {
		return byteRows{width: 1}
	}
	data := arr.Data()
	bufs := data.Buffers()
	switch arr.DataType().ID() {
	case arrow.STRING, arrow.BINARY:
		r := byteRows{offs32: arrow.GetOffsets[int32](data, 1)}
		if bufs[2] != nil {
			r.data = bufs[2].Bytes()
		}
		return r
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		r := byteRows{offs64: arrow.GetOffsets[int64](data, 1)}
		if bufs[2] != nil {
			r.data = bufs[2].Bytes()
		}
		return r
	}
	w := arr.DataType().(arrow.FixedWidthDataType).Bytes()
	off := data.Offset()
	return byteRows{data: bufs[1].Bytes()[off*w : (off+data.Len())*w], width: w}
}

func (r *byteRows) at(i int) []byte {
	switch {
	case r.width > 0:
		return r.data[i*r.width : (i+1)*r.width]
	case r.offs32 != nil:
		return r.data[r.offs32[i]:r.offs32[i+1]]
	}
	return r.data[r.offs64[i]:r.offs64[i+1]]
}

// hashSeed seeds every byte-string hash of the process; it never changes
// after start-up, so both sides of a join hash alike.
var hashSeed = maphash.MakeSeed()

// bytesDict gives dense ids, in order of first insertion, to distinct byte
// strings. Open addressing with linear probing; each slot holds 32 bits of
// the hash, so most mismatches are told apart without reading the keys.
// Lookups may run concurrently; inserts may not.
type bytesDict struct {
	slots  vec[dictSlot]
	shift  uint
	mask   uint64
	data   vec[byte]  // the keys, back to back
	starts vec[int64] // key id's bytes are data[starts[id]:starts[id+1]]
	used   int        // bytes of data in use
	n      int
}

type dictSlot struct {
	tag uint32
	id  uint32 // id+1; 0 marks an empty slot
}

func newBytesDict(mem memory.Allocator) *bytesDict {
	d := &bytesDict{data: vec[byte]{mem: mem}, starts: newVec[int64](mem, 1)}
	d.starts.s[0] = 0
	d.rehash(mem, minSlots)
	return d
}

func (d *bytesDict) key(id uint32) []byte {
	return d.data.s[d.starts.s[id]:d.starts.s[id+1]]
}

// insert writes the id of every valid row of arr to out, adding new keys.
// Rows with bad[i] set are skipped.
func (d *bytesDict) insert(arr arrow.Array, out []uint64, bad []bool) error {
	rows := byteRowsOf(arr)
	for i := range out {
		if bad[i] {
			continue
		}
		b := rows.at(i)
		h := maphash.Bytes(hashSeed, b)
		j, tag := h>>d.shift, uint32(h)
		for {
			s := &d.slots.s[j]
			if s.id == 0 {
				if err := checkIDs(d.n, 1); err != nil {
					return err
				}
				id := uint32(d.n)
				s.tag, s.id = tag, id+1
				d.append(b)
				out[i] = uint64(id)
				if 2*d.n > len(d.slots.s) {
					d.rehash(d.slots.mem, 2*len(d.slots.s))
				}
				break
			}
			if s.tag == tag && bytes.Equal(d.key(s.id-1), b) {
				out[i] = uint64(s.id - 1)
				break
			}
			j = (j + 1) & d.mask
		}
	}
	return nil
}

// lookup writes the id of every valid row of arr to out and sets bad[i]
// for rows whose key is absent.
func (d *bytesDict) lookup(arr arrow.Array, out []uint64, bad []bool) {
	rows := byteRowsOf(arr)
	slots := d.slots.s
	for i := range out {
		if bad[i] {
			continue
		}
		b := rows.at(i)
		h := maphash.Bytes(hashSeed, b)
		j, tag := h>>d.shift, uint32(h)
		for {
			s := &slots[j]
			if s.id == 0 {
				bad[i] = true
				break
			}
			if s.tag == tag && bytes.Equal(d.key(s.id-1), b) {
				out[i] = uint64(s.id - 1)
				break
			}
			j = (j + 1) & d.mask
		}
	}
}

func (d *bytesDict) append(b []byte) {
	d.data.grow(d.used + len(b))
	copy(d.data.s[d.used:], b)
	d.used += len(b)
	d.n++
	d.starts.grow(d.n + 1)
	d.starts.s[d.n] = int64(d.used)
}

// rehash moves every key into a table of size slots (a power of two).
func (d *bytesDict) rehash(mem memory.Allocator, size int) {
	old := d.slots
	d.slots = newVec[dictSlot](mem, size)
	clear(d.slots.s)
	d.shift = uint(64 - log2(size))
	d.mask = uint64(size - 1)
	for _, s := range old.s {
		if s.id == 0 {
			continue
		}
		h := maphash.Bytes(hashSeed, d.key(s.id-1))
		j := h >> d.shift
		for d.slots.s[j].id != 0 {
			j = (j + 1) & d.mask
		}
		d.slots.s[j] = s
	}
	old.release()
}

func (d *bytesDict) sizeBytes() int { return d.slots.bytes() + d.data.bytes() + d.starts.bytes() }

func (d *bytesDict) release() {
	d.slots.release()
	d.data.release()
	d.starts.release()
}
