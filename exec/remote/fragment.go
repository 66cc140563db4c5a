package remote

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// fragment is the part of a plan one executor runs: a scan of some tasks
// of a source with a registered codec, then optional filter, projection
// and partial aggregation steps. It is plain data, sent as JSON.
type fragment struct {
	// Scan is the source and this fragment's tasks, encoded by the
	// source's codec (source_codec.go).
	Scan        wireScan    `json:"scan"`
	Columns     []string    `json:"columns,omitempty"`
	Filters     []*exprJSON `json:"filters,omitempty"`
	Limit       int64       `json:"limit"`
	Steps       []step      `json:"steps,omitempty"`
	BatchSize   int         `json:"batch_size"`
	Compression string      `json:"compression,omitempty"`
	// Plan, when set, is the subtree to run instead of the scan chain: a
	// broadcast join (broadcast.go) whose probe scan reads one partition.
	Plan *nodeJSON `json:"plan,omitempty"`
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
	enc   *scanEncoder
	steps []step
	out   *arrow.Schema
	// template is the fragment without tasks.
	template fragment
}

// matchShippable recognizes Scan → [Filter]* → [Project]* → [HashAggregate
// partial] over a source with a registered codec, and encodes everything
// but the partitions' task lists. It returns nil, with a reason, when n has
// another shape or its source cannot be shipped.
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
	enc, err := newScanEncoder(scan.Source, scan.Groups)
	if err != nil {
		return nil, "scan of " + scan.Source.Kind() + " source: " + err.Error()
	}
	// Built, not run, for the output schema: a partial aggregate's state
	// layout is only known to its operator.
	op, err := exec.Build(n)
	if err != nil {
		return nil, err.Error()
	}
	sh := &shippable{scan: scan, enc: enc, out: op.Schema()}
	f := &sh.template
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
	var err error
	if f.Scan, err = sh.enc.encode(tasks); err != nil {
		return nil, err
	}
	f.BatchSize, f.Compression = batchSize, compression
	return json.Marshal(&f)
}

// decodeFragment rebuilds the physical plan of a fragment: one partition
// reading the fragment's tasks.
func decodeFragment(ctx context.Context, data []byte, open sourceOpener) (physical.Node, *fragment, error) {
	var f fragment
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, fmt.Errorf("decode fragment: %w", err)
	}
	if f.Plan != nil {
		n, err := decodeNode(ctx, f.Plan, open, nil)
		return n, &f, err
	}
	src, tasks, err := openWireScan(ctx, &f.Scan, open)
	if err != nil {
		return nil, nil, err
	}
	filters, err := decodeExprs(f.Filters)
	if err != nil {
		return nil, nil, err
	}
	logical, err := plan.NewScan(src).WithPushdown(f.Columns, filters, f.Limit)
	if err != nil {
		return nil, nil, err
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
