package expr

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Node is one node of an expression tree. Nodes never change once built:
// rewrites return new nodes and share the subtrees they leave alone.
type Node interface {
	// Children returns the direct sub-expressions, in a fixed order.
	Children() []Node
	// WithChildren returns a copy of the node with its children replaced;
	// len(children) must equal len(Children()).
	WithChildren(children []Node) (Node, error)
	String() string
}

// Column references an input column by name.
type Column struct{ Name string }

// Literal is a constant. Untyped literals come from plain Go values and take
// the type of the column they meet during resolution.
type Literal struct {
	Value   scalar.Scalar
	Untyped bool
	invalid *invalidLiteral // set when Lit got a Go value it cannot represent
	// date is the calendar date of an untyped time.Time literal at
	// midnight in its own location, which it means against a date column.
	date *arrow.Date32
}

// Binary is a binary operator applied to two operands.
type Binary struct {
	Op          BinaryOp
	Left, Right Node
}

// Unary is a unary operator applied to one operand.
type Unary struct {
	Op UnaryOp
	In Node
}

// IsIn is true when In equals one of the values of List (SQL IN).
type IsIn struct {
	In   Node
	List []Node
}

// Cast converts its input to another Arrow type. A Try cast gives NULL
// for the values that do not convert, where a plain one fails.
type Cast struct {
	In  Node
	To  arrow.DataType
	Try bool
}

// Alias names the output of an expression.
type Alias struct {
	In   Node
	Name string
}

// Case is CASE WHEN c1 THEN v1 ... ELSE e END. A nil Else means NULL.
type Case struct {
	Whens []Node // conditions
	Thens []Node // values, one per condition
	Else  Node
}

// Call applies a scalar function to its arguments. Build it with NewCall,
// which compiles a regular expression pattern once for every batch.
type Call struct {
	Fn   ScalarFunc
	Args []Node
	re   *regexp.Regexp // the compiled pattern of a regular expression function
}

// Agg is an aggregate function over its input. In is nil for CountAll.
type Agg struct {
	Fn AggFunc
	In Node
	// Fraction is the quantile AggQuantile computes, in [0, 1]; other
	// aggregates leave it zero.
	Fraction float64
}

// SortKey orders rows by In. It is only valid as an argument of Sort.
type SortKey struct {
	In         Node
	Desc       bool
	NullsFirst bool
}

var (
	_ Node = (*Column)(nil)
	_ Node = (*Literal)(nil)
	_ Node = (*Binary)(nil)
	_ Node = (*Unary)(nil)
	_ Node = (*IsIn)(nil)
	_ Node = (*Cast)(nil)
	_ Node = (*Alias)(nil)
	_ Node = (*Case)(nil)
	_ Node = (*Call)(nil)
	_ Node = (*Agg)(nil)
	_ Node = (*SortKey)(nil)
)

func checkArity(n Node, got []Node, want int) error {
	if len(got) != want {
		return fmt.Errorf("%s: want %d children, got %d", n, want, len(got))
	}
	return nil
}

func (c *Column) Children() []Node { return nil }
func (c *Column) WithChildren(ch []Node) (Node, error) {
	return c, checkArity(c, ch, 0)
}
func (c *Column) String() string { return quoteIdent(c.Name) }

func (l *Literal) Children() []Node { return nil }
func (l *Literal) WithChildren(ch []Node) (Node, error) {
	return l, checkArity(l, ch, 0)
}
func (l *Literal) String() string { return formatScalar(l.Value) }

func (b *Binary) Children() []Node { return []Node{b.Left, b.Right} }
func (b *Binary) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(b, ch, 2); err != nil {
		return nil, err
	}
	return &Binary{Op: b.Op, Left: ch[0], Right: ch[1]}, nil
}
func (b *Binary) String() string {
	return "(" + b.Left.String() + " " + b.Op.String() + " " + b.Right.String() + ")"
}

func (u *Unary) Children() []Node { return []Node{u.In} }
func (u *Unary) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(u, ch, 1); err != nil {
		return nil, err
	}
	return &Unary{Op: u.Op, In: ch[0]}, nil
}
func (u *Unary) String() string {
	switch u.Op {
	case OpNot:
		return "NOT " + u.In.String()
	case OpNeg:
		return "-" + u.In.String()
	}
	return u.In.String() + " " + u.Op.String()
}

