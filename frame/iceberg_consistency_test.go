//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
	"lakeframe/internal/miniotest"
)

// Three-way consistency: after every append, update and delete made
// through lakeframe, on copy-on-write and merge-on-read tables, the rows
// read through lakeframe, through iceberg-go's own scan and through
// DuckDB (reading the snapshot's data files and anti-joining its
// positional delete files, with no Iceberg code) are the same, and equal
// to the rows a plain Go model of the changes expects.

func TestIcebergConsistencyLocal(t *testing.T) {
	testIcebergConsistency(t, nil, nil)
}

// TestIcebergConsistencyMinio runs the changes on a table in MinIO, with
// data files read through the S3 block cache: every read after a change
// still sees exactly the snapshot's rows. (Uncached reads from MinIO are
// covered by the catalog and executor tests.)
func TestIcebergConsistencyMinio(t *testing.T) {
	cache := t.TempDir()
	t.Setenv(files.EnvS3CacheDir, cache)
	s := miniotest.Start(t)
	bucket := s.NewBucket(t)
	props := s.IcebergProps()
	props["warehouse"] = "s3://" + bucket + "/wh"
	testIcebergConsistency(t, props, s.Client())
	if cacheBytes(t, cache) == 0 {
		t.Fatal("no data file block went through the cache")
	}
}

// conRow is one row of the test table; nil pointers are NULLs.
type conRow struct {
	id     int64
	region *string
	amount *float64
	note   *string
}

var conSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func conRows(from, to int64) []conRow {
	var out []conRow
	for id := from; id < to; id++ {
		r := conRow{id: id}
		if reg := []string{"eu", "us", "ap", ""}[id%4]; reg != "" {
			r.region = &reg
		}
		if id%7 != 0 {
			a := float64(id) * 1.25
			r.amount = &a
		}
		if id%5 == 0 {
			n := "n" + strconv.FormatInt(id%3, 10)
			r.note = &n
		}
		out = append(out, r)
	}
	return out
}

// key renders a row canonically: every column, NULL spelled out.
func (r conRow) key() string {
	s := func(p *string) string {
		if p == nil {
			return "NULL"
		}
		return strconv.Quote(*p)
	}
	a := "NULL"
	if r.amount != nil {
		a = strconv.FormatFloat(*r.amount, 'g', -1, 64)
	}
	return fmt.Sprintf("%d|%s|%s|%s", r.id, s(r.region), a, s(r.note))
}

func conTable(rows []conRow) arrow.Table {
	return arrowTable(conSchema, rows, func(b *array.RecordBuilder, r conRow) {
		b.Field(0).(*array.Int64Builder).Append(r.id)
		if r.region == nil {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(*r.region)
		}
		if r.amount == nil {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(*r.amount)
		}
		if r.note == nil {
			b.Field(3).AppendNull()
		} else {
			b.Field(3).(*array.StringBuilder).Append(*r.note)
		}
	})
}

// conStep is one change, made through lakeframe and applied to the Go
// model.
type conStep struct {
	name  string
	apply func(ctx context.Context, tbl *table.Table) (*table.Table, error)
	model func([]conRow) []conRow
}

func ptrTo[T any](v T) *T { return &v }

