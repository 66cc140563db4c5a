package join

import (
	"context"
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Selection is a list of row indexes to gather, with what is known about
// it computed once for all the columns gathered with it. A negative index
// selects a NULL row (the missing side of an outer join).
type Selection struct {
	idx []int32
	// run: the indexes count up by one from idx[0] >= 0, so gathering is
	// slicing.
	run bool
	// nulls: some index is negative.
	nulls bool
}

// Select describes idx, which must not change while the selection is in
// use.
func Select(idx []int32) Selection {
	s := Selection{idx: idx, run: len(idx) > 0 && idx[0] >= 0}
	for i, j := range idx {
		if j < 0 {
			s.nulls, s.run = true, false
			break
		}
		if s.run && j != idx[0]+int32(i) {
			s.run = false
		}
	}
	return s
}

// Len is the number of selected rows.
func (s Selection) Len() int { return len(s.idx) }

// Take returns the rows of arr at idx, in that order; a negative index
// gives a NULL row. It is Select(idx).Take.
func Take(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	return Select(idx).Take(mem, arr)
}

// Take returns the selected rows of arr. Indexes that run consecutively
// give a zero-copy slice of arr. Common types are copied with typed loops;
// others go through arrow's take kernel.
func (s Selection) Take(mem memory.Allocator, arr arrow.Array) (arrow.Array, error) {
	n := len(s.idx)
	if n == 0 {
		return array.NewSlice(arr, 0, 0), nil
	}
	if s.run {
		lo := int64(s.idx[0])
		if lo == 0 && n == arr.Len() {
			arr.Retain()
			return arr, nil
		}
		return array.NewSlice(arr, lo, lo+int64(n)), nil
	}
	dt := arr.DataType()
	switch dt.ID() {
	case arrow.NULL:
		return array.NewNull(n), nil
	case arrow.BOOL:
		return takeBool(mem, arr, s), nil
	case arrow.STRING, arrow.BINARY:
		return takeBinary[int32](mem, arr, s)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return takeBinary[int64](mem, arr, s)
	case arrow.STRING_VIEW, arrow.BINARY_VIEW:
		return takeView(mem, arr, s), nil
	case arrow.DICTIONARY, arrow.EXTENSION:
	default:
		if fw, ok := dt.(arrow.FixedWidthDataType); ok && fw.BitWidth()%8 == 0 && len(arr.Data().Buffers()) == 2 {
			switch fw.BitWidth() / 8 {
			case 1:
				return takeFixed[uint8](mem, arr, s), nil
			case 2:
				return takeFixed[uint16](mem, arr, s), nil
			case 4:
				return takeFixed[uint32](mem, arr, s), nil
			case 8:
				return takeFixed[uint64](mem, arr, s), nil
			case 16:
				return takeFixed[[16]byte](mem, arr, s), nil
			case 32:
				return takeFixed[[32]byte](mem, arr, s), nil
			}
		}
	}
	return takeGeneric(mem, arr, s.idx)
}

// takeValidity returns the validity bitmap of the gathered rows and their
// null count; nil when no row is null.
func takeValidity(mem memory.Allocator, arr arrow.Array, s Selection) (*memory.Buffer, int) {
	var src []byte
	off := arr.Data().Offset()
	if arr.NullN() > 0 {
		src = arr.Data().Buffers()[0].Bytes()
	}
	if src == nil && !s.nulls {
		return nil, 0
	}
	idx := s.idx
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(len(idx)))))
	bits := buf.Bytes()
	clear(bits)
	nulls := 0
	for i, j := range idx {
		if j >= 0 && (src == nil || bitutil.BitIsSet(src, off+int(j))) {
			bits[i>>3] |= 1 << (i & 7)
		} else {
			nulls++
		}
	}
	if nulls == 0 {
		buf.Release()
		return nil, 0
	}
	return buf, nulls
}

func makeArray(dt arrow.DataType, n int, bufs []*memory.Buffer, nulls int) arrow.Array {
	data := array.NewData(dt, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	defer data.Release()
	return array.MakeFromData(data)
}

func takeFixed[T any](mem memory.Allocator, arr arrow.Array, s Selection) arrow.Array {
	var zero T
	valid, nulls := takeValidity(mem, arr, s)
	idx := s.idx
	data := arr.Data()
	src := castSlice[T](data.Buffers()[1].Bytes())[data.Offset() : data.Offset()+data.Len()]
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(idx) * sizeOf[T]())
	out := castSlice[T](buf.Bytes())[:len(idx)]
	if !s.nulls {
		for i, j := range idx {
			out[i] = src[j]
		}
	} else {
		for i, j := range idx {
			if j >= 0 {
				out[i] = src[j]
			} else {
				out[i] = zero
			}
		}
	}
	return makeArray(arr.DataType(), len(idx), []*memory.Buffer{valid, buf}, nulls)
}

