package rules

import (
	"context"
	"math"

	"lakeframe/plan"
)

// PushDownLimit moves a Limit toward the data so that fewer rows are
// produced:
//
//   - below a Project, which maps rows one to one;
//   - into a Limit directly below, the two merging into one;
//   - into a Scan directly below, as a hint that at most Offset+N rows are
//     needed, when the source applies every filter of the scan exactly
//     (otherwise rows it returns may still be dropped). The Limit stays
//     above, since a source may return more rows than asked;
//   - into every input of a Union, as a Limit of Offset+N rows each, the
//     Limit staying above.
//
// A Limit stops at anything else: a Filter (the rows it drops are not
// known in advance), an Aggregate or Distinct, and a Sort, which the
// physical planner turns together with the Limit into a top-k.
type PushDownLimit struct{}

var _ plan.Rule = PushDownLimit{}

// Name returns "push_down_limit".
func (PushDownLimit) Name() string { return "push_down_limit" }

// Rewrite pushes every Limit of the plan down as far as it goes.
func (PushDownLimit) Rewrite(_ context.Context, n plan.Node, _ *plan.Config) (plan.Node, bool, error) {
	return transformUp(n, func(n plan.Node) (plan.Node, bool, error) {
		l, ok := n.(*plan.Limit)
		if !ok {
			return n, false, nil
		}
		return pushLimit(l)
	})
}

// pushLimit pushes l below the nodes it may pass; changed is false when l
// stays where it is unchanged.
func pushLimit(l *plan.Limit) (plan.Node, bool, error) {
	switch in := l.Input.(type) {
	case *plan.Project:
		below, err := plan.NewLimit(in.Input, l.Offset, l.N)
		if err != nil {
			return nil, false, err
		}
		pushed, _, err := pushLimit(below)
		if err != nil {
			return nil, false, err
		}
		out, err := in.WithChildren(pushed)
		return out, true, err
	case *plan.Limit:
		offset, n, ok := mergeLimits(in.Offset, in.N, l.Offset, l.N)
		if !ok {
			return l, false, nil
		}
		merged, err := plan.NewLimit(in.Input, offset, n)
		if err != nil {
			return nil, false, err
		}
		out, _, err := pushLimit(merged)
		return out, true, err
	case *plan.Scan:
		return limitScan(l, in)
	case *plan.Union:
		return limitUnion(l, in)
	}
	return l, false, nil
}

// limitUnion gives every input of a union a limit of Offset+N rows, which
// is all the union can need from any one of them; l stays above.
func limitUnion(l *plan.Limit, u *plan.Union) (plan.Node, bool, error) {
	if l.N > math.MaxInt64-l.Offset {
		return l, false, nil
	}
	need := l.Offset + l.N
	inputs := make([]plan.Node, len(u.Inputs))
	changed := false
	for i, in := range u.Inputs {
		if rows, ok := atMostRows(in); ok && rows <= need {
			inputs[i] = in
			continue
		}
		below, err := plan.NewLimit(in, 0, need)
		if err != nil {
			return nil, false, err
		}
		if inputs[i], _, err = pushLimit(below); err != nil {
			return nil, false, err
		}
		changed = true
	}
	if !changed {
		return l, false, nil
	}
	nu, err := u.WithChildren(inputs...)
	if err != nil {
		return nil, false, err
	}
	out, err := l.WithChildren(nu)
	return out, true, err
}

// mergeLimits combines an inner limit (skip o1, take n1) with an outer one
// applied to its output (skip o2, take n2). ok is false when the offsets
// overflow.
func mergeLimits(o1, n1, o2, n2 int64) (offset, n int64, ok bool) {
	if o2 > math.MaxInt64-o1 {
		return 0, 0, false
	}
	return o1 + o2, min(n2, max(0, n1-o2)), true
}

// atMostRows says how many rows n produces at most, when a Limit (maybe
// below Projects) bounds them.
func atMostRows(n plan.Node) (int64, bool) {
	switch x := n.(type) {
	case *plan.Limit:
		return x.N, true
	case *plan.Project:
		return atMostRows(x.Input)
	}
	return 0, false
}

func limitScan(l *plan.Limit, s *plan.Scan) (plan.Node, bool, error) {
	if l.N > math.MaxInt64-l.Offset {
		return l, false, nil
	}
	need := l.Offset + l.N
	if s.Limit >= 0 && s.Limit <= need {
		return l, false, nil
	}
	for _, f := range s.Filters {
		if s.Source.SupportsFilter(f) != plan.FilterExact {
			return l, false, nil
		}
	}
	ns, err := s.WithPushdown(s.Columns, s.Filters, need)
	if err != nil {
		return nil, false, err
	}
	out, err := l.WithChildren(ns)
	return out, true, err
}
