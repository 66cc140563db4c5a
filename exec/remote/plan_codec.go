package remote

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// nodeJSON is one physical node on the wire: a kind tag, the node's own
// attributes and its inputs in Children() order. It carries whole
// subtrees (joins, aggregations, sorts) to executors, where fragment
// carries only scan chains.
type nodeJSON struct {
	Kind string      `json:"kind"`
	Kids []*nodeJSON `json:"kids,omitempty"`
	// Groups are a scan's partitions, each encoded as a scan fragment so
	// that scans travel in one format whatever carries them.
	Groups      []json.RawMessage `json:"groups,omitempty"`
	Pred        *exprJSON         `json:"pred,omitempty"`
	Exprs       []*exprJSON       `json:"exprs,omitempty"`
	Schema      []byte            `json:"schema,omitempty"`
	Mode        int               `json:"mode,omitempty"`
	Keys        []*exprJSON       `json:"keys,omitempty"`
	Aggs        []*exprJSON       `json:"aggs,omitempty"`
	Names       []string          `json:"names,omitempty"`
	InputSchema []byte            `json:"input_schema,omitempty"`
	K           int64             `json:"k,omitempty"`
	Offset      int64             `json:"offset,omitempty"`
	Row         [][]byte          `json:"row,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	Join        *joinJSON         `json:"join,omitempty"`
	// Input numbers an exchange input: the data sent with a reduce task.
	Input int `json:"input,omitempty"`
}

// joinJSON holds what rebuilds a HashJoin: the logical join's spec and
// its inputs' schemas (plan.NewJoin derives the rest), and the physical
// sides.
type joinJSON struct {
	Type         int         `json:"type"`
	LeftKeys     []*exprJSON `json:"left_keys,omitempty"`
	RightKeys    []*exprJSON `json:"right_keys,omitempty"`
	Filter       *exprJSON   `json:"filter,omitempty"`
	Suffix       string      `json:"suffix,omitempty"`
	CoalesceKeys bool        `json:"coalesce_keys,omitempty"`
	Left         []byte      `json:"left"`
	Right        []byte      `json:"right"`
	Out          []byte      `json:"out"`
	BuildIsLeft  bool        `json:"build_is_left,omitempty"`
	ProbeKeys    []*exprJSON `json:"probe_keys,omitempty"`
	BuildKeys    []*exprJSON `json:"build_keys,omitempty"`
}

// exchangeInput stands, in a reduce task's plan on the coordinator, for
// one partition of an exchange's data; the executor replaces it with a
// scan of the data that came with the task.
type exchangeInput struct {
	index  int
	schema *arrow.Schema
}

var _ physical.Node = (*exchangeInput)(nil)

func (x *exchangeInput) Schema() *arrow.Schema     { return x.schema }
func (x *exchangeInput) Children() []physical.Node { return nil }
func (x *exchangeInput) Partitions() int           { return 1 }
func (x *exchangeInput) String() string            { return fmt.Sprintf("ExchangeInput #%d", x.index) }
func (x *exchangeInput) WithChildren(children ...physical.Node) (physical.Node, error) {
	if len(children) != 0 {
		return nil, fmt.Errorf("exchange input takes no inputs, got %d", len(children))
	}
	return x, nil
}

// encodeNode encodes a physical subtree, or says why it cannot be sent.
func encodeNode(n physical.Node) (*nodeJSON, error) {
	kids := make([]*nodeJSON, 0, len(n.Children()))
	for _, c := range n.Children() {
		k, err := encodeNode(c)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	j := &nodeJSON{Kids: kids}
	var err error
	switch x := n.(type) {
	case *physical.Scan:
		j.Kind = "scan"
		j.Groups, err = encodeScanGroups(x)
	case *physical.Filter:
		j.Kind = "filter"
		j.Pred, err = encodeExpr(x.Pred)
	case *physical.Project:
		j.Kind = "project"
		if j.Exprs, err = encodeExprs(x.Exprs); err == nil {
			j.Schema, err = encodeSchema(x.OutType)
		}
	case *physical.HashAggregate:
		j.Kind, j.Mode, j.Names = "aggregate", int(x.Mode), x.Names
		if j.Keys, err = encodeExprs(x.Keys); err != nil {
			return nil, err
		}
		for _, a := range x.Aggs {
			aj, err := encodeExpr(a)
			if err != nil {
				return nil, err
			}
			j.Aggs = append(j.Aggs, aj)
		}
		// A partial aggregate may leave OutType to exec.Build.
		if j.InputSchema, err = encodeSchema(x.InputSchema); err == nil && x.OutType != nil {
			j.Schema, err = encodeSchema(x.OutType)
		}
	case *physical.Coalesce:
		j.Kind = "coalesce"
	case *physical.Sort:
		j.Kind = "sort"
		j.Keys, err = encodeSortKeys(x.Keys)
	case *physical.TopK:
		j.Kind, j.K = "topk", x.K
		j.Keys, err = encodeSortKeys(x.Keys)
	case *physical.Limit:
		j.Kind, j.Offset, j.K = "limit", x.Offset, x.N
	case *physical.Values:
		j.Kind, j.Reason = "values", x.Reason
		if j.Schema, err = encodeSchema(x.Out); err != nil {
			return nil, err
		}
		for _, s := range x.Row {
			b, err := encodeScalar(s)
			if err != nil {
				return nil, err
			}
			j.Row = append(j.Row, b)
		}
	case *physical.HashJoin:
		j.Kind = "hash_join"
		j.Join, err = encodeJoin(x)
	case *exchangeInput:
		j.Kind, j.Input = "exchange_input", x.index
		j.Schema, err = encodeSchema(x.schema)
	default:
		err = fmt.Errorf("%s (%T) cannot be sent to an executor", n, n)
	}
	if err != nil {
		return nil, err
	}
	return j, nil
}

// encodeScanGroups encodes each partition of a scan as a scan fragment;
// a scan with no partitions becomes one empty one.
func encodeScanGroups(s *physical.Scan) ([]json.RawMessage, error) {
	sh, why := matchShippable(s)
	if why != "" {
		return nil, fmt.Errorf("scan %s cannot be sent to an executor: %s", s.Source, why)
	}
	groups := s.Groups
	if len(groups) == 0 {
		groups = [][]plan.Task{nil}
	}
	out := make([]json.RawMessage, len(groups))
	for i, g := range groups {
		b, err := sh.encode(g, 0, "")
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", s.Source, err)
		}
		out[i] = b
	}
	return out, nil
}

func encodeSortKeys(keys []*expr.SortKey) ([]*exprJSON, error) {
	out := make([]*exprJSON, len(keys))
	for i, k := range keys {
		var err error
		if out[i], err = encodeExpr(k); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func encodeJoin(x *physical.HashJoin) (*joinJSON, error) {
	l := x.Logical
	j := &joinJSON{Type: int(l.Type), Suffix: l.Spec.Suffix, CoalesceKeys: l.Spec.CoalesceKeys, BuildIsLeft: x.BuildIsLeft}
	var err error
	if j.LeftKeys, err = encodeExprs(l.Spec.LeftKeys); err != nil {
		return nil, err
	}
	if j.RightKeys, err = encodeExprs(l.Spec.RightKeys); err != nil {
		return nil, err
	}
	if j.Filter, err = encodeExpr(l.Spec.Filter); err != nil {
		return nil, err
	}
	if j.ProbeKeys, err = encodeExprs(x.ProbeKeys); err != nil {
		return nil, err
	}
	if j.BuildKeys, err = encodeExprs(x.BuildKeys); err != nil {
		return nil, err
	}
	if j.Left, err = encodeSchema(l.Left.Schema()); err != nil {
		return nil, err
	}
	if j.Right, err = encodeSchema(l.Right.Schema()); err != nil {
		return nil, err
	}
	if j.Out, err = encodeSchema(l.Schema()); err != nil {
		return nil, err
	}
	return j, nil
}

// decodeNode rebuilds a subtree on an executor. inputs hold the data of
// the exchange inputs, by number; open rebuilds scanned sources.
func decodeNode(ctx context.Context, j *nodeJSON, open sourceOpener, inputs []*memSource) (physical.Node, error) {
	if j == nil {
		return nil, fmt.Errorf("decode plan: missing node")
	}
	kids := make([]physical.Node, len(j.Kids))
	for i, k := range j.Kids {
		var err error
		if kids[i], err = decodeNode(ctx, k, open, inputs); err != nil {
			return nil, err
		}
	}
	arity := func(want int) error {
		if len(kids) != want {
			return fmt.Errorf("decode plan: %s takes %d inputs, got %d", j.Kind, want, len(kids))
		}
		return nil
	}
	switch j.Kind {
	case "scan":
		if err := arity(0); err != nil {
			return nil, err
		}
		return decodeScanGroups(ctx, j.Groups, open)
	case "filter":
		if err := arity(1); err != nil {
			return nil, err
		}
		pred, err := decodeExpr(j.Pred)
		if err != nil {
			return nil, err
		}
		return &physical.Filter{Input: kids[0], Pred: pred}, nil
	case "project":
		if err := arity(1); err != nil {
			return nil, err
		}
		exprs, err := decodeExprs(j.Exprs)
		if err != nil {
			return nil, err
		}
		out, err := decodeSchema(j.Schema)
		if err != nil {
			return nil, err
		}
		return &physical.Project{Input: kids[0], Exprs: exprs, OutType: out}, nil
	case "aggregate":
		if err := arity(1); err != nil {
			return nil, err
		}
		return decodeAggregate(j, kids[0])
	case "coalesce":
		if err := arity(1); err != nil {
			return nil, err
		}
		return &physical.Coalesce{Input: kids[0]}, nil
	case "sort", "topk":
		if err := arity(1); err != nil {
			return nil, err
		}
		keys, err := decodeSortKeys(j.Keys)
		if err != nil {
			return nil, err
		}
		if j.Kind == "sort" {
			return &physical.Sort{Input: kids[0], Keys: keys}, nil
		}
		return &physical.TopK{Input: kids[0], Keys: keys, K: j.K}, nil
	case "limit":
		if err := arity(1); err != nil {
			return nil, err
		}
		return &physical.Limit{Input: kids[0], Offset: j.Offset, N: j.K}, nil
	case "values":
		if err := arity(0); err != nil {
			return nil, err
		}
		out, err := decodeSchema(j.Schema)
		if err != nil {
			return nil, err
		}
		row := make([]scalar.Scalar, len(j.Row))
		for i, b := range j.Row {
			if row[i], err = decodeScalar(b); err != nil {
				return nil, err
			}
		}
		return &physical.Values{Row: row, Out: out, Reason: j.Reason}, nil
	case "hash_join":
		if err := arity(2); err != nil {
			return nil, err
		}
		return decodeJoin(j.Join, kids[0], kids[1])
	case "exchange_input":
		if err := arity(0); err != nil {
			return nil, err
		}
		if j.Input < 0 || j.Input >= len(inputs) {
			return nil, fmt.Errorf("decode plan: exchange input %d of %d", j.Input, len(inputs))
		}
		schema, err := decodeSchema(j.Schema)
		if err != nil {
			return nil, err
		}
		src := inputs[j.Input]
		if !src.schema.Equal(schema) {
			return nil, fmt.Errorf("decode plan: exchange input %d has schema %s, the plan expects %s", j.Input, src.schema, schema)
		}
		return src.scan(), nil
	}
	return nil, fmt.Errorf("decode plan: unknown node kind %q", j.Kind)
}

func decodeScanGroups(ctx context.Context, groups []json.RawMessage, open sourceOpener) (physical.Node, error) {
	var out *physical.Scan
	for _, g := range groups {
		n, _, err := decodeFragment(ctx, g, open)
		if err != nil {
			return nil, err
		}
		s, ok := n.(*physical.Scan)
		if !ok {
			return nil, fmt.Errorf("decode plan: scan group decoded to %T", n)
		}
		if out == nil {
			out = &physical.Scan{Source: s.Source, Logical: s.Logical, Plan: &plan.ScanPlan{}}
		}
		out.Plan.Tasks = append(out.Plan.Tasks, s.Plan.Tasks...)
		out.Groups = append(out.Groups, s.Groups...)
	}
	if out == nil {
		return nil, fmt.Errorf("decode plan: scan without partitions")
	}
	return out, nil
}

func decodeAggregate(j *nodeJSON, in physical.Node) (physical.Node, error) {
	keys, err := decodeExprs(j.Keys)
	if err != nil {
		return nil, err
	}
	aggs := make([]*expr.Agg, len(j.Aggs))
	for i, aj := range j.Aggs {
		n, err := decodeExpr(aj)
		if err != nil {
			return nil, err
		}
		a, ok := n.(*expr.Agg)
		if !ok {
			return nil, fmt.Errorf("decode plan: aggregate %s is not an aggregate", n)
		}
		aggs[i] = a
	}
	inSchema, err := decodeSchema(j.InputSchema)
	if err != nil {
		return nil, err
	}
	var out *arrow.Schema
	if len(j.Schema) > 0 {
		if out, err = decodeSchema(j.Schema); err != nil {
			return nil, err
		}
	}
	mode := physical.AggMode(j.Mode)
	if mode < physical.AggSingle || mode > physical.AggFinal {
		return nil, fmt.Errorf("decode plan: aggregate mode %d", j.Mode)
	}
	return &physical.HashAggregate{Input: in, Mode: mode, Keys: keys, Aggs: aggs, Names: j.Names, InputSchema: inSchema, OutType: out}, nil
}

func decodeSortKeys(js []*exprJSON) ([]*expr.SortKey, error) {
	out := make([]*expr.SortKey, len(js))
	for i, j := range js {
		n, err := decodeExpr(j)
		if err != nil {
			return nil, err
		}
		k, ok := n.(*expr.SortKey)
		if !ok {
			return nil, fmt.Errorf("decode plan: sort key %s is not a sort key", n)
		}
		out[i] = k
	}
	return out, nil
}

func decodeJoin(j *joinJSON, probe, build physical.Node) (physical.Node, error) {
	if j == nil {
		return nil, fmt.Errorf("decode plan: hash join without its join")
	}
	spec := plan.JoinSpec{Type: plan.JoinType(j.Type), Suffix: j.Suffix, CoalesceKeys: j.CoalesceKeys}
	var err error
	if spec.LeftKeys, err = decodeExprs(j.LeftKeys); err != nil {
		return nil, err
	}
	if spec.RightKeys, err = decodeExprs(j.RightKeys); err != nil {
		return nil, err
	}
	if spec.Filter, err = decodeExpr(j.Filter); err != nil {
		return nil, err
	}
	left, err := decodeSchema(j.Left)
	if err != nil {
		return nil, err
	}
	right, err := decodeSchema(j.Right)
	if err != nil {
		return nil, err
	}
	want, err := decodeSchema(j.Out)
	if err != nil {
		return nil, err
	}
	logical, err := plan.NewJoin(schemaNode{left}, schemaNode{right}, spec)
	if err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	if !logical.Schema().Equal(want) {
		return nil, fmt.Errorf("decode plan: join rebuilt with schema %s, the coordinator has %s", logical.Schema(), want)
	}
	hj := &physical.HashJoin{Probe: probe, Build: build, BuildIsLeft: j.BuildIsLeft, Logical: logical}
	if hj.ProbeKeys, err = decodeExprs(j.ProbeKeys); err != nil {
		return nil, err
	}
	if hj.BuildKeys, err = decodeExprs(j.BuildKeys); err != nil {
		return nil, err
	}
	return hj, nil
}

// schemaNode is a logical input known only by its schema: a join decoded
// on an executor needs its inputs' schemas, not their plans.
type schemaNode struct{ schema *arrow.Schema }

var _ plan.Node = schemaNode{}

func (s schemaNode) Schema() *arrow.Schema { return s.schema }
func (s schemaNode) Children() []plan.Node { return nil }
func (s schemaNode) String() string        { return "Input " + s.schema.String() }
func (s schemaNode) WithChildren(children ...plan.Node) (plan.Node, error) {
	if len(children) != 0 {
		return nil, fmt.Errorf("join input takes no inputs, got %d", len(children))
	}
	return s, nil
}
