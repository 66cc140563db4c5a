//go:build cgo

package queries_test

import (
	"cmp"
	"database/sql"
	"fmt"
	"math"
	"math/big"
	"slices"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"
)

// An answer is a query result as rows of plain values, so that lakeframe's
// Arrow tables and DuckDB's SQL rows compare directly. A cell is nil,
// int64, float64 or string; dates are strings in ISO form, and integers
// of any width become int64.
type answer [][]any

// arrowAnswer reads an Arrow table into an answer.
func arrowAnswer(tbl arrow.Table) (answer, error) {
	rows := make(answer, tbl.NumRows())
	for c := range int(tbl.NumCols()) {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := range chunk.Len() {
				v, err := arrowCell(chunk, i)
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", tbl.Schema().Field(c).Name, err)
				}
				rows[r] = append(rows[r], v)
				r++
			}
		}
	}
	return rows, nil
}

func arrowCell(a arrow.Array, i int) (any, error) {
	if a.IsNull(i) {
		return nil, nil
	}
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i), nil
	case *array.Int32:
		return int64(x.Value(i)), nil
	case *array.Int16:
		return int64(x.Value(i)), nil
	case *array.Int8:
		return int64(x.Value(i)), nil
	case *array.Float64:
		return x.Value(i), nil
	case *array.Float32:
		return float64(x.Value(i)), nil
	case *array.String:
		return x.Value(i), nil
	case *array.LargeString:
		return x.Value(i), nil
	case *array.Date32:
		return x.Value(i).FormattedString(), nil
	case *array.Boolean:
		if x.Value(i) {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("unexpected type %s", a.DataType())
}

// sqlAnswer reads SQL result rows into an answer.
func sqlAnswer(rows *sql.Rows) (answer, error) {
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out answer
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if vals[i], err = sqlCell(v); err != nil {
				return nil, fmt.Errorf("column %s: %w", cols[i], err)
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

func sqlCell(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64, float64, string:
		return x, nil
	case int32:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case *big.Int: // HUGEINT, the type of DuckDB's integer sums
		if !x.IsInt64() {
			return nil, fmt.Errorf("integer %s out of int64 range", x)
		}
		return x.Int64(), nil
	case duckdb.Decimal:
		return x.Float64(), nil
	case float32:
		return float64(x), nil
	case time.Time:
		return x.Format(time.DateOnly), nil
	case bool:
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return nil, fmt.Errorf("unexpected value %v of type %T", v, v)
}

// sameCell compares two cells: floats within 1e-9 relative, anything else
// exactly. An integer never equals a float, so a wrong result type shows.
func sameCell(a, b any) bool {
	fa, aok := a.(float64)
	fb, bok := b.(float64)
	if aok && bok {
		if fa == fb || (math.IsNaN(fa) && math.IsNaN(fb)) {
			return true
		}
		return math.Abs(fa-fb) <= 1e-9*math.Max(math.Abs(fa), math.Abs(fb))
	}
	return a == b
}

// compareCells orders cells for canonical sorting: nil first, then by
// value; cells of different kinds by kind.
func compareCells(a, b any) int {
	switch x := a.(type) {
	case nil:
		if b == nil {
			return 0
		}
		return -1
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y)
		}
	case float64:
		if y, ok := b.(float64); ok {
			return cmp.Compare(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return cmp.Compare(x, y)
		}
	}
	if b == nil {
		return 1
	}
	return cmp.Compare(fmt.Sprintf("%T", a), fmt.Sprintf("%T", b))
}

// diff explains how got differs from want, or returns "" when they are the
// same answer. Row i of got must match row i of want on the columns
// orderBy lists (the ORDER BY keys), which checks the order as the query
// defines it; beyond that, rows that tie on those keys may come in any
// order, so the rows are compared as multisets.
func diff(got, want answer, orderBy []int) string {
	if len(got) != len(want) {
		return fmt.Sprintf("%d rows, want %d", len(got), len(want))
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return fmt.Sprintf("row %d has %d columns, want %d", i, len(got[i]), len(want[i]))
		}
		for _, c := range orderBy {
			if !sameCell(got[i][c], want[i][c]) {
				return fmt.Sprintf("row %d: order key column %d is %v, want %v\ngot row  %v\nwant row %v",
					i, c, got[i][c], want[i][c], got[i], want[i])
			}
		}
	}
	g, w := canonical(got), canonical(want)
	for i := range g {
		for c := range g[i] {
			if !sameCell(g[i][c], w[i][c]) {
				return fmt.Sprintf("column %d differs: %v, want %v\ngot row  %v\nwant row %v", c, g[i][c], w[i][c], g[i], w[i])
			}
		}
	}
	return ""
}

// canonical sorts a copy of the rows by all columns, left to right.
func canonical(rows answer) answer {
	out := slices.Clone(rows)
	slices.SortStableFunc(out, func(a, b []any) int {
		for c := range a {
			if r := compareCells(a[c], b[c]); r != 0 {
				return r
			}
		}
		return 0
	})
	return out
}
