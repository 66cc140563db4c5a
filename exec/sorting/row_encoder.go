package sorting

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/errs"
)

// encodedRows holds the normalized keys of many rows back to back: row i is
// data[offs[i]:offs[i+1]]. Comparing two rows' bytes with bytes.Compare
// gives their order. No row's bytes are a prefix of another's unless the
// two are equal, which lets sorting look at fixed 8-byte chunks.
type encodedRows struct {
	data []byte
	offs []int
}

func newEncodedRows() *encodedRows { return &encodedRows{offs: []int{0}} }

func (r *encodedRows) len() int { return len(r.offs) - 1 }

func (r *encodedRows) row(i uint32) []byte { return r.data[r.offs[i]:r.offs[i+1]] }

func (r *encodedRows) reset() {
	r.data = r.data[:0]
	r.offs = r.offs[:1]
}

// chunk returns bytes [8c, 8c+8) of row i as a big-endian integer, padded
// with zero bytes past the row's end.
func (r *encodedRows) chunk(i uint32, c int) uint64 {
	start, end := r.offs[i]+8*c, r.offs[i+1]
	if end-start >= 8 {
		return binary.BigEndian.Uint64(r.data[start:])
	}
	var v uint64
	n := 0
	for ; start < end; start++ {
		v = v<<8 | uint64(r.data[start])
		n++
	}
	return v << (8 * (8 - n))
}

// appendRow copies row i of src to the end of r.
func (r *encodedRows) appendRow(src *encodedRows, i uint32) {
	r.data = append(r.data, src.row(i)...)
	r.offs = append(r.offs, len(r.data))
}

// colEncoder writes the normalized bytes of one key column. Its methods
// take the rows to encode as sel, row numbers of arr in the order they are
// wanted, or nil for all rows of arr.
type colEncoder interface {
	// width is the encoded size of every row, marker included, or -1 when
	// it varies by row.
	width() int
	// addSizes adds the encoded size of the i-th row to sizes[i]; only
	// called when width is -1.
	addSizes(arr arrow.Array, sel []uint32, sizes []int)
	// encode writes the i-th row at data[cur[i]:] and advances cur[i]. It
	// writes every byte it claims, so data need not be zeroed.
	encode(arr arrow.Array, sel []uint32, k Key, data []byte, cur []int)
	// keyLen returns the length of the key's bytes at the start of b,
	// which encode wrote with k.
	keyLen(b []byte, k Key) int
}

// rowEncoder turns the key columns of batches into encodedRows.
type rowEncoder struct {
	order []Key
	cols  []colEncoder
	fixed int // bytes per row when every key is fixed-width, else -1
	sizes []int
	cur   []int
}

func newRowEncoder(order []Key, types []arrow.DataType) (*rowEncoder, error) {
	e := &rowEncoder{order: order, cols: make([]colEncoder, len(types))}
	for i, dt := range types {
		c, err := colEncoderFor(dt)
		if err != nil {
			return nil, err
		}
		e.cols[i] = c
		switch w := c.width(); {
		case i == 0:
			e.fixed = w
		case w < 0 || e.fixed < 0:
			e.fixed = -1
		default:
			e.fixed += w
		}
	}
	return e, nil
}

func colEncoderFor(dt arrow.DataType) (colEncoder, error) {
	if norm, w, ok := fixedNormFor(dt); ok {
		return &fixedEncoder{norm: norm, w: w}, nil
	}
	switch dt := dt.(type) {
	case *arrow.Decimal128Type:
		return wordsEncoder{words: 2}, nil
	case *arrow.Decimal256Type:
		return wordsEncoder{words: 4}, nil
	case *arrow.FixedSizeBinaryType:
		return fixedBytesEncoder{w: dt.ByteWidth}, nil
	case *arrow.StringType, *arrow.BinaryType:
		return varEncoder[int32]{}, nil
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		return varEncoder[int64]{}, nil
	case *arrow.NullType:
		return nullEncoder{}, nil
	}
	return nil, fmt.Errorf("sort key of type %s: %w", dt, errs.ErrNotImplemented)
}

// sizeHint estimates the encoded size of n rows of keys, escapes aside.
func (e *rowEncoder) sizeHint(keys []arrow.Array, n int) int {
	if e.fixed >= 0 {
		return n * e.fixed
	}
	size := 0
	for j, c := range e.cols {
		if w := c.width(); w >= 0 {
			size += n * w
			continue
		}
		size += 3 * n
		if d := keys[j].Data(); d.Len() > 0 {
			switch keys[j].DataType().ID() {
			case arrow.LARGE_STRING, arrow.LARGE_BINARY:
				offs := arrow.GetOffsets[int64](d, 1)
				size += int(offs[len(offs)-1] - offs[0])
			default:
				offs := arrow.GetOffsets[int32](d, 1)
				size += int(offs[len(offs)-1] - offs[0])
			}
		}
	}
	return size
}

