package kernel

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// Coalesce returns, per row, the first non-null argument. The arguments
// share one type (Null-typed arguments are allowed and skipped); arrays of
// length 1 stand for constants. Supported types: every fixed-width type
// (numbers, dates, times, timestamps, durations, decimals, intervals),
// Boolean, String, LargeString, Binary, LargeBinary and StringView (which
// comes out as String).
func Coalesce(mem memory.Allocator, args ...arrow.Array) (arrow.Array, error) {
	const fn = "coalesce"
	if len(args) == 0 {
		return nil, fmt.Errorf("%s: no arguments: %w", fn, errs.ErrPlan)
	}
	if len(args) >= math.MaxUint16 {
		return nil, fmt.Errorf("%s: %d arguments: %w", fn, len(args), errs.ErrNotImplemented)
	}
	n, err := checkLengths(fn, args...)
	if err != nil {
		return nil, err
	}
	if len(args) == 1 && args[0].Len() == n {
		args[0].Retain()
		return args[0], nil
	}
	c := newChooser(n, len(args))
	var words []uint64
	for k, a := range args {
		if c.left == 0 {
			break
		}
		switch {
		case a.DataType().ID() == arrow.NULL || a.NullN() == a.Len():
			continue
		case a.NullN() == 0: // constants land here or above
			c.takeAll(uint16(k))
		default:
			words = bitmapWords(words, a.NullBitmapBytes(), a.Data().Offset(), n)
			c.take(uint16(k), words)
		}
	}
	return gatherChosen(mem, fn, n, c.choice, args)
}

// IfElse returns then where cond is true and otherwise (null or false)
// els, which may be nil for NULL. It is CaseWhen with one branch.
func IfElse(mem memory.Allocator, cond, then, els arrow.Array) (arrow.Array, error) {
	return CaseWhen(mem, []arrow.Array{cond}, []arrow.Array{then}, els)
}

// CaseWhen is SQL's searched CASE: per row, values[k] for the first k whose
// condition is true, else elseVal (nil means NULL). A null condition counts
// as false. conds are Boolean; values and elseVal share one type, with
// Coalesce's list of types; arrays of length 1 stand for constants.
func CaseWhen(mem memory.Allocator, conds, values []arrow.Array, elseVal arrow.Array) (arrow.Array, error) {
	const fn = "case_when"
	if len(conds) != len(values) || len(values) == 0 {
		return nil, fmt.Errorf("%s: %d conditions for %d values: %w", fn, len(conds), len(values), errs.ErrPlan)
	}
	if len(values) >= math.MaxUint16 {
		return nil, fmt.Errorf("%s: %d branches: %w", fn, len(values), errs.ErrNotImplemented)
	}
	sources := values
	if elseVal != nil {
		sources = append(append([]arrow.Array(nil), values...), elseVal)
	}
	n, err := checkLengths(fn, append(append([]arrow.Array(nil), conds...), sources...)...)
	if err != nil {
		return nil, err
	}
	c := newChooser(n, len(sources))
	var words []uint64
	for k, cond := range conds {
		if c.left == 0 {
			break
		}
		b, ok := cond.(*array.Boolean)
		if !ok {
			return nil, fmt.Errorf("%s: condition of type %s: %w", fn, cond.DataType(), errs.ErrPlan)
		}
		if b.Len() != n {
			if b.IsValid(0) && b.Value(0) {
				c.takeAll(uint16(k))
			}
			continue
		}
		words = maskWords(words, b)
		c.take(uint16(k), words)
	}
	if elseVal != nil && c.left > 0 {
		c.takeAll(uint16(len(values)))
	}
	return gatherChosen(mem, fn, n, c.choice, sources)
}

// chooser records, per row, which source the row is taken from. Rows not
// yet decided hold none, which gathers as null.
type chooser struct {
	choice    []uint16
	undecided []uint64
	left      int
	none      uint16
}

func newChooser(n, sources int) *chooser {
	c := &chooser{
		choice:    make([]uint16, n),
		undecided: make([]uint64, (n+63)/64),
		left:      n,
		none:      uint16(sources),
	}
	for i := range c.choice {
		c.choice[i] = c.none
	}
	for i := range c.undecided {
		c.undecided[i] = math.MaxUint64
	}
	if r := n % 64; r != 0 {
		c.undecided[len(c.undecided)-1] = 1<<r - 1
	}
	return c
}

