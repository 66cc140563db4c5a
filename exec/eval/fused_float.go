package eval

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
)

// A tree of Float64 +, -, *, / and negation (TPC-H Q1's
// price * (1 - discount) * (1 + tax)) runs as one fused loop: the rows go
// through the whole tree a chunk at a time, with intermediates in small
// buffers that stay in cache, instead of one full column per operator.
// Float arithmetic needs no checks (IEEE 754 gives ±Inf and NaN) and is
// NULL where any operand is, so the result's validity is the AND of the
// operands' validities, computed once.

// fusedChunk is the number of rows that go through the tree at a time.
const fusedChunk = 1024

// fnode is a node of a fused Float64 tree.
type fnode struct {
	op       expr.BinaryOp // of an inner node
	neg      bool          // an inner node computing -l
	l, r     *fnode
	vals     []float64 // a leaf array's values
	c        float64   // a leaf constant
	constant bool      // a leaf constant
	buf      []float64 // an inner node's chunk of results
}

func (f *fnode) leaf() bool { return f.l == nil }

// isFusedFloat reports whether n is an operator a fused tree is made of.
func (e *evaluator) isFusedFloat(n expr.Node) bool {
	switch x := n.(type) {
	case *expr.Binary:
		switch x.Op {
		case expr.OpAdd, expr.OpSub, expr.OpMul, expr.OpDiv:
		default:
			return false
		}
	case *expr.Unary:
		if x.Op != expr.OpNeg {
			return false
		}
	default:
		return false
	}
	t, err := e.staticType(n)
	return err == nil && t.ID() == arrow.FLOAT64
}

// staticType is the type of a resolved node, read off the tree where it
// can be (cheaper than expr.TypeOf, which resolves the subtree again).
func (e *evaluator) staticType(n expr.Node) (arrow.DataType, error) {
	switch x := n.(type) {
	case *expr.Column:
		if idx := e.batch.Schema().FieldIndices(x.Name); len(idx) == 1 {
			return e.batch.Schema().Field(idx[0]).Type, nil
		}
	case *expr.Literal:
		return x.Value.DataType(), nil
	case *expr.Cast:
		return x.To, nil
	case *expr.Binary:
		if x.Op == expr.OpDiv {
			return arrow.PrimitiveTypes.Float64, nil
		}
		if x.Op.IsArithmetic() {
			return e.staticType(x.Left)
		}
	case *expr.Unary:
		if x.Op == expr.OpNeg {
			return e.staticType(x.In)
		}
	}
	return e.typeOf(n)
}

// fusedFloat evaluates the Float64 arithmetic tree rooted at n.
func (e *evaluator) fusedFloat(ctx context.Context, n expr.Node) (compute.Datum, error) {
	var leaves []compute.Datum
	defer func() { releaseAll(leaves) }()
	root, err := e.compileFloat(ctx, n, &leaves)
	if err != nil {
		return e.nullIfStaticallyNull(ctx, n, err)
	}
	rows := int(e.batch.NumRows())
	constant := true
	var arrays []arrow.Array
	for _, d := range leaves {
		if isNullScalar(d) {
			return nullScalarOf(arrow.PrimitiveTypes.Float64), nil
		}
		if !isScalar(d) {
			constant = false
			a := d.(*compute.ArrayDatum).MakeArray()
			defer a.Release()
			arrays = append(arrays, a)
		}
	}
	if constant {
		out := make([]float64, 1)
		root.run(0, 1, out)
		return compute.NewDatum(scalar.NewFloat64Scalar(out[0])), nil
	}
	values := newBuffer(e.mem, 8*rows)
	out := viewAs[float64](values.Bytes())[:rows]
	for lo := 0; lo < rows; lo += fusedChunk {
		hi := min(lo+fusedChunk, rows)
		root.run(lo, hi, out[lo:hi])
	}
	return kernelOutput(n, newArray(arrow.PrimitiveTypes.Float64, rows, andAll(e.mem, arrays, rows), values), false)
}

