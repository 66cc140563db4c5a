package rules_test

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/plantest"
	"lakeframe/plan/rules"
)

// TestOptimizeRandomPlans optimizes random small plans, with Default and
// with each rule alone, and checks that the schema stays, that optimizing
// again changes nothing, and that the reference interpreter returns the
// same rows before and after: in the same order, or in any order when the
// plan joins (a join's output has no order, and reordering joins changes
// it; no Limit is put above a join).
func TestOptimizeRandomPlans(t *testing.T) {
	plans := 2000
	if testing.Short() {
		plans = 300
	}
	configs := map[string]func() []plan.Batch{"default": rules.Default}
	for _, r := range []plan.Rule{rules.SimplifyExpressions{}, rules.PushDownFilter{}, rules.PushDownProjection{}, rules.PushDownLimit{}, rules.ReorderJoins{}} {
		configs[r.Name()] = func() []plan.Batch { return []plan.Batch{plan.Once(r.Name(), r)} }
	}
	fired := map[string]int{}
	for seed := range uint64(plans) {
		g := &planGen{r: rand.New(rand.NewPCG(seed, 7))}
		srcs, data := g.sources(t)
		in := g.plan(srcs)
		want, err := data.run(in)
		if err != nil {
			t.Fatalf("seed %d: reference on the input plan: %v\n%s", seed, err, plan.Format(in))
		}
		for _, name := range slices.Sorted(maps.Keys(configs)) {
			names := checkOptimized(t, fmt.Sprintf("seed %d, %s", seed, name), in, configs[name], data, want)
			if name == "default" {
				for _, n := range names {
					fired[n]++
				}
			}
		}
	}
	// The generator must exercise every rule, or the test proves little.
	for _, r := range []string{"simplify_expressions", "push_down_filter", "push_down_projection", "push_down_limit", "reorder_joins"} {
		if fired[r] < plans/50 {
			t.Errorf("%s fired on only %d of %d plans", r, fired[r], plans)
		}
	}
	t.Logf("rules fired with Default on %d plans: %v", plans, fired)
}

func checkOptimized(t *testing.T, what string, in plan.Node, batches func() []plan.Batch, data refData, want []row) []string {
	t.Helper()
	ctx := context.Background()
	out, fired, err := plan.Optimize(ctx, in, batches(), nil)
	if err != nil {
		t.Fatalf("%s: %v\n%s", what, err, plan.Format(in))
	}
	if !sameFields(in.Schema(), out.Schema()) {
		t.Fatalf("%s: schema changed from %s to %s", what, in.Schema(), out.Schema())
	}
	again, names, err := plan.Optimize(ctx, out, batches(), nil)
	if err != nil {
		t.Fatalf("%s: second optimization: %v", what, err)
	}
	if len(names) > 0 || plan.Format(again) != plan.Format(out) {
		t.Fatalf("%s: optimizing again fired %v\ninput:\n%s\nonce:\n%s\ntwice:\n%s",
			what, names, plan.Format(in), plan.Format(out), plan.Format(again))
	}
	got, err := data.run(out)
	if err != nil {
		t.Fatalf("%s: reference on the optimized plan: %v\n%s", what, err, plan.Format(out))
	}
	if hasJoin(in) {
		got, want = sortedRows(got), sortedRows(want)
	}
	if render(got) != render(want) {
		t.Fatalf("%s: results differ\ninput:\n%s\noptimized:\n%s\nwant %v\ngot  %v",
			what, plan.Format(in), plan.Format(out), want, got)
	}
	return fired
}

func hasJoin(n plan.Node) bool {
	if _, ok := n.(*plan.Join); ok {
		return true
	}
	return slices.ContainsFunc(n.Children(), hasJoin)
}

func sortedRows(rows []row) []row {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b row) int { return strings.Compare(rowKey(a), rowKey(b)) })
	return out
}

func render(rows []row) string {
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(rowKey(r) + "\n")
	}
	return sb.String()
}

func sameFields(x, y *arrow.Schema) bool {
	return slices.EqualFunc(x.Fields(), y.Fields(), func(a, b arrow.Field) bool {
		return a.Name == b.Name && arrow.TypeEqual(a.Type, b.Type)
	})
}

// planGen makes random plans over one source of int64, float64, string and
// bool columns.
type planGen struct {
	r    *rand.Rand
	next int // for unique output names
}

var supports = []string{"exact", "inexact", "unsupported"}

