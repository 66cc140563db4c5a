//go:build cgo

package sorting

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/exec/exectest"
)

// TestSortMatchesDuckDB compares Sort and TopK with DuckDB's ORDER BY on
// random tables. DuckDB's sort is not stable, so its queries end with the
// row id, which makes the expected order unique.
func TestSortMatchesDuckDB(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "d", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	}, nil)
	sqlTypes := []string{"BIGINT", "BIGINT", "INTEGER", "DOUBLE", "VARCHAR", "BOOLEAN"}
	r := rand.New(rand.NewPCG(7, 8))
	gens := []func() any{
		nil,
		func() any { return pick(r, int64(math.MinInt64), math.MaxInt64, 0, -1, 1, r.Int64()-r.Int64()) },
		func() any { return int64(int32(r.IntN(9) - 4)) },
		func() any {
			return pick(r, math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), -2.5, 1e300, float64(r.IntN(7)-3))
		},
		func() any {
			var b strings.Builder
			for range r.IntN(4) {
				b.WriteString(pick(r, "a", "b", "A", "é", "日", "~", "ab"))
			}
			return b.String()
		},
		func() any { return r.IntN(2) == 0 },
	}

	for table := range 4 {
		const n = 600
		rows := make([][]any, n)
		for id := range rows {
			rows[id] = make([]any, len(gens))
			rows[id][0] = int64(id)
			for j := 1; j < len(gens); j++ {
				if r.IntN(6) > 0 {
					rows[id][j] = gens[j]()
				}
			}
		}
		name := fmt.Sprintf("t%d", table)
		loadDuckDB(t, db, name, schema, sqlTypes, rows)
		var batches []arrow.RecordBatch
		for lo := 0; lo < n; lo += 150 {
			cols := make([]arrow.Array, len(gens))
			for j := range cols {
				var vals []any
				for _, row := range rows[lo : lo+150] {
					vals = append(vals, row[j])
				}
				cols[j] = exectest.NewArray(t, mem, schema.Field(j).Type, vals...)
			}
			batches = append(batches, array.NewRecordBatch(schema, cols, 150))
			for _, c := range cols {
				c.Release()
			}
		}

		for range 12 {
			var cols []int
			var order []Key
			var terms []string
			for range 1 + r.IntN(3) {
				j := 1 + r.IntN(len(gens)-1)
				k := Key{Desc: r.IntN(2) == 0, NullsFirst: r.IntN(2) == 0}
				cols = append(cols, j)
				order = append(order, k)
				terms = append(terms, schema.Field(j).Name+" "+k.String())
			}
			query := fmt.Sprintf("SELECT id FROM %s ORDER BY %s, id", name, strings.Join(terms, ", "))
			want := queryIDs(t, db, query)

			out, err := Sort(mem, batches, keysOf(batches, cols), order)
			if err != nil {
				t.Fatal(err)
			}
			compareIDs(t, query, exectest.ColumnValues(t, out, 0), want)
			exectest.ReleaseAll(out)

			k := pick(r, 1, 10, 100)
			topk := NewTopK(mem, k, order, schema)
			for i, b := range batches {
				if err := topk.Push(b, keysOf(batches[i:i+1], cols)[0]); err != nil {
					t.Fatal(err)
				}
			}
			res, err := topk.Result()
			if err != nil {
				t.Fatal(err)
			}
			compareIDs(t, fmt.Sprintf("%s LIMIT %d", query, k), exectest.Values(t, res.Column(0)), want[:k])
			res.Release()
			topk.Release()
		}
		exectest.ReleaseAll(batches)
	}
}

func loadDuckDB(t *testing.T, db *sql.DB, name string, schema *arrow.Schema, sqlTypes []string, rows [][]any) {
	t.Helper()
	var defs, marks []string
	for j, f := range schema.Fields() {
		defs = append(defs, f.Name+" "+sqlTypes[j])
		marks = append(marks, "?")
	}
	if _, err := db.Exec(fmt.Sprintf("CREATE TABLE %s (%s)", name, strings.Join(defs, ", "))); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(fmt.Sprintf("INSERT INTO %s VALUES (%s)", name, strings.Join(marks, ", ")))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		if _, err := stmt.Exec(row...); err != nil {
			t.Fatal(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	// The driver must have kept NaN and -0 intact for the comparison to
	// mean anything.
	var nans, negZeros int
	if err := db.QueryRow(fmt.Sprintf("SELECT count(*) FILTER (isnan(d)), count(*) FILTER (d = 0 AND signbit(d)) FROM %s", name)).
		Scan(&nans, &negZeros); err != nil {
		t.Fatal(err)
	}
	if nans == 0 || negZeros == 0 {
		t.Fatalf("table %s has %d NaN and %d -0 values", name, nans, negZeros)
	}
}

func queryIDs(t *testing.T, db *sql.DB, query string) []int64 {
	t.Helper()
	rs, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	var ids []int64
	for rs.Next() {
		var id int64
		if err := rs.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

func compareIDs(t *testing.T, query string, got []any, want []int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d rows, want %d", query, len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s: row %d is id %v, DuckDB has %d", query, i, got[i], want[i])
		}
	}
}
