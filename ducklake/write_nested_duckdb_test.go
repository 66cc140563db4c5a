//go:build cgo

package ducklake_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/ducklake"
	"lakeframe/plan"
)

// TestNestedColumnsAgainstDuckDB creates a table with struct, list and
// map columns. The catalog must number the columns in pre-order with
// parent_column links, the file must carry those ids as Parquet field ids
// at every level (DuckDB's parquet_schema says), DuckDB must read the
// values back, and lakeframe's reader too.
func TestNestedColumnsAgainstDuckDB(t *testing.T) {
	ctx := context.Background()
	_, path, _ := bareLake(t)
	cat := openLake(t, path)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.StructOf(
			arrow.Field{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
			arrow.Field{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true}), Nullable: true},
		{Name: "l", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
		{Name: "m", Type: arrow.MapOf(arrow.BinaryTypes.String, arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	var want []string
	for i := int64(0); i < 20; i++ {
		b.Field(0).(*array.Int64Builder).Append(i)
		sb := b.Field(1).(*array.StructBuilder)
		lb := b.Field(2).(*array.ListBuilder)
		mb := b.Field(3).(*array.MapBuilder)
		line := fmt.Sprint(i)
		if i%5 == 4 {
			sb.AppendNull()
			lb.AppendNull()
			mb.AppendNull()
			line += "|NULL|NULL|NULL|NULL"
		} else {
			sb.Append(true)
			sb.FieldBuilder(0).(*array.Int64Builder).Append(i * 10)
			sb.FieldBuilder(1).(*array.StringBuilder).Append(fmt.Sprint("b", i))
			lb.Append(true)
			for k := int64(0); k < i%3; k++ {
				lb.ValueBuilder().(*array.Int64Builder).Append(i + k)
			}
			mb.Append(true)
			mb.KeyBuilder().(*array.StringBuilder).Append("k")
			mb.ItemBuilder().(*array.Int64Builder).Append(-i)
			line += fmt.Sprintf("|%d|b%d|%d|%d", i*10, i, i%3, -i)
		}
		want = append(want, line)
	}
	rec := b.NewRecordBatch()
	b.Release()
	rec.Retain() // written twice; each write releases what it consumes
	if _, err := cat.Write(ctx, "nested", schema, func(yield func(arrow.RecordBatch, error) bool) { yield(rec, nil) }, ducklake.WriteOptions{Mem: mem}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)

	// Pre-order ids with parent links, as DuckDB numbers them.
	rows, err := cat.DB().Query(`SELECT column_id, column_name, column_type, coalesce(parent_column, -1) FROM ducklake_column ORDER BY column_id`)
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	for rows.Next() {
		var id, parent int64
		var name, typ string
		if err := rows.Scan(&id, &name, &typ, &parent); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, fmt.Sprintf("%d %s %s %d", id, name, typ, parent))
	}
	rows.Close()
	wantCols := []string{"1 id int64 -1", "2 s struct -1", "3 a int64 2", "4 b varchar 2", "5 l list -1", "6 element int64 5",
		"7 m map -1", "8 key varchar 7", "9 value int64 7"}
	if !slices.Equal(cols, wantCols) {
		t.Errorf("catalog columns\n%s\nwant\n%s", strings.Join(cols, "\n"), strings.Join(wantCols, "\n"))
	}

	var file string
	if err := cat.DB().QueryRow(`SELECT path FROM ducklake_data_file`).Scan(&file); err != nil {
		t.Fatal(err)
	}
	file = filepath.Join(filepath.Dir(path), "data", "main", "nested", file)
	duck, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer duck.Close()
	// Every field that is a column (not Parquet's repeated wrappers)
	// carries its column id.
	ids, err := duck.Query(fmt.Sprintf(`SELECT name, field_id FROM parquet_schema('%s') WHERE field_id IS NOT NULL ORDER BY field_id`, file))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for ids.Next() {
		var name string
		var id int64
		if err := ids.Scan(&name, &id); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d %s", id, name))
	}
	ids.Close()
	if want := []string{"1 id", "2 s", "3 a", "4 b", "5 l", "6 element", "7 m", "8 key", "9 value"}; !slices.Equal(got, want) {
		t.Errorf("parquet field ids %v, want %v", got, want)
	}
	var lines []string
	vals, err := duck.Query(fmt.Sprintf(`SELECT CAST(id AS VARCHAR) || '|' || coalesce(CAST(s.a AS VARCHAR), 'NULL') || '|' || coalesce(s.b, 'NULL') || '|' ||
		coalesce(CAST(len(l) AS VARCHAR), 'NULL') || '|' || coalesce(CAST(m['k'] AS VARCHAR), 'NULL') FROM read_parquet('%s')`, file))
	if err != nil {
		t.Fatal(err)
	}
	for vals.Next() {
		var s string
		if err := vals.Scan(&s); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, s)
	}
	vals.Close()
	slices.Sort(lines)
	if !slices.Equal(lines, want) {
		t.Errorf("duckdb reads %v, want %v", lines, want)
	}
	read, _ := scanAll(t, source(t, cat, "main.nested"), plan.Pushdown{Limit: -1})
	if len(read) != len(want) {
		t.Errorf("lakeframe reads %d rows, want %d", len(read), len(want))
	}
	// An append through the same columns lands in a second file.
	if _, err := cat.Write(ctx, "nested", schema, func(yield func(arrow.RecordBatch, error) bool) { yield(rec, nil) }, ducklake.WriteOptions{Mem: mem}); err != nil {
		t.Fatal(err)
	}
	read2, _ := scanAll(t, source(t, cat, "main.nested"), plan.Pushdown{Limit: -1})
	if len(read2) != 2*len(want) {
		t.Errorf("after the append lakeframe reads %d rows, want %d", len(read2), 2*len(want))
	}
}
