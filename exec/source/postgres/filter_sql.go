package postgres

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	"github.com/jackc/pgx/v5"

	"lakeframe/expr"
)

// sqlWriter builds a WHERE clause. Constants become parameters, sent as
// text and cast in the SQL to the type they have in lakeframe, so that
// the server never guesses a type and no value is spliced into SQL.
type sqlWriter struct {
	sb     strings.Builder
	params []string
}

func (w *sqlWriter) param(text, pgType string) {
	w.params = append(w.params, text)
	w.sb.WriteString("$" + strconv.Itoa(len(w.params)) + "::" + pgType)
}

// filterSQL translates the predicates the server evaluates exactly as
// lakeframe does. Only these are pushed, and lakeframe then drops its
// own copy of them; anything else stays above the scan:
//
//   - comparisons and IN lists of a column with constants of the
//     column's type, IS [NOT] NULL, a boolean column, and AND, OR and
//     NOT of those (both sides use three-valued logic);
//   - no arithmetic, so nothing can overflow on one side only;
//   - text and varchar compare byte by byte in both, so comparisons say
//     COLLATE "C" (a collation would order, and a nondeterministic one
//     even equate, strings differently); char(n) is left out, as the
//     server ignores its padding when comparing and lakeframe does not;
//   - float columns push =, <>, < and <= only: PostgreSQL takes NaN as
//     greater than every number, lakeframe's comparisons follow IEEE
//     754, and these four agree on NaN, while > and >= do not; a NaN
//     constant is never pushed;
//   - columns read as text (enums, intervals, ...), json, jsonb, uuid,
//     bytea, numeric constants of another scale and arrays push only
//     IS [NOT] NULL.
type filterSQL struct {
	cols map[string]*column
}

// write appends the SQL of pred to w and reports whether pred can be
// pushed; on false, w holds garbage.
func (f filterSQL) write(w *sqlWriter, pred expr.Node) bool {
	switch x := pred.(type) {
	case *expr.Column:
		c, ok := f.cols[x.Name]
		if !ok || c.Text || c.kind() != kindBool {
			return false
		}
		w.sb.WriteString(quote(c.Name))
		return true
	case *expr.Binary:
		if x.Op == expr.OpAnd || x.Op == expr.OpOr {
			w.sb.WriteString("(")
			if !f.write(w, x.Left) {
				return false
			}
			w.sb.WriteString(" " + x.Op.String() + " ")
			if !f.write(w, x.Right) {
				return false
			}
			w.sb.WriteString(")")
			return true
		}
		if !x.Op.IsComparison() {
			return false
		}
		return f.comparison(w, x)
	case *expr.Unary:
		switch x.Op {
		case expr.OpNot:
			w.sb.WriteString("(NOT ")
			if !f.write(w, x.In) {
				return false
			}
			w.sb.WriteString(")")
			return true
		case expr.OpIsNull, expr.OpIsNotNull:
			col, ok := x.In.(*expr.Column)
			if !ok {
				return false
			}
			c, ok := f.cols[col.Name]
			if !ok {
				return false
			}
			w.sb.WriteString("(" + quote(c.Name) + " " + x.Op.String() + ")")
			return true
		}
		return false
	case *expr.IsIn:
		c, pgType, ok := f.comparable(x.In, expr.OpEq)
		if !ok || len(x.List) == 0 {
			return false
		}
		w.sb.WriteString("(" + f.operand(c) + " IN (")
		for i, item := range x.List {
			lit, ok := item.(*expr.Literal)
			if !ok {
				return false
			}
			if i > 0 {
				w.sb.WriteString(", ")
			}
			if !f.literal(w, lit, c, pgType) {
				return false
			}
		}
		w.sb.WriteString("))")
		return true
	}
	return false
}

// comparison writes column op constant, flipping constant op column.
func (f filterSQL) comparison(w *sqlWriter, b *expr.Binary) bool {
	left, right, op := b.Left, b.Right, b.Op
	if _, ok := left.(*expr.Literal); ok {
		left, right, op = right, left, op.Flip()
	}
	lit, ok := right.(*expr.Literal)
	if !ok {
		return false
	}
	c, pgType, ok := f.comparable(left, op)
	if !ok {
		return false
	}
	sqlOp := op.String()
	if op == expr.OpNe {
		sqlOp = "<>"
	}
	w.sb.WriteString("(" + f.operand(c) + " " + sqlOp + " ")
	if !f.literal(w, lit, c, pgType) {
		return false
	}
	w.sb.WriteString(")")
	return true
}

// operand is the column as written in a comparison: text columns
// compare in the C collation, byte by byte, as lakeframe does.
func (f filterSQL) operand(c *column) string {
	if c.kind() == kindText {
		return quote(c.Name) + ` COLLATE "C"`
	}
	return quote(c.Name)
}

