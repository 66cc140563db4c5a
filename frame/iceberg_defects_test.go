//go:build cgo

package frame_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// The smallest reproductions of wrong answers given with no error by
// Iceberg pruning. Each expected answer comes from the rows written here
// (plain Go) and is checked against DuckDB reading the snapshot's files,
// never from lakeframe or iceberg-go's data path.

func defectCatalog(ctx context.Context, t *testing.T) catalog.Catalog {
	t.Helper()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

// readIDs collects df's id column, sorted, on a checked allocator.
func readIDs(t *testing.T, df *frame.DataFrame, opts ...frame.Option) []int64 {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	out, err := df.Collect(context.Background(), append(opts, frame.WithAllocator(mem))...)
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	ids := []int64{}
	rdr := array.NewTableReader(out, 1024)
	for rdr.Next() {
		col := column(t, rdr.RecordBatch(), "id").(*array.Int64)
		for i := range col.Len() {
			ids = append(ids, col.Value(i))
		}
	}
	rdr.Release()
	out.Release()
	mem.AssertSize(t, 0)
	slices.Sort(ids)
	return ids
}

// checkIDs compares what lakeframe reads, with pushdown and without it,
// and its count(*), to want, after checking want against DuckDB's answer
// to duckWhere over the snapshot's files (unless duckWhere is empty:
// DuckDB matches columns by name, not by Iceberg field id).
func checkIDs(ctx context.Context, t *testing.T, tbl *table.Table, cols []duckCol, f expr.Expr, duckWhere string, want []int64) {
	t.Helper()
	if duckWhere != "" {
		conn := duckConn(ctx, t)
		createSnapshotView(ctx, t, conn, "snap", snapshotLiveFiles(ctx, t, tbl), cols)
		duck := duckInt64s(ctx, t, conn, "SELECT id FROM snap WHERE "+duckWhere+" ORDER BY id")
		if !slices.Equal(duck, want) {
			t.Fatalf("oracle disagrees with the rows written: DuckDB finds ids %v where %s, the rows written %v", duck, duckWhere, want)
		}
	}
	df := frame.ReadIceberg(tbl).Where(f)
	if got := readIDs(t, df); !slices.Equal(got, want) {
		t.Errorf("Where(%s): ids %v, want %v", f, got, want)
	}
	if got := readIDs(t, df, frame.WithoutRules("push_down_filter")); !slices.Equal(got, want) {
		t.Errorf("Where(%s) without push_down_filter: ids %v, want %v", f, got, want)
	}
	if got := collectCount(t, df.Count()); got != int64(len(want)) {
		t.Errorf("Where(%s).Count(): %d, want %d", f, got, len(want))
	}
}

// Defect 1: a Parquet row group with as many NULLs as values must not
// look all-null. iceberg-go took arrow-go's NumValues (non-null values)
// as Iceberg's value_count (nulls included).
func TestIcebergDefectHalfNullRowGroupPruned(t *testing.T) {
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	tbl, err := iceberg.CreateTable(ctx, defectCatalog(ctx, t), table.Identifier{"d", "halfnull"}, schema)
	if err != nil {
		t.Fatal(err)
	}
	in := arrowTable(schema, []int{1, 2}, func(b *array.RecordBuilder, id int) {
		b.Field(0).(*array.Int64Builder).Append(int64(id))
		if id == 1 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append("x")
		}
	})
	defer in.Release()
	if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl); err != nil {
		t.Fatal(err)
	}
	cols := []duckCol{{"id", "BIGINT"}, {"v", "VARCHAR"}}
	t.Run("is_not_null", func(t *testing.T) {
		checkIDs(ctx, t, tbl, cols, expr.Col("v").IsNotNull(), "v IS NOT NULL", []int64{2})
	})
	t.Run("eq", func(t *testing.T) {
		checkIDs(ctx, t, tbl, cols, expr.Col("v").Eq("x"), "v = 'x'", []int64{2})
	})
	t.Run("is_null", func(t *testing.T) {
		checkIDs(ctx, t, tbl, cols, expr.Col("v").IsNull(), "v IS NULL", []int64{1})
	})
}

