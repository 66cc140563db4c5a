package physical

import (
	"context"
	"fmt"
	"runtime"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Config tunes physical planning.
type Config struct {
	// Parallelism is the number of partitions a scan is split into at most;
	// zero means GOMAXPROCS.
	Parallelism int

	// shared holds the physical node of each Cache lowered so far, so
	// that every use of a cache gets the same node.
	shared map[uint64]*Shared
}

func (c *Config) parallelism() int {
	if c == nil || c.Parallelism <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return c.Parallelism
}

// Lower turns an optimized logical plan into a physical plan. It plans
// every scan (the sources read their metadata here, with the pushdowns the
// optimizer gave them), splits aggregations into partial and final halves,
// and turns Sort followed by Limit into TopK.
func Lower(ctx context.Context, n plan.Node, cfg *Config) (Node, error) {
	switch x := n.(type) {
	case *plan.Scan:
		return lowerScan(ctx, x, cfg)
	case *plan.Filter:
		in, err := Lower(ctx, x.Input, cfg)
		if err != nil {
			return nil, err
		}
		return &Filter{Input: in, Pred: x.Pred}, nil
	case *plan.Project:
		in, err := Lower(ctx, x.Input, cfg)
		if err != nil {
			return nil, err
		}
		return &Project{Input: in, Exprs: x.Exprs, OutType: x.Schema()}, nil
	case *plan.Aggregate:
		if v, ok, err := countFromMetadata(ctx, x); err != nil || ok {
			return v, err
		}
		in, err := Lower(ctx, x.Input, cfg)
		if err != nil {
			return nil, err
		}
		return lowerAggregate(in, x.Input.Schema(), x.Keys, x.Aggs, x.Schema())
	case *plan.Distinct:
		in, err := Lower(ctx, x.Input, cfg)
		if err != nil {
			return nil, err
		}
		keys := make([]expr.Node, x.Schema().NumFields())
		for i, f := range x.Schema().Fields() {
			keys[i] = &expr.Column{Name: f.Name}
		}
		return lowerAggregate(in, x.Input.Schema(), keys, nil, x.Schema())
	case *plan.Sort:
		in, err := Lower(ctx, x.Input, cfg)
		if err != nil {
			return nil, err
		}
		return &Sort{Input: coalesce(in), Keys: x.Keys}, nil
	case *plan.Limit:
		return lowerLimit(ctx, x, cfg)
	case *plan.Join:
		return lowerJoin(ctx, x, cfg)
	case *plan.Cache:
		return lowerCache(ctx, x, cfg)
	case *plan.Union:
		inputs := make([]Node, len(x.Inputs))
		for i, c := range x.Inputs {
			in, err := Lower(ctx, c, cfg)
			if err != nil {
				return nil, err
			}
			inputs[i] = in
		}
		return &Union{Inputs: inputs, Out: x.Schema()}, nil
	}
	return nil, fmt.Errorf("%w: no physical plan for %T", errs.ErrNotImplemented, n)
}

func coalesce(in Node) Node {
	if in.Partitions() <= 1 {
		return in
	}
	return &Coalesce{Input: in}
}

func lowerScan(ctx context.Context, s *plan.Scan, cfg *Config) (Node, error) {
	sp, err := s.Source.Plan(ctx, plan.Pushdown{Columns: s.Columns, Filters: s.Filters, Limit: s.Limit})
	if err != nil {
		return nil, fmt.Errorf("scan %s: %w", s.Source, err)
	}
	return &Scan{Source: s.Source, Logical: s, Plan: sp, Groups: balance(sp.Tasks, cfg.parallelism())}, nil
}

// balance deals tasks into at most n groups of similar size: largest task
// first, each to the group with the fewest bytes so far. Task order within
// a group follows the source's order, so reads stay sequential per file.
func balance(tasks []plan.Task, n int) [][]plan.Task {
	n = min(n, len(tasks))
	if n == 0 {
		return nil
	}
	order := make([]int, len(tasks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ea, eb := tasks[a].EstimatedBytes(), tasks[b].EstimatedBytes()
		switch {
		case ea > eb:
			return -1
		case ea < eb:
			return 1
		}
		return 0
	})
	owner := make([]int, len(tasks))
	load := make([]int64, n)
	for _, t := range order {
		g := slices.Index(load, slices.Min(load))
		owner[t] = g
		load[g] += max(tasks[t].EstimatedBytes(), 1)
	}
	groups := make([][]plan.Task, n)
	for i, t := range tasks {
		groups[owner[i]] = append(groups[owner[i]], t)
	}
	return groups
}

func lowerAggregate(in Node, inSchema *arrow.Schema, keys, aggs []expr.Node, out *arrow.Schema) (Node, error) {
	names := make([]string, 0, len(keys)+len(aggs))
	for _, f := range out.Fields() {
		names = append(names, f.Name)
	}
	rawAggs := make([]*expr.Agg, len(aggs))
	for i, a := range aggs {
		agg, ok := expr.Unalias(a).(*expr.Agg)
		if !ok {
			return nil, fmt.Errorf("%w: aggregate output %s is not an aggregate", errs.ErrInternal, a)
		}
		rawAggs[i] = agg
	}
	node := func(input Node, mode AggMode, outType *arrow.Schema) *HashAggregate {
		return &HashAggregate{Input: input, Mode: mode, Keys: keys, Aggs: rawAggs, Names: names, InputSchema: inSchema, OutType: outType}
	}
	if in.Partitions() <= 1 {
		return node(in, AggSingle, out), nil
	}
	// The partial layout (keys, then state columns) is defined by the
	// executor's accumulators; the final node reads it back.
	partial := node(in, AggPartial, nil)
	return node(&Coalesce{Input: partial}, AggFinal, out), nil
}

func lowerLimit(ctx context.Context, l *plan.Limit, cfg *Config) (Node, error) {
	if s, ok := l.Input.(*plan.Sort); ok {
		in, err := Lower(ctx, s.Input, cfg)
		if err != nil {
			return nil, err
		}
		k := l.Offset + l.N
		var top Node = &TopK{Input: in, Keys: s.Keys, K: k}
		if in.Partitions() > 1 {
			top = &TopK{Input: &Coalesce{Input: top}, Keys: s.Keys, K: k}
		}
		if l.Offset == 0 {
			return top, nil
		}
		return &Limit{Input: top, Offset: l.Offset, N: l.N}, nil
	}
	in, err := Lower(ctx, l.Input, cfg)
	if err != nil {
		return nil, err
	}
	if in.Partitions() <= 1 {
		return &Limit{Input: in, Offset: l.Offset, N: l.N}, nil
	}
	perPartition := &Limit{Input: in, N: l.Offset + l.N}
	return &Limit{Input: &Coalesce{Input: perPartition}, Offset: l.Offset, N: l.N}, nil
}

// lowerJoin picks the build side: the right input unless the left one is
// estimated to be smaller. Semi and anti joins always build on the right,
// whose rows they only look up.
func lowerJoin(ctx context.Context, j *plan.Join, cfg *Config) (Node, error) {
	left, err := Lower(ctx, j.Left, cfg)
	if err != nil {
		return nil, err
	}
	right, err := Lower(ctx, j.Right, cfg)
	if err != nil {
		return nil, err
	}
	// The side expected to be smaller is built. A semi or anti join built
	// on its left marks the left rows that match and outputs them (or the
	// others) once the right side has been probed.
	buildLeft := false
	switch j.Type {
	case plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.SemiJoin, plan.AntiJoin:
		ls, lok := EstimateBytes(left)
		rs, rok := EstimateBytes(right)
		buildLeft = lok && rok && ls < rs
	}
	if buildLeft {
		return &HashJoin{Probe: right, Build: left, BuildIsLeft: true, ProbeKeys: j.RightKeys, BuildKeys: j.LeftKeys, Logical: j}, nil
	}
	return &HashJoin{Probe: left, Build: right, ProbeKeys: j.LeftKeys, BuildKeys: j.RightKeys, Logical: j}, nil
}

// EstimateBytes guesses how many bytes a plan produces from its scans'
// statistics: filters, aggregates and limits are assumed to keep a fixed
// share. ok is false when a scan gives no estimate.
func EstimateBytes(n Node) (bytes int64, ok bool) {
	switch x := n.(type) {
	case *Scan:
		b := x.Plan.Stats.BytesToRead
		return b, b > 0
	case *Filter:
		b, ok := EstimateBytes(x.Input)
		return b / 2, ok
	case *HashAggregate:
		b, ok := EstimateBytes(x.Input)
		return b / 4, ok
	case *Limit:
		b, ok := EstimateBytes(x.Input)
		return min(b, x.N*64), ok
	case *TopK:
		b, ok := EstimateBytes(x.Input)
		return min(b, x.K*64), ok
	}
	var total int64
	children := n.Children()
	if len(children) == 0 {
		return 0, false
	}
	for _, c := range children {
		b, ok := EstimateBytes(c)
		if !ok {
			return 0, false
		}
		total += b
	}
	return total, true
}

// countFromMetadata answers an aggregate made only of count(*) directly
// over a scan from the source's metadata, when the source can count
// exactly. Filters the scan cannot apply exactly would sit between them as
// a Filter node, so a bare scan input means every pushed filter is exact.
func countFromMetadata(ctx context.Context, a *plan.Aggregate) (Node, bool, error) {
	scan, ok := a.Input.(*plan.Scan)
	if !ok || len(a.Keys) > 0 || len(a.Aggs) == 0 {
		return nil, false, nil
	}
	counter, ok := scan.Source.(plan.RowCounter)
	if !ok {
		return nil, false, nil
	}
	for _, e := range a.Aggs {
		agg, isAgg := expr.Unalias(e).(*expr.Agg)
		if !isAgg || agg.Fn != expr.AggCountAll {
			return nil, false, nil
		}
	}
	for _, f := range scan.Filters {
		if scan.Source.SupportsFilter(f) != plan.FilterExact {
			return nil, false, nil
		}
	}
	n, ok, err := counter.CountRows(ctx, plan.Pushdown{Columns: scan.Columns, Filters: scan.Filters, Limit: scan.Limit})
	if err != nil {
		return nil, false, fmt.Errorf("count %s: %w", scan.Source, err)
	}
	if !ok {
		return nil, false, nil
	}
	if scan.Limit >= 0 {
		n = min(n, scan.Limit)
	}
	row := make([]scalar.Scalar, len(a.Aggs))
	for i := range row {
		row[i] = scalar.NewInt64Scalar(n)
	}
	return &Values{Row: row, Out: a.Schema(), Reason: "count from " + scan.Source.Kind() + " metadata"}, true, nil
}

// lowerCache lowers a cache's input the first time it is met and hands
// every later use the same Shared node.
func lowerCache(ctx context.Context, c *plan.Cache, cfg *Config) (Node, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	if s, ok := cfg.shared[c.ID]; ok {
		s.Consumers++
		return s, nil
	}
	in, err := Lower(ctx, c.Input, cfg)
	if err != nil {
		return nil, err
	}
	if cfg.shared == nil {
		cfg.shared = map[uint64]*Shared{}
	}
	s := &Shared{Input: coalesce(in), ID: c.ID, Consumers: 1}
	cfg.shared[c.ID] = s
	return s, nil
}
