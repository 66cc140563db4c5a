package exec

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
	"lakeframe/exec/aggregate"
	"lakeframe/exec/eval"
	"lakeframe/expr"
	"lakeframe/plan/physical"
)

// aggregateOp is a hash aggregation. Single and partial modes read raw
// rows; the final mode reads partial output: the keys, then each
// aggregate's state columns.
type aggregateOp struct {
	input    Operator
	node     *physical.HashAggregate
	keyTypes []arrow.DataType
	kinds    []aggregate.Kind
	inTypes  []arrow.DataType // input type of each aggregate; nil for count(*)
	fracs    []float64        // the fraction of each Quantile
	states   [][]arrow.DataType
	schema   *arrow.Schema
}

var aggKinds = map[expr.AggFunc]aggregate.Kind{
	expr.AggSum: aggregate.Sum, expr.AggCount: aggregate.Count, expr.AggCountAll: aggregate.CountAll,
	expr.AggMean: aggregate.Mean, expr.AggMin: aggregate.Min, expr.AggMax: aggregate.Max,
	expr.AggCountDistinct: aggregate.CountDistinct,

	expr.AggVar: aggregate.Var, expr.AggVarPop: aggregate.VarPop, expr.AggStd: aggregate.Std, expr.AggStdPop: aggregate.StdPop,

	expr.AggMedian: aggregate.Quantile, expr.AggQuantile: aggregate.Quantile,

	expr.AggApproxCountDistinct: aggregate.ApproxCountDistinct,

	expr.AggFirst: aggregate.First, expr.AggLast: aggregate.Last, expr.AggList: aggregate.List,

	// bool_and and bool_or are the minimum and maximum of booleans.
	expr.AggAll: aggregate.Min, expr.AggAny: aggregate.Max,
}

func newAggregateOp(input Operator, n *physical.HashAggregate) (*aggregateOp, error) {
	op := &aggregateOp{input: input, node: n}
	var fields []arrow.Field
	for i, k := range n.Keys {
		t, err := expr.TypeOf(k, n.InputSchema)
		if err != nil {
			return nil, err
		}
		op.keyTypes = append(op.keyTypes, t)
		fields = append(fields, arrow.Field{Name: n.Names[i], Type: t, Nullable: true})
	}
	for i, a := range n.Aggs {
		kind, ok := aggKinds[a.Fn]
		if !ok {
			return nil, fmt.Errorf("%w: aggregate %s", errs.ErrNotImplemented, a)
		}
		var in arrow.DataType
		if a.In != nil {
			t, err := expr.TypeOf(a.In, n.InputSchema)
			if err != nil {
				return nil, err
			}
			in = t
		}
		st, err := aggregate.StateTypes(kind, in)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", a, err)
		}
		frac := a.Fraction
		if a.Fn == expr.AggMedian {
			frac = 0.5
		}
		op.kinds = append(op.kinds, kind)
		op.inTypes = append(op.inTypes, in)
		op.fracs = append(op.fracs, frac)
		op.states = append(op.states, st)
		if n.Mode == physical.AggPartial {
			for j, t := range st {
				fields = append(fields, arrow.Field{Name: fmt.Sprintf("%s#state%d", n.Names[len(n.Keys)+i], j), Type: t, Nullable: true})
			}
		}
	}
	if n.Mode == physical.AggPartial {
		op.schema = arrow.NewSchema(fields, nil)
	} else {
		op.schema = n.Schema()
	}
	return op, nil
}

func (a *aggregateOp) Schema() *arrow.Schema { return a.schema }
func (a *aggregateOp) Partitions() int {
	if a.node.Mode == physical.AggPartial {
		return a.input.Partitions()
	}
	return 1
}

func (a *aggregateOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	in, err := a.input.Execute(ctx, tc, p)
	if err != nil {
		return nil, err
	}
	return &aggregateStream{op: a, tc: tc, in: in, m: tc.Metrics.Register("aggregate " + a.node.Mode.String())}, nil
}

type aggregateStream struct {
	op   *aggregateOp
	tc   *TaskContext
	in   Stream
	m    *OpMetrics
	out  arrow.RecordBatch // the whole result, handed out in slices
	next int64
	done bool
}

func (s *aggregateStream) Schema() *arrow.Schema { return s.op.schema }

func (s *aggregateStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !s.done {
		s.done = true
		out, err := s.run(ctx)
		if err != nil {
			return nil, fmt.Errorf("aggregate %s: %w", s.op.node, err)
		}
		s.out = out
		countOut(s.m, out)
	}
	if s.out == nil || s.next >= s.out.NumRows() {
		return nil, io.EOF
	}
	batch := int64(max(s.tc.BatchSize, 1))
	if s.next == 0 && s.out.NumRows() <= batch {
		s.next = s.out.NumRows()
		s.out.Retain()
		return s.out, nil
	}
	end := min(s.next+batch, s.out.NumRows())
	rec := s.out.NewSlice(s.next, end)
	s.next = end
	return rec, nil
}

func (s *aggregateStream) Close() error {
	if s.out != nil {
		s.out.Release()
		s.out = nil
	}
	return s.in.Close()
}

