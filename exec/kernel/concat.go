package kernel

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Concat joins the strings of each row, as SQL's || operator: a null in
// any argument makes the row null (DuckDB's concat() function skips nulls
// instead: Coalesce each argument with an empty string for that). Arrays
// of length 1 stand for constants. The result is LargeString when any
// argument is, String otherwise.
func Concat(mem memory.Allocator, args ...arrow.Array) (arrow.Array, error) {
	const fn = "concat"
	if len(args) == 0 {
		return nil, fmt.Errorf("%s: no arguments: %w", fn, errs.ErrPlan)
	}
	n, err := checkLengths(fn, args...)
	if err != nil {
		return nil, err
	}
	srcs := make([]arrow.Array, len(args))
	defer func() {
		for _, s := range srcs {
			if s != nil {
				s.Release()
			}
		}
	}()
	large := false
	for k, a := range args {
		if srcs[k], err = stringInput(mem, fn, a); err != nil {
			return nil, err
		}
		large = large || srcs[k].DataType().ID() == arrow.LARGE_STRING
	}
	// Rows where every argument is valid.
	validity := allocBitmap(mem, n)
	invertBits(validity.Bytes(), n)
	vb := validity.Bytes()
	for _, a := range srcs {
		switch {
		case a.NullN() == 0:
		case a.Len() != n: // a null constant
			clear(vb)
		default:
			bitutil.BitmapAnd(vb, a.NullBitmapBytes(), 0, int64(a.Data().Offset()), vb, 0, int64(n))
		}
	}
	var vbits []byte
	validity, nulls := finishValidity(validity, n)
	if validity != nil {
		vbits = validity.Bytes()
	}
	var out arrow.Array
	if large {
		out, err = concatRows[int64](mem, n, srcs, validity, vbits, nulls)
	} else {
		out, err = concatRows[int32](mem, n, srcs, validity, vbits, nulls)
	}
	if err != nil {
		releaseBuffers(validity)
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return out, nil
}

// concatPart is one argument seen by concatRows, whatever its offset type.
type concatPart struct {
	offs32 []int32
	offs64 []int64
	data   []byte
	stride int
}

func (p *concatPart) row(j int) []byte {
	if p.offs32 != nil {
		return p.data[p.offs32[j]:p.offs32[j+1]]
	}
	return p.data[p.offs64[j]:p.offs64[j+1]]
}

// concatRows writes the rows; valid is nil when no row is null.
func concatRows[O offsetT](mem memory.Allocator, n int, srcs []arrow.Array, validity *memory.Buffer, valid []byte, nulls int) (arrow.Array, error) {
	parts := make([]concatPart, len(srcs))
	size := 0
	for k, a := range srcs {
		p := &parts[k]
		p.stride = stride(a, n)
		if a.DataType().ID() == arrow.STRING {
			l := layoutOf[int32](a)
			p.offs32, p.data = l.offs, l.data
			size += l.size() * (1 + (n-1)*(1-p.stride))
		} else {
			l := layoutOf[int64](a)
			p.offs64, p.data = l.offs, l.data
			size += l.size() * (1 + (n-1)*(1-p.stride))
		}
	}
	b := newStringBuilder[O](mem, n, size)
	for i := range n {
		if valid == nil || bitutil.BitIsSet(valid, i) {
			for k := range parts {
				b.append(parts[k].row(i * parts[k].stride))
			}
		}
		if err := b.endRow(i); err != nil {
			b.release()
			return nil, err
		}
	}
	return b.finish(n, validity, nulls), nil
}
