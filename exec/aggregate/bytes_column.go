package aggregate

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// maxShort is the longest value that packShort fits into a uint64 next to
// its length.
const maxShort = 7

// bytesColumn maps string, binary and other byte-valued keys (fixed-size
// binary, decimals) to ids. Every distinct value is copied once into one
// arena. Values of up to seven bytes, common for codes and flags, skip
// hashing bytes altogether: they are packed into a uint64 and looked up in
// a u64Map. Longer ones are hashed and compared against the arena.
type bytesColumn struct {
	dt    arrow.DataType
	width int // value width of fixed-size types, 0 for variable ones

	short u64Map

	slots []bytesSlot // open addressing with linear probing
	shift uint
	mask  uint64
	nLong int
	seed  maphash.Seed
	sink  byte // keeps touchLong's loads alive

	data []byte
	offs []int64 // the value of id is data[offs[id]:offs[id+1]]
	null int
}

type bytesSlot struct {
	hash uint64
	id   uint32 // id+1; 0 marks an empty slot
}

func newBytesColumn(dt arrow.DataType, width int) *bytesColumn {
	c := &bytesColumn{dt: dt, width: width, seed: maphash.MakeSeed(), offs: []int64{0}, null: -1}
	c.short.init()
	c.resizeLong(minSlots)
	return c
}

// shortMasks[n] keeps the low n bytes of a uint64.
var shortMasks = [8]uint64{0, 0xff, 0xffff, 0xffffff, 0xffffffff, 0xffffffffff, 0xffffffffffff, 0xffffffffffffff}

// packShort packs a value of at most maxShort bytes and its length into a
// uint64, so that distinct values give distinct keys.
func packShort(b []byte) uint64 {
	var k uint64
	if cap(b) >= 8 {
		// One load; the bytes past len(b) are inside the same allocation
		// and masked off.
		k = binary.LittleEndian.Uint64(b[:8]) & shortMasks[len(b)&7]
	} else {
		for j, x := range b {
			k |= uint64(x) << (8 * j)
		}
	}
	return k | uint64(len(b))<<56
}

func (c *bytesColumn) insert(arr arrow.Array, out []uint32) error {
	if err := checkArray(c.dt, arr); err != nil {
		return err
	}
	if err := checkRoom(c.len(), arr.Len()); err != nil {
		return err
	}
	if arr.NullN() == arr.Len() {
		// All NULL: the array may come without value or offset buffers.
		for i := range arr.Len() {
			out[i] = c.nullGroup()
		}
		return nil
	}
	data := arr.Data()
	bits := validBits(arr)
	var values []byte
	if c.width > 0 {
		if b := data.Buffers()[1]; b != nil {
			values = b.Bytes()
		}
		if len(values) < (data.Offset()+data.Len())*c.width {
			return fmt.Errorf("%s array of %d rows is too short: %w", c.dt, arr.Len(), errs.ErrInternal)
		}
		insertFixedBytes(c, values[data.Offset()*c.width:], bits, data.Offset(), out[:arr.Len()])
		return nil
	}
	if b := data.Buffers()[2]; b != nil {
		values = b.Bytes()
	}
	switch c.dt.ID() {
	case arrow.STRING, arrow.BINARY:
		insertVarBytes(c, arrow.GetOffsets[int32](data, 1), values, bits, data.Offset(), out[:arr.Len()])
	default:
		insertVarBytes(c, arrow.GetOffsets[int64](data, 1), values, bits, data.Offset(), out[:arr.Len()])
	}
	return nil
}

// insertVarBytes works in passes over chunks of rows, each a loop with few
// live variables: the first packs the short values into keys (slowKey for
// the others), the second hashes the long values, the third finds the keys
// in their home slots. The rest (nulls, long values, new or displaced keys)
// goes through lookup and nullGroup one row at a time. For big tables,
// touchLong first brings the slots and arena bytes of the long values into
// the cache, all at once.
func insertVarBytes[O int32 | int64](c *bytesColumn, offsets []O, values []byte, bits []byte, off int, out []uint32) {
	offsets = offsets[:len(out)+1]
	var keyBuf, hashBuf [lookupChunk]uint64
	for base := 0; base < len(out); base += lookupChunk {
		chunk := out[base:min(base+lookupChunk, len(out))]
		keys, hashes := keyBuf[:len(chunk)], hashBuf[:len(chunk)]
		offs := offsets[base : base+len(chunk)+1]
		slow := packShortKeys(keys, offs, values)
		if bits != nil {
			for j := range keys {
				if !bitutil.BitIsSet(bits, off+base+j) {
					keys[j] = nullKey
				}
			}
		}
		if slow {
			for j, k := range keys {
				hashes[j] = 0
				// Short values at the very end of the buffer are slowKey too.
				if b := values[offs[j]:offs[j+1]]; k == slowKey && len(b) > maxShort {
					hashes[j] = c.hashLong(b)
				}
			}
			c.touchLong(hashes)
		}
		for j := c.short.hits(keys, chunk, 0); j < len(keys); j = c.short.hits(keys, chunk, j+1) {
			switch b := values[offs[j]:offs[j+1]]; {
			case keys[j] == nullKey:
				chunk[j] = c.nullGroup()
			case slow && hashes[j] != 0:
				chunk[j] = c.lookupLong(b, hashes[j])
			default:
				chunk[j] = c.lookup(b)
			}
		}
	}
}

