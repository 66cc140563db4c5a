//go:build cgo

package ducklake_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/ducklake"
	"lakeframe/plan"
)

// TestPartitionValuesAgainstDuckDB creates a table partitioned by
// identity(k), year(ts), month(ts), day(ts) and hour(ts), writes rows of
// 150 partitions in batches that each touch many (more than the open
// file bound), and checks every file with DuckDB: it holds one partition,
// whose key values DuckDB computes equal to the catalog's, and together
// the files hold exactly the rows written.
func TestPartitionValuesAgainstDuckDB(t *testing.T) {
	ctx := context.Background()
	_, path, _ := bareLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	var want []string
	rows := func(yield func(arrow.RecordBatch, error) bool) {
		for batch := range 4 {
			b := array.NewRecordBuilder(mem, schema)
			for i := range 500 {
				v := int64(batch*500 + i)
				// 50 hours from 2024-12-31 22:00 (crossing a year and a
				// month), three keys, some NULL keys and timestamps.
				hour := (v * 7) % 50
				us := int64(1735682400+hour*3600)*1_000_000 + v
				k := []string{"a", "b", "c"}[v%3]
				kText, tsText := k, fmt.Sprint(us)
				if v%17 == 0 {
					b.Field(0).AppendNull()
					kText = "NULL"
				} else {
					b.Field(0).(*array.StringBuilder).Append(k)
				}
				if v%23 == 0 {
					b.Field(1).AppendNull()
					tsText = "NULL"
				} else {
					b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(us))
				}
				b.Field(2).(*array.Int64Builder).Append(v)
				want = append(want, fmt.Sprintf("%s|%s|%d", kText, tsText, v))
			}
			rec := b.NewRecordBatch()
			b.Release()
			if !yield(rec, nil) {
				return
			}
		}
	}
	keys := []ducklake.PartitionKey{{Column: "k", Transform: "identity"}, {Column: "ts", Transform: "year"},
		{Column: "ts", Transform: "month"}, {Column: "ts", Transform: "day"}, {Column: "ts", Transform: "hour"}}
	if _, err := cat.Write(ctx, "parts", schema, rows, ducklake.WriteOptions{Mem: mem, PartitionBy: keys}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)

	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	dir := filepath.Join(filepath.Dir(path), "data", "main", "parts")
	files, err := cat.DB().Query(`SELECT f.data_file_id, f.path, f.partition_id, pi.partition_id FROM ducklake_data_file f
		JOIN ducklake_partition_info pi ON pi.table_id = f.table_id`)
	if err != nil {
		t.Fatal(err)
	}
	type file struct {
		id   int64
		path string
	}
	var fs []file
	for files.Next() {
		var f file
		var pid, spec sql.NullInt64
		if err := files.Scan(&f.id, &f.path, &pid, &spec); err != nil {
			t.Fatal(err)
		}
		if !pid.Valid || pid.Int64 != spec.Int64 {
			t.Errorf("file %d has partition_id %v, the table's partitioning is %v", f.id, pid, spec)
		}
		fs = append(fs, f)
	}
	files.Close()
	if len(fs) < 150 {
		t.Errorf("%d files, want one per partition at least (150)", len(fs))
	}
	var got []string
	for _, f := range fs {
		values := make([]sql.NullString, len(keys))
		for k := range keys {
			if err := cat.DB().QueryRow(`SELECT partition_value FROM ducklake_file_partition_value WHERE data_file_id = ? AND partition_key_index = ?`,
				f.id, k).Scan(&values[k]); err != nil {
				t.Fatalf("file %d key %d: %v", f.id, k, err)
			}
		}
		// NULL is spelled out: the driver scans a column DuckDB knows to
		// be all NULL (from the file's statistics) as a garbage string.
		q := fmt.Sprintf(`SELECT DISTINCT coalesce(k, '<null>'), CAST(year(ts) AS VARCHAR), CAST(month(ts) AS VARCHAR), CAST(day(ts) AS VARCHAR), CAST(hour(ts) AS VARCHAR)
			FROM read_parquet('%s')`, filepath.Join(dir, f.path))
		rs, err := duck.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rs.Next() {
			n++
			duckValues := make([]sql.NullString, len(keys))
			ptrs := make([]any, len(keys))
			for k := range ptrs {
				ptrs[k] = &duckValues[k]
			}
			if err := rs.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if duckValues[0].String == "<null>" {
				duckValues[0] = sql.NullString{}
			}
			if !slices.Equal(duckValues, values) {
				t.Errorf("file %s: catalog partition values %v, duckdb computes %v", f.path, values, duckValues)
			}
		}
		rs.Close()
		if n != 1 {
			t.Errorf("file %s holds %d partitions", f.path, n)
		}
		rs, err = duck.Query(fmt.Sprintf(`SELECT coalesce(k, 'NULL') || '|' || coalesce(CAST(epoch_us(ts) AS VARCHAR), 'NULL') || '|' || CAST(v AS VARCHAR) FROM read_parquet('%s')`,
			filepath.Join(dir, f.path)))
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var s string
			if err := rs.Scan(&s); err != nil {
				t.Fatal(err)
			}
			got = append(got, s)
		}
		rs.Close()
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("the files hold %d rows, want %d: %s", len(got), len(want), firstDiff(got, want))
	}
	// lakeframe reads them all back through the catalog.
	lf, _ := scanAll(t, source(t, cat, "main.parts"), plan.Pushdown{Limit: -1})
	if len(lf) != len(want) {
		t.Errorf("lakeframe reads %d rows, want %d", len(lf), len(want))
	}
}