// Defect 2: an empty string partition value (” is not NULL) must not
// make manifests that hold it look empty, for reads and for the reads
// that DeleteIceberg and UpdateIceberg make to find their rows.
func TestIcebergDefectEmptyStringPartition(t *testing.T) {
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "country", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "n", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	}, nil)
	countries := []string{"DE", "FR", "", "DE"} // ids 1..4, n = 10*id
	cols := []duckCol{{"id", "BIGINT"}, {"country", "VARCHAR"}, {"n", "BIGINT"}}
	isDE := expr.Col("country").Eq("DE")

	newTable := func(t *testing.T, part iceberg.Partition) *table.Table {
		t.Helper()
		tbl, err := iceberg.CreateTable(ctx, defectCatalog(ctx, t), table.Identifier{"d", "countries"}, schema,
			iceberg.WithPartitioning(part))
		if err != nil {
			t.Fatal(err)
		}
		in := arrowTable(schema, countries, func(b *array.RecordBuilder, c string) {
			id := int64(b.Field(0).Len() + 1)
			b.Field(0).(*array.Int64Builder).Append(id)
			b.Field(1).(*array.StringBuilder).Append(c)
			b.Field(2).(*array.Int64Builder).Append(10 * id)
		})
		defer in.Release()
		if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl); err != nil {
			t.Fatal(err)
		}
		return tbl
	}
	// snapshotRows is the table's rows as DuckDB reads its files.
	snapshotRows := func(t *testing.T, tbl *table.Table) []string {
		t.Helper()
		conn := duckConn(ctx, t)
		createSnapshotView(ctx, t, conn, "snap", snapshotLiveFiles(ctx, t, tbl), cols)
		rows, err := conn.QueryContext(ctx, "SELECT format('{}|{}|{}', id, country, n) FROM snap ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}

	for _, part := range []iceberg.Partition{iceberg.Identity("country"), iceberg.Truncate("country", 2)} {
		t.Run(part.Transform.String(), func(t *testing.T) {
			t.Run("read", func(t *testing.T) {
				tbl := newTable(t, part)
				checkIDs(ctx, t, tbl, cols, isDE, "country = 'DE'", []int64{1, 4})
				checkIDs(ctx, t, tbl, cols, expr.Col("country").Eq(""), "country = ''", []int64{3})
				checkIDs(ctx, t, tbl, cols, expr.Col("country").Ne("DE"), "country <> 'DE'", []int64{2, 3})
			})
			for _, mode := range []struct {
				name string
				opt  frame.IcebergWriteOption
			}{{"copy_on_write", frame.IcebergCopyOnWrite()}, {"merge_on_read", frame.IcebergMergeOnRead()}} {
				t.Run("delete_"+mode.name, func(t *testing.T) {
					tbl := newTable(t, part)
					tbl, err := frame.DeleteIceberg(ctx, tbl, isDE, mode.opt)
					if err != nil {
						t.Fatal(err)
					}
					want := []string{"2|FR|20", "3||30"}
					if got := snapshotRows(t, tbl); !slices.Equal(got, want) {
						t.Errorf("after DeleteIceberg(%s) the table holds %q, want %q", isDE, got, want)
					}
				})
				t.Run("update_"+mode.name, func(t *testing.T) {
					tbl := newTable(t, part)
					tbl, err := frame.UpdateIceberg(ctx, tbl, isDE, map[string]any{"n": int64(-1)}, mode.opt)
					if err != nil {
						t.Fatal(err)
					}
					want := []string{"1|DE|-1", "2|FR|20", "3||30", "4|DE|-1"}
					if got := snapshotRows(t, tbl); !slices.Equal(got, want) {
						t.Errorf("after UpdateIceberg(%s, n = -1) the table holds %q, want %q", isDE, got, want)
					}
				})
			}
		})
	}
}

// Defect 4: a data file that cannot provide a column (written before the
// column was added, or registered without field ids and without the
// column) reads it as NULL, so `IS NULL` must count its rows; no pruning
// may drop it from manifest statistics it has none of for that field.
func TestIcebergDefectColumnMissingFromFile(t *testing.T) {
	ctx := context.Background()
	// id is optional: DuckDB writes every column as optional, and a file
	// cannot be added to a table that requires a column it may not have.
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "a", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	cat := defectCatalog(ctx, t)
	ident := table.Identifier{"d", "evolved"}
	tbl, err := iceberg.CreateTable(ctx, cat, ident, schema)
	if err != nil {
		t.Fatal(err)
	}

	// Rows 1..3, before the columns exist.
	in := arrowTable(schema, []int64{1, 2, 3}, func(b *array.RecordBuilder, id int64) {
		b.Field(0).(*array.Int64Builder).Append(id)
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprint("a", id))
	})
	defer in.Release()
	if tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl); err != nil {
		t.Fatal(err)
	}

	tx := tbl.NewTransaction()
	if err := tx.UpdateSchema(true, false).
		AddColumn([]string{"extra"}, iceberggo.PrimitiveTypes.String, "", false, nil).
		AddColumn([]string{"score"}, iceberggo.PrimitiveTypes.Int64, "", false, nil).
		Commit(); err != nil {
		t.Fatal(err)
	}
	if tbl, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}

	// Rows 4..6 with the new columns: extra "e", NULL, "e"; score 5, NULL, 7.
	wide := arrow.NewSchema(append(schema.Fields(),
		arrow.Field{Name: "extra", Type: arrow.BinaryTypes.String, Nullable: true},
		arrow.Field{Name: "score", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	), nil)
	in2 := arrowTable(wide, []int64{4, 5, 6}, func(b *array.RecordBuilder, id int64) {
		b.Field(0).(*array.Int64Builder).Append(id)
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprint("a", id))
		if id == 5 {
			b.Field(2).AppendNull()
			b.Field(3).AppendNull()
		} else {
			b.Field(2).(*array.StringBuilder).Append("e")
			b.Field(3).(*array.Int64Builder).Append(id + 1)
		}
	})
	defer in2.Release()
	if tbl, err = frame.FromArrow(in2).WriteIceberg(ctx, tbl); err != nil {
		t.Fatal(err)
	}

	// Rows 7..8 in a file DuckDB writes without field ids and without the
	// new columns, registered with the table's name mapping.
	conn := duckConn(ctx, t)
	dir := t.TempDir()
	file := filepath.Join(dir, "old.parquet")
	duckExec(ctx, t, conn, fmt.Sprintf("COPY (SELECT i::BIGINT AS id, 'a' || i AS a FROM range(7, 9) r(i)) TO %s (FORMAT parquet)", sqlString(file)))
	tx = tbl.NewTransaction()
	if err := tx.AddFiles(ctx, []string{file}, nil, false); err != nil {
		t.Fatal(err)
	}
	if tbl, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if tbl, err = cat.LoadTable(ctx, ident); err != nil {
		t.Fatal(err)
	}

	cols := []duckCol{{"id", "BIGINT"}, {"a", "VARCHAR"}, {"extra", "VARCHAR"}, {"score", "BIGINT"}}
	cases := []struct {
		name string
		f    expr.Expr
		sql  string
		want []int64
	}{
		{"extra_is_null", expr.Col("extra").IsNull(), "extra IS NULL", []int64{1, 2, 3, 5, 7, 8}},
		{"extra_is_not_null", expr.Col("extra").IsNotNull(), "extra IS NOT NULL", []int64{4, 6}},
		{"extra_eq", expr.Col("extra").Eq("e"), "extra = 'e'", []int64{4, 6}},
		{"extra_ne", expr.Col("extra").Ne("e"), "extra <> 'e'", []int64{}},
		{"score_is_null", expr.Col("score").IsNull(), "score IS NULL", []int64{1, 2, 3, 5, 7, 8}},
		{"score_lt", expr.Col("score").Lt(int64(7)), "score < 7", []int64{4}},
		{"score_is_null_or_ge", expr.Col("score").IsNull().Or(expr.Col("score").Ge(int64(7))), "score IS NULL OR score >= 7", []int64{1, 2, 3, 5, 6, 7, 8}},
		{"not_extra_is_not_null", expr.Col("extra").IsNotNull().Not(), "NOT (extra IS NOT NULL)", []int64{1, 2, 3, 5, 7, 8}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkIDs(ctx, t, tbl, cols, c.f, c.sql, c.want)
		})
	}
}