// take assigns source k to the undecided rows whose bit is set in words.
func (c *chooser) take(k uint16, words []uint64) {
	for w, word := range words {
		m := word & c.undecided[w]
		if m == 0 {
			continue
		}
		c.undecided[w] &^= m
		c.left -= bits.OnesCount64(m)
		base := w * 64
		for m != 0 {
			c.choice[base+bits.TrailingZeros64(m)] = k
			m &= m - 1
		}
	}
}

// takeAll assigns source k to every undecided row.
func (c *chooser) takeAll(k uint16) {
	c.take(k, c.undecided)
}

// bitmapWords copies n bits of bitmap from bit off into words (reused
// when large enough), zero past n; a nil bitmap gives all zeros.
func bitmapWords(words []uint64, bitmap []byte, off, n int) []uint64 {
	nw := (n + 63) / 64
	if cap(words) < nw {
		words = make([]uint64, nw)
	}
	words = words[:nw]
	clear(words)
	if bitmap != nil && n > 0 {
		bitutil.CopyBitmap(bitmap, off, n, viewAsBytes(words), 0)
	}
	return words
}

// maskWords returns the rows where b is valid and true.
func maskWords(words []uint64, b *array.Boolean) []uint64 {
	n, off := b.Len(), b.Data().Offset()
	var values []byte
	if vb := b.Data().Buffers()[1]; vb != nil {
		values = vb.Bytes()
	}
	words = bitmapWords(words, values, off, n)
	if b.NullN() > 0 {
		dst := viewAsBytes(words)
		bitutil.BitmapAnd(dst, b.NullBitmapBytes(), 0, int64(off), dst, 0, int64(n))
	}
	return words
}

// gatherChosen builds the result: row i is row i (or row 0 for a constant)
// of sources[choice[i]], null when choice[i] == len(sources).
func gatherChosen(mem memory.Allocator, fn string, n int, choice []uint16, sources []arrow.Array) (arrow.Array, error) {
	dt, err := commonType(fn, sources)
	if err != nil {
		return nil, err
	}
	if dt.ID() == arrow.NULL {
		return array.NewNull(n), nil
	}
	if dt.ID() == arrow.STRING_VIEW {
		converted := make([]arrow.Array, len(sources))
		defer func() {
			for _, a := range converted {
				if a != nil {
					a.Release()
				}
			}
		}()
		for k, a := range sources {
			if a.DataType().ID() == arrow.NULL {
				a.Retain()
				converted[k] = a
				continue
			}
			if converted[k], err = stringInput(mem, fn, a); err != nil {
				return nil, err
			}
		}
		sources, dt = converted, arrow.BinaryTypes.String
	}
	validity := allocBitmap(mem, n)
	var out arrow.Array
	switch id := dt.ID(); id {
	case arrow.BOOL:
		out = chooseBools(mem, n, choice, sources, validity)
	case arrow.STRING, arrow.BINARY:
		out, err = chooseVarBinary[int32](mem, dt, n, choice, sources, validity)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		out, err = chooseVarBinary[int64](mem, dt, n, choice, sources, validity)
	default:
		switch byteWidth(dt) {
		case 1:
			out = chooseFixed[uint8](mem, dt, n, choice, sources, validity)
		case 2:
			out = chooseFixed[uint16](mem, dt, n, choice, sources, validity)
		case 4:
			out = chooseFixed[uint32](mem, dt, n, choice, sources, validity)
		case 8:
			out = chooseFixed[uint64](mem, dt, n, choice, sources, validity)
		case 16:
			out = chooseFixed[[16]byte](mem, dt, n, choice, sources, validity)
		case 32:
			out = chooseFixed[[32]byte](mem, dt, n, choice, sources, validity)
		default:
			validity.Release()
			return nil, errUnsupported(fn, dt)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return out, nil
}

// commonType returns the type shared by the sources that are not of the
// Null type (Null when all are).
func commonType(fn string, sources []arrow.Array) (arrow.DataType, error) {
	var dt arrow.DataType = arrow.Null
	for _, a := range sources {
		t := a.DataType()
		switch {
		case t.ID() == arrow.NULL:
		case dt.ID() == arrow.NULL:
			dt = t
		case !arrow.TypeEqual(dt, t):
			return nil, fmt.Errorf("%s: arguments of types %s and %s: %w", fn, dt, t, errs.ErrPlan)
		}
	}
	return dt, nil
}

// source is one argument seen by the gather loops: validity bitmap and
// offset, and the step between rows (0 for a constant).
type source struct {
	valid  []byte
	off    int
	stride int
	null   bool // Null-typed: every row is null
}

func sourcesOf(n int, arrs []arrow.Array) []source {
	out := make([]source, len(arrs))
	for k, a := range arrs {
		out[k] = source{
			valid:  nullBitmap(a),
			off:    a.Data().Offset(),
			stride: stride(a, n),
			null:   a.DataType().ID() == arrow.NULL,
		}
	}
	return out
}

// validRow reports whether source row j is valid.
func (s *source) validRow(j int) bool {
	return !s.null && (s.valid == nil || bitutil.BitIsSet(s.valid, s.off+j))
}

// finishValidity drops the validity bitmap when no row is null.
func finishValidity(validity *memory.Buffer, n int) (*memory.Buffer, int) {
	nulls := n - bitutil.CountSetBits(validity.Bytes(), 0, n)
	if nulls == 0 {
		validity.Release()
		return nil, 0
	}
	return validity, nulls
}

func chooseFixed[T fixedWidth](mem memory.Allocator, dt arrow.DataType, n int, choice []uint16, arrs []arrow.Array, validity *memory.Buffer) arrow.Array {
	srcs := sourcesOf(n, arrs)
	vals := make([][]T, len(arrs))
	for k, a := range arrs {
		if !srcs[k].null {
			vals[k] = fixedValues[T](a)
		}
	}
	out := allocZeroed(mem, n*sizeOf[T]())
	dst := viewAs[T](out.Bytes())[:n]
	vbits := validity.Bytes()
	for i, c := range choice {
		if int(c) >= len(srcs) {
			continue
		}
		s := &srcs[c]
		j := i * s.stride
		if s.validRow(j) {
			dst[i] = vals[c][j]
			vbits[i>>3] |= 1 << (uint(i) & 7)
		}
	}
	validity, nulls := finishValidity(validity, n)
	return makeArray(dt, n, []*memory.Buffer{validity, out}, nulls)
}

func chooseBools(mem memory.Allocator, n int, choice []uint16, arrs []arrow.Array, validity *memory.Buffer) arrow.Array {
	srcs := sourcesOf(n, arrs)
	vals := make([][]byte, len(arrs))
	for k, a := range arrs {
		if b := a.Data().Buffers(); !srcs[k].null && b[1] != nil {
			vals[k] = b[1].Bytes()
		}
	}
	out := allocBitmap(mem, n)
	dst, vbits := out.Bytes(), validity.Bytes()
	for i, c := range choice {
		if int(c) >= len(srcs) {
			continue
		}
		s := &srcs[c]
		j := i * s.stride
		if s.validRow(j) {
			vbits[i>>3] |= 1 << (uint(i) & 7)
			if bitutil.BitIsSet(vals[c], s.off+j) {
				dst[i>>3] |= 1 << (uint(i) & 7)
			}
		}
	}
	validity, nulls := finishValidity(validity, n)
	return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validity, out}, nulls)
}