// compileFloat builds the fused tree of n; operands that are not fused
// operators are evaluated as usual and become leaves (kept in leaves for
// the caller to release).
func (e *evaluator) compileFloat(ctx context.Context, n expr.Node, leaves *[]compute.Datum) (*fnode, error) {
	if e.isFusedFloat(n) {
		f := &fnode{buf: make([]float64, fusedChunk)}
		var err error
		switch x := n.(type) {
		case *expr.Binary:
			f.op = x.Op
			if f.l, err = e.compileFloat(ctx, x.Left, leaves); err != nil {
				return nil, err
			}
			if f.r, err = e.compileFloat(ctx, x.Right, leaves); err != nil {
				return nil, err
			}
		case *expr.Unary:
			f.neg = true
			if f.l, err = e.compileFloat(ctx, x.In, leaves); err != nil {
				return nil, err
			}
		}
		return f, nil
	}
	d, err := e.eval(ctx, n)
	if err != nil {
		return nil, err
	}
	*leaves = append(*leaves, d)
	if t := datumType(d); t.ID() != arrow.FLOAT64 {
		// Resolve gives both operands the result type; a hand-built
		// tree may not.
		f, err := compute.CastDatum(ctx, d, castOptions(t, arrow.PrimitiveTypes.Float64))
		if err != nil {
			return nil, wrapErr(n, err)
		}
		*leaves = append(*leaves, f)
		d = f
	}
	if isScalar(d) {
		// A NULL makes the whole result NULL; fusedFloat checks for it.
		s := scalarOf(d).(*scalar.Float64)
		return &fnode{constant: true, c: s.Value}, nil
	}
	arr := d.(*compute.ArrayDatum).MakeArray()
	defer arr.Release()
	// The values stay valid while leaves holds d.
	return &fnode{vals: fixedValues[float64](arr)}, nil
}

// run computes rows [lo, hi) of f into dst when f is the root, and returns
// the values (an inner node's buffer, a leaf's own values, or nil for a
// constant, read from f.c).
func (f *fnode) run(lo, hi int, dst []float64) []float64 {
	if f.leaf() {
		if f.constant {
			return nil
		}
		return f.vals[lo:hi]
	}
	if dst == nil {
		dst = f.buf[:hi-lo]
	}
	a := f.l.run(lo, hi, nil)
	if f.neg {
		if a == nil {
			fill(dst, -f.l.c)
		} else {
			negF(dst, a)
		}
		return dst
	}
	b := f.r.run(lo, hi, nil)
	switch {
	case a == nil && b == nil:
		fill(dst, applyF(f.op, f.l.c, f.r.c))
	case b == nil:
		opVC(f.op, dst, a, f.r.c)
	case a == nil:
		opCV(f.op, dst, f.l.c, b)
	default:
		opVV(f.op, dst, a, b)
	}
	return dst
}

func applyF(op expr.BinaryOp, x, y float64) float64 {
	switch op {
	case expr.OpAdd:
		return x + y
	case expr.OpSub:
		return x - y
	case expr.OpMul:
		return x * y
	}
	return x / y
}

func fill(dst []float64, v float64) {
	for i := range dst {
		dst[i] = v
	}
}

func negF(dst, a []float64) {
	a = a[:len(dst)]
	for i := range dst {
		dst[i] = -a[i]
	}
}

func opVV(op expr.BinaryOp, dst, a, b []float64) {
	a, b = a[:len(dst)], b[:len(dst)]
	switch op {
	case expr.OpAdd:
		for i := range dst {
			dst[i] = a[i] + b[i]
		}
	case expr.OpSub:
		for i := range dst {
			dst[i] = a[i] - b[i]
		}
	case expr.OpMul:
		for i := range dst {
			dst[i] = a[i] * b[i]
		}
	default:
		for i := range dst {
			dst[i] = a[i] / b[i]
		}
	}
}

func opVC(op expr.BinaryOp, dst, a []float64, c float64) {
	a = a[:len(dst)]
	switch op {
	case expr.OpAdd:
		for i := range dst {
			dst[i] = a[i] + c
		}
	case expr.OpSub:
		for i := range dst {
			dst[i] = a[i] - c
		}
	case expr.OpMul:
		for i := range dst {
			dst[i] = a[i] * c
		}
	default:
		for i := range dst {
			dst[i] = a[i] / c
		}
	}
}

func opCV(op expr.BinaryOp, dst []float64, c float64, b []float64) {
	b = b[:len(dst)]
	switch op {
	case expr.OpAdd:
		for i := range dst {
			dst[i] = c + b[i]
		}
	case expr.OpSub:
		for i := range dst {
			dst[i] = c - b[i]
		}
	case expr.OpMul:
		for i := range dst {
			dst[i] = c * b[i]
		}
	default:
		for i := range dst {
			dst[i] = c / b[i]
		}
	}
}

// andAll returns the bitmap of rows valid in every array, or nil when all
// rows are.
func andAll(mem memory.Allocator, arrays []arrow.Array, n int) *memory.Buffer {
	var out *memory.Buffer
	for _, a := range arrays {
		if a.NullN() == 0 {
			continue
		}
		if out == nil {
			out = validityOf(mem, a)
			continue
		}
		bitutil.BitmapAnd(out.Bytes(), a.NullBitmapBytes(), 0, int64(a.Data().Offset()), out.Bytes(), 0, int64(n))
	}
	return out
}