// Defect 4, by field id: a column dropped and added again under the same
// name is a new column (a new field id); files written before hold the
// old column, which must not be read, and count as NULL for the new one.
// DuckDB matches by name, so the expected rows come from Go alone.
func TestIcebergDefectReaddedColumnIsNull(t *testing.T) {
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "extra", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	write := func(tbl *table.Table, ids []int64, extra map[int64]string) *table.Table {
		t.Helper()
		in := arrowTable(schema, ids, func(b *array.RecordBuilder, id int64) {
			b.Field(0).(*array.Int64Builder).Append(id)
			if e, ok := extra[id]; ok {
				b.Field(1).(*array.StringBuilder).Append(e)
			} else {
				b.Field(1).AppendNull()
			}
		})
		defer in.Release()
		out, err := frame.FromArrow(in).WriteIceberg(ctx, tbl)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tbl, err := iceberg.CreateTable(ctx, defectCatalog(ctx, t), table.Identifier{"d", "readded"}, schema)
	if err != nil {
		t.Fatal(err)
	}
	tbl = write(tbl, []int64{1, 2, 3}, map[int64]string{1: "e", 2: "e"})
	for _, change := range []func(u *table.UpdateSchema) *table.UpdateSchema{
		func(u *table.UpdateSchema) *table.UpdateSchema { return u.DeleteColumn([]string{"extra"}) },
		func(u *table.UpdateSchema) *table.UpdateSchema {
			return u.AddColumn([]string{"extra"}, iceberggo.PrimitiveTypes.String, "", false, nil)
		},
	} {
		tx := tbl.NewTransaction()
		if err := change(tx.UpdateSchema(true, false)).Commit(); err != nil {
			t.Fatal(err)
		}
		if tbl, err = tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	tbl = write(tbl, []int64{4, 5}, map[int64]string{4: "f"})

	cases := []struct {
		name string
		f    expr.Expr
		want []int64
	}{
		{"is_null", expr.Col("extra").IsNull(), []int64{1, 2, 3, 5}},
		{"is_not_null", expr.Col("extra").IsNotNull(), []int64{4}},
		{"eq_old_value", expr.Col("extra").Eq("e"), []int64{}},
		{"eq_new_value", expr.Col("extra").Eq("f"), []int64{4}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkIDs(ctx, t, tbl, nil, c.f, "", c.want)
		})
	}
}
