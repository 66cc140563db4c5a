package remote

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec"
	"lakeframe/exec/source/parquet"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// fragment is the part of a plan one executor runs: a Parquet scan of some
// tasks, then optional filter, projection and partial aggregation steps.
// It is plain data, sent as JSON.
type fragment struct {
	// Paths rebuild the Parquet source on the executor; SourceSchema
	// checks that it comes out the same.
	Paths        []string        `json:"paths"`
	NoHive       bool            `json:"no_hive,omitempty"`
	SourceSchema []byte          `json:"source_schema"`
	Columns      []string        `json:"columns,omitempty"`
	Filters      []*exprJSON     `json:"filters,omitempty"`
	Limit        int64           `json:"limit"`
	Tasks        []*parquet.Task `json:"tasks"`
	Steps        []step          `json:"steps,omitempty"`
	BatchSize    int             `json:"batch_size"`
	Compression  string          `json:"compression,omitempty"`
}

// step is one operator above the scan, in order from the scan up.
type step struct {
	Kind        string      `json:"kind"` // "filter", "project", "partial_agg"
	Pred        *exprJSON   `json:"pred,omitempty"`
	Exprs       []*exprJSON `json:"exprs,omitempty"`
	OutType     []byte      `json:"out_type,omitempty"`
	Keys        []*exprJSON `json:"keys,omitempty"`
	Aggs        []*exprJSON `json:"aggs,omitempty"`
	Names       []string    `json:"names,omitempty"`
	InputSchema []byte      `json:"input_schema,omitempty"`
}

// shippable is a subtree the runner can send to executors.
type shippable struct {
	scan  *physical.Scan
	steps []step
	out   *arrow.Schema
	// template is the fragment without tasks.
	template fragment
}

// matchShippable recognizes Scan(parquet) → [Filter]* → [Project]* →
// [HashAggregate partial] and encodes everything but the tasks. It returns
// nil, with a reason, when n has another shape.
func matchShippable(n physical.Node) (*shippable, string) {
	var chain []physical.Node
	cur := n
	for {
		switch x := cur.(type) {
		case *physical.Filter:
			chain = append(chain, x)
			cur = x.Input
			continue
		case *physical.Project:
			chain = append(chain, x)
			cur = x.Input
			continue
		case *physical.HashAggregate:
			if x.Mode != physical.AggPartial || len(chain) > 0 {
				return nil, "aggregate that is not a partial aggregate at the top"
			}
			chain = append(chain, x)
			cur = x.Input
			continue
		case *physical.Scan:
		default:
			return nil, fmt.Sprintf("%T below the exchange", cur)
		}
		break
	}
	scan := cur.(*physical.Scan)
	src, ok := scan.Source.(*parquet.Source)
	if !ok {
		return nil, "scan of a " + scan.Source.Kind() + " source"
	}
	if src.Options().FS != nil {
		return nil, "parquet source on a custom file system"
	}
	for _, g := range scan.Groups {
		for _, t := range g {
			if _, ok := t.(*parquet.Task); !ok {
				return nil, fmt.Sprintf("parquet task of type %T", t)
			}
		}
	}
	// Built, not run, for the output schema: a partial aggregate's state
	// layout is only known to its operator.
	op, err := exec.Build(n)
	if err != nil {
		return nil, err.Error()
	}
	sh := &shippable{scan: scan, out: op.Schema()}
	f := &sh.template
	f.Paths = src.Paths()
	f.NoHive = src.Options().NoHivePartitions
	if f.SourceSchema, err = encodeSchema(src.Schema()); err != nil {
		return nil, err.Error()
	}
	f.Columns, f.Limit = scan.Logical.Columns, scan.Logical.Limit
	if f.Filters, err = encodeExprs(scan.Logical.Filters); err != nil {
		return nil, err.Error()
	}
	for i := len(chain) - 1; i >= 0; i-- {
		s, err := encodeStep(chain[i])
		if err != nil {
			return nil, err.Error()
		}
		f.Steps = append(f.Steps, s)
	}
	return sh, ""
}

