package exec

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/exec/eval"
	"lakeframe/expr"
	"lakeframe/plan/physical"
)

// projectOp computes one output column per expression.
type projectOp struct {
	input Operator
	node  *physical.Project
}

func (p *projectOp) Schema() *arrow.Schema { return p.node.Schema() }
func (p *projectOp) Partitions() int       { return p.input.Partitions() }

func (p *projectOp) Execute(ctx context.Context, tc *TaskContext, part int) (Stream, error) {
	in, err := p.input.Execute(ctx, tc, part)
	if err != nil {
		return nil, err
	}
	m := tc.Metrics.Register("project")
	return &mapStream{in: in, schema: p.Schema(), fn: func(ctx context.Context, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
		out, err := project(ctx, tc, p.node.OutType, p.node.Exprs, rec)
		if err != nil {
			return nil, err
		}
		countOut(m, out)
		return out, nil
	}}, nil
}

// project evaluates exprs over rec into a batch of the given schema.
func project(ctx context.Context, tc *TaskContext, schema *arrow.Schema, exprs []expr.Node, rec arrow.RecordBatch) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, len(exprs))
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for i, e := range exprs {
		col, err := eval.Eval(ctx, tc.Mem, e, rec)
		if err != nil {
			release()
			return nil, fmt.Errorf("select %s: %w", e, err)
		}
		if !arrow.TypeEqual(col.DataType(), schema.Field(i).Type) {
			col.Release()
			release()
			return nil, fmt.Errorf("select %s: produced %s, planned %s", e, col.DataType(), schema.Field(i).Type)
		}
		cols[i] = col
	}
	out := array.NewRecordBatch(schema, cols, rec.NumRows())
	release()
	return out, nil
}
