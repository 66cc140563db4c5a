//go:build cgo

// Package sourcetest holds test helpers for the file-format sources: it
// reads every task of a source and formats rows the same way for lakeframe
// and for DuckDB, which serves as the oracle.
package sourcetest

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver

	"lakeframe/exec"
	"lakeframe/plan"
)

// Scan plans a scan and reads all its tasks in order. The caller releases
// the records.
func Scan(t testing.TB, src exec.Scanner, p plan.Pushdown, mem memory.Allocator, batchSize int) ([]arrow.RecordBatch, *plan.ScanPlan, error) {
	t.Helper()
	ctx := context.Background()
	sp, err := src.Plan(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	tc := &exec.TaskContext{Mem: mem, BatchSize: batchSize}
	var out []arrow.RecordBatch
	fail := func(err error) ([]arrow.RecordBatch, *plan.ScanPlan, error) {
		for _, r := range out {
			r.Release()
		}
		return nil, sp, err
	}
	for _, task := range sp.Tasks {
		st, err := src.Open(ctx, tc, task)
		if err != nil {
			return fail(err)
		}
		for {
			rec, err := st.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				st.Close()
				return fail(err)
			}
			if !st.Schema().Equal(rec.Schema()) {
				t.Errorf("batch schema %s differs from stream schema %s", rec.Schema(), st.Schema())
			}
			if batchSize > 0 && rec.NumRows() > int64(batchSize) {
				t.Errorf("batch of %d rows exceeds batch size %d", rec.NumRows(), batchSize)
			}
			out = append(out, rec)
		}
		if err := st.Close(); err != nil {
			return fail(err)
		}
	}
	return out, sp, nil
}

// ReadRows scans src with a checked allocator, formats the rows like Rows
// does, and fails the test on an error or a leak.
func ReadRows(t testing.TB, src exec.Scanner, p plan.Pushdown, batchSize int) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, _, err := Scan(t, src, p, mem, batchSize)
	if err != nil {
		t.Fatal(err)
	}
	defer Release(recs)
	return Rows(recs)
}

// ScanError scans src with a checked allocator for the error a test
// expects, and fails the test if anything leaks.
func ScanError(t testing.TB, src exec.Scanner, p plan.Pushdown, batchSize int) error {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, _, err := Scan(t, src, p, mem, batchSize)
	Release(recs)
	return err
}

// Rows formats every row of recs, in order.
func Rows(recs []arrow.RecordBatch) []string {
	var out []string
	for _, rec := range recs {
		for i := 0; i < int(rec.NumRows()); i++ {
			parts := make([]string, rec.NumCols())
			for j, col := range rec.Columns() {
				parts[j] = formatArrow(col, i)
			}
			out = append(out, strings.Join(parts, "|"))
		}
	}
	return out
}

// Release releases records.
func Release(recs []arrow.RecordBatch) {
	for _, r := range recs {
		r.Release()
	}
}

func formatArrow(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch x := a.(type) {
	case *array.Int8:
		return strconv.FormatInt(int64(x.Value(i)), 10)
	case *array.Int16:
		return strconv.FormatInt(int64(x.Value(i)), 10)
	case *array.Int32:
		return strconv.FormatInt(int64(x.Value(i)), 10)
	case *array.Int64:
		return strconv.FormatInt(x.Value(i), 10)
	case *array.Uint8:
		return strconv.FormatUint(uint64(x.Value(i)), 10)
	case *array.Uint16:
		return strconv.FormatUint(uint64(x.Value(i)), 10)
	case *array.Uint32:
		return strconv.FormatUint(uint64(x.Value(i)), 10)
	case *array.Uint64:
		return strconv.FormatUint(x.Value(i), 10)
	case *array.Float32:
		return strconv.FormatFloat(float64(x.Value(i)), 'g', -1, 32)
	case *array.Float64:
		return strconv.FormatFloat(x.Value(i), 'g', -1, 64)
	case *array.String:
		return strconv.Quote(x.Value(i))
	case *array.LargeString:
		return strconv.Quote(x.Value(i))
	case *array.Boolean:
		return strconv.FormatBool(x.Value(i))
	case *array.Date32:
		return x.Value(i).ToTime().Format(time.DateOnly)
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		return formatTime(x.Value(i).ToTime(unit))
	case *array.List:
		start, end := x.ValueOffsets(i)
		parts := make([]string, 0, end-start)
		for k := start; k < end; k++ {
			parts = append(parts, formatArrow(x.ListValues(), int(k)))
		}
		return "[" + strings.Join(parts, ",") + "]"
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		parts := make([]string, x.NumField())
		for k := range parts {
			parts[k] = st.Field(k).Name + ":" + formatArrow(x.Field(k), i)
		}
		slices.Sort(parts) // DuckDB hands structs over as maps
		return "{" + strings.Join(parts, ",") + "}"
	}
	return a.ValueStr(i)
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05.999999") }

// OpenDB opens an in-memory DuckDB database, closed when the test ends.
func OpenDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Exec runs statements and fails the test on error.
func Exec(t testing.TB, db *sql.DB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("duckdb: %s: %v", s, err)
		}
	}
}

// Query runs a query on DuckDB and formats its rows like Rows does.
func Query(t testing.TB, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatalf("duckdb: %s: %v", query, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	vals := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = formatDuck(v, types[i].DatabaseTypeName())
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func formatDuck(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int8, int16, int32, int64, int:
		return strconv.FormatInt(toInt(x), 10)
	case uint8, uint16, uint32, uint64:
		return strconv.FormatUint(toUint(x), 10)
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return strconv.Quote(x)
	case []byte:
		return strconv.Quote(string(x))
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if typ == "DATE" {
			return x.Format(time.DateOnly)
		}
		return formatTime(x)
	case map[string]any:
		parts := make([]string, 0, len(x))
		for k, e := range x {
			parts = append(parts, k+":"+formatDuck(e, ""))
		}
		slices.Sort(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = formatDuck(e, "")
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	return "?"
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int:
		return int64(x)
	}
	return v.(int64)
}

func toUint(v any) uint64 {
	switch x := v.(type) {
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	}
	return v.(uint64)
}

// SameRows compares two row lists as multisets.
func SameRows(t testing.TB, got, want []string) {
	t.Helper()
	g := slices.Clone(got)
	w := slices.Clone(want)
	slices.Sort(g)
	slices.Sort(w)
	if slices.Equal(g, w) {
		return
	}
	t.Errorf("got %d rows, want %d", len(g), len(w))
	shown := 0
	for i := 0; i < max(len(g), len(w)) && shown < 5; i++ {
		var a, b string
		if i < len(g) {
			a = g[i]
		}
		if i < len(w) {
			b = w[i]
		}
		if a != b {
			t.Errorf("row %d: got %s, want %s", i, a, b)
			shown++
		}
	}
}