// packShortKeys sets keys[j] to packShort of value j, whose bytes are
// values[offs[j]:offs[j+1]], or to slowKey when the value is too long. It
// reports whether it set any slowKey.
func packShortKeys[O int32 | int64](keys []uint64, offs []O, values []byte) bool {
	offs = offs[:len(keys)+1]
	var slow uint64
	for j := range keys {
		start, end := int(offs[j]), int(offs[j+1])
		k := uint64(slowKey)
		if n := uint(end - start); n <= maxShort && start+8 <= cap(values) {
			// One load; the bytes past the value are inside the buffer's
			// allocation and masked off.
			k = binary.LittleEndian.Uint64(values[start:start+8])&shortMasks[n&7] | uint64(n)<<56
		}
		keys[j] = k
		slow |= k
	}
	return slow>>63 != 0
}

// lookupChunk is the number of rows whose keys the two-pass loops hold at
// once: enough to amortize the loop switch, small enough for L1.
const lookupChunk = 256

// slowKey marks a row whose value is too long to pack, nullKey a NULL row.
// No packed key has its top bit set, so neither ever hits.
const (
	slowKey = 1 << 63
	nullKey = 1<<63 | 1
)

func insertFixedBytes(c *bytesColumn, values []byte, bits []byte, off int, out []uint32) {
	w := c.width
	if w > maxShort {
		for i := range out {
			if isValid(bits, off, i) {
				out[i] = c.lookup(values[i*w : (i+1)*w])
			} else {
				out[i] = c.nullGroup()
			}
		}
		return
	}
	slots, shift := c.short.slots, c.short.shift
	for i := range out {
		b := values[i*w : (i+1)*w]
		if isValid(bits, off, i) {
			k := packShort(b)
			if s := &slots[hash64(k)>>shift]; s.key == k && s.id != 0 {
				out[i] = s.id - 1
				continue
			}
			out[i] = c.lookup(b)
		} else {
			out[i] = c.nullGroup()
		}
		slots, shift = c.short.slots, c.short.shift
	}
}

// lookup returns the id of the non-null value b, adding it when new.
func (c *bytesColumn) lookup(b []byte) uint32 {
	if len(b) > maxShort {
		return c.lookupLong(b, c.hashLong(b))
	}
	id, added := c.short.getOrInsert(packShort(b), uint32(c.len()))
	if added {
		c.appendValue(b)
	}
	return id
}

// lookupLong is lookup for a value longer than maxShort, whose hashLong is h.
func (c *bytesColumn) lookupLong(b []byte, h uint64) uint32 {
	id, added := c.getOrInsertLong(b, h, uint32(c.len()))
	if added {
		c.appendValue(b)
	}
	return id
}

func (c *bytesColumn) appendValue(b []byte) {
	c.data = append(c.data, b...)
	c.offs = append(c.offs, int64(len(c.data)))
}

// hashLong hashes a long value; the low bit is set so that 0 can mean "no
// hash" (the table indexes by the top bits).
func (c *bytesColumn) hashLong(b []byte) uint64 {
	return maphash.Bytes(c.seed, b) | 1
}

// touchLong loads, for every non-zero hash, its home slot and the last byte
// of the value that slot holds, in a loop without data-dependent branches,
// so that the cache misses of many rows overlap.
func (c *bytesColumn) touchLong(hashes []uint64) {
	if len(c.slots) < touchSlots || len(c.data) == 0 {
		return
	}
	slots, shift, offs, data := c.slots, c.shift, c.offs, c.data
	var x byte
	for _, h := range hashes {
		end := offs[slots[h>>shift].id] // the end of value id-1; 0 when empty
		x += data[max(end-1, 0)]
	}
	c.sink += x
}