func conSteps() []conStep {
	appendRows := func(from, to int64) conStep {
		return conStep{
			name: fmt.Sprintf("append %d..%d", from, to),
			apply: func(ctx context.Context, tbl *table.Table) (*table.Table, error) {
				in := conTable(conRows(from, to))
				defer in.Release()
				return frame.FromArrow(in).WriteIceberg(ctx, tbl)
			},
			model: func(rows []conRow) []conRow { return append(rows, conRows(from, to)...) },
		}
	}
	return []conStep{
		// Several batches per file, so that the writers see batches come
		// and go while a file is open.
		appendRows(0, 30_000),
		appendRows(30_000, 50_000),
		{
			// An expression on the old row and a literal; NULL amounts stay
			// NULL.
			name: "update eu rows with id < 200: amount+1, note 'upd'",
			apply: func(ctx context.Context, tbl *table.Table) (*table.Table, error) {
				return frame.UpdateIceberg(ctx, tbl,
					expr.Col("region").Eq("eu").And(expr.Col("id").Lt(int64(200))),
					map[string]any{"amount": expr.Col("amount").Add(1.0), "note": "upd"})
			},
			model: func(rows []conRow) []conRow {
				for i, r := range rows {
					if r.region != nil && *r.region == "eu" && r.id < 200 {
						if r.amount != nil {
							rows[i].amount = ptrTo(*r.amount + 1)
						}
						rows[i].note = ptrTo("upd")
					}
				}
				return rows
			},
		},
		{
			// Rows where the predicate is NULL (amount NULL) are kept.
			name: "delete amount < 100",
			apply: func(ctx context.Context, tbl *table.Table) (*table.Table, error) {
				return frame.DeleteIceberg(ctx, tbl, expr.Col("amount").Lt(100.0))
			},
			model: func(rows []conRow) []conRow {
				return slices.DeleteFunc(rows, func(r conRow) bool { return r.amount != nil && *r.amount < 100 })
			},
		},
		{
			// Moves rows to another partition, and NULLs a column.
			name: "update id 250..269: region 'ap', note NULL",
			apply: func(ctx context.Context, tbl *table.Table) (*table.Table, error) {
				return frame.UpdateIceberg(ctx, tbl,
					expr.Col("id").Between(int64(250), int64(269)),
					map[string]any{"region": "ap", "note": nil})
			},
			model: func(rows []conRow) []conRow {
				for i, r := range rows {
					if r.id >= 250 && r.id <= 269 {
						rows[i].region = ptrTo("ap")
						rows[i].note = nil
					}
				}
				return rows
			},
		},
		{
			name: "delete region NULL or note 'n1'",
			apply: func(ctx context.Context, tbl *table.Table) (*table.Table, error) {
				return frame.DeleteIceberg(ctx, tbl, expr.Col("region").IsNull().Or(expr.Col("note").Eq("n1")))
			},
			model: func(rows []conRow) []conRow {
				return slices.DeleteFunc(rows, func(r conRow) bool {
					return r.region == nil || r.note != nil && *r.note == "n1"
				})
			},
		},
		appendRows(50_000, 50_600),
		{
			name: "delete id >= 50500 (in the files just appended)",
			apply: func(ctx context.Context, tbl *table.Table) (*table.Table, error) {
				return frame.DeleteIceberg(ctx, tbl, expr.Col("id").Ge(int64(50_500)))
			},
			model: func(rows []conRow) []conRow {
				return slices.DeleteFunc(rows, func(r conRow) bool { return r.id >= 50_500 })
			},
		},
	}
}

