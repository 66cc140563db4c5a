package ducklake_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/uptrace/bun/driver/sqliteshim"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/plan"
)

// bareLake starts a SQLite catalog with schema main (path main/) and
// returns the builder, the catalog path and the open database.
func bareLake(t testing.TB) (*ducklaketest.Builder, string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lake.sqlite")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return ducklaketest.NewEmpty(t, db, ducklake.SQLite, filepath.Join(dir, "data")), path, db
}

func openLake(t testing.TB, path string) *ducklake.Catalog {
	t.Helper()
	cat, err := ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat
}

func ints(lo, hi int64) []any {
	var out []any
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// TestPartialFiles reads files that compaction writes across snapshots:
// each row carries the snapshot that wrote it, and a delete file carries
// the snapshot that deleted each position; time travel keeps only what
// the snapshot read had.
func TestPartialFiles(t *testing.T) {
	b, path, _ := bareLake(t)
	const dir = "main/t/"
	b.Snapshot(1, 1, `created_table:"main"."t"`)
	b.Table(1, 0, 1, "t", "t/")
	b.Column(1, 1, 1, 1, "id", "int64", "")
	for s := int64(2); s <= 5; s++ {
		b.Snapshot(s, 1, "inserted_into_table:1")
	}
	// Rows 0..4 were written by snapshot 2, rows 5..9 by snapshot 3.
	snaps := make([]any, 10)
	for i := range snaps {
		snaps[i] = int64(2 + i/5)
	}
	file := b.DataFile(1, 2, dir, []ducklaketest.FileCol{
		{ID: 1, Name: "id", Type: arrow.PrimitiveTypes.Int64, Vals: ints(0, 10)},
		{ID: -1, Name: "_ducklake_internal_snapshot_id", Type: arrow.PrimitiveTypes.Int64, Vals: snaps},
	}, nil, nil)
	b.Exec(`UPDATE ducklake_data_file SET partial_max = 3 WHERE data_file_id = ?`, file)
	// Positions 0 and 5 deleted by snapshot 4, position 1 by snapshot 5.
	target := fmt.Sprintf("%s%sdata-%d.parquet", b.DataDir(), dir, file)
	delPath := filepath.Join(b.DataDir(), dir, "partial-delete.parquet")
	size := ducklaketest.WriteParquet(t, delPath, []ducklaketest.FileCol{
		{ID: -1, Name: "file_path", Type: arrow.BinaryTypes.String, Vals: []any{target, target, target}},
		{ID: -1, Name: "pos", Type: arrow.PrimitiveTypes.Int64, Vals: []any{int64(0), int64(5), int64(1)}},
		{ID: -1, Name: "_ducklake_internal_snapshot_id", Type: arrow.PrimitiveTypes.Int64, Vals: []any{int64(4), int64(4), int64(5)}},
	})
	b.Exec(`INSERT INTO ducklake_delete_file (delete_file_id, table_id, begin_snapshot, end_snapshot, data_file_id, path, path_is_relative, format, delete_count, file_size_bytes, partial_max)
		VALUES (100, 1, 4, NULL, ?, 'partial-delete.parquet', true, 'parquet', 3, ?, 5)`, file, size)
	cat := openLake(t, path)
	cases := []struct {
		snap int64
		want []int64
	}{
		{2, []int64{0, 1, 2, 3, 4}},
		{3, []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{4, []int64{1, 2, 3, 4, 6, 7, 8, 9}},
		{5, []int64{2, 3, 4, 6, 7, 8, 9}},
	}
	for _, tc := range cases {
		src := source(t, cat, "t", ducklake.AtSnapshot(tc.snap))
		got, _ := scanAll(t, src, plan.Pushdown{Limit: -1})
		var want []string
		for _, v := range tc.want {
			want = append(want, strconv.FormatInt(v, 10))
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("snapshot %d: %v, want %v", tc.snap, got, want)
		}
		// A count-only scan filters the same rows.
		n, _ := scanAll(t, src, plan.Pushdown{Columns: []string{}, Limit: -1})
		if len(n) != len(tc.want) {
			t.Errorf("snapshot %d: count-only scan gave %d rows, want %d", tc.snap, len(n), len(tc.want))
		}
	}
}

// TestNameMapping reads files registered from other tools: one without
// field ids through its name mapping (with a column taken from a hive
// directory of its path), one with neither by position, and a column
// added later with a numeric initial default.
func TestNameMapping(t *testing.T) {
	b, path, _ := bareLake(t)
	b.Snapshot(1, 1, `created_table:"main"."t"`)
	b.Table(1, 0, 1, "t", "t/")
	b.Column(1, 1, 1, 1, "id", "int64", "")
	b.Column(1, 2, 1, 2, "name", "varchar", "")
	b.Column(1, 3, 1, 3, "region", "varchar", "")
	b.Snapshot(2, 1, "inserted_into_table:1")
	// Mapped: the file's columns have other names and another order, and
	// region comes from the path.
	mapped := b.DataFile(1, 2, "main/t/region=EU/", []ducklaketest.FileCol{
		{ID: -1, Name: "legacy_name", Type: arrow.BinaryTypes.String, Vals: []any{"x", nil, "z"}},
		{ID: -1, Name: "legacy_id", Type: arrow.PrimitiveTypes.Int64, Vals: ints(7, 10)},
	}, nil, nil)
	b.Exec(`UPDATE ducklake_data_file SET mapping_id = 5, path = 'region=EU/' || path WHERE data_file_id = ?`, mapped)
	b.Exec(`INSERT INTO ducklake_column_mapping VALUES (5, 1, 'map_by_name')`)
	// The mapping's own column ids differ from the table's: matching is
	// by target field id.
	b.Exec(`INSERT INTO ducklake_name_mapping VALUES (5, 100, 'legacy_id', 1, NULL, false), (5, 101, 'legacy_name', 2, NULL, false),
		(5, 102, 'region', 3, NULL, true)`)
	// Neither field ids nor a mapping: columns are taken by position.
	b.DataFile(1, 2, "main/t/", []ducklaketest.FileCol{
		{ID: -1, Name: "a", Type: arrow.PrimitiveTypes.Int64, Vals: ints(20, 22)},
		{ID: -1, Name: "b", Type: arrow.BinaryTypes.String, Vals: []any{"p", "q"}},
		{ID: -1, Name: "c", Type: arrow.BinaryTypes.String, Vals: []any{"US", nil}},
	}, nil, nil)
	b.Snapshot(3, 2, "altered_table:1")
	b.Column(1, 4, 3, 4, "score", "int32", "42")
	cat := openLake(t, path)
	got, _ := scanAll(t, source(t, cat, "t"), plan.Pushdown{Limit: -1})
	want := []string{"20|p|US|42", "21|q|NULL|42", "7|x|EU|42", "8|NULL|EU|42", "9|z|EU|42"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	got, _ = scanAll(t, source(t, cat, "t"), plan.Pushdown{Columns: []string{"region"}, Limit: -1})
	if want := []string{"EU", "EU", "EU", "NULL", "US"}; !slices.Equal(got, want) {
		t.Errorf("region alone: %v, want %v", got, want)
	}
}

// TestNestedColumns reads struct and list columns, whose children are
// catalog columns with a parent_column.
func TestNestedColumns(t *testing.T) {
	b, path, _ := bareLake(t)
	b.Snapshot(1, 1, `created_table:"main"."t"`)
	b.Table(1, 0, 1, "t", "t/")
	b.Column(1, 1, 1, 1, "id", "int64", "")
	b.Column(1, 2, 1, 2, "s", "struct", "")
	b.Exec(`INSERT INTO ducklake_column (column_id, begin_snapshot, table_id, column_order, column_name, column_type, nulls_allowed, parent_column)
		VALUES (3, 1, 1, 3, 'a', 'int64', true, 2), (4, 1, 1, 4, 'b', 'varchar', true, 2)`)
	b.Column(1, 5, 1, 5, "l", "list", "")
	b.Exec(`INSERT INTO ducklake_column (column_id, begin_snapshot, table_id, column_order, column_name, column_type, nulls_allowed, parent_column)
		VALUES (6, 1, 1, 6, 'element', 'int32', true, 5)`)
	b.Snapshot(2, 1, "inserted_into_table:1")

	// The file is written by pqarrow with field ids on every level.
	mem := memory.NewGoAllocator()
	fid := func(id int) arrow.Metadata {
		return arrow.NewMetadata([]string{"PARQUET:field_id"}, []string{strconv.Itoa(id)})
	}
	structType := arrow.StructOf(
		arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: fid(3)},
		arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true, Metadata: fid(4)})
	listType := arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.PrimitiveTypes.Int32, Nullable: true, Metadata: fid(6)})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true, Metadata: fid(1)},
		{Name: "s", Type: structType, Nullable: true, Metadata: fid(2)},
		{Name: "l", Type: listType, Nullable: true, Metadata: fid(5)},
	}, nil)
	rb := array.NewRecordBuilder(mem, schema)
	defer rb.Release()
	rb.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
	sb := rb.Field(1).(*array.StructBuilder)
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Int64Builder).Append(10)
	sb.FieldBuilder(1).(*array.StringBuilder).Append("p")
	sb.AppendNull()
	sb.Append(true)
	sb.FieldBuilder(0).(*array.Int64Builder).AppendNull()
	sb.FieldBuilder(1).(*array.StringBuilder).Append("q")
	lb := rb.Field(2).(*array.ListBuilder)
	vb := lb.ValueBuilder().(*array.Int32Builder)
	lb.Append(true)
	vb.AppendValues([]int32{1, 2}, nil)
	lb.Append(true)
	lb.AppendNull()
	rec := rb.NewRecordBatch()
	defer rec.Release()
	filePath := filepath.Join(b.DataDir(), "main/t/nested.parquet")
	tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
	defer tbl.Release()
	if err := writeTable(filePath, tbl); err != nil {
		t.Fatal(err)
	}
	b.Exec(`INSERT INTO ducklake_data_file (data_file_id, table_id, begin_snapshot, path, path_is_relative, file_format, record_count, file_size_bytes)
		VALUES (1, 1, 2, 'nested.parquet', true, 'parquet', 3, 0)`)

	cat := openLake(t, path)
	src := source(t, cat, "t")
	if got := src.Schema().Field(1).Type.String(); got != "struct<a: int64 nullable, b: utf8 nullable>" {
		t.Errorf("struct type %s", got)
	}
	if got := src.Schema().Field(2).Type.String(); got != "list<element: int32, nullable>" {
		t.Errorf("list type %s", got)
	}
	got, _ := scanAll(t, src, plan.Pushdown{Columns: []string{"l", "s", "id"}, Limit: -1})
	want := []string{
		`NULL|{"a":null,"b":"q"}|3`,
		`[1,2]|{"a":10,"b":"p"}|1`,
		`[]|NULL|2`,
	}
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func writeTable(path string, tbl arrow.Table) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pqarrow.WriteTable(tbl, f, 1024, nil, pqarrow.DefaultWriterProps())
}