func chooseVarBinary[O offsetT](mem memory.Allocator, dt arrow.DataType, n int, choice []uint16, arrs []arrow.Array, validity *memory.Buffer) (arrow.Array, error) {
	srcs := sourcesOf(n, arrs)
	lays := make([]varBinary[O], len(arrs))
	for k, a := range arrs {
		if !srcs[k].null {
			lays[k] = layoutOf[O](a)
		}
	}
	// First pass: validity and the exact data size.
	vbits := validity.Bytes()
	total := 0
	for i, c := range choice {
		if int(c) >= len(srcs) {
			continue
		}
		s := &srcs[c]
		j := i * s.stride
		if s.validRow(j) {
			vbits[i>>3] |= 1 << (uint(i) & 7)
			total += int(lays[c].offs[j+1] - lays[c].offs[j])
		}
	}
	if int(O(total)) != total || O(total) < 0 {
		validity.Release()
		return nil, fmt.Errorf("string result of %d bytes exceeds %s offsets: %w", total, dt, errs.ErrResourcesExhausted)
	}
	offsets := allocBuffer(mem, (n+1)*sizeOf[O]())
	data := allocBuffer(mem, total)
	offs, buf := viewAs[O](offsets.Bytes())[:n+1], data.Bytes()
	pos := O(0)
	for i, c := range choice {
		offs[i] = pos
		if bitutil.BitIsSet(vbits, i) {
			l := &lays[c]
			j := i * srcs[c].stride
			pos += O(copy(buf[pos:], l.data[l.offs[j]:l.offs[j+1]]))
		}
	}
	offs[n] = pos
	validity, nulls := finishValidity(validity, n)
	return makeArray(dt, n, []*memory.Buffer{validity, offsets, data}, nulls), nil
}