func (i *IsIn) Children() []Node { return append([]Node{i.In}, i.List...) }
func (i *IsIn) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(i, ch, 1+len(i.List)); err != nil {
		return nil, err
	}
	return &IsIn{In: ch[0], List: ch[1:]}, nil
}
func (i *IsIn) String() string {
	return i.In.String() + " IN (" + joinNodes(i.List) + ")"
}

func (c *Cast) Children() []Node { return []Node{c.In} }
func (c *Cast) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(c, ch, 1); err != nil {
		return nil, err
	}
	return &Cast{In: ch[0], To: c.To, Try: c.Try}, nil
}
func (c *Cast) String() string {
	if c.Try {
		return "TRY_CAST(" + c.In.String() + " AS " + c.To.String() + ")"
	}
	return "CAST(" + c.In.String() + " AS " + c.To.String() + ")"
}

func (a *Alias) Children() []Node { return []Node{a.In} }
func (a *Alias) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(a, ch, 1); err != nil {
		return nil, err
	}
	return &Alias{In: ch[0], Name: a.Name}, nil
}
func (a *Alias) String() string { return a.In.String() + " AS " + quoteIdent(a.Name) }

func (c *Case) Children() []Node {
	ch := make([]Node, 0, 2*len(c.Whens)+1)
	for i := range c.Whens {
		ch = append(ch, c.Whens[i], c.Thens[i])
	}
	if c.Else != nil {
		ch = append(ch, c.Else)
	}
	return ch
}
func (c *Case) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(c, ch, len(c.Children())); err != nil {
		return nil, err
	}
	out := &Case{Whens: make([]Node, len(c.Whens)), Thens: make([]Node, len(c.Thens))}
	for i := range c.Whens {
		out.Whens[i], out.Thens[i] = ch[2*i], ch[2*i+1]
	}
	if c.Else != nil {
		out.Else = ch[len(ch)-1]
	}
	return out, nil
}
func (c *Case) String() string {
	var sb strings.Builder
	sb.WriteString("CASE")
	for i := range c.Whens {
		sb.WriteString(" WHEN " + c.Whens[i].String() + " THEN " + c.Thens[i].String())
	}
	if c.Else != nil {
		sb.WriteString(" ELSE " + c.Else.String())
	}
	sb.WriteString(" END")
	return sb.String()
}

func (c *Call) Children() []Node { return c.Args }
func (c *Call) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(c, ch, len(c.Args)); err != nil {
		return nil, err
	}
	return NewCall(c.Fn, ch)
}
func (c *Call) String() string { return c.Fn.String() + "(" + joinNodes(c.Args) + ")" }

func (a *Agg) Children() []Node {
	if a.In == nil {
		return nil
	}
	return []Node{a.In}
}
func (a *Agg) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(a, ch, len(a.Children())); err != nil {
		return nil, err
	}
	if a.In == nil {
		return a, nil
	}
	return &Agg{Fn: a.Fn, In: ch[0], Fraction: a.Fraction}, nil
}
func (a *Agg) String() string {
	if a.In == nil {
		return a.Fn.String() + "(*)"
	}
	if a.Fn == AggQuantile {
		return a.Fn.String() + "(" + a.In.String() + ", " + strconv.FormatFloat(a.Fraction, 'g', -1, 64) + ")"
	}
	return a.Fn.String() + "(" + a.In.String() + ")"
}

func (s *SortKey) Children() []Node { return []Node{s.In} }
func (s *SortKey) WithChildren(ch []Node) (Node, error) {
	if err := checkArity(s, ch, 1); err != nil {
		return nil, err
	}
	return &SortKey{In: ch[0], Desc: s.Desc, NullsFirst: s.NullsFirst}, nil
}
func (s *SortKey) String() string {
	out := s.In.String()
	if s.Desc {
		out += " DESC"
	} else {
		out += " ASC"
	}
	if s.NullsFirst {
		out += " NULLS FIRST"
	} else {
		out += " NULLS LAST"
	}
	return out
}

func joinNodes(ns []Node) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = n.String()
	}
	return strings.Join(parts, ", ")
}

// quoteIdent prints a column name bare when it is a plain identifier.
func quoteIdent(name string) string {
	if name == "" {
		return `""`
	}
	for i, r := range name {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		}
	}
	return name
}
