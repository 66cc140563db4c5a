//go:build cgo

package ducklake_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/ducklake"
	"lakeframe/expr"
)

// TestDeletePositionsAcrossRowGroups deletes twice from a file of three
// row groups and has DuckDB apply the delete file to the data file by
// row number: the rows left must be exactly those the conditions keep.
func TestDeletePositionsAcrossRowGroups(t *testing.T) {
	ctx := context.Background()
	_, path, _ := bareLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	const n = 300_000
	opts := ducklake.WriteOptions{Mem: mem}
	if _, err := cat.Write(ctx, "big", writerSchema, writerRows(mem, "w", 0, n), opts); err != nil {
		t.Fatal(err)
	}
	if _, err := cat.DeleteRows(ctx, "big", expr.Col("id").Ge(int64(100_000)).And(expr.Col("id").Lt(int64(250_000))), opts); err != nil {
		t.Fatal(err)
	}
	// Overlaps the first delete: the second delete file holds both.
	res, err := cat.DeleteRows(ctx, "big", expr.Col("id").Lt(int64(10)).Or(expr.Col("id").Ge(int64(249_990))), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 10+(n-250_000) {
		t.Errorf("second delete matched %d live rows, want %d", res.Rows, 10+(n-250_000))
	}
	var live int
	if err := cat.DB().QueryRow(`SELECT count(*) FROM ducklake_delete_file WHERE end_snapshot IS NULL`).Scan(&live); err != nil || live != 1 {
		t.Fatalf("%d live delete files (%v), want 1: the second replaces the first", live, err)
	}
	var data, del string
	var groups int64
	if err := cat.DB().QueryRow(`SELECT d.path, x.path FROM ducklake_data_file d JOIN ducklake_delete_file x USING (data_file_id) WHERE x.end_snapshot IS NULL`).Scan(&data, &del); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(filepath.Dir(path), "data", "main", "big")
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	if err := duck.QueryRow(fmt.Sprintf(`SELECT count(DISTINCT row_group_id) FROM parquet_metadata('%s')`, filepath.Join(dir, data))).Scan(&groups); err != nil {
		t.Fatal(err)
	}
	if groups < 3 {
		t.Errorf("the data file has %d row groups, want 3", groups)
	}
	var count, sum, wantCount, wantSum int64
	q := fmt.Sprintf(`SELECT count(*), sum(id) FROM read_parquet('%s', file_row_number = true)
		WHERE file_row_number NOT IN (SELECT pos FROM read_parquet('%s'))`, filepath.Join(dir, data), filepath.Join(dir, del))
	if err := duck.QueryRow(q).Scan(&count, &sum); err != nil {
		t.Fatal(err)
	}
	for id := int64(0); id < n; id++ {
		if id >= 10 && id < 100_000 {
			wantCount++
			wantSum += id
		}
	}
	if count != wantCount || sum != wantSum {
		t.Errorf("duckdb applies the delete file and finds %d rows summing to %d, want %d summing to %d", count, sum, wantCount, wantSum)
	}
}
