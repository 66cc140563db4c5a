package iceberg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
)

// mappedSchema is the table schema of the name-mapping tests.
var mappedSchema = iceberg.NewSchema(0,
	iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.Int64},
	iceberg.NestedField{ID: 2, Name: "name", Type: iceberg.PrimitiveTypes.String},
)

// writePlainParquet writes ids [from, to) and names "v<id>" (NULL for ids
// divisible by 4) with an Arrow schema that carries no field ids, as
// writers outside Iceberg do.
func writePlainParquet(t *testing.T, path string, from, to int) {
	t.Helper()
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := from; i < to; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%4 == 0 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("v%d", i))
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := pqarrow.NewFileWriter(sc, f, parquet.NewWriterProperties(), pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// readStrings reads every column of src with the pushdown and returns the
// rows as "id:name" strings in the order read.
func readStrings(t *testing.T, src *Source, p plan.Pushdown) []string {
	t.Helper()
	sp, err := src.Plan(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	var out []string
	scanTasks(context.Background(), t, src, sp.Tasks, mem, func(rec arrow.RecordBatch) {
		for i := 0; i < int(rec.NumRows()); i++ {
			vals := make([]string, rec.NumCols())
			for j := range vals {
				vals[j] = rec.Column(j).ValueStr(i)
			}
			out = append(out, strings.Join(vals, ":"))
		}
	})
	return out
}

// TestNameMapping adds Parquet files without field ids to a table with
// AddFiles, which records the schema's name mapping; lakeframe reads
// their columns through it, also after a rename and an added column.
func TestNameMapping(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, table.Identifier{"db"}, nil); err != nil {
		t.Fatal(err)
	}
	tbl, err := cat.CreateTable(ctx, table.Identifier{"db", "mapped"}, mappedSchema)
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")}
	writePlainParquet(t, files[0], 0, 10)
	writePlainParquet(t, files[1], 10, 25)
	tx := tbl.NewTransaction()
	if err := tx.AddFiles(ctx, files, nil, false); err != nil {
		t.Fatal(err)
	}
	if tbl, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if tbl.Metadata().Properties()[table.DefaultNameMappingKey] == "" {
		t.Fatal("AddFiles recorded no name mapping")
	}

	want := func(from, to int, extra string) []string {
		var rows []string
		for i := from; i < to; i++ {
			name := fmt.Sprintf("v%d", i)
			if i%4 == 0 {
				name = "(null)"
			}
			rows = append(rows, fmt.Sprintf("%d:%s%s", i, name, extra))
		}
		return rows
	}
	check := func(t *testing.T, tbl *table.Table, p plan.Pushdown, want []string) {
		t.Helper()
		src, err := NewSource(tbl, ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.Filters != nil {
			for i, f := range p.Filters {
				if p.Filters[i], err = expr.Resolve(f, src.Schema()); err != nil {
					t.Fatal(err)
				}
			}
		}
		got := readStrings(t, src, p)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("read\n %v\nwant\n %v", got, want)
		}
	}
	t.Run("all", func(t *testing.T) { check(t, tbl, plan.Pushdown{Limit: -1}, want(0, 25, "")) })
	// The filter prunes by the mapped column's statistics; rows it keeps
	// are filtered above the scan, so the source returns a superset that
	// holds every match but not every row.
	t.Run("filter", func(t *testing.T) {
		src, err := NewSource(tbl, ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		pred, err := expr.Resolve(expr.Col("id").Ge(20).Node(), src.Schema())
		if err != nil {
			t.Fatal(err)
		}
		got := readStrings(t, src, plan.Pushdown{Filters: []expr.Node{pred}, Limit: -1})
		all := want(0, 25, "")
		if len(got) >= len(all) {
			t.Errorf("read all %d rows: the mapped column pruned nothing", len(got))
		}
		if !slices.Equal(got[len(got)-5:], want(20, 25, "")) {
			t.Errorf("read\n %v\nwant it to end with\n %v", got, want(20, 25, ""))
		}
	})
	t.Run("projection", func(t *testing.T) {
		var names []string
		for _, r := range want(0, 25, "") {
			names = append(names, strings.SplitN(r, ":", 2)[1])
		}
		check(t, tbl, plan.Pushdown{Columns: []string{"name"}, Limit: -1}, names)
	})

	// Rename name to label and add a column: the files still map by the
	// names they were written with.
	tx = tbl.NewTransaction()
	if err := tx.UpdateSchema(true, false).RenameColumn([]string{"name"}, "label").
		AddColumn([]string{"extra"}, iceberg.PrimitiveTypes.Int32, "", false, nil).Commit(); err != nil {
		t.Fatal(err)
	}
	if tbl, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	t.Run("renamed", func(t *testing.T) { check(t, tbl, plan.Pushdown{Limit: -1}, want(0, 25, ":(null)")) })

	// Without a mapping the columns cannot be matched: reading fails and
	// names the file.
	t.Run("no mapping", func(t *testing.T) {
		tx := tbl.NewTransaction()
		if err := tx.RemoveProperties([]string{table.DefaultNameMappingKey}); err != nil {
			t.Fatal(err)
		}
		unmapped, err := tx.Commit(ctx)
		if err != nil {
			t.Fatal(err)
		}
		src, err := NewSource(unmapped, ScanOptions{})
		if err != nil {
			t.Fatal(err)
		}
		sp, err := src.Plan(ctx, plan.Pushdown{Limit: -1})
		if err != nil {
			t.Fatal(err)
		}
		st, err := src.Open(ctx, &exec.TaskContext{Mem: memory.NewGoAllocator()}, sp.Tasks[0])
		if err == nil {
			var rec arrow.RecordBatch
			rec, err = st.Next(ctx)
			if rec != nil {
				rec.Release()
			}
			st.Close()
		}
		if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "field_id") || !strings.Contains(err.Error(), ".parquet") {
			t.Errorf("err = %v, want an execution error naming the file and the missing field ids", err)
		}
	})
}

// TestUnreadableFormats adds data files that lakeframe cannot read (ORC,
// Avro) to a table's manifests: planning a scan that keeps one fails with
// an error that names the file and its format; a scan whose filter
// prunes them reads the Parquet files.
func TestUnreadableFormats(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	cat, err := OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "catalog.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.CreateNamespace(ctx, table.Identifier{"db"}, nil); err != nil {
		t.Fatal(err)
	}
	sc := iceberg.NewSchema(0,
		iceberg.NestedField{ID: 1, Name: "id", Type: iceberg.PrimitiveTypes.Int64},
		iceberg.NestedField{ID: 2, Name: "part", Type: iceberg.PrimitiveTypes.Int32, Required: true},
	)
	spec := iceberg.NewPartitionSpec(iceberg.PartitionField{SourceIDs: []int{2}, FieldID: 1000, Name: "part", Transform: iceberg.IdentityTransform{}})
	tbl, err := cat.CreateTable(ctx, table.Identifier{"db", "formats"}, sc, catalog.WithPartitionSpec(&spec))
	if err != nil {
		t.Fatal(err)
	}
	asc, err := table.SchemaToArrowSchema(sc, nil, false, false)
	if err != nil {
		t.Fatal(err)
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, asc)
	for i := range 10 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Int32Builder).Append(1)
	}
	rec := b.NewRecordBatch()
	b.Release()
	rdr, _ := array.NewRecordReader(asc, []arrow.RecordBatch{rec})
	tbl, err = tbl.Append(ctx, rdr, nil)
	rdr.Release()
	rec.Release()
	if err != nil {
		t.Fatal(err)
	}
	// Manifest entries for an ORC file in partition 2 and an Avro file in
	// partition 3; the files themselves need not exist, as planning fails
	// before reading.
	orc := filepath.Join(dir, "data", "part=2", "00000.orc")
	avro := filepath.Join(dir, "data", "part=3", "00000.avro")
	var add []iceberg.DataFile
	for _, f := range []struct {
		path   string
		format iceberg.FileFormat
		part   int32
	}{{orc, iceberg.OrcFile, 2}, {avro, iceberg.AvroFile, 3}} {
		db, err := iceberg.NewDataFileBuilder(spec, iceberg.EntryContentData, f.path, f.format,
			map[int]any{1000: f.part}, nil, nil, 5, 1234)
		if err != nil {
			t.Fatal(err)
		}
		add = append(add, db.Build())
	}
	tx := tbl.NewTransaction()
	if err := tx.AddDataFiles(ctx, add, nil); err != nil {
		t.Fatal(err)
	}
	if tbl, err = tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		t.Fatal(err)
	}
	plan1 := func(pred expr.Expr) (*plan.ScanPlan, error) {
		p := plan.Pushdown{Limit: -1}
		if pred.Node() != nil {
			n, err := expr.Resolve(pred.Node(), src.Schema())
			if err != nil {
				t.Fatal(err)
			}
			p.Filters = []expr.Node{n}
		}
		return src.Plan(ctx, p)
	}
	for _, c := range []struct {
		name   string
		pred   expr.Expr
		path   string
		format string
	}{
		{"orc", expr.Col("part").Eq(2), orc, "ORC"},
		{"avro", expr.Col("part").Eq(3), avro, "AVRO"},
		{"all", expr.Expr{}, orc, "ORC"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := plan1(c.pred)
			if err == nil {
				t.Fatal("planned a scan of an unreadable file")
			}
			if !errors.Is(err, errs.ErrNotImplemented) {
				t.Errorf("error %v is not ErrNotImplemented", err)
			}
			// Files are planned in manifest order: for a full scan the
			// first unreadable one is named.
			if c.name == "all" && strings.Contains(err.Error(), avro) {
				c.path, c.format = avro, "AVRO"
			}
			if !strings.Contains(err.Error(), c.path) || !strings.Contains(err.Error(), c.format) {
				t.Errorf("error %q does not name %s and %s", err, c.path, c.format)
			}
		})
	}
	t.Run("pruned", func(t *testing.T) {
		p, err := plan1(expr.Col("part").Eq(1))
		if err != nil {
			t.Fatal(err)
		}
		if p.Stats.FilesKept != 1 || p.Stats.FilesTotal != 3 {
			t.Errorf("kept %d of %d files, want 1 of 3", p.Stats.FilesKept, p.Stats.FilesTotal)
		}
	})
}
