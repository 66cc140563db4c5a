package plantest

import (
	"testing"

	"lakeframe/expr"
	"lakeframe/plan"
)

// Builder grows a plan from the bottom up, one node per call, and stops the
// test when a node does not build:
//
//	plantest.Scan(t, "a:int64:exact", "b:string").
//		Filter(expr.Col("a").Gt(1)).
//		Project(expr.Col("b")).
//		Node()
type Builder struct {
	t testing.TB
	n plan.Node
}

// Scan starts a plan with a scan of a source called "t" that has the given
// columns (see NewSource for the column specs).
func Scan(t testing.TB, cols ...string) *Builder {
	t.Helper()
	return ScanOf(t, MustSource(t, "t", cols...))
}

// ScanOf starts a plan with a scan of src.
func ScanOf(t testing.TB, src plan.Source) *Builder {
	return &Builder{t: t, n: plan.NewScan(src)}
}

// From continues a plan from an existing node.
func From(t testing.TB, n plan.Node) *Builder { return &Builder{t: t, n: n} }

// MustSource is NewSource that stops the test on a bad column spec.
func MustSource(t testing.TB, name string, cols ...string) *Source {
	t.Helper()
	src, err := NewSource(name, cols...)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

// Node returns the plan built so far.
func (b *Builder) Node() plan.Node { return b.n }

func (b *Builder) next(n plan.Node, err error) *Builder {
	b.t.Helper()
	if err != nil {
		b.t.Fatalf("plantest: building on\n%s: %v", plan.Format(b.n), err)
	}
	return &Builder{t: b.t, n: n}
}

// Pushdown sets a scan's pushed columns, filters and limit, as the
// optimizer would. The filters are resolved against the source's schema.
// The current node must be a Scan.
func (b *Builder) Pushdown(columns []string, filters []expr.Expr, limit int64) *Builder {
	b.t.Helper()
	s, ok := b.n.(*plan.Scan)
	if !ok {
		b.t.Fatalf("plantest: Pushdown needs a scan, got %s", b.n)
	}
	resolved := make([]expr.Node, len(filters))
	for i, f := range filters {
		r, err := expr.Resolve(f.Node(), s.Source.Schema())
		if err != nil {
			b.t.Fatalf("plantest: scan filter %s: %v", f, err)
		}
		resolved[i] = r
	}
	return b.next(s.WithPushdown(columns, resolved, limit))
}

// Filter adds a Filter.
func (b *Builder) Filter(pred expr.Expr) *Builder {
	b.t.Helper()
	return b.next(plan.NewFilter(b.n, pred.Node()))
}

// Project adds a Project.
func (b *Builder) Project(exprs ...expr.Expr) *Builder {
	b.t.Helper()
	return b.next(plan.NewProject(b.n, nodes(exprs)))
}

// Aggregate adds an Aggregate grouped by keys.
func (b *Builder) Aggregate(keys []expr.Expr, aggs ...expr.Expr) *Builder {
	b.t.Helper()
	return b.next(plan.NewAggregate(b.n, nodes(keys), nodes(aggs)))
}

// Sort adds a Sort.
func (b *Builder) Sort(keys ...expr.Expr) *Builder {
	b.t.Helper()
	return b.next(plan.NewSort(b.n, nodes(keys)))
}

// Limit adds a Limit that skips offset rows and passes n.
func (b *Builder) Limit(offset, n int64) *Builder {
	b.t.Helper()
	return b.next(plan.NewLimit(b.n, offset, n))
}

// Distinct adds a Distinct.
func (b *Builder) Distinct() *Builder {
	return &Builder{t: b.t, n: plan.NewDistinct(b.n)}
}

func nodes(es []expr.Expr) []expr.Node {
	out := make([]expr.Node, len(es))
	for i, e := range es {
		out[i] = e.Node()
	}
	return out
}

// Union adds a Union of the plan and others' plans.
func (b *Builder) Union(others ...*Builder) *Builder {
	b.t.Helper()
	inputs := []plan.Node{b.n}
	for _, o := range others {
		inputs = append(inputs, o.n)
	}
	return b.next(plan.NewUnion(inputs...))
}
