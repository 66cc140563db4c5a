package postgres

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/jackc/pgx/v5"
)

// oracleExpr is the SQL whose text output, as PostgreSQL prints it,
// checks a column's decoded values: the column itself for most types,
// epoch microseconds for timestamps, hex for bytea, JSON for arrays.
func oracleExpr(name string, t arrow.DataType) string {
	q := quote(name)
	switch t.ID() {
	case arrow.TIMESTAMP:
		return "(extract(epoch from " + q + ") * 1000000)::int8"
	case arrow.BINARY:
		return "encode(" + q + ", 'hex')"
	case arrow.LIST:
		return "array_to_json(" + q + ")::text"
	}
	return q
}

// oracleColumn reads the oracle text of one column, ordered by key, in
// the simple protocol, so that every value is PostgreSQL's own text.
func oracleColumn(t *testing.T, conn *pgx.Conn, from, key, name string, typ arrow.DataType) []*string {
	t.Helper()
	rows, err := conn.Query(context.Background(), "SELECT "+oracleExpr(name, typ)+" FROM "+from+" ORDER BY "+key, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("oracle for %s: %v", name, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[*string])
	if err != nil {
		t.Fatalf("oracle for %s: %v", name, err)
	}
	return out
}

// checkCell compares row i of a with PostgreSQL's text for it.
func checkCell(a arrow.Array, i int, want *string) error {
	if want == nil || a.IsNull(i) {
		if want == nil && a.IsNull(i) {
			return nil
		}
		return fmt.Errorf("got %s, want %s", cellString(a, i), textOrNull(want))
	}
	w := *want
	switch x := a.(type) {
	case *array.Boolean:
		if strconv.FormatBool(x.Value(i)) != map[string]string{"t": "true", "f": "false"}[w] {
			return fmt.Errorf("got %v, want %s", x.Value(i), w)
		}
	case *array.Int16, *array.Int32, *array.Int64, *array.Timestamp:
		got := intValue(a, i)
		n, err := strconv.ParseInt(w, 10, 64)
		if err != nil || n != got {
			return fmt.Errorf("got %d, want %s", got, w)
		}
	case *array.Float32:
		f, err := strconv.ParseFloat(w, 32)
		if err != nil || !sameFloat(float64(x.Value(i)), f) {
			return fmt.Errorf("got %v, want %s", x.Value(i), w)
		}
	case *array.Float64:
		f, err := strconv.ParseFloat(w, 64)
		if err != nil || !sameFloat(x.Value(i), f) {
			return fmt.Errorf("got %v, want %s", x.Value(i), w)
		}
	case *array.Decimal128:
		scale := x.DataType().(*arrow.Decimal128Type).Scale
		got := x.Value(i).ToString(scale)
		if !sameDecimal(got, w) {
			return fmt.Errorf("got %s, want %s", got, w)
		}
	case *array.Date32:
		d, err := parseISODate(w)
		if err != nil || d != x.Value(i) {
			return fmt.Errorf("got %s (day %d), want %s (day %d, %v)", x.Value(i).FormattedString(), x.Value(i), w, d, err)
		}
	case *array.String:
		if x.Value(i) != w {
			return fmt.Errorf("got %q, want %q", x.Value(i), w)
		}
	case *array.Binary:
		if hex.EncodeToString(x.Value(i)) != w {
			return fmt.Errorf("got %x, want %s", x.Value(i), w)
		}
	case *array.List:
		var elems []any
		dec := json.NewDecoder(strings.NewReader(w))
		dec.UseNumber()
		if err := dec.Decode(&elems); err != nil {
			return fmt.Errorf("oracle %s: %v", w, err)
		}
		start, end := x.ValueOffsets(i)
		if int(end-start) != len(elems) {
			return fmt.Errorf("got %d elements, want %s", end-start, w)
		}
		for k, e := range elems {
			var et *string
			switch v := e.(type) {
			case nil:
			case json.Number:
				s := v.String()
				et = &s
			case string:
				et = &v
			default:
				return fmt.Errorf("oracle element %v of %s", e, w)
			}
			if err := checkCell(x.ListValues(), int(start)+k, et); err != nil {
				return fmt.Errorf("element %d: %w", k, err)
			}
		}
	default:
		return fmt.Errorf("no oracle for %T", a)
	}
	return nil
}

func intValue(a arrow.Array, i int) int64 {
	switch x := a.(type) {
	case *array.Int16:
		return int64(x.Value(i))
	case *array.Int32:
		return int64(x.Value(i))
	case *array.Int64:
		return x.Value(i)
	case *array.Timestamp:
		return int64(x.Value(i))
	}
	panic(fmt.Sprintf("intValue of %T", a))
}

func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

func sameDecimal(a, b string) bool {
	x, ok1 := new(big.Rat).SetString(a)
	y, ok2 := new(big.Rat).SetString(b)
	return ok1 && ok2 && x.Cmp(y) == 0
}

// parseISODate reads PostgreSQL's ISO date output, "2024-02-29" or
// "0044-03-15 BC", as days since 1970-01-01 (proleptic Gregorian, as
// both PostgreSQL and Go count).
func parseISODate(s string) (arrow.Date32, error) {
	bc := strings.HasSuffix(s, " BC")
	s = strings.TrimSuffix(s, " BC")
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, fmt.Errorf("date %q", s)
	}
	y, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	d, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil {
		return 0, fmt.Errorf("date %q", s)
	}
	if bc {
		y = 1 - y
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return arrow.Date32(t.Unix() / 86400), nil
}

func textOrNull(s *string) string {
	if s == nil {
		return "NULL"
	}
	return strconv.Quote(*s)
}

func cellString(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	return a.ValueStr(i)
}

// checkTable compares every column of tbl, whose rows are ordered by
// key, with the oracle of the same column over from.
func checkTable(t *testing.T, conn *pgx.Conn, tbl arrow.Table, from, key string) {
	t.Helper()
	for c := range int(tbl.NumCols()) {
		f := tbl.Schema().Field(c)
		want := oracleColumn(t, conn, from, key, f.Name, f.Type)
		if int64(len(want)) != tbl.NumRows() {
			t.Fatalf("column %s: %d rows, PostgreSQL has %d", f.Name, tbl.NumRows(), len(want))
		}
		r, bad := 0, 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := range chunk.Len() {
				if err := checkCell(chunk, i, want[r]); err != nil {
					bad++
					if bad <= 5 {
						t.Errorf("column %s row %d: %v", f.Name, r, err)
					}
				}
				r++
			}
		}
		if bad > 5 {
			t.Errorf("column %s: %d wrong values in all", f.Name, bad)
		}
	}
}