// comparable returns the column n reads and the PostgreSQL type its
// constants are cast to, when op on it means the same on both sides.
// n is a column, or an integer column widened to a larger integer type.
func (f filterSQL) comparable(n expr.Node, op expr.BinaryOp) (*column, string, bool) {
	var widenTo arrow.DataType
	if cast, ok := n.(*expr.Cast); ok {
		widenTo, n = cast.To, cast.In
	}
	col, ok := n.(*expr.Column)
	if !ok {
		return nil, "", false
	}
	c, ok := f.cols[col.Name]
	if !ok || c.Text {
		return nil, "", false
	}
	k := c.kind()
	if widenTo != nil {
		if !widens(k, widenTo.ID()) {
			return nil, "", false
		}
		return c, integerType(widenTo.ID()), true
	}
	switch k {
	case kindBool:
		return c, "bool", true
	case kindInt2, kindInt4, kindInt8:
		return c, integerType(map[kind]arrow.Type{kindInt2: arrow.INT16, kindInt4: arrow.INT32, kindInt8: arrow.INT64}[k]), true
	case kindFloat4, kindFloat8:
		if op == expr.OpGt || op == expr.OpGe {
			return nil, "", false
		}
		if k == kindFloat4 {
			return c, "float4", true
		}
		return c, "float8", true
	case kindNumeric:
		return c, "numeric", true
	case kindDate:
		return c, "date", true
	case kindTimestamp:
		return c, "timestamp", true
	case kindTimestamptz:
		return c, "timestamptz", true
	case kindText:
		if c.OID == oidText || c.OID == oidVarchar {
			return c, "text", true
		}
	}
	return nil, "", false
}

// widens reports whether an integer column of kind k cast to type to
// keeps every value (lakeframe widens the column to compare it with a
// larger constant; PostgreSQL compares across integer types exactly).
func widens(k kind, to arrow.Type) bool {
	switch k {
	case kindInt2:
		return to == arrow.INT32 || to == arrow.INT64
	case kindInt4:
		return to == arrow.INT64
	}
	return false
}

func integerType(t arrow.Type) string {
	switch t {
	case arrow.INT16:
		return "int2"
	case arrow.INT32:
		return "int4"
	}
	return "int8"
}

// literal writes a constant as a parameter of type pgType, when the
// server reads it back as exactly the value lakeframe holds.
func (f filterSQL) literal(w *sqlWriter, l *expr.Literal, c *column, pgType string) bool {
	if l.Value == nil || !l.Value.IsValid() {
		return false
	}
	switch v := l.Value.(type) {
	case *scalar.Boolean:
		if pgType != "bool" {
			return false
		}
		w.param(strconv.FormatBool(v.Value), pgType)
	case *scalar.Int16:
		return f.integer(w, int64(v.Value), arrow.INT16, pgType)
	case *scalar.Int32:
		return f.integer(w, int64(v.Value), arrow.INT32, pgType)
	case *scalar.Int64:
		return f.integer(w, v.Value, arrow.INT64, pgType)
	case *scalar.Float32:
		if pgType != "float4" || math.IsNaN(float64(v.Value)) {
			return false
		}
		w.param(floatText(float64(v.Value), 32), pgType)
	case *scalar.Float64:
		if pgType != "float8" || math.IsNaN(v.Value) {
			return false
		}
		w.param(floatText(v.Value, 64), pgType)
	case *scalar.Decimal128:
		dt, ok := v.Type.(*arrow.Decimal128Type)
		if pgType != "numeric" || !ok {
			return false
		}
		// The constant must have the column's decimal type, as resolution
		// makes it; then both sides compare the same exact values.
		p, s := c.numericShape()
		if dt.Precision != p || dt.Scale != s {
			return false
		}
		w.param(v.Value.ToString(dt.Scale), pgType)
	case *scalar.Date32:
		if pgType != "date" {
			return false
		}
		t := time.Unix(int64(v.Value)*86400, 0).UTC()
		if t.Year() < 1 || t.Year() > 9999 {
			return false
		}
		w.param(t.Format("2006-01-02"), pgType)
	case *scalar.Timestamp:
		tt, ok := v.Type.(*arrow.TimestampType)
		want := ""
		if pgType == "timestamptz" {
			want = "UTC"
		}
		if !ok || tt.Unit != arrow.Microsecond || tt.TimeZone != want || (pgType != "timestamp" && pgType != "timestamptz") {
			return false
		}
		t := time.UnixMicro(int64(v.Value)).UTC()
		if t.Year() < 1 || t.Year() > 9999 {
			return false
		}
		text := t.Format("2006-01-02 15:04:05.999999")
		if pgType == "timestamptz" {
			text += "+00"
		}
		w.param(text, pgType)
	case *scalar.String:
		s := string(v.Value.Bytes())
		if pgType != "text" || !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
			return false
		}
		w.param(s, pgType)
	default:
		return false
	}
	return true
}

// integer writes an integer constant whose lakeframe type is t; the
// column (maybe widened) must have that type.
func (f filterSQL) integer(w *sqlWriter, v int64, t arrow.Type, pgType string) bool {
	if integerType(t) != pgType {
		return false
	}
	w.param(strconv.FormatInt(v, 10), pgType)
	return true
}

// floatText spells a float so that PostgreSQL reads back the same value.
func floatText(v float64, bits int) string {
	switch {
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(v, 'g', -1, bits)
}

// quote quotes an identifier for SQL.
func quote(name string) string { return pgx.Identifier{name}.Sanitize() }