// run consumes the whole input and returns the aggregated batch.
func (s *aggregateStream) run(ctx context.Context) (arrow.RecordBatch, error) {
	op, mem := s.op, s.tc.Mem
	table, err := aggregate.NewGroupTable(mem, op.keyTypes)
	if err != nil {
		return nil, err
	}
	defer table.Release()
	accs := make([]aggregate.Accumulator, len(op.kinds))
	defer func() {
		for _, acc := range accs {
			if acc != nil {
				acc.Release()
			}
		}
	}()
	for i, k := range op.kinds {
		if k == aggregate.Quantile {
			accs[i], err = aggregate.NewQuantile(mem, op.inTypes[i], op.fracs[i])
		} else {
			accs[i], err = aggregate.New(mem, k, op.inTypes[i])
		}
		if err != nil {
			return nil, err
		}
	}
	if len(op.keyTypes) == 0 {
		if err := s.sizeGlobal(accs); err != nil {
			return nil, err
		}
	}
	final := op.node.Mode == physical.AggFinal
	var ids []uint32
	for {
		rec, err := s.in.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if final {
			ids, err = s.mergeBatch(table, accs, rec, ids)
		} else {
			ids, err = s.updateBatch(ctx, table, accs, rec, ids)
		}
		rec.Release()
		if err != nil {
			return nil, err
		}
	}
	return s.output(table, accs)
}

// sizeGlobal gives a global aggregate its one group before any input
// arrives, so that no input still yields one row (count 0, sum NULL).
func (s *aggregateStream) sizeGlobal(accs []aggregate.Accumulator) error {
	for i, acc := range accs {
		var in arrow.Array
		if t := s.op.inTypes[i]; t != nil {
			in = array.MakeArrayOfNull(s.tc.Mem, t, 0)
		}
		err := acc.Update(nil, 1, in)
		if in != nil {
			in.Release()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *aggregateStream) groups(table *aggregate.GroupTable) int {
	if len(s.op.keyTypes) == 0 {
		return 1 // a global aggregate has one row, even over no input
	}
	return table.Len()
}

func (s *aggregateStream) updateBatch(ctx context.Context, table *aggregate.GroupTable, accs []aggregate.Accumulator, rec arrow.RecordBatch, ids []uint32) ([]uint32, error) {
	op, mem := s.op, s.tc.Mem
	keys, err := evalAll(ctx, s.tc, op.node.Keys, rec)
	if err != nil {
		return ids, err
	}
	defer releaseAll(keys)
	if ids, err = table.InsertRows(int(rec.NumRows()), keys, ids); err != nil {
		return ids, err
	}
	n := s.groups(table)
	for i, a := range op.node.Aggs {
		if a.In == nil {
			if err := accs[i].Update(ids, n, nil); err != nil {
				return ids, err
			}
			continue
		}
		arg, err := eval.Eval(ctx, mem, a.In, rec)
		if err != nil {
			return ids, fmt.Errorf("%s: %w", a, err)
		}
		err = accs[i].Update(ids, n, arg)
		arg.Release()
		if err != nil {
			return ids, fmt.Errorf("%s: %w", a, err)
		}
	}
	return ids, nil
}

func (s *aggregateStream) mergeBatch(table *aggregate.GroupTable, accs []aggregate.Accumulator, rec arrow.RecordBatch, ids []uint32) ([]uint32, error) {
	op := s.op
	nk := len(op.keyTypes)
	var err error
	if ids, err = table.InsertRows(int(rec.NumRows()), rec.Columns()[:nk], ids); err != nil {
		return ids, err
	}
	n := s.groups(table)
	col := nk
	for i := range accs {
		k := len(op.states[i])
		if err := accs[i].Merge(ids, n, rec.Columns()[col:col+k]); err != nil {
			return ids, fmt.Errorf("%s: %w", op.node.Aggs[i], err)
		}
		col += k
	}
	return ids, nil
}

func (s *aggregateStream) output(table *aggregate.GroupTable, accs []aggregate.Accumulator) (arrow.RecordBatch, error) {
	cols, err := table.Keys()
	if err != nil {
		return nil, err
	}
	defer func() { releaseAll(cols) }()
	n := s.groups(table)
	for i, acc := range accs {
		if s.op.node.Mode == physical.AggPartial {
			st, err := acc.States()
			if err != nil {
				return nil, fmt.Errorf("%s: %w", s.op.node.Aggs[i], err)
			}
			cols = append(cols, st...)
			continue
		}
		res, err := acc.Finish()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.op.node.Aggs[i], err)
		}
		cols = append(cols, res)
	}
	for i, c := range cols {
		if c.Len() != n {
			return nil, fmt.Errorf("%w: aggregate column %d has %d rows, want %d", errs.ErrInternal, i, c.Len(), n)
		}
	}
	return array.NewRecordBatch(s.op.schema, cols, int64(n)), nil
}

// evalAll evaluates expressions over a batch; the caller releases them.
func evalAll(ctx context.Context, tc *TaskContext, exprs []expr.Node, rec arrow.RecordBatch) ([]arrow.Array, error) {
	out := make([]arrow.Array, 0, len(exprs))
	for _, e := range exprs {
		col, err := eval.Eval(ctx, tc.Mem, e, rec)
		if err != nil {
			releaseAll(out)
			return nil, fmt.Errorf("%s: %w", e, err)
		}
		out = append(out, col)
	}
	return out, nil
}

func releaseAll(arrs []arrow.Array) {
	for _, a := range arrs {
		if a != nil {
			a.Release()
		}
	}
}