// sources makes the tables plans read: t, the main one; u, whose i and s
// clash with t's; v and w, whose names clash with nothing.
func (g *planGen) sources(t *testing.T) ([]*plantest.Source, refData) {
	tables := []struct {
		name        string
		cols, types []string
	}{
		{"t", []string{"i", "j", "x", "s", "b"}, []string{"int64", "int64", "float64", "string", "bool"}},
		{"u", []string{"i", "k", "s"}, []string{"int64", "int64", "string"}},
		{"v", []string{"vi", "vs"}, []string{"int64", "string"}},
		{"w", []string{"wi", "ws", "wx"}, []string{"int64", "string", "float64"}},
	}
	data := refData{}
	var srcs []*plantest.Source
	for _, tbl := range tables {
		specs := make([]string, len(tbl.cols))
		for i := range tbl.cols {
			specs[i] = tbl.cols[i] + ":" + tbl.types[i] + ":" + supports[g.r.IntN(len(supports))]
		}
		src := plantest.MustSource(t, tbl.name, specs...)
		rows := make([]row, 12+g.r.IntN(20))
		if tbl.name != "t" {
			rows = rows[:g.r.IntN(10)]
		}
		for i := range rows {
			rows[i] = make(row, len(tbl.types))
			for j, typ := range tbl.types {
				rows[i][j] = g.valueOf(typ)
			}
		}
		data[src] = rows
		srcs = append(srcs, src)
	}
	return srcs, data
}

func (g *planGen) valueOf(typ string) any {
	if g.r.IntN(6) == 0 {
		return nil
	}
	switch typ {
	case "int64":
		return g.int()
	case "float64":
		return g.float()
	case "string":
		return g.str()
	}
	return g.bool()
}

func (g *planGen) int() any   { return int64(g.r.IntN(7) - 3) }
func (g *planGen) float() any { return []float64{-1.5, 0, 0.5, 2, math.NaN()}[g.r.IntN(5)] }
func (g *planGen) str() any   { return []string{"a", "b", "ab", "x", ""}[g.r.IntN(5)] }
func (g *planGen) bool() any  { return g.r.IntN(2) == 0 }

func (g *planGen) name(prefix string) string {
	g.next++
	return fmt.Sprintf("%s%d", prefix, g.next)
}

// plan stacks up to six random nodes on a scan of t, or joins t with
// other tables, each under a few random nodes, and stacks nodes above the
// join. A node that does not resolve (a random expression of the wrong
// type) is skipped.
func (g *planGen) plan(srcs []*plantest.Source) plan.Node {
	if g.r.IntN(5) < 3 {
		return g.stack(plan.NewScan(srcs[0]), 1+g.r.IntN(6), true)
	}
	side := func(src plan.Source) plan.Node { return g.stack(plan.NewScan(src), g.r.IntN(3), true) }
	n := side(srcs[0])
	if g.r.IntN(3) == 0 {
		// A FROM list: t, v and w crossed, the conditions in a WHERE.
		n = g.fromList(n, side(srcs[2]), side(srcs[3]))
	} else {
		n = g.join(n, side(srcs[1+g.r.IntN(len(srcs)-1)]))
		if g.r.IntN(3) == 0 {
			n = g.join(n, side(srcs[2+g.r.IntN(2)]))
		}
	}
	return g.stack(n, 1+g.r.IntN(4), false)
}

func (g *planGen) stack(n plan.Node, nodes int, limits bool) plan.Node {
	for range nodes {
		if next, err := g.node(n); err == nil {
			if _, isLimit := next.(*plan.Limit); isLimit && !limits {
				continue
			}
			n = next
		}
	}
	return n
}

var joinTypes = []plan.JoinType{plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.SemiJoin, plan.AntiJoin, plan.CrossJoin}

