//go:build cgo

package sql

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/expr"
	"lakeframe/plan"
)

// binder turns one statement's syntax tree into plan nodes. It is used
// for one statement and then dropped.
type binder struct {
	sess *Session
	text string // the query text, for error positions
	ids  int
	ctes map[string]*relation // WITH queries in scope, by name
}

// relation is a bound FROM item or query block: a plan whose columns are
// named by the ids of cols.
type relation struct {
	node plan.Node
	cols []column
}

// newID makes a plan column name no other column of the statement has.
func (b *binder) newID(name string) string {
	b.ids++
	return fmt.Sprintf("%s#%d", name, b.ids)
}

// errAt builds an Error pointing at a byte offset of the statement.
func (b *binder) errAt(offset int32, code, format string, args ...any) *Error {
	return newError(b.text, offset, code, format, args...)
}

func (b *binder) unsupported(offset int32, what string) *Error {
	return notSupported(b.text, offset, what)
}

// engineErr wraps an error from building plan nodes.
func (b *binder) engineErr(offset int32, err error) error {
	return fromEngine(b.text, offset, err)
}

// exprCtx is where an expression is bound: the scope its names resolve in
// and the plan it is computed over. Subqueries in the expression join
// their results to that plan, so it is a pointer the binder replaces.
type exprCtx struct {
	sc       *scope
	rel      *plan.Node
	allowAgg bool
	clause   string // "WHERE", "ON", ... for messages
}

// typeOf returns the type of a bound expression. Columns of outer query
// blocks (correlated references) are typed from their scopes.
func (b *binder) typeOf(ec *exprCtx, n expr.Node) (arrow.DataType, error) {
	n = withoutDistinct(n)
	schema := (*ec.rel).Schema()
	var extra []arrow.Field
	for _, name := range expr.Columns(n) {
		if fieldType(schema, name) != nil {
			continue
		}
		for s := ec.sc.parent; s != nil; s = s.parent {
			if t := s.typeOfID(name); t != nil {
				extra = append(extra, arrow.Field{Name: name, Type: t, Nullable: true})
				break
			}
		}
	}
	if len(extra) > 0 {
		schema = arrow.NewSchema(append(append([]arrow.Field(nil), schema.Fields()...), extra...), nil)
	}
	return expr.TypeOf(n, schema)
}

// nameOf returns the last element of a dotted name list, lower-cased as
// PostgreSQL folds unquoted identifiers (the parser already did).
func nameOf(names []*pg.Node) string {
	if len(names) == 0 {
		return ""
	}
	return names[len(names)-1].GetString_().GetSval()
}

// dotted prints a name list as written: a.b.c.
func dotted(names []*pg.Node) string {
	parts := make([]string, 0, len(names))
	for _, n := range names {
		if s := n.GetString_(); s != nil {
			parts = append(parts, s.GetSval())
		} else {
			parts = append(parts, "*")
		}
	}
	return strings.Join(parts, ".")
}