func testIcebergConsistency(t *testing.T, props map[string]string, s3c *s3.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, mode := range []string{table.WriteModeCopyOnWrite, table.WriteModeMergeOnRead} {
		t.Run(mode, func(t *testing.T) {
			cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), props)
			if err != nil {
				t.Fatal(err)
			}
			ident := table.Identifier{"lake", "con"}
			tbl, err := iceberg.CreateTable(ctx, cat, ident, conSchema,
				iceberg.WithPartitioning(iceberg.Identity("region")),
				iceberg.WithTableProperties(map[string]string{
					table.WriteDeleteModeKey: mode,
					"write.update.mode":      mode,
				}))
			if err != nil {
				t.Fatal(err)
			}
			var copies *s3Copies
			if s3c != nil {
				copies = &s3Copies{client: s3c, dir: t.TempDir(), paths: map[string]string{}}
			}
			var model []conRow
			var sawDeletes bool
			for i, st := range conSteps() {
				label := fmt.Sprintf("step %d (%s)", i, st.name)
				// Each change starts from the table as the catalog has it,
				// as a separate writer process would.
				if tbl, err = cat.LoadTable(ctx, ident); err != nil {
					t.Fatal(err)
				}
				before := tbl.CurrentSnapshot()
				if tbl, err = st.apply(ctx, tbl); err != nil {
					if errors.Is(err, errs.ErrNotImplemented) {
						t.Skipf("%s: %v", label, err)
					}
					t.Fatalf("%s: %v", label, err)
				}
				if after := tbl.CurrentSnapshot(); after == nil || before != nil && after.SnapshotID == before.SnapshotID {
					t.Fatalf("%s made no snapshot", label)
				}
				model = st.model(model)
				want := make([]string, len(model))
				for i, r := range model {
					want[i] = r.key()
				}
				slices.Sort(want)

				files := snapshotFiles(ctx, t, tbl)
				sawDeletes = sawDeletes || len(files.deletes) > 0
				if mode == table.WriteModeCopyOnWrite && len(files.deletes) > 0 {
					t.Errorf("%s: copy-on-write table has delete files %v", label, files.deletes)
				}

				lf, err := frame.ReadIceberg(tbl).Collect(ctx)
				if err != nil {
					t.Fatalf("%s: lakeframe: %v", label, err)
				}
				ig, err := tbl.Scan().ToArrowTable(ctx)
				if err != nil {
					lf.Release()
					t.Fatalf("%s: iceberg-go: %v", label, err)
				}
				got := map[string][]string{
					"lakeframe":  conArrowKeys(t, lf),
					"iceberg-go": conArrowKeys(t, ig),
					"duckdb":     duckSnapshotKeys(ctx, t, db, files, copies),
				}
				lf.Release()
				ig.Release()
				duckPartitionCheck(ctx, t, label, db, files, copies)
				for _, reader := range []string{"lakeframe", "iceberg-go", "duckdb"} {
					if g := got[reader]; !slices.Equal(g, want) {
						t.Errorf("%s: %s reads %d rows, the model %d:\n%s", label, reader, len(g), len(want), diffKeys(g, want))
					}
				}
				if t.Failed() {
					t.FailNow()
				}
				t.Logf("%s: %d rows, %d data files, %d delete files", label, len(want), len(files.data), len(files.deletes))
			}
			if mode == table.WriteModeMergeOnRead && !sawDeletes {
				t.Error("the merge-on-read table never had delete files")
			}
		})
	}
}

// conFiles are the live data and positional delete files of a snapshot,
// with each data file's region partition value as its manifest records
// it.
type conFiles struct {
	data, deletes []string
	region        map[string]any
}

// snapshotFiles lists the current snapshot's files from its manifests,
// through iceberg-go.
func snapshotFiles(ctx context.Context, t *testing.T, tbl *table.Table) conFiles {
	t.Helper()
	out := conFiles{region: map[string]any{}}
	spec := tbl.Spec()
	regionField := spec.Field(0).FieldID
	for _, df := range snapshotDataFiles(ctx, t, tbl) {
		if df.ContentType() == iceberggo.EntryContentData {
			out.data = append(out.data, df.FilePath())
			out.region[df.FilePath()] = df.Partition()[regionField]
		} else {
			out.deletes = append(out.deletes, df.FilePath())
		}
	}
	return out
}