// join joins left and right with a random type, keys and condition; when
// that does not build, it returns left.
func (g *planGen) join(left, right plan.Node) plan.Node {
	spec := plan.JoinSpec{Type: joinTypes[g.r.IntN(len(joinTypes))]}
	if spec.Type != plan.CrossJoin {
		for range g.r.IntN(3) {
			l, r, ok := g.keyPair(left.Schema(), right.Schema())
			if ok {
				spec.LeftKeys, spec.RightKeys = append(spec.LeftKeys, l.Node()), append(spec.RightKeys, r.Node())
			}
		}
		spec.CoalesceKeys = g.r.IntN(3) == 0
	}
	if g.r.IntN(3) == 0 {
		spec.Suffix = "_r"
	}
	if g.r.IntN(3) == 0 || spec.Type != plan.CrossJoin && len(spec.LeftKeys) == 0 {
		// The condition reads the combined columns, known once the join is.
		probe := spec
		probe.Type = plan.CrossJoin
		probe.LeftKeys, probe.RightKeys = nil, nil
		j, err := plan.NewJoin(left, right, probe)
		if err != nil {
			return left
		}
		spec.Filter = g.pred(j.CombinedSchema(), 2).Node()
		if g.r.IntN(2) == 0 {
			if l, r, ok := g.keyPair(left.Schema(), right.Schema()); ok {
				spec.Filter = expr.Wrap(spec.Filter).And(l.Eq(expr.Col(j.RightNames[right.Schema().FieldIndices(r.Node().(*expr.Column).Name)[0]]))).Node()
			}
		}
	}
	j, err := plan.NewJoin(left, right, spec)
	if err != nil {
		return left
	}
	return j
}

// keyPair picks a column of each side of one type (int64 or string).
func (g *planGen) keyPair(left, right *arrow.Schema) (l, r expr.Expr, ok bool) {
	id := []arrow.Type{arrow.INT64, arrow.STRING}[g.r.IntN(2)]
	l, lok := g.colOf(left, id)
	r, rok := g.colOf(right, id)
	return l, r, lok && rok
}

// fromList crosses its inputs and filters the result by random
// equalities between their columns, plus another random predicate.
func (g *planGen) fromList(inputs ...plan.Node) plan.Node {
	n := inputs[0]
	for _, in := range inputs[1:] {
		j, err := plan.NewJoin(n, in, plan.JoinSpec{Type: plan.CrossJoin})
		if err != nil {
			return n
		}
		n = j
	}
	pred := g.pred(n.Schema(), 1)
	for range 1 + g.r.IntN(3) {
		// An equality between two of the inputs, often not the first two.
		a, b := g.r.IntN(len(inputs)), len(inputs)-1
		if a == b {
			a = g.r.IntN(b)
		}
		if l, r, ok := g.keyPair(inputs[a].Schema(), inputs[b].Schema()); ok {
			pred = pred.And(l.Eq(r))
		}
	}
	if f, err := plan.NewFilter(n, pred.Node()); err == nil {
		return f
	}
	return n
}

func (g *planGen) node(in plan.Node) (plan.Node, error) {
	schema := in.Schema()
	switch k := g.r.IntN(20); {
	case k < 7:
		return plan.NewFilter(in, g.pred(schema, 2).Node())
	case k < 11:
		var exprs []expr.Node
		for _, f := range schema.Fields() {
			if g.r.IntN(3) > 0 {
				exprs = append(exprs, expr.Col(f.Name).Node())
			}
		}
		for range g.r.IntN(3) {
			exprs = append(exprs, g.value(schema).Alias(g.name("p")).Node())
		}
		if len(exprs) == 0 {
			exprs = append(exprs, expr.Col(schema.Field(0).Name).Node())
		}
		g.r.Shuffle(len(exprs), func(i, j int) { exprs[i], exprs[j] = exprs[j], exprs[i] })
		return plan.NewProject(in, exprs)
	case k < 13:
		var keys, aggs []expr.Node
		for range g.r.IntN(3) {
			c := g.col(schema)
			switch g.r.IntN(3) {
			case 0:
				keys = append(keys, c.Node())
			case 1:
				keys = append(keys, c.Alias(g.name("k")).Node())
			default:
				keys = append(keys, g.value(schema).Alias(g.name("k")).Node())
			}
		}
		for range 1 + g.r.IntN(3) {
			c := g.col(schema)
			fns := []func() expr.Expr{c.Sum, c.Count, c.Min, c.Max, c.Mean, c.CountDistinct, expr.CountAll}
			aggs = append(aggs, fns[g.r.IntN(len(fns))]().Alias(g.name("g")).Node())
		}
		return plan.NewAggregate(in, keys, aggs)
	case k < 15:
		var keys []expr.Node
		for range 1 + g.r.IntN(2) {
			key := g.col(schema)
			if g.r.IntN(4) == 0 {
				key = g.value(schema)
			}
			if g.r.IntN(2) == 0 {
				key = key.Desc()
			}
			if g.r.IntN(3) == 0 {
				key = key.NullsFirst()
			}
			keys = append(keys, key.Node())
		}
		return plan.NewSort(in, keys)
	case k < 19:
		offset := int64(0)
		if g.r.IntN(3) == 0 {
			offset = int64(g.r.IntN(4))
		}
		return plan.NewLimit(in, offset, int64(g.r.IntN(12)))
	}
	return plan.NewDistinct(in), nil
}

