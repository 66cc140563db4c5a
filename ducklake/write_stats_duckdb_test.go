//go:build cgo

package ducklake_test

import (
	"context"
	"database/sql"
	"fmt"
	"iter"
	"math"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/ducklake"
	"lakeframe/expr"
	"lakeframe/plan"
)

// statsColumns are the written columns and the DuckDB type each is read
// back as; bounded says whether the catalog must hold min and max.
var statsColumns = []struct {
	field   arrow.Field
	duck    string
	bounded bool
}{
	{arrow.Field{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, "BIGINT", true},
	{arrow.Field{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, "INTEGER", true},
	{arrow.Field{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true}, "USMALLINT", true},
	{arrow.Field{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, "DOUBLE", true},
	{arrow.Field{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true}, "FLOAT", true},
	{arrow.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}, "VARCHAR", true},
	{arrow.Field{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}, "BOOLEAN", true},
	{arrow.Field{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true}, "DATE", true},
	{arrow.Field{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true}, "TIMESTAMP", true},
	{arrow.Field{Name: "tstz", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true}, "TIMESTAMPTZ", true},
	{arrow.Field{Name: "tns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond}, Nullable: true}, "TIMESTAMP_NS", true},
	{arrow.Field{Name: "tm", Type: arrow.FixedWidthTypes.Time64us, Nullable: true}, "TIME", true},
	{arrow.Field{Name: "dec", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true}, "DECIMAL(10,2)", false},
	{arrow.Field{Name: "nothing", Type: arrow.PrimitiveTypes.Int64, Nullable: true}, "BIGINT", true},
}

// statsBatches yields three batches with different ranges, NULLs in
// every column but the first, NaN in the doubles of the second batch,
// -0.0, empty strings and a column that is always NULL.
func statsBatches(mem memory.Allocator) iter.Seq2[arrow.RecordBatch, error] {
	fields := make([]arrow.Field, len(statsColumns))
	for i, c := range statsColumns {
		fields[i] = c.field
	}
	schema := arrow.NewSchema(fields, nil)
	return func(yield func(arrow.RecordBatch, error) bool) {
		for batch := range 3 {
			b := array.NewRecordBuilder(mem, schema)
			for r := range 50 {
				v := int64(batch*1000 + r*7 - 100)
				null := r%9 == 4
				for i := range statsColumns {
					fb := b.Field(i)
					if (null && i > 0) || statsColumns[i].field.Name == "nothing" {
						fb.AppendNull()
						continue
					}
					switch x := fb.(type) {
					case *array.Int64Builder:
						x.Append(v)
					case *array.Int32Builder:
						x.Append(int32(-v))
					case *array.Uint16Builder:
						x.Append(uint16(v + 200))
					case *array.Float64Builder:
						f := float64(v) / 4
						if batch == 1 && r == 3 {
							f = math.NaN()
						}
						if r == 10 {
							f = math.Copysign(0, -1)
						}
						x.Append(f)
					case *array.Float32Builder:
						x.Append(float32(v) / 8)
					case *array.StringBuilder:
						if r == 0 {
							x.Append("")
						} else {
							x.Append(fmt.Sprintf("k%05d", v+500))
						}
					case *array.BooleanBuilder:
						x.Append(v%2 == 0 && batch != 2)
					case *array.Date32Builder:
						x.Append(arrow.Date32(18000 + v))
					case *array.TimestampBuilder:
						unit := x.Type().(*arrow.TimestampType).Unit
						us := v*3_600_000_123 + 1_700_000_000_000_000
						if unit == arrow.Nanosecond {
							x.Append(arrow.Timestamp(us*1000 + 7))
						} else {
							x.Append(arrow.Timestamp(us))
						}
					case *array.Time64Builder:
						x.Append(arrow.Time64((v + 100) % 1400 * 60_000_123))
					case *array.Decimal128Builder:
						x.Append(decimal128.FromI64(v))
					}
				}
			}
			rec := b.NewRecordBatch()
			b.Release()
			if !yield(rec, nil) {
				return
			}
		}
	}
}

// TestWriteStatsAgainstDuckDB writes three files and compares every
// ducklake_file_column_stats and ducklake_table_column_stats row with
// what DuckDB computes from the same files: counts, NaN, and bounds that
// DuckDB casts from the catalog's text and finds equal to its own min and
// max. Then the statistics must prune files for lakeframe.
func TestWriteStatsAgainstDuckDB(t *testing.T) {
	ctx := context.Background()
	_, path, _ := bareLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	// A tiny target size closes a file after each batch.
	if _, err := cat.Write(ctx, "stats", nil, statsBatches(mem), ducklake.WriteOptions{Mem: mem, TargetFileSize: 1}); err == nil {
		t.Fatal("a write with no schema succeeded")
	}
	fields := make([]arrow.Field, len(statsColumns))
	for i, c := range statsColumns {
		fields[i] = c.field
	}
	if _, err := cat.Write(ctx, "stats", arrow.NewSchema(fields, nil), statsBatches(mem), ducklake.WriteOptions{Mem: mem, TargetFileSize: 1}); err != nil {
		t.Fatal(err)
	}
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	dir := filepath.Join(filepath.Dir(path), "data", "main", "stats")
	files := map[int64]string{}
	rows, err := cat.DB().Query(`SELECT data_file_id, path FROM ducklake_data_file`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		files[id] = "'" + filepath.Join(dir, p) + "'"
	}
	rows.Close()
	if len(files) != 3 {
		t.Fatalf("%d data files, want 3", len(files))
	}
	all := "["
	for _, f := range files {
		all += f + ","
	}
	all += "]"
	for i, c := range statsColumns {
		colID := int64(i + 1)
		for id, f := range files {
			var values, nulls int64
			var lo, hi sql.NullString
			var nan sql.NullBool
			if err := cat.DB().QueryRow(`SELECT value_count, null_count, min_value, max_value, contains_nan FROM ducklake_file_column_stats WHERE data_file_id = ? AND column_id = ?`,
				id, colID).Scan(&values, &nulls, &lo, &hi, &nan); err != nil {
				t.Fatalf("column %s file %d: %v", c.field.Name, id, err)
			}
			checkStatsRow(t, duck, c.field.Name, c.duck, c.bounded, f, fmt.Sprintf("file %d", id), values, nulls, lo, hi, nan)
		}
		var containsNull sql.NullBool
		var lo, hi sql.NullString
		var nan sql.NullBool
		if err := cat.DB().QueryRow(`SELECT contains_null, min_value, max_value, contains_nan FROM ducklake_table_column_stats WHERE column_id = ?`,
			colID).Scan(&containsNull, &lo, &hi, &nan); err != nil {
			t.Fatalf("table stats of %s: %v", c.field.Name, err)
		}
		nulls := int64(0)
		if containsNull.Bool {
			nulls = -1
		}
		checkStatsRow(t, duck, c.field.Name, c.duck, c.bounded, all, "table", -1, nulls, lo, hi, nan)
	}

	// The statistics prune: i64 ranges do not overlap between files.
	src := source(t, cat, "main.stats")
	got, st := scanAll(t, src, plan.Pushdown{Limit: -1, Filters: resolve(t, src, expr.Col("i64").Gt(int64(1900)))})
	if st.FilesKept != 1 || st.FilesTotal != 3 {
		t.Errorf("i64 > 1900 kept %d of %d files, want 1 of 3", st.FilesKept, st.FilesTotal)
	}
	if len(got) != 50 {
		t.Errorf("i64 > 1900 read %d rows of the kept file, want 50", len(got))
	}
}

// checkStatsRow compares one statistics row with DuckDB over files (a
// read_parquet argument). values < 0 skips the count check; nulls < 0
// means "some" (table statistics only say whether there are NULLs).
func checkStatsRow(t *testing.T, duck *sql.DB, col, typ string, bounded bool, files, what string, values, nulls int64, lo, hi sql.NullString, nan sql.NullBool) {
	t.Helper()
	isFloat := typ == "DOUBLE" || typ == "FLOAT"
	notNaN := "true"
	if isFloat {
		notNaN = "NOT isnan(" + col + ")"
	}
	var n, nn int64
	var hasNaN sql.NullBool
	var anyValue bool
	q := fmt.Sprintf(`SELECT count(*), count(*) - count(%[1]s), %[3]s, count(%[1]s) FILTER (WHERE %[2]s) > 0 FROM read_parquet(%[4]s)`,
		col, notNaN, map[bool]string{true: "bool_or(isnan(" + col + "))", false: "NULL::BOOLEAN"}[isFloat], files)
	if err := duck.QueryRow(q).Scan(&n, &nn, &hasNaN, &anyValue); err != nil {
		t.Fatalf("%s %s: duckdb: %v", col, what, err)
	}
	if values >= 0 && values != n {
		t.Errorf("%s %s: value_count %d, duckdb counts %d", col, what, values, n)
	}
	if (nulls >= 0 && nulls != nn) || (nulls < 0 && nn == 0) {
		t.Errorf("%s %s: nulls %d, duckdb counts %d", col, what, nulls, nn)
	}
	if isFloat != nan.Valid || (isFloat && nan.Bool != hasNaN.Bool) {
		t.Errorf("%s %s: contains_nan %v, duckdb says %v", col, what, nan, hasNaN)
	}
	if !bounded || !anyValue {
		if lo.Valid || hi.Valid {
			t.Errorf("%s %s: bounds %q..%q, want none", col, what, lo.String, hi.String)
		}
		return
	}
	if !lo.Valid || !hi.Valid {
		t.Errorf("%s %s: no bounds", col, what)
		return
	}
	var loOK, hiOK bool
	q = fmt.Sprintf(`SELECT CAST(? AS %[1]s) = min(%[2]s) FILTER (WHERE %[3]s), CAST(? AS %[1]s) = max(%[2]s) FILTER (WHERE %[3]s) FROM read_parquet(%[4]s)`,
		typ, col, notNaN, files)
	if err := duck.QueryRow(q, lo.String, hi.String).Scan(&loOK, &hiOK); err != nil {
		t.Fatalf("%s %s: duckdb cannot read bounds %q..%q: %v", col, what, lo.String, hi.String, err)
	}
	if !loOK || !hiOK {
		var dlo, dhi string
		_ = duck.QueryRow(fmt.Sprintf(`SELECT CAST(min(%[1]s) FILTER (WHERE %[2]s) AS VARCHAR), CAST(max(%[1]s) FILTER (WHERE %[2]s) AS VARCHAR) FROM read_parquet(%[3]s)`, col, notNaN, files)).Scan(&dlo, &dhi)
		t.Errorf("%s %s: bounds %q..%q, duckdb finds %q..%q", col, what, lo.String, hi.String, dlo, dhi)
	}
}