// duckSnapshotKeys reads the snapshot's rows with DuckDB: its data files
// with each row's file and position, minus the (file_path, pos) pairs of
// its delete files. Files on S3 are read from local copies; a table maps
// the paths the metadata uses to the copies.
func duckSnapshotKeys(ctx context.Context, t *testing.T, db *sql.DB, files conFiles, s3 *s3Copies) []string {
	t.Helper()
	if len(files.data) == 0 {
		return nil
	}
	local := func(p string) string {
		if s3 == nil {
			return strings.TrimPrefix(p, "file://")
		}
		return s3.local(ctx, t, p)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("duckdb %s: %v", q, err)
		}
	}
	exec("CREATE OR REPLACE TEMP TABLE paths (iceberg_path VARCHAR, local_path VARCHAR)")
	var dataList, delList []string
	for _, p := range files.data {
		l := local(p)
		exec("INSERT INTO paths VALUES (?, ?)", p, l)
		dataList = append(dataList, sqlString(l))
	}
	for _, p := range files.deletes {
		delList = append(delList, sqlString(local(p)))
	}
	q := fmt.Sprintf("SELECT d.id, d.region, d.amount, d.note FROM read_parquet([%s], filename=true, file_row_number=true) d",
		strings.Join(dataList, ", "))
	if len(delList) > 0 {
		q += fmt.Sprintf(` WHERE NOT EXISTS (
			SELECT 1 FROM read_parquet([%s]) x JOIN paths p ON x.file_path = p.iceberg_path
			WHERE p.local_path = d.filename AND x.pos = d.file_row_number)`, strings.Join(delList, ", "))
	}
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("duckdb %s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r conRow
		var region, note sql.NullString
		var amount sql.NullFloat64
		if err := rows.Scan(&r.id, &region, &amount, &note); err != nil {
			t.Fatal(err)
		}
		if region.Valid {
			r.region = &region.String
		}
		if amount.Valid {
			r.amount = &amount.Float64
		}
		if note.Valid {
			r.note = &note.String
		}
		out = append(out, r.key())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// duckPartitionCheck checks with DuckDB that every row of each data file
// has the region its manifest entry records as the file's partition: a
// wrong partition value makes readers that prune or fill partition
// columns from manifests return wrong rows.
func duckPartitionCheck(ctx context.Context, t *testing.T, label string, db *sql.DB, files conFiles, s3 *s3Copies) {
	t.Helper()
	for _, p := range files.data {
		l := strings.TrimPrefix(p, "file://")
		if s3 != nil {
			l = s3.local(ctx, t, p)
		}
		q := fmt.Sprintf("SELECT DISTINCT region FROM read_parquet(%s)", sqlString(l))
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("duckdb %s: %v", q, err)
		}
		var regions []string
		for rows.Next() {
			var r sql.NullString
			if err := rows.Scan(&r); err != nil {
				t.Fatal(err)
			}
			regions = append(regions, fmt.Sprint(r))
		}
		rows.Close()
		want := fmt.Sprint(sql.NullString{})
		if v, ok := files.region[p].(string); ok {
			want = fmt.Sprint(sql.NullString{String: v, Valid: true})
		}
		if len(regions) != 1 || regions[0] != want {
			t.Errorf("%s: data file %s holds rows of regions %v, its manifest entry says partition region=%v",
				label, p, regions, files.region[p])
		}
	}
}

// s3Copies keeps local copies of S3 objects; Iceberg's files never
// change once written, so each is fetched once.
type s3Copies struct {
	client *s3.Client
	dir    string
	paths  map[string]string
}

// local copies s3://bucket/key into the copies' folder once and returns
// the copy's path.
func (c *s3Copies) local(ctx context.Context, t *testing.T, path string) string {
	t.Helper()
	if l, ok := c.paths[path]; ok {
		return l
	}
	rest, ok := strings.CutPrefix(path, "s3://")
	bucket, key, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		t.Fatalf("%s is not an s3:// path", path)
	}
	obj, err := c.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatalf("get %s: %v", path, err)
	}
	defer obj.Body.Close()
	dst := filepath.Join(c.dir, bucket, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, obj.Body); err != nil {
		f.Close()
		t.Fatalf("get %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c.paths[path] = dst
	return dst
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// conArrowKeys renders an Arrow table's rows canonically, sorted.
func conArrowKeys(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	return sortedRows(tbl, func(rec arrow.RecordBatch) []string {
		ids := column(t, rec, "id").(*array.Int64)
		regions := column(t, rec, "region").(*array.String)
		amounts := column(t, rec, "amount").(*array.Float64)
		notes := column(t, rec, "note").(*array.String)
		var out []string
		for i := range int(rec.NumRows()) {
			r := conRow{id: ids.Value(i)}
			if regions.IsValid(i) {
				r.region = ptrTo(regions.Value(i))
			}
			if amounts.IsValid(i) {
				r.amount = ptrTo(amounts.Value(i))
			}
			if notes.IsValid(i) {
				r.note = ptrTo(notes.Value(i))
			}
			out = append(out, r.key())
		}
		return out
	})
}

// diffKeys shows the first rows only one side has.
func diffKeys(got, want []string) string {
	var b strings.Builder
	n := 0
	for _, g := range got {
		if _, ok := slices.BinarySearch(want, g); !ok && n < 10 {
			fmt.Fprintf(&b, "  extra   %s\n", g)
			n++
		}
	}
	for _, w := range want {
		if _, ok := slices.BinarySearch(got, w); !ok && n < 20 {
			fmt.Fprintf(&b, "  missing %s\n", w)
			n++
		}
	}
	if n == 0 && len(got) != len(want) {
		b.WriteString("  (same rows, different multiplicities)\n")
	}
	return b.String()
}