// appendRows encodes rows sel of the key columns keys onto r, or all n
// rows when sel is nil.
func (e *rowEncoder) appendRows(r *encodedRows, keys []arrow.Array, n int, sel []uint32) {
	if sel != nil {
		n = len(sel)
	}
	base := r.offs[len(r.offs)-1]
	if e.fixed >= 0 {
		for i := 1; i <= n; i++ {
			r.offs = append(r.offs, base+i*e.fixed)
		}
	} else {
		sizes := resize(&e.sizes, n)
		clear(sizes)
		for j, c := range e.cols {
			if w := c.width(); w >= 0 {
				for i := range sizes {
					sizes[i] += w
				}
			} else {
				c.addSizes(keys[j], sel, sizes)
			}
		}
		end := base
		for _, s := range sizes {
			end += s
			r.offs = append(r.offs, end)
		}
	}
	end := r.offs[len(r.offs)-1]
	r.data = slices.Grow(r.data, end-len(r.data))[:end]
	cur := resize(&e.cur, n)
	copy(cur, r.offs[len(r.offs)-1-n:])
	for j, c := range e.cols {
		c.encode(keys[j], sel, e.order[j], r.data, cur)
	}
}

// resize returns (*s)[:n], growing the backing array when needed.
func resize[T any](s *[]T, n int) []T {
	if cap(*s) < n {
		*s = make([]T, n)
	}
	*s = (*s)[:n]
	return *s
}

// validity returns arr's validity bitmap and bit offset, or nil when arr has
// no nulls.
func validity(arr arrow.Array) ([]byte, int) {
	if arr.NullN() == 0 {
		return nil, 0
	}
	return arr.NullBitmapBytes(), arr.Data().Offset()
}

