package prune

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
)

// outcomes is the set of results a predicate may have over some rows, in
// SQL's three-valued logic.
type outcomes uint8

const (
	oTrue outcomes = 1 << iota
	oFalse
	oNull
	oAny = oTrue | oFalse | oNull
)

type op uint8

const (
	opUnknown op = iota // anything pruning does not understand
	opConst
	opCmp
	opIsNull
	opIsNotNull
	opIn
	opStartsWith
	opAnd
	opOr
	opNot
)

type node struct {
	op       op
	constant outcomes      // opConst
	cmp      expr.BinaryOp // opCmp
	col      int
	vals     []Value // opCmp: one value; opIn: the list without nulls
	inNull   bool    // opIn: the list holds a NULL
	kids     []*node
	// fn, when set, is the monotone function of the column that opCmp
	// compares (see monotone.go), applied to the column's bounds.
	fn monotone
}

// Predicate is a filter compiled for pruning against a schema.
type Predicate struct {
	root   *node
	schema *arrow.Schema
}

// Compile prepares a resolved predicate for pruning. Parts it does not
// understand (functions, arithmetic, casts, comparisons of two columns)
// are taken as "may be anything".
func Compile(pred expr.Node, schema *arrow.Schema) *Predicate {
	return &Predicate{root: compile(pred, schema), schema: schema}
}

func compile(n expr.Node, schema *arrow.Schema) *node {
	switch x := n.(type) {
	case *expr.Literal:
		if !x.Value.IsValid() {
			return &node{op: opConst, constant: oNull}
		}
		if b, ok := expr.BoolLiteral(x); ok {
			if b {
				return &node{op: opConst, constant: oTrue}
			}
			return &node{op: opConst, constant: oFalse}
		}
	case *expr.Column:
		// A boolean column used as a predicate is "col = true".
		if col, t, ok := column(x, schema); ok && t.ID() == arrow.BOOL {
			return &node{op: opCmp, cmp: expr.OpEq, col: col, vals: []Value{Bool(true)}}
		}
	case *expr.Binary:
		switch {
		case x.Op == expr.OpAnd || x.Op == expr.OpOr:
			o := opAnd
			if x.Op == expr.OpOr {
				o = opOr
			}
			return &node{op: o, kids: []*node{compile(x.Left, schema), compile(x.Right, schema)}}
		case x.Op.IsComparison():
			return compileCmp(x, schema)
		}
	case *expr.Unary:
		switch x.Op {
		case expr.OpNot:
			return &node{op: opNot, kids: []*node{compile(x.In, schema)}}
		case expr.OpIsNull, expr.OpIsNotNull:
			c, ok := x.In.(*expr.Column)
			if !ok {
				break
			}
			col, _, ok := column(c, schema)
			if !ok {
				break
			}
			if x.Op == expr.OpIsNull {
				return &node{op: opIsNull, col: col}
			}
			return &node{op: opIsNotNull, col: col}
		}
	case *expr.IsIn:
		return compileIn(x, schema)
	case *expr.Call:
		if x.Fn == expr.FnStartsWith && len(x.Args) == 2 {
			return compileStartsWith(x, schema)
		}
	}
	return &node{op: opUnknown}
}

// compileStartsWith handles starts_with(col, 'prefix'): the strings with a
// prefix form one range, so bounds prune it like a comparison.
func compileStartsWith(x *expr.Call, schema *arrow.Schema) *node {
	c, ok := x.Args[0].(*expr.Column)
	l, lok := x.Args[1].(*expr.Literal)
	if !ok || !lok {
		return &node{op: opUnknown}
	}
	if !l.Value.IsValid() {
		return &node{op: opConst, constant: oNull}
	}
	col, t, ok := column(c, schema)
	if !ok || kindOf(t) != kindString {
		return &node{op: opUnknown}
	}
	v, ok := literalValue(l.Value, t)
	if !ok {
		return &node{op: opUnknown}
	}
	return &node{op: opStartsWith, col: col, vals: []Value{v}}
}

func column(c *expr.Column, schema *arrow.Schema) (int, arrow.DataType, bool) {
	idx := schema.FieldIndices(c.Name)
	if len(idx) != 1 {
		return 0, nil, false
	}
	return idx[0], schema.Field(idx[0]).Type, true
}

