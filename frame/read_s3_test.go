package frame_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lakeframe/exec/source/csv"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/parquet"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/internal/miniotest"
)

var s3Schema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "year", Type: arrow.PrimitiveTypes.Int64},
}, nil)

// s3Rows builds n rows in id order, with NULLs in region and amount.
func s3Rows(t testing.TB, from, n int) arrow.Table {
	t.Helper()
	b := array.NewRecordBuilder(memory.DefaultAllocator, s3Schema)
	defer b.Release()
	for i := from; i < from+n; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if r := []string{"eu", "us", "ap", ""}[i%4]; r == "" {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append(r)
		}
		if i%9 == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(float64(i%97) * 1.25)
		}
		b.Field(3).(*array.Int64Builder).Append(int64(2023 + i*3/n))
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(s3Schema, []arrow.RecordBatch{rec})
}

// s3Lake writes a local tree with lakeframe's own writer (a hive tree
// partitioned by year, with small row groups, and a nested flat file),
// copies it into a fresh bucket under "lake/", and returns the local
// root and the bucket.
func s3Lake(t testing.TB, srv *miniotest.Server) (root, bucket string) {
	t.Helper()
	ctx := context.Background()
	root = t.TempDir()
	sales := s3Rows(t, 0, 900)
	defer sales.Release()
	if err := frame.FromArrow(sales).WriteParquet(ctx, filepath.Join(root, "sales"), frame.PartitionBy("year"), frame.RowGroupSize(50)); err != nil {
		t.Fatal(err)
	}
	extra := s3Rows(t, 900, 120)
	defer extra.Release()
	if err := frame.FromArrow(extra).WriteParquet(ctx, filepath.Join(root, "more", "deep", "extra.parquet"), frame.RowGroupSize(40)); err != nil {
		t.Fatal(err)
	}
	if err := frame.FromArrow(extra).WriteCSV(ctx, filepath.Join(root, "csv", "extra.csv")); err != nil {
		t.Fatal(err)
	}
	var lines strings.Builder
	for i := range 200 {
		fmt.Fprintf(&lines, "{\"id\": %d, \"name\": \"n%d\", \"score\": %g}\n", i, i%13, float64(i)/4)
	}
	if err := os.MkdirAll(filepath.Join(root, "json", "day=2025-01-02"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "json", "day=2025-01-02", "a.jsonl"), []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	bucket = srv.NewBucket(t)
	srv.Upload(t, root, bucket, "lake/")
	return root, bucket
}

// setS3Env points the AWS environment variables at srv, or clears them.
func setS3Env(t *testing.T, srv *miniotest.Server) {
	env := map[string]string{"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_S3": "", "AWS_REGION": "",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": ""}
	if srv != nil {
		env["AWS_ENDPOINT_URL_S3"] = srv.Endpoint
		env["AWS_REGION"] = srv.Region
		env["AWS_ACCESS_KEY_ID"] = srv.AccessKey
		env["AWS_SECRET_ACCESS_KEY"] = srv.SecretKey
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}

// TestReadParquetS3 reads Parquet from MinIO through globs, directories
// and hive trees, and checks each answer against the same query on the
// local copies, through lakeframe and through DuckDB.
func TestReadParquetS3(t *testing.T) {
	srv := miniotest.Start(t)
	root, bucket := s3Lake(t, srv)
	setS3Env(t, srv)
	db := openDuck(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	cases := []struct {
		name    string
		pattern string // below the lake root
		pred    *expr.Expr
		where   string // the same filter in SQL
		cols    string
	}{
		{"hive glob", "sales/year=*/*.parquet", nil, "true", "id, region, amount, year"},
		{"hive dir", "sales", nil, "true", "id, region, amount, year"},
		{"double star", "sales/**/*.parquet", nil, "true", "id, region, amount, year"},
		{"partition filter", "sales", exprRef(expr.Col("year").Eq(int64(2024))), "year = 2024", "id, region, amount, year"},
		{"row group filter", "sales", exprRef(expr.Col("id").Lt(int64(120)).And(expr.Col("region").Eq("eu"))),
			"id < 120 and region = 'eu'", "id, region, amount, year"},
		{"null filter", "sales/year=2025", exprRef(expr.Col("amount").IsNull()), "amount is null", "id, region, amount, year"},
		{"nested file", "more/deep/extra.parquet", exprRef(expr.Col("id").Ge(int64(1000))), "id >= 1000", "id, region, amount, year"},
		{"nested glob", "more/*/*.parquet", nil, "true", "id, region, amount, year"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(path string, opts parquet.Options) ([]string, frame.ScanReport, string) {
				df := frame.ReadParquetWith(opts, path)
				if c.pred != nil {
					df = df.Where(*c.pred)
				}
				var cols []any
				for _, n := range strings.Split(c.cols, ", ") {
					cols = append(cols, n)
				}
				df = df.Select(cols...)
				var rep frame.ScanReport
				tbl, err := df.Collect(ctx, frame.WithScanReport(func(r frame.ScanReport) { rep = r }))
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				defer tbl.Release()
				explain, err := df.Explain(ctx)
				if err != nil {
					t.Fatal(err)
				}
				return sorted(tableRows(t, tbl)), rep, explain
			}
			local, localRep, _ := run(filepath.ToSlash(filepath.Join(root, c.pattern)), parquet.Options{})
			remote, remoteRep, explain := run("s3://"+bucket+"/lake/"+c.pattern, parquet.Options{})
			hive := strings.HasPrefix(c.pattern, "sales")
			duck := sorted(duckRows(t, db, fmt.Sprintf("select %s from read_parquet('%s', hive_partitioning=%v) where %s",
				c.cols, duckPattern(root, c.pattern), hive, c.where)))
			if len(duck) == 0 {
				t.Fatal("the oracle returned no rows: the case tests nothing")
			}
			if !slices.Equal(local, duck) {
				t.Errorf("local lakeframe and duckdb differ:\nlakeframe %d rows %v\n   duckdb %d rows %v", len(local), head(local), len(duck), head(duck))
			}
			if !slices.Equal(remote, duck) {
				t.Errorf("s3 lakeframe and duckdb differ:\nlakeframe %d rows %v\n   duckdb %d rows %v", len(remote), head(remote), len(duck), head(duck))
			}
			if localRep.Stats.String() != remoteRep.Stats.String() {
				t.Errorf("scan stats differ: local %+v, s3 %+v", localRep.Stats, remoteRep.Stats)
			}
			if c.name == "row group filter" && remoteRep.Stats.RowGroupsKept >= remoteRep.Stats.RowGroupsTotal {
				t.Errorf("no row group pruned on s3: %+v", remoteRep.Stats)
			}
			if strings.Contains(explain, srv.SecretKey) {
				t.Errorf("explain shows the secret key:\n%s", explain)
			}
		})
	}

	// Explicit configuration, with the environment cleared.
	t.Run("explicit config", func(t *testing.T) {
		setS3Env(t, nil)
		cfg := &files.S3Config{Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
		df := frame.ReadParquetWith(parquet.Options{S3: cfg}, "s3://"+bucket+"/lake/sales/year=2023")
		tbl, err := df.Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tbl.Release()
		want := sorted(duckRows(t, db, fmt.Sprintf("select * from read_parquet('%s', hive_partitioning=true)", duckPattern(root, "sales/year=2023"))))
		if got := sorted(tableRows(t, tbl)); !slices.Equal(got, want) {
			t.Errorf("read %d rows, duckdb %d", len(got), len(want))
		}
		explain, err := df.Explain(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(explain, srv.SecretKey) || strings.Contains(fmt.Sprintf("%+v %#v", df, df), srv.SecretKey) {
			t.Errorf("explain or the frame shows the secret key")
		}
	})

	t.Run("json", func(t *testing.T) {
		local, err := frame.ReadJSON(filepath.Join(root, "json")).Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer local.Release()
		remote, err := frame.ReadJSON("s3://" + bucket + "/lake/json").Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer remote.Release()
		want := sorted(duckRows(t, db, fmt.Sprintf("select id, name, score, day from read_json_auto('%s', hive_partitioning=true)",
			filepath.Join(root, "json", "*", "*.jsonl"))))
		if l, r := sorted(tableRows(t, local)), sorted(tableRows(t, remote)); !slices.Equal(l, want) || !slices.Equal(r, want) {
			t.Errorf("json: local %v, s3 %v, duckdb %v", head(l), head(r), head(want))
		}
	})

	t.Run("csv", func(t *testing.T) {
		local, err := frame.ReadCSV(filepath.Join(root, "csv", "*.csv")).Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer local.Release()
		remote, err := frame.ReadCSVWith(csv.Options{}, "s3://"+bucket+"/lake/csv/*.csv").Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer remote.Release()
		want := sorted(duckRows(t, db, fmt.Sprintf("select * from read_csv('%s')", filepath.Join(root, "csv", "*.csv"))))
		if l, r := sorted(tableRows(t, local)), sorted(tableRows(t, remote)); !slices.Equal(l, want) || !slices.Equal(r, want) {
			t.Errorf("csv: local %d rows, s3 %d rows, duckdb %d rows", len(l), len(r), len(want))
		}
	})
}

func exprRef(e expr.Expr) *expr.Expr { return &e }

// sorted returns rows in order, for comparing answers that have none.
func sorted(rows []string) []string {
	slices.Sort(rows)
	return rows
}

// duckPattern is the DuckDB glob for a lakeframe pattern below root:
// DuckDB reads a directory as dir/**/*.parquet.
func duckPattern(root, pattern string) string {
	p := filepath.ToSlash(filepath.Join(root, pattern))
	if !strings.HasSuffix(p, ".parquet") {
		p += "/**/*.parquet"
	}
	return p
}

// TestReadParquetS3Errors checks that frame reads of bad S3 settings fail
// by themselves, name the endpoint, bucket or pattern, and never show a
// secret.
func TestReadParquetS3Errors(t *testing.T) {
	srv := miniotest.Start(t)
	_, bucket := s3Lake(t, srv)
	setS3Env(t, nil)
	const wrongSecret = "wrong-secret-abcdef"
	good := files.S3Config{Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	closed := miniotest.ClosedAddr(t)
	cases := []struct {
		name string
		cfg  func(*files.S3Config)
		path string
		want []string
	}{
		{"wrong secret", func(c *files.S3Config) { c.SecretAccessKey = wrongSecret }, "s3://" + bucket + "/lake/sales/**/*.parquet",
			[]string{srv.Endpoint, bucket, "403", "SignatureDoesNotMatch"}},
		{"wrong access key", func(c *files.S3Config) { c.AccessKeyID = "someone" }, "s3://" + bucket + "/lake/more/deep/extra.parquet",
			[]string{srv.Endpoint, bucket, "403", "InvalidAccessKeyId"}},
		{"missing bucket", nil, "s3://no-such-bucket/lake/*.parquet", []string{srv.Endpoint, "no-such-bucket", "404", "NoSuchBucket"}},
		{"missing object", nil, "s3://" + bucket + "/lake/nothing.parquet", []string{"s3://" + bucket + "/lake/nothing.parquet", "does not exist"}},
		{"no match", nil, "s3://" + bucket + "/lake/sales/year=1999/*.parquet", []string{"s3://" + bucket + "/lake/sales/year=1999/*.parquet", "no files match"}},
		{"refused", func(c *files.S3Config) { c.Endpoint = "http://" + closed }, "s3://" + bucket + "/lake/sales",
			[]string{closed, bucket, "connection refused"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := good
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			start := time.Now()
			err := frame.ReadParquetWith(parquet.Options{S3: &cfg}, c.path).Err()
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("after %s: %v", elapsed.Round(time.Millisecond), err)
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q", w)
				}
			}
			if strings.Contains(err.Error(), wrongSecret) || strings.Contains(err.Error(), srv.SecretKey) {
				t.Error("error shows a secret key")
			}
		})
	}
}

// BenchmarkReadParquetS3 runs one grouped aggregate over the same files
// on local disk and in MinIO on loopback:
//
//	go test ./frame -run '^$' -bench ReadParquetS3 -benchtime 10x
func BenchmarkReadParquetS3(b *testing.B) {
	srv := miniotest.Start(b)
	ctx := context.Background()
	root := b.TempDir()
	var size int64
	for f := range 8 {
		tbl := s3Rows(b, f*250_000, 250_000)
		path := filepath.Join(root, "bench", fmt.Sprintf("part-%d.parquet", f))
		if err := frame.FromArrow(tbl).WriteParquet(ctx, path, frame.RowGroupSize(64<<10)); err != nil {
			b.Fatal(err)
		}
		tbl.Release()
		st, err := os.Stat(path)
		if err != nil {
			b.Fatal(err)
		}
		size += st.Size()
	}
	bucket := srv.NewBucket(b)
	srv.Upload(b, root, bucket, "lake/")
	cfg := &files.S3Config{Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	for _, c := range []struct{ name, path string }{
		{"local", filepath.Join(root, "bench", "*.parquet")},
		{"s3", "s3://" + bucket + "/lake/bench/*.parquet"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				tbl, err := frame.ReadParquetWith(parquet.Options{S3: cfg}, c.path).
					GroupBy("region").Agg(expr.Col("amount").Sum().Alias("total"), expr.Col("id").Count().Alias("n")).
					Collect(ctx)
				if err != nil {
					b.Fatal(err)
				}
				tbl.Release()
			}
		})
	}
}

// TestWriteParquetS3 writes to MinIO (configured by the environment) and
// reads back: the rows must be the input's, an existing output is refused
// without Overwrite, and Overwrite leaves only the new files.
func TestWriteParquetS3(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	setS3Env(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	in := s3Rows(t, 0, 700)
	defer in.Release()
	want := sorted(tableRows(t, in))

	dir := "s3://" + bucket + "/out/sales"
	if err := frame.FromArrow(in).WriteParquet(ctx, dir, frame.PartitionBy("year"), frame.RowGroupSize(100)); err != nil {
		t.Fatal(err)
	}
	read := func(path string, cols ...any) []string {
		t.Helper()
		tbl, err := frame.ReadParquet(path).Select(cols...).Collect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tbl.Release()
		return sorted(tableRows(t, tbl))
	}
	if got := read(dir, "id", "region", "amount", "year"); !slices.Equal(got, want) {
		t.Errorf("read back %d rows, wrote %d", len(got), len(want))
	}
	err := frame.FromArrow(in).WriteParquet(ctx, dir, frame.PartitionBy("year"))
	if err == nil || !strings.Contains(err.Error(), "already exists") || !strings.Contains(err.Error(), dir) {
		t.Errorf("second write without overwrite: %v", err)
	}

	small := s3Rows(t, 0, 30)
	defer small.Release()
	if err := frame.FromArrow(small).WriteParquet(ctx, dir, frame.Overwrite()); err != nil {
		t.Fatal(err)
	}
	if got := read(dir, "id", "region", "amount", "year"); !slices.Equal(got, sorted(tableRows(t, small))) {
		t.Errorf("after overwrite read %d rows, want %d", len(got), small.NumRows())
	}
	objs, err := srv.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs.Contents {
		keys = append(keys, *o.Key)
	}
	if !slices.Equal(keys, []string{"out/sales/part-0.parquet"}) {
		t.Errorf("objects after overwrite: %v", keys)
	}

	one := "s3://" + bucket + "/out/one.parquet"
	if err := frame.FromArrow(in).WriteParquet(ctx, one); err != nil {
		t.Fatal(err)
	}
	if got := read(one, "id", "region", "amount", "year"); !slices.Equal(got, want) {
		t.Errorf("single file: read back %d rows, wrote %d", len(got), len(want))
	}
	csvPath := "s3://" + bucket + "/out/sales.csv"
	if err := frame.FromArrow(small).WriteCSV(ctx, csvPath); err != nil {
		t.Fatal(err)
	}
	tbl, err := frame.ReadCSV(csvPath).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if got := sorted(tableRows(t, tbl)); !slices.Equal(got, sorted(tableRows(t, small))) {
		t.Errorf("csv: read back %v, wrote %v", head(got), head(sorted(tableRows(t, small))))
	}

	const wrongSecret = "wrong-secret-for-writes"
	t.Setenv("AWS_SECRET_ACCESS_KEY", wrongSecret)
	err = frame.FromArrow(small).WriteParquet(ctx, "s3://"+bucket+"/out/denied")
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") || !strings.Contains(err.Error(), srv.Endpoint) ||
		!strings.Contains(err.Error(), bucket) || strings.Contains(err.Error(), wrongSecret) {
		t.Errorf("write with a wrong secret: %v", err)
	}
}
