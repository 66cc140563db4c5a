package sorting

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/errs"
)

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