func compileCmp(b *expr.Binary, schema *arrow.Schema) *node {
	l, lok := b.Right.(*expr.Literal)
	side, o := b.Left, b.Op
	if !lok {
		l, lok = b.Left.(*expr.Literal)
		side, o = b.Right, o.Flip()
	}
	if !lok {
		return &node{op: opUnknown}
	}
	col, t, fn, ok := monotoneColumn(side, schema)
	if !ok {
		return &node{op: opUnknown}
	}
	if !l.Value.IsValid() {
		return &node{op: opConst, constant: oNull}
	}
	v, ok := literalValue(l.Value, t)
	if !ok {
		return &node{op: opUnknown}
	}
	return &node{op: opCmp, cmp: o, col: col, vals: []Value{v}, fn: fn}
}

func compileIn(x *expr.IsIn, schema *arrow.Schema) *node {
	c, ok := x.In.(*expr.Column)
	if !ok {
		return &node{op: opUnknown}
	}
	col, t, ok := column(c, schema)
	if !ok {
		return &node{op: opUnknown}
	}
	n := &node{op: opIn, col: col}
	for _, item := range x.List {
		l, ok := item.(*expr.Literal)
		if !ok {
			return &node{op: opUnknown}
		}
		if !l.Value.IsValid() {
			n.inNull = true
			continue
		}
		v, ok := literalValue(l.Value, t)
		if !ok {
			return &node{op: opUnknown}
		}
		n.vals = append(n.vals, v)
	}
	return n
}

// StatsFunc returns the statistics of the column at index col of the
// schema the predicate was compiled against, or false when there are none.
type StatsFunc func(col int) (Stats, bool)

// MayMatch reports whether any row summarised by stats may satisfy the
// predicate. When every column the predicate reads has constant
// statistics (partition values) and Exact is true, the answer is exact.
func (p *Predicate) MayMatch(stats StatsFunc) bool {
	return eval(p.root, stats)&oTrue != 0
}

// Exact reports whether the predicate was understood completely, so that
// MayMatch on constant statistics is the predicate's exact value.
func (p *Predicate) Exact() bool { return exact(p.root) }

// CanPrune reports whether MayMatch can ever be false when statistics
// exist for the columns usable says yes to.
func (p *Predicate) CanPrune(usable func(col int) bool) bool { return canPrune(p.root, usable) }