// getOrInsertLong is u64Map.getOrInsert for values longer than maxShort.
// It does not copy b into the arena; the caller does on insertion.
func (c *bytesColumn) getOrInsertLong(b []byte, h uint64, next uint32) (uint32, bool) {
	i := h >> c.shift
	for {
		s := &c.slots[i]
		if s.id == 0 {
			s.hash, s.id = h, next+1
			c.nLong++
			if 2*c.nLong > len(c.slots) {
				c.resizeLong(2 * len(c.slots))
			}
			return next, true
		}
		if s.hash == h {
			id := s.id - 1
			if bytes.Equal(c.data[c.offs[id]:c.offs[id+1]], b) {
				return id, false
			}
		}
		i = (i + 1) & c.mask
	}
}

func (c *bytesColumn) resizeLong(size int) {
	old := c.slots
	c.slots = make([]bytesSlot, size)
	c.mask = uint64(size - 1)
	c.shift = 64 - uint(log2(size))
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := s.hash >> c.shift
		for c.slots[i].id != 0 {
			i = (i + 1) & c.mask
		}
		c.slots[i] = s
	}
}

// nullGroup returns the id of NULL, giving it one (and an empty or zeroed
// value in the arena) when first seen.
func (c *bytesColumn) nullGroup() uint32 {
	if c.null < 0 {
		c.null = c.len()
		for range c.width {
			c.data = append(c.data, 0)
		}
		c.offs = append(c.offs, int64(len(c.data)))
	}
	return uint32(c.null)
}

func (c *bytesColumn) len() int    { return len(c.offs) - 1 }
func (c *bytesColumn) nullID() int { return c.null }

func (c *bytesColumn) value(id uint32) []byte { return c.data[c.offs[id]:c.offs[id+1]] }

func (c *bytesColumn) build(mem memory.Allocator, ids []uint32) (arrow.Array, error) {
	n := c.len()
	if ids != nil {
		n = len(ids)
	}
	vb, nulls := validityExcept(mem, n, ids, c.null)
	if c.width > 0 {
		buf := newBuffer(mem, n*c.width)
		if ids == nil {
			copy(buf.Bytes(), c.data)
		} else {
			dst := buf.Bytes()
			for i, id := range ids {
				copy(dst[i*c.width:(i+1)*c.width], c.value(id))
			}
		}
		return makeArray(c.dt, n, nulls, vb, buf), nil
	}
	total := int64(len(c.data))
	if ids != nil {
		total = 0
		for _, id := range ids {
			total += c.offs[id+1] - c.offs[id]
		}
	}
	var offBuf *memory.Buffer
	switch c.dt.ID() {
	case arrow.STRING, arrow.BINARY:
		if total > math.MaxInt32 {
			if vb != nil {
				vb.Release()
			}
			return nil, fmt.Errorf("%d bytes of %s keys exceed the 2 GiB of one array: %w", total, c.dt, errs.ErrResourcesExhausted)
		}
		offBuf = newBuffer(mem, 4*(n+1))
		fillOffsets(arrow.GetData[int32](offBuf.Bytes()), c.offs, ids)
	default:
		offBuf = newBuffer(mem, 8*(n+1))
		fillOffsets(arrow.GetData[int64](offBuf.Bytes()), c.offs, ids)
	}
	dataBuf := newBuffer(mem, int(total))
	if ids == nil {
		copy(dataBuf.Bytes(), c.data)
	} else {
		dst := dataBuf.Bytes()[:0]
		for _, id := range ids {
			dst = append(dst, c.value(id)...)
		}
	}
	return makeArray(c.dt, n, nulls, vb, offBuf, dataBuf), nil
}

// fillOffsets writes the offsets of the values with the given ids, packed
// one after another, into dst (len(ids)+1 elements, or len(offs) for nil ids).
func fillOffsets[O int32 | int64](dst []O, offs []int64, ids []uint32) {
	if ids == nil {
		for i, o := range offs {
			dst[i] = O(o)
		}
		return
	}
	var pos int64
	dst[0] = 0
	for i, id := range ids {
		pos += offs[id+1] - offs[id]
		dst[i+1] = O(pos)
	}
}

func (c *bytesColumn) sizeBytes() int {
	return c.short.sizeBytes() + 16*len(c.slots) + cap(c.data) + 8*cap(c.offs)
}