// takeView gathers the 16-byte views and shares the source's data
// buffers, which the views point into.
func takeView(mem memory.Allocator, arr arrow.Array, s Selection) arrow.Array {
	valid, nulls := takeValidity(mem, arr, s)
	idx := s.idx
	data := arr.Data()
	src := castSlice[[16]byte](data.Buffers()[1].Bytes())[data.Offset() : data.Offset()+data.Len()]
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(idx) * 16)
	out := castSlice[[16]byte](buf.Bytes())[:len(idx)]
	for i, j := range idx {
		if j >= 0 {
			out[i] = src[j]
		} else {
			out[i] = [16]byte{}
		}
	}
	bufs := []*memory.Buffer{valid, buf}
	for _, b := range data.Buffers()[2:] {
		b.Retain()
		bufs = append(bufs, b)
	}
	return makeArray(arr.DataType(), len(idx), bufs, nulls)
}

func takeBool(mem memory.Allocator, arr arrow.Array, s Selection) arrow.Array {
	valid, nulls := takeValidity(mem, arr, s)
	idx := s.idx
	data := arr.Data()
	src, off := data.Buffers()[1].Bytes(), data.Offset()
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(int(bitutil.BytesForBits(int64(len(idx)))))
	out := buf.Bytes()
	clear(out)
	for i, j := range idx {
		if j >= 0 && bitutil.BitIsSet(src, off+int(j)) {
			out[i>>3] |= 1 << (i & 7)
		}
	}
	return makeArray(arr.DataType(), len(idx), []*memory.Buffer{valid, buf}, nulls)
}

func takeBinary[O int32 | int64](mem memory.Allocator, arr arrow.Array, s Selection) (arrow.Array, error) {
	valid, nulls := takeValidity(mem, arr, s)
	idx := s.idx
	data := arr.Data()
	offs := arrow.GetOffsets[O](data, 1)
	var src []byte
	if b := data.Buffers()[2]; b != nil {
		src = b.Bytes()
	}
	// A null row may have any offsets: it is copied as empty.
	var vbits []byte
	if valid != nil {
		vbits = valid.Bytes()
	}
	total := 0
	for i, j := range idx {
		if vbits == nil || bitutil.BitIsSet(vbits, i) {
			total += int(offs[j+1] - offs[j])
		}
	}
	var zero O
	if _, narrow := any(zero).(int32); narrow && total > math.MaxInt32 {
		if valid != nil {
			valid.Release()
		}
		return nil, fmt.Errorf("gathering %d bytes of strings into one array: %w", total, errs.ErrResourcesExhausted)
	}
	offBuf := memory.NewResizableBuffer(mem)
	offBuf.Resize((len(idx) + 1) * sizeOf[O]())
	outOffs := castSlice[O](offBuf.Bytes())[:len(idx)+1]
	dataBuf := memory.NewResizableBuffer(mem)
	dataBuf.Resize(total)
	out := dataBuf.Bytes()
	pos := O(0)
	outOffs[0] = 0
	for i, j := range idx {
		if vbits == nil || bitutil.BitIsSet(vbits, i) {
			pos += O(copy(out[pos:], src[offs[j]:offs[j+1]]))
		}
		outOffs[i+1] = pos
	}
	return makeArray(arr.DataType(), len(idx), []*memory.Buffer{valid, offBuf, dataBuf}, nulls), nil
}

// takeGeneric gathers with arrow's take kernel; negative indexes become
// null indexes, which give null rows.
func takeGeneric(mem memory.Allocator, arr arrow.Array, idx []int32) (arrow.Array, error) {
	b := array.NewInt32Builder(mem)
	defer b.Release()
	b.Reserve(len(idx))
	for _, j := range idx {
		if j < 0 {
			b.UnsafeAppendBoolToBitmap(false)
		} else {
			b.UnsafeAppend(j)
		}
	}
	indices := b.NewArray()
	defer indices.Release()
	out, err := compute.TakeArray(compute.WithAllocator(context.Background(), mem), arr, indices)
	if err != nil {
		return nil, fmt.Errorf("gather %s: %w", arr.DataType(), err)
	}
	return out, nil
}
