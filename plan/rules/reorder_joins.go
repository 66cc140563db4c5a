package rules

import (
	"context"
	"math/bits"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/plan"
)

// ReorderJoins removes cross products from chains of inner and cross
// joins. A chain is a tree of such joins, with the Filters between them,
// over inputs that are anything else (its leaves). When a join of the
// chain has no keys, the rule rebuilds the chain left-deep: it starts
// from the first leaf and adds, each time, the first leaf (in the order
// the query names them) that an equality connects to the leaves joined so
// far, or the first remaining leaf when none is. Each condition goes to
// the first join where every leaf it reads is present: an equality
// between the new leaf and the others becomes a key, other conditions
// join the keys, and without keys, or for constants, they go in a Filter
// above the join. A Project restores the column order.
//
// The rule keeps the new order only when it has fewer joins without keys,
// so a chain written in a connected order, and one whose cross products
// cannot be avoided, stay as they are. That is what lets TPC-H queries
// written as a list of tables and a WHERE clause (Q2, Q8 and Q9 name part
// and supplier first, which share no column) run as hash joins.
//
// It uses no size estimates: logical plans have none (sources estimate
// their size only when planned), and the physical planner already picks
// each join's build side from scan statistics. Chains whose leaves share
// column names (the joins renamed some), or more than 64 leaves, are left
// alone.
type ReorderJoins struct{}

var _ plan.Rule = ReorderJoins{}

// Name returns "reorder_joins".
func (ReorderJoins) Name() string { return "reorder_joins" }

// Rewrite reorders every chain of the plan, outermost first.
func (ReorderJoins) Rewrite(_ context.Context, n plan.Node, _ *plan.Config) (plan.Node, bool, error) {
	return reorderJoins(n)
}

func reorderJoins(n plan.Node) (plan.Node, bool, error) {
	if inChain(n) {
		return reorderChain(n)
	}
	children := n.Children()
	next := make([]plan.Node, len(children))
	changed := false
	for i, c := range children {
		nc, ch, err := reorderJoins(c)
		if err != nil {
			return nil, false, err
		}
		next[i], changed = nc, changed || ch
	}
	if !changed {
		return n, false, nil
	}
	out, err := n.WithChildren(next...)
	return out, true, err
}

// inChain reports whether n is part of a chain: an inner or cross join, or
// a Filter over one.
func inChain(n plan.Node) bool {
	switch x := n.(type) {
	case *plan.Join:
		return innerLike(x.Type)
	case *plan.Filter:
		return inChain(x.Input)
	}
	return false
}

// mapLeaves applies fn to the leaves of a chain and rebuilds what changed.
func mapLeaves(n plan.Node, fn func(plan.Node) (plan.Node, bool, error)) (plan.Node, bool, error) {
	if !inChain(n) {
		return fn(n)
	}
	children := n.Children()
	next := make([]plan.Node, len(children))
	changed := false
	for i, c := range children {
		nc, ch, err := mapLeaves(c, fn)
		if err != nil {
			return nil, false, err
		}
		next[i], changed = nc, changed || ch
	}
	if !changed {
		return n, false, nil
	}
	out, err := n.WithChildren(next...)
	return out, true, err
}

// chain is a flattened chain: its leaves and its conditions.
type chain struct {
	leaves  []plan.Node
	conds   []chainCond
	owner   map[string]int // column name → leaf
	keyless int            // joins without keys
	ok      bool           // no renamed or coalesced columns
}

// chainCond is a condition of a chain. For an equality, l and r are its
// operands; key says whether it may be a join key (it was one, or it is
// an equality of non-float values).
type chainCond struct {
	pred         expr.Node
	l, r         expr.Node
	key          bool
	mask, lm, rm uint64 // leaves read by pred, l and r
}

func (c *chain) collect(n plan.Node) {
	switch x := n.(type) {
	case *plan.Filter:
		if inChain(x) {
			c.collect(x.Input)
			for _, p := range expr.Conjuncts(x.Pred) {
				c.addCond(p, x.Input)
			}
			return
		}
	case *plan.Join:
		if innerLike(x.Type) {
			c.collect(x.Left)
			c.collect(x.Right)
			for i, f := range x.Right.Schema().Fields() {
				if x.DropRight[i] || x.RightNames[i] != f.Name {
					c.ok = false
				}
			}
			if len(x.LeftKeys) == 0 {
				c.keyless++
			}
			for i := range x.LeftKeys {
				c.conds = append(c.conds, chainCond{
					pred: &expr.Binary{Op: expr.OpEq, Left: x.LeftKeys[i], Right: x.RightKeys[i]},
					l:    x.LeftKeys[i], r: x.RightKeys[i], key: true,
				})
			}
			if x.Filter != nil {
				for _, p := range expr.Conjuncts(x.Filter) {
					c.addCond(p, x)
				}
			}
			return
		}
	}
	for _, f := range n.Schema().Fields() {
		if _, dup := c.owner[f.Name]; dup {
			c.ok = false
		}
		c.owner[f.Name] = len(c.leaves)
	}
	c.leaves = append(c.leaves, n)
}