func invert(b []byte) {
	for len(b) >= 8 {
		binary.LittleEndian.PutUint64(b, ^binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for i := range b {
		b[i] = ^b[i]
	}
}

// rowOf returns the row of arr that output row i encodes.
func rowOf(sel []uint32, i int) int {
	if sel == nil {
		return i
	}
	return int(sel[i])
}

// fixedEncoder encodes keys that fit 64 bits as a marker and the low w
// bytes of their normalized value, big-endian.
type fixedEncoder struct {
	norm    fixedNorm
	w       int
	scratch []uint64
}

func (f *fixedEncoder) width() int                            { return 1 + f.w }
func (f *fixedEncoder) keyLen([]byte, Key) int                { return 1 + f.w }
func (f *fixedEncoder) addSizes(arrow.Array, []uint32, []int) {}

func (f *fixedEncoder) encode(arr arrow.Array, sel []uint32, k Key, data []byte, cur []int) {
	if arr.Len() == 0 {
		return
	}
	vals := resize(&f.scratch, arr.Len())
	f.norm(arr, vals)
	var flip uint64
	if k.Desc {
		flip = ^uint64(0)
	}
	bits, off := validity(arr)
	null := k.nullMarker()
	for i, c := range cur {
		row := rowOf(sel, i)
		d := data[c : c+1+f.w]
		cur[i] = c + 1 + f.w
		if bits != nil && !bitutil.BitIsSet(bits, off+row) {
			d[0] = null
			clear(d[1:])
			continue
		}
		d[0] = markerValid
		v := vals[row] ^ flip
		switch f.w {
		case 1:
			d[1] = byte(v)
		case 2:
			binary.BigEndian.PutUint16(d[1:], uint16(v))
		case 4:
			binary.BigEndian.PutUint32(d[1:], uint32(v))
		default:
			binary.BigEndian.PutUint64(d[1:], v)
		}
	}
}

// wordsEncoder encodes two's complement integers stored as little-endian
// 64-bit words (Decimal128, Decimal256): the top word with its sign bit
// flipped, then the others, all big-endian.
type wordsEncoder struct{ words int }

func (w wordsEncoder) width() int                            { return 1 + 8*w.words }
func (w wordsEncoder) keyLen([]byte, Key) int                { return 1 + 8*w.words }
func (w wordsEncoder) addSizes(arrow.Array, []uint32, []int) {}

func (w wordsEncoder) encode(arr arrow.Array, sel []uint32, k Key, data []byte, cur []int) {
	if arr.Len() == 0 {
		return
	}
	d := arr.Data()
	vals := castSlice[uint64](d.Buffers()[1].Bytes())[d.Offset()*w.words:]
	var flip uint64
	if k.Desc {
		flip = ^uint64(0)
	}
	bits, off := validity(arr)
	null := k.nullMarker()
	size := 1 + 8*w.words
	for i, c := range cur {
		row := rowOf(sel, i)
		out := data[c : c+size]
		cur[i] = c + size
		if bits != nil && !bitutil.BitIsSet(bits, off+row) {
			out[0] = null
			clear(out[1:])
			continue
		}
		out[0] = markerValid
		v := vals[row*w.words : (row+1)*w.words]
		top := w.words - 1
		binary.BigEndian.PutUint64(out[1:], (v[top]^1<<63)^flip)
		for j := 1; j < w.words; j++ {
			binary.BigEndian.PutUint64(out[1+8*j:], v[top-j]^flip)
		}
	}
}

// fixedBytesEncoder encodes FixedSizeBinary keys as their raw bytes: all
// values have the same length, so no terminator is needed.
type fixedBytesEncoder struct{ w int }

func (f fixedBytesEncoder) width() int                            { return 1 + f.w }
func (f fixedBytesEncoder) keyLen([]byte, Key) int                { return 1 + f.w }
func (f fixedBytesEncoder) addSizes(arrow.Array, []uint32, []int) {}

func (f fixedBytesEncoder) encode(arr arrow.Array, sel []uint32, k Key, data []byte, cur []int) {
	if arr.Len() == 0 {
		return
	}
	d := arr.Data()
	vals := d.Buffers()[1].Bytes()[d.Offset()*f.w:]
	bits, off := validity(arr)
	null := k.nullMarker()
	for i, c := range cur {
		row := rowOf(sel, i)
		out := data[c : c+1+f.w]
		cur[i] = c + 1 + f.w
		if bits != nil && !bitutil.BitIsSet(bits, off+row) {
			out[0] = null
			clear(out[1:])
			continue
		}
		out[0] = markerValid
		copy(out[1:], vals[row*f.w:(row+1)*f.w])
		if k.Desc {
			invert(out[1:])
		}
	}
}

// varEncoder encodes strings and binaries: each 0x00 byte becomes 0x00 0xFF
// and the value ends with 0x00 0x00, so a value sorts before its
// extensions and the next key's bytes never take part in the comparison.
type varEncoder[O int32 | int64] struct{}

func (varEncoder[O]) width() int { return -1 }

// varValues returns the offsets and data of a string or binary array, and
// whether any value holds a 0x00 byte, which needs escaping.
func varValues[O int32 | int64](arr arrow.Array) ([]O, []byte, bool) {
	d := arr.Data()
	if d.Len() == 0 {
		return nil, nil, false
	}
	offs := arrow.GetOffsets[O](d, 1)
	var vals []byte
	if b := d.Buffers()[2]; b != nil {
		vals = b.Bytes()
	}
	zeros := bytes.IndexByte(vals[offs[0]:offs[len(offs)-1]], 0) >= 0
	return offs, vals, zeros
}

func (varEncoder[O]) addSizes(arr arrow.Array, sel []uint32, sizes []int) {
	offs, vals, zeros := varValues[O](arr)
	bits, off := validity(arr)
	for i := range sizes {
		row := rowOf(sel, i)
		if bits != nil && !bitutil.BitIsSet(bits, off+row) {
			sizes[i]++
			continue
		}
		v := vals[offs[row]:offs[row+1]]
		sizes[i] += 3 + len(v)
		if zeros {
			sizes[i] += bytes.Count(v, zeroByte)
		}
	}
}

var zeroByte = []byte{0}

func (varEncoder[O]) keyLen(b []byte, k Key) int {
	if b[0] != markerValid {
		return 1
	}
	// Find the terminator: 0x00 0x00, or 0xFF 0xFF when inverted. An
	// escaped 0x00 is 0x00 0xFF (0xFF 0x00 inverted).
	zero := byte(0)
	if k.Desc {
		zero = 0xff
	}
	i := 1
	for {
		z := bytes.IndexByte(b[i:], zero)
		i += z
		if b[i+1] == zero {
			return i + 2
		}
		i += 2
	}
}

func (varEncoder[O]) encode(arr arrow.Array, sel []uint32, k Key, data []byte, cur []int) {
	offs, vals, zeros := varValues[O](arr)
	bits, off := validity(arr)
	null := k.nullMarker()
	for i, c := range cur {
		row := rowOf(sel, i)
		if bits != nil && !bitutil.BitIsSet(bits, off+row) {
			data[c] = null
			cur[i] = c + 1
			continue
		}
		start := c
		data[c] = markerValid
		c++
		v := vals[offs[row]:offs[row+1]]
		for zeros {
			z := bytes.IndexByte(v, 0)
			if z < 0 {
				break
			}
			c += copy(data[c:], v[:z])
			data[c], data[c+1] = 0x00, 0xff
			c += 2
			v = v[z+1:]
		}
		c += copy(data[c:], v)
		data[c], data[c+1] = 0x00, 0x00
		c += 2
		if k.Desc {
			invert(data[start+1 : c])
		}
		cur[i] = c
	}
}

// nullEncoder encodes a key of the Null type: every row is null.
type nullEncoder struct{}

func (nullEncoder) width() int                            { return 1 }
func (nullEncoder) keyLen([]byte, Key) int                { return 1 }
func (nullEncoder) addSizes(arrow.Array, []uint32, []int) {}

func (nullEncoder) encode(_ arrow.Array, _ []uint32, k Key, data []byte, cur []int) {
	m := k.nullMarker()
	for i, c := range cur {
		data[c] = m
		cur[i] = c + 1
	}
}

// castSlice reinterprets the bytes of an Arrow buffer as a slice of T.
func castSlice[T any](b []byte) []T {
	if len(b) == 0 {
		return nil
	}
	var zero T
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), len(b)/int(unsafe.Sizeof(zero)))
}

func sizeOf[T any](v T) uintptr { return unsafe.Sizeof(v) }