func (g *planGen) col(schema *arrow.Schema) expr.Expr {
	return expr.Col(schema.Field(g.r.IntN(schema.NumFields())).Name)
}

// colOf picks a column of the given type, if any.
func (g *planGen) colOf(schema *arrow.Schema, id arrow.Type) (expr.Expr, bool) {
	var names []string
	for _, f := range schema.Fields() {
		if f.Type.ID() == id {
			names = append(names, f.Name)
		}
	}
	if len(names) == 0 {
		return expr.Expr{}, false
	}
	return expr.Col(names[g.r.IntN(len(names))]), true
}

// lit is a literal for a column of type id, sometimes NULL.
func (g *planGen) lit(id arrow.Type) expr.Expr {
	if g.r.IntN(10) == 0 {
		return expr.Lit(nil)
	}
	switch id {
	case arrow.INT64:
		return expr.Lit(g.int())
	case arrow.FLOAT64:
		return expr.Lit(g.float())
	case arrow.STRING:
		return expr.Lit(g.str())
	}
	return expr.Lit(g.bool())
}

var ops = []func(expr.Expr, any) expr.Expr{expr.Expr.Eq, expr.Expr.Ne, expr.Expr.Lt, expr.Expr.Le, expr.Expr.Gt, expr.Expr.Ge}

func (g *planGen) pred(schema *arrow.Schema, depth int) expr.Expr {
	f := schema.Field(g.r.IntN(schema.NumFields()))
	c := expr.Col(f.Name)
	op := ops[g.r.IntN(len(ops))]
	switch k := g.r.IntN(13); {
	case k < 3:
		return op(c, g.lit(f.Type.ID()))
	case k == 3:
		if other, ok := g.colOf(schema, f.Type.ID()); ok {
			return op(c, other)
		}
		return op(c, g.lit(f.Type.ID()))
	case k == 4 && depth > 0:
		return g.pred(schema, depth-1).And(g.pred(schema, depth-1))
	case k == 5 && depth > 0:
		return g.pred(schema, depth-1).Or(g.pred(schema, depth-1))
	case k == 6 && depth > 0:
		return g.pred(schema, depth-1).Not()
	case k == 11 && depth > 0:
		p := g.pred(schema, depth-1)
		if g.r.IntN(2) == 0 {
			return p.Or(g.constant())
		}
		return p.And(g.constant())
	case k == 7:
		if g.r.IntN(2) == 0 {
			return c.IsNull()
		}
		return c.IsNotNull()
	case k == 8:
		return c.IsIn(g.lit(f.Type.ID()), g.lit(f.Type.ID()))
	case k == 9:
		if n, ok := g.colOf(schema, arrow.INT64); ok {
			return op(n.Add(expr.Lit(1).Mul(g.r.IntN(3))), g.int())
		}
	case k == 10:
		if bc, ok := g.colOf(schema, arrow.BOOL); ok {
			return bc
		}
	}
	return g.constant()
}

func (g *planGen) constant() expr.Expr {
	return []expr.Expr{expr.Lit(true), expr.Lit(false), expr.Lit(nil), expr.Lit(1).Lt(2), expr.Lit("b").Lt("a")}[g.r.IntN(5)]
}

// value is a random expression for a projection.
func (g *planGen) value(schema *arrow.Schema) expr.Expr {
	switch g.r.IntN(9) {
	case 0:
		if n, ok := g.colOf(schema, arrow.INT64); ok {
			return n.Add(expr.Lit(2).Sub(g.r.IntN(3)))
		}
	case 1:
		if x, ok := g.colOf(schema, arrow.FLOAT64); ok {
			return x.Div(g.float())
		}
	case 2:
		if s, ok := g.colOf(schema, arrow.STRING); ok {
			return s.Str().Length()
		}
	case 3:
		if s, ok := g.colOf(schema, arrow.STRING); ok {
			return expr.When(g.pred(schema, 1), s).Otherwise(g.str())
		}
	case 4:
		if n, ok := g.colOf(schema, arrow.INT64); ok {
			return expr.Coalesce(n, g.int())
		}
	case 5:
		return g.pred(schema, 1)
	case 7:
		return g.pred(schema, 2).Not()
	case 6:
		return expr.Lit(g.int()).Mul(3)
	}
	return g.col(schema)
}