// TestDeletesWithBooleanNulls removes deleted rows from a file with a
// boolean column holding nulls (arrow-go's own filter garbles those).
func TestDeletesWithBooleanNulls(t *testing.T) {
	b, path, _ := bareLake(t)
	b.Snapshot(1, 1, `created_table:"main"."t"`)
	b.Table(1, 0, 1, "t", "t/")
	b.Column(1, 1, 1, 1, "id", "int64", "")
	b.Column(1, 2, 1, 2, "flag", "boolean", "")
	b.Snapshot(2, 1, "inserted_into_table:1")
	flags := []any{true, nil, false, nil, true, false, nil, true, false, true}
	file := b.DataFile(1, 2, "main/t/", []ducklaketest.FileCol{
		{ID: 1, Name: "id", Type: arrow.PrimitiveTypes.Int64, Vals: ints(0, 10)},
		{ID: 2, Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Vals: flags},
	}, nil, nil)
	b.Snapshot(3, 1, "deleted_from_table:1")
	b.DeleteFile(1, 3, file, "main/t/", []int64{0, 3, 8})
	cat := openLake(t, path)
	got, _ := scanAll(t, source(t, cat, "t"), plan.Pushdown{Limit: -1})
	want := []string{"1|NULL", "2|false", "4|true", "5|false", "6|NULL", "7|true", "9|true"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