func encodeStep(n physical.Node) (step, error) {
	var s step
	var err error
	switch x := n.(type) {
	case *physical.Filter:
		s.Kind = "filter"
		s.Pred, err = encodeExpr(x.Pred)
	case *physical.Project:
		s.Kind = "project"
		if s.Exprs, err = encodeExprs(x.Exprs); err == nil {
			s.OutType, err = encodeSchema(x.OutType)
		}
	case *physical.HashAggregate:
		s.Kind, s.Names = "partial_agg", x.Names
		if s.Keys, err = encodeExprs(x.Keys); err != nil {
			return s, err
		}
		aggs := make([]*exprJSON, len(x.Aggs))
		for i, a := range x.Aggs {
			if aggs[i], err = encodeExpr(a); err != nil {
				return s, err
			}
		}
		s.Aggs = aggs
		// A partial aggregate may leave OutType to exec.Build, which
		// derives the state layout.
		if s.InputSchema, err = encodeSchema(x.InputSchema); err == nil && x.OutType != nil {
			s.OutType, err = encodeSchema(x.OutType)
		}
	default:
		err = fmt.Errorf("cannot ship %T", n)
	}
	return s, err
}

// encode returns the fragment for one partition's tasks as JSON.
func (sh *shippable) encode(tasks []plan.Task, batchSize int, compression string) ([]byte, error) {
	f := sh.template
	f.Tasks = make([]*parquet.Task, len(tasks))
	for i, t := range tasks {
		f.Tasks[i] = t.(*parquet.Task)
	}
	f.BatchSize, f.Compression = batchSize, compression
	return json.Marshal(&f)
}

// sourceOpener rebuilds Parquet sources on an executor; it may cache them.
type sourceOpener func(ctx context.Context, paths []string, noHive bool) (*parquet.Source, error)

// decodeFragment rebuilds the physical plan of a fragment: one partition
// reading the fragment's tasks.
func decodeFragment(ctx context.Context, data []byte, open sourceOpener) (physical.Node, *fragment, error) {
	var f fragment
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, fmt.Errorf("decode fragment: %w", err)
	}
	src, err := open(ctx, f.Paths, f.NoHive)
	if err != nil {
		return nil, nil, err
	}
	want, err := decodeSchema(f.SourceSchema)
	if err != nil {
		return nil, nil, err
	}
	if !src.Schema().Equal(want) {
		return nil, nil, fmt.Errorf("source %s has schema %s on the executor, %s on the coordinator", src, src.Schema(), want)
	}
	filters, err := decodeExprs(f.Filters)
	if err != nil {
		return nil, nil, err
	}
	logical, err := plan.NewScan(src).WithPushdown(f.Columns, filters, f.Limit)
	if err != nil {
		return nil, nil, err
	}
	tasks := make([]plan.Task, len(f.Tasks))
	for i, t := range f.Tasks {
		tasks[i] = t
	}
	var n physical.Node = &physical.Scan{Source: src, Logical: logical, Plan: &plan.ScanPlan{Tasks: tasks}, Groups: [][]plan.Task{tasks}}
	for _, s := range f.Steps {
		if n, err = decodeStep(s, n); err != nil {
			return nil, nil, err
		}
	}
	return n, &f, nil
}

func decodeStep(s step, in physical.Node) (physical.Node, error) {
	switch s.Kind {
	case "filter":
		pred, err := decodeExpr(s.Pred)
		if err != nil {
			return nil, err
		}
		return &physical.Filter{Input: in, Pred: pred}, nil
	case "project":
		exprs, err := decodeExprs(s.Exprs)
		if err != nil {
			return nil, err
		}
		out, err := decodeSchema(s.OutType)
		if err != nil {
			return nil, err
		}
		return &physical.Project{Input: in, Exprs: exprs, OutType: out}, nil
	case "partial_agg":
		keys, err := decodeExprs(s.Keys)
		if err != nil {
			return nil, err
		}
		aggs := make([]*expr.Agg, len(s.Aggs))
		for i, j := range s.Aggs {
			n, err := decodeExpr(j)
			if err != nil {
				return nil, err
			}
			a, ok := n.(*expr.Agg)
			if !ok {
				return nil, fmt.Errorf("partial aggregate: %s is not an aggregate", n)
			}
			aggs[i] = a
		}
		inSchema, err := decodeSchema(s.InputSchema)
		if err != nil {
			return nil, err
		}
		var out *arrow.Schema
		if len(s.OutType) > 0 {
			if out, err = decodeSchema(s.OutType); err != nil {
				return nil, err
			}
		}
		return &physical.HashAggregate{Input: in, Mode: physical.AggPartial, Keys: keys, Aggs: aggs, Names: s.Names, InputSchema: inSchema, OutType: out}, nil
	}
	return nil, fmt.Errorf("unknown fragment step %q", s.Kind)
}