// addCond adds a condition over the columns of n.
func (c *chain) addCond(p expr.Node, n plan.Node) {
	cond := chainCond{pred: p}
	if b, ok := p.(*expr.Binary); ok && b.Op == expr.OpEq {
		t, err := expr.TypeOf(b.Left, schemaFor(n))
		cond.l, cond.r = b.Left, b.Right
		cond.key = err == nil && !arrow.IsFloating(t.ID())
	}
	c.conds = append(c.conds, cond)
}

// schemaFor is the schema a node's conditions read: a join's combined
// schema, otherwise its output.
func schemaFor(n plan.Node) *arrow.Schema {
	if j, ok := n.(*plan.Join); ok {
		return j.CombinedSchema()
	}
	return n.Schema()
}

// leavesOf returns the set of leaves an expression reads.
func (c *chain) leavesOf(e expr.Node) uint64 {
	var m uint64
	for _, col := range expr.Columns(e) {
		m |= 1 << c.owner[col]
	}
	return m
}

func reorderChain(n plan.Node) (plan.Node, bool, error) {
	n, changed, err := mapLeaves(n, reorderJoins)
	if err != nil {
		return nil, false, err
	}
	c := &chain{owner: map[string]int{}, ok: true}
	c.collect(n)
	if !c.ok || c.keyless == 0 || len(c.leaves) < 3 || len(c.leaves) > 64 {
		return n, changed, nil
	}
	for i := range c.conds {
		cc := &c.conds[i]
		cc.mask = c.leavesOf(cc.pred)
		if cc.l != nil {
			cc.lm, cc.rm = c.leavesOf(cc.l), c.leavesOf(cc.r)
		}
	}
	order := c.greedyOrder()
	out, keyless, err := c.build(order)
	if err != nil {
		return nil, false, err
	}
	if keyless >= c.keyless {
		return n, changed, nil
	}
	if !slices.IsSorted(order) {
		cols := make([]expr.Node, n.Schema().NumFields())
		for i, f := range n.Schema().Fields() {
			cols[i] = &expr.Column{Name: f.Name}
		}
		if out, err = plan.NewProject(out, cols); err != nil {
			return nil, false, err
		}
	}
	return out, true, nil
}

// connects reports whether an equality joins the leaves in joined with
// leaf i.
func (c *chain) connects(joined uint64, i int) bool {
	for _, cc := range c.conds {
		if _, _, ok := cc.split(joined, i); ok {
			return true
		}
	}
	return false
}

// split returns the condition as a key pair for a join of the leaves in
// joined (left) with leaf i (right).
func (cc chainCond) split(joined uint64, i int) (l, r expr.Node, ok bool) {
	leaf := uint64(1) << i
	switch {
	case !cc.key || cc.lm == 0 || cc.rm == 0:
		return nil, nil, false
	case cc.lm&^joined == 0 && cc.rm&^leaf == 0:
		return cc.l, cc.r, true
	case cc.rm&^joined == 0 && cc.lm&^leaf == 0:
		return cc.r, cc.l, true
	}
	return nil, nil, false
}

func (c *chain) greedyOrder() []int {
	order := []int{0}
	joined := uint64(1)
	for len(order) < len(c.leaves) {
		next := -1
		for i := range c.leaves {
			if joined&(1<<i) == 0 && c.connects(joined, i) {
				next = i
				break
			}
		}
		if next < 0 {
			next = bits.TrailingZeros64(^joined)
		}
		order = append(order, next)
		joined |= 1 << next
	}
	return order
}

// build joins the leaves left-deep in the given order and returns the
// number of joins without keys.
func (c *chain) build(order []int) (plan.Node, int, error) {
	placed := make([]bool, len(c.conds))
	out := c.leaves[order[0]]
	joined := uint64(1) << order[0]
	keyless := 0
	for _, i := range order[1:] {
		all := joined | 1<<i
		var spec plan.JoinSpec
		var rest, constants []expr.Node
		for k, cc := range c.conds {
			if placed[k] || cc.mask&^all != 0 {
				continue
			}
			placed[k] = true
			if l, r, ok := cc.split(joined, i); ok {
				spec.LeftKeys, spec.RightKeys = append(spec.LeftKeys, l), append(spec.RightKeys, r)
			} else if cc.mask == 0 {
				constants = append(constants, cc.pred) // may be a NULL, which no join takes
			} else {
				rest = append(rest, cc.pred)
			}
		}
		spec.Type = plan.InnerJoin
		if len(spec.LeftKeys) == 0 {
			spec.Type = plan.CrossJoin
			keyless++
		} else {
			spec.Filter = expr.And(rest...)
			rest = nil
		}
		var err error
		if out, err = plan.NewJoin(out, c.leaves[i], spec); err != nil {
			return nil, 0, err
		}
		if out, err = filterOver(out, append(rest, constants...)); err != nil {
			return nil, 0, err
		}
		joined = all
	}
	return out, keyless, nil
}
