package kernel

import (
	"context"
	"fmt"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/compute/exec"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Filter keeps the rows of rec whose mask entry is true; a null mask entry
// drops the row, as a null WHERE predicate does. When every row is kept
// rec itself is returned, retained. Boolean columns with nulls come out
// right (arrow-go v18.8.0's own filter scrambles them).
func Filter(mem memory.Allocator, rec arrow.RecordBatch, mask *array.Boolean) (arrow.RecordBatch, error) {
	if mask == nil || int64(mask.Len()) != rec.NumRows() {
		return nil, fmt.Errorf("filter: mask length does not match %d rows: %w", rec.NumRows(), errs.ErrInternal)
	}
	sel := newSelection(mask)
	if sel.count == sel.n {
		rec.Retain()
		return rec, nil
	}
	cols := make([]arrow.Array, rec.NumCols())
	for i, col := range rec.Columns() {
		out, err := sel.apply(mem, col)
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			return nil, fmt.Errorf("filter column %q: %w", rec.ColumnName(i), err)
		}
		cols[i] = out
	}
	out := array.NewRecordBatch(rec.Schema(), cols, int64(sel.count))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

// FilterArray keeps the rows of in whose mask entry is true (null drops the
// row). When every row is kept in itself is returned, retained.
func FilterArray(mem memory.Allocator, in arrow.Array, mask *array.Boolean) (arrow.Array, error) {
	if mask == nil || mask.Len() != in.Len() {
		return nil, fmt.Errorf("filter: mask length does not match %d rows: %w", in.Len(), errs.ErrInternal)
	}
	sel := newSelection(mask)
	if sel.count == sel.n {
		in.Retain()
		return in, nil
	}
	out, err := sel.apply(mem, in)
	if err != nil {
		return nil, fmt.Errorf("filter: %w", err)
	}
	return out, nil
}

// selection is a filter mask resolved once per batch: bit i of words is
// set when row i is kept (mask valid and true), bits past n are zero.
type selection struct {
	words []uint64
	n     int
	count int
}

func newSelection(mask *array.Boolean) selection {
	n := mask.Len()
	// On little-endian machines bit k of the word slice is bit k of the
	// byte view, which is Arrow's bitmap order.
	words := make([]uint64, (n+63)/64)
	dst := viewAsBytes(words)
	off := mask.Data().Offset()
	if vb := mask.Data().Buffers()[1]; vb != nil && n > 0 {
		bitutil.CopyBitmap(vb.Bytes(), off, n, dst, 0)
	}
	if mask.NullN() > 0 {
		bitutil.BitmapAnd(dst, mask.NullBitmapBytes(), 0, int64(off), dst, 0, int64(n))
	}
	count := 0
	for _, w := range words {
		count += bits.OnesCount64(w)
	}
	return selection{words: words, n: n, count: count}
}

// apply filters one column.
func (s selection) apply(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	dt := in.DataType()
	id, width := dt.ID(), byteWidth(dt)
	switch {
	case id == arrow.NULL:
		return array.NewNull(s.count), nil
	case id != arrow.BOOL && id != arrow.STRING && id != arrow.BINARY &&
		id != arrow.LARGE_STRING && id != arrow.LARGE_BINARY && width == 0:
		return s.take(mem, in)
	}
	validity, nulls := s.gatherValidity(mem, in)
	switch id {
	case arrow.BOOL:
		out := allocBitmap(mem, s.count)
		if vals := in.Data().Buffers()[1]; vals != nil {
			s.gatherBits(vals.Bytes(), in.Data().Offset(), out.Bytes())
		}
		return makeArray(dt, s.count, []*memory.Buffer{validity, out}, nulls), nil
	case arrow.STRING, arrow.BINARY:
		return gatherVarBinary(mem, s, layoutOf[int32](in), dt, validity, nulls), nil
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return gatherVarBinary(mem, s, layoutOf[int64](in), dt, validity, nulls), nil
	}
	var out *memory.Buffer
	switch width {
	case 1:
		out = gatherFixed[uint8](mem, s, in)
	case 2:
		out = gatherFixed[uint16](mem, s, in)
	case 4:
		out = gatherFixed[uint32](mem, s, in)
	case 8:
		out = gatherFixed[uint64](mem, s, in)
	case 16:
		out = gatherFixed[[16]byte](mem, s, in)
	default:
		out = gatherFixed[[32]byte](mem, s, in)
	}
	return makeArray(dt, s.count, []*memory.Buffer{validity, out}, nulls), nil
}

// gatherValidity returns the validity bitmap of the kept rows, nil when
// none of them is null.
func (s selection) gatherValidity(mem memory.Allocator, in arrow.Array) (*memory.Buffer, int) {
	if in.NullN() == 0 || in.DataType().ID() == arrow.NULL {
		return nil, 0
	}
	out := allocBitmap(mem, s.count)
	valid := s.gatherBits(in.NullBitmapBytes(), in.Data().Offset(), out.Bytes())
	if valid == s.count {
		out.Release()
		return nil, 0
	}
	return out, s.count - valid
}

// nextRun removes the lowest run of consecutive set bits from *word and
// returns where it starts and how long it is. Copying runs instead of
// single rows makes dense masks cost one copy per run.
func nextRun(word *uint64) (start, n int) {
	start = bits.TrailingZeros64(*word)
	n = bits.TrailingZeros64(^(*word >> uint(start)))
	*word &^= (1<<uint(n) - 1) << uint(start)
	return start, n
}

// gatherBits copies the bits of the kept rows of src (starting at bit
// off) to the zeroed dst and returns how many were set.
func (s selection) gatherBits(src []byte, off int, dst []byte) int {
	j := 0
	for w, word := range s.words {
		base := off + w*64
		for word != 0 {
			start, n := nextRun(&word)
			if n >= 16 {
				bitutil.CopyBitmap(src, base+start, n, dst, j)
				j += n
				continue
			}
			for i := base + start; i < base+start+n; i++ {
				if bitutil.BitIsSet(src, i) {
					dst[j>>3] |= 1 << (uint(j) & 7)
				}
				j++
			}
		}
	}
	return bitutil.CountSetBits(dst, 0, j)
}

func gatherFixed[T fixedWidth](mem memory.Allocator, s selection, in arrow.Array) *memory.Buffer {
	out := allocBuffer(mem, s.count*sizeOf[T]())
	dst := viewAs[T](out.Bytes())[:s.count]
	src := fixedValues[T](in)
	j := 0
	for w, word := range s.words {
		base := w * 64
		for word != 0 {
			start, n := nextRun(&word)
			i := base + start
			if n <= 4 { // a memmove call costs more than a few moves
				for k := range n {
					dst[j+k] = src[i+k]
				}
			} else {
				copy(dst[j:j+n], src[i:i+n])
			}
			j += n
		}
	}
	return out
}

func gatherVarBinary[O offsetT](mem memory.Allocator, s selection, l varBinary[O], dt arrow.DataType, validity *memory.Buffer, nulls int) arrow.Array {
	offs := l.offs
	total := 0
	for w, word := range s.words {
		base := w * 64
		for word != 0 {
			start, n := nextRun(&word)
			total += int(offs[base+start+n] - offs[base+start])
		}
	}
	outOffs := allocBuffer(mem, (s.count+1)*sizeOf[O]())
	outData := allocBuffer(mem, total)
	doffs := viewAs[O](outOffs.Bytes())[:s.count+1]
	data := outData.Bytes()
	j, pos := 0, O(0)
	for w, word := range s.words {
		base := w * 64
		for word != 0 {
			start, n := nextRun(&word)
			i := base + start
			first := offs[i]
			for k := range n {
				doffs[j+k] = pos + offs[i+k] - first
			}
			pos += O(copy(data[pos:], l.data[first:offs[i+n]]))
			j += n
		}
	}
	doffs[j] = pos
	return makeArray(dt, s.count, []*memory.Buffer{validity, outOffs, outData}, nulls)
}

// take filters the types without a loop here (nested, dictionary,
// views, odd widths) with arrow's take, which handles them correctly
// unlike its filter on Boolean data.
func (s selection) take(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	b := array.NewInt64Builder(mem)
	defer b.Release()
	b.Reserve(s.count)
	for w, word := range s.words {
		for word != 0 {
			b.UnsafeAppend(int64(w*64 + bits.TrailingZeros64(word)))
			word &= word - 1
		}
	}
	idx := b.NewArray()
	defer idx.Release()
	ctx := exec.WithAllocator(context.Background(), mem)
	out, err := compute.TakeArrayOpts(ctx, in, idx, compute.TakeOptions{BoundsCheck: false})
	if err != nil {
		return nil, fmt.Errorf("take %s: %w", in.DataType(), err)
	}
	return out, nil
}
