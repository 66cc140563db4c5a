package parquet

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Dictionary-encoded string columns (most low-cardinality strings) are
// read as dictionary arrays and expanded here: one pass sums the lengths
// and one copies, instead of the Parquet reader appending every value to
// a string builder.

// dictionaryReadable reports whether a column of type t may be read as a
// dictionary and expanded by expandDict.
func dictionaryReadable(t arrow.DataType) bool {
	return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
}

// expandDict turns a dictionary array of strings into a plain array of
// type want (string or large string).
func expandDict(mem memory.Allocator, d *array.Dictionary, want arrow.DataType) (arrow.Array, error) {
	var dictOffsets []int64
	var dictData []byte
	switch v := d.Dictionary().(type) {
	case *array.String:
		o := v.ValueOffsets()
		dictOffsets = make([]int64, len(o))
		for i, x := range o {
			dictOffsets[i] = int64(x)
		}
		dictData = v.ValueBytes()
	case *array.LargeString:
		dictOffsets, dictData = v.ValueOffsets(), v.ValueBytes()
	default:
		return nil, fmt.Errorf("%w: dictionary of %s", errs.ErrInternal, d.Dictionary().DataType())
	}
	e := expansion{mem: mem, offsets: dictOffsets, data: dictData, large: want.ID() == arrow.LARGE_STRING,
		off: d.Data().Offset(), n: d.Len()}
	if d.NullN() > 0 {
		e.valid = d.NullBitmapBytes()
	}
	var err error
	switch x := d.Indices().(type) {
	case *array.Int32:
		err = expand(&e, x.Int32Values())
	case *array.Int64:
		err = expand(&e, x.Int64Values())
	case *array.Int16:
		err = expand(&e, x.Int16Values())
	case *array.Int8:
		err = expand(&e, x.Int8Values())
	case *array.Uint32:
		err = expand(&e, x.Uint32Values())
	case *array.Uint16:
		err = expand(&e, x.Uint16Values())
	case *array.Uint8:
		err = expand(&e, x.Uint8Values())
	default:
		return nil, fmt.Errorf("%w: dictionary indices of type %s", errs.ErrInternal, d.Indices().DataType())
	}
	if err != nil {
		return nil, err
	}
	var validity *memory.Buffer
	if e.valid != nil {
		validity = memory.NewResizableBuffer(mem)
		validity.Resize(int(bitutil.BytesForBits(int64(e.n))))
		bitutil.CopyBitmap(e.valid, e.off, e.n, validity.Bytes(), 0)
		defer validity.Release()
	}
	defer e.outOffsets.Release()
	defer e.outData.Release()
	ad := array.NewData(want, e.n, []*memory.Buffer{validity, e.outOffsets, e.outData}, nil, d.NullN(), 0)
	defer ad.Release()
	return array.MakeFromData(ad), nil
}

type expansion struct {
	mem     memory.Allocator
	offsets []int64 // of the dictionary's values
	data    []byte
	large   bool
	valid   []byte // nil without nulls
	off, n  int

	outOffsets, outData *memory.Buffer
}

func (e *expansion) isValid(i int) bool {
	return e.valid == nil || bitutil.BitIsSet(e.valid, e.off+i)
}

func expand[T int8 | int16 | int32 | int64 | uint8 | uint16 | uint32](e *expansion, idx []T) error {
	var total int64
	for i, k := range idx {
		if e.isValid(i) {
			total += e.offsets[k+1] - e.offsets[k]
		}
	}
	if !e.large && total > math.MaxInt32 {
		return fmt.Errorf("%w: string column of %d bytes in one batch; read it as large_string", errs.ErrExec, total)
	}
	width := 4
	if e.large {
		width = 8
	}
	e.outOffsets = memory.NewResizableBuffer(e.mem)
	e.outOffsets.Resize((e.n + 1) * width)
	e.outData = memory.NewResizableBuffer(e.mem)
	e.outData.Resize(int(total))
	out := e.outData.Bytes()
	var pos int64
	if e.large {
		o := unsafe.Slice((*int64)(unsafe.Pointer(unsafe.SliceData(e.outOffsets.Bytes()))), e.n+1)
		for i, k := range idx {
			o[i] = pos
			if e.isValid(i) {
				pos += int64(copy(out[pos:], e.data[e.offsets[k]:e.offsets[k+1]]))
			}
		}
		o[e.n] = pos
		return nil
	}
	o := unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(e.outOffsets.Bytes()))), e.n+1)
	for i, k := range idx {
		o[i] = int32(pos)
		if e.isValid(i) {
			pos += int64(copy(out[pos:], e.data[e.offsets[k]:e.offsets[k+1]]))
		}
	}
	o[e.n] = int32(pos)
	return nil
}