// Columns lists the schema indexes of the columns the understood parts of
// the predicate read.
func (p *Predicate) Columns() []int {
	var out []int
	var walk func(n *node)
	walk = func(n *node) {
		switch n.op {
		case opCmp, opIsNull, opIsNotNull, opIn, opStartsWith:
			out = append(out, n.col)
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(p.root)
	return out
}

func exact(n *node) bool {
	if n.op == opUnknown {
		return false
	}
	for _, k := range n.kids {
		if !exact(k) {
			return false
		}
	}
	return true
}

func canPrune(n *node, usable func(int) bool) bool {
	switch n.op {
	case opConst:
		return n.constant&oTrue == 0
	case opCmp, opIsNull, opIsNotNull, opIn, opStartsWith:
		return usable(n.col)
	case opAnd:
		return canPrune(n.kids[0], usable) || canPrune(n.kids[1], usable)
	case opOr:
		return canPrune(n.kids[0], usable) && canPrune(n.kids[1], usable)
	case opNot:
		return exact(n.kids[0]) && allUsable(n.kids[0], usable)
	}
	return false
}

func allUsable(n *node, usable func(int) bool) bool {
	switch n.op {
	case opCmp, opIsNull, opIsNotNull, opIn, opStartsWith:
		return usable(n.col)
	}
	for _, k := range n.kids {
		if !allUsable(k, usable) {
			return false
		}
	}
	return true
}

func eval(n *node, stats StatsFunc) outcomes {
	switch n.op {
	case opConst:
		return n.constant
	case opAnd:
		a, b := eval(n.kids[0], stats), eval(n.kids[1], stats)
		var out outcomes
		if a&oTrue != 0 && b&oTrue != 0 {
			out |= oTrue
		}
		if a&oFalse != 0 || b&oFalse != 0 {
			out |= oFalse
		}
		if a&oNull != 0 && b&(oTrue|oNull) != 0 || b&oNull != 0 && a&(oTrue|oNull) != 0 {
			out |= oNull
		}
		return out
	case opOr:
		a, b := eval(n.kids[0], stats), eval(n.kids[1], stats)
		var out outcomes
		if a&oTrue != 0 || b&oTrue != 0 {
			out |= oTrue
		}
		if a&oFalse != 0 && b&oFalse != 0 {
			out |= oFalse
		}
		if a&oNull != 0 && b&(oFalse|oNull) != 0 || b&oNull != 0 && a&(oFalse|oNull) != 0 {
			out |= oNull
		}
		return out
	case opNot:
		a := eval(n.kids[0], stats)
		out := a & oNull
		if a&oTrue != 0 {
			out |= oFalse
		}
		if a&oFalse != 0 {
			out |= oTrue
		}
		return out
	case opCmp, opIsNull, opIsNotNull, opIn, opStartsWith:
		s, ok := stats(n.col)
		if !ok {
			return oAny
		}
		if n.fn != nil {
			s = n.fn.stats(s)
		}
		return evalLeaf(n, &s)
	}
	return oAny
}

func evalLeaf(n *node, s *Stats) outcomes {
	switch n.op {
	case opIsNull, opIsNotNull:
		var out outcomes
		if s.mayHaveNulls() {
			out |= oTrue
		}
		if s.mayHaveValues() {
			out |= oFalse
		}
		if n.op == opIsNotNull {
			out = (out&oTrue)<<1 | (out&oFalse)>>1
		}
		return out
	}
	var out outcomes
	if s.mayHaveNulls() {
		out |= oNull
	}
	if !s.mayHaveValues() {
		return out
	}
	if n.op == opIn {
		return out | evalIn(n, s)
	}
	v := n.vals[0]
	if n.op == opStartsWith {
		return out | evalStartsWith(v.s, s)
	}
	if s.mayHaveNaN(v.k) {
		// NaN <> v is true; every other comparison with NaN is false.
		if n.cmp == expr.OpNe {
			out |= oTrue
		} else {
			out |= oFalse
		}
	}
	if !s.usableBounds(v) {
		if n.cmp == expr.OpEq && !s.mayContain(v) {
			return out | oFalse
		}
		return out | oTrue | oFalse
	}
	var mayTrue, mayFalse bool
	switch n.cmp {
	case expr.OpEq:
		mayTrue = s.minAtMost(v, false) && s.maxAtLeast(v, false) && s.mayContain(v)
		mayFalse = !s.allEqual(v)
	case expr.OpNe:
		mayTrue = !s.allEqual(v)
		mayFalse = s.minAtMost(v, false) && s.maxAtLeast(v, false) && s.mayContain(v)
	case expr.OpLt:
		mayTrue, mayFalse = s.minAtMost(v, true), s.maxAtLeast(v, false)
	case expr.OpLe:
		mayTrue, mayFalse = s.minAtMost(v, false), s.maxAtLeast(v, true)
	case expr.OpGt:
		mayTrue, mayFalse = s.maxAtLeast(v, true), s.minAtMost(v, false)
	case expr.OpGe:
		mayTrue, mayFalse = s.maxAtLeast(v, false), s.minAtMost(v, true)
	default:
		return oAny
	}
	if mayTrue {
		out |= oTrue
	}
	if mayFalse {
		out |= oFalse
	}
	return out
}

// evalIn handles x IN (list) for non-null x. A miss is NULL rather than
// FALSE when the list holds a NULL.
func evalIn(n *node, s *Stats) outcomes {
	miss := oFalse
	if n.inNull {
		miss = oNull
	}
	if len(n.vals) == 0 {
		return miss
	}
	var out outcomes
	if s.mayHaveNaN(n.vals[0].k) {
		out |= miss
	}
	if !s.usableBounds(n.vals[0]) {
		for _, v := range n.vals {
			if s.mayContain(v) {
				return out | oTrue | miss
			}
		}
		return out | miss
	}
	allHit := false
	for _, v := range n.vals {
		if s.minAtMost(v, false) && s.maxAtLeast(v, false) && s.mayContain(v) {
			out |= oTrue
		}
		if s.allEqual(v) {
			allHit = true
		}
	}
	if !allHit {
		out |= miss
	}
	return out
}

// evalStartsWith handles starts_with(x, p) for non-null x. The strings
// that start with p are those from p up to (not including) the first
// string after all of them, so a value in [Min, Max] may start with p when
// p <= Max and Min is below p or itself starts with p.
func evalStartsWith(p string, s *Stats) outcomes {
	if !s.usableBounds(String(p)) {
		return oTrue | oFalse
	}
	var out outcomes
	if s.maxAtLeast(String(p), false) && (s.Min.s <= p || strings.HasPrefix(s.Min.s, p)) {
		out |= oTrue
	}
	if !strings.HasPrefix(s.Min.s, p) || !strings.HasPrefix(s.Max.s, p) {
		out |= oFalse
	}
	return out
}
