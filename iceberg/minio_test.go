package iceberg_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
	"lakeframe/internal/miniotest"
)

var minioSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// minioRow is one row of minioSchema; region "" and amount < 0 are NULL.
type minioRow struct {
	id     int64
	region string
	amount float64
}

func (r minioRow) String() string { return fmt.Sprintf("%d|%s|%g", r.id, r.region, r.amount) }

// minioRows are rows ids from..to-1, with NULLs in both nullable columns.
func minioRows(from, to int64) []minioRow {
	var out []minioRow
	for id := from; id < to; id++ {
		r := minioRow{id: id, region: []string{"eu", "us", "ap", ""}[id%4], amount: float64(id) * 1.5}
		if id%7 == 0 {
			r.amount = -1
		}
		out = append(out, r)
	}
	return out
}

func minioTable(rows []minioRow) arrow.Table {
	rec := minioRecord(rows)
	defer rec.Release()
	return array.NewTableFromRecords(minioSchema, []arrow.RecordBatch{rec})
}

// minioRecord is rows as one record batch of minioSchema.
func minioRecord(rows []minioRow) arrow.RecordBatch {
	return checkedRecord(memory.DefaultAllocator, rows)
}

// minioTableRows reads an Arrow table of minioSchema's columns back into
// sorted row strings, independently of lakeframe's code.
func minioTableRows(t *testing.T, tbl arrow.Table) []string {
	t.Helper()
	return rowStrings(minioRowsOf(tbl))
}

// rowStrings is rows as sorted row strings.
func rowStrings(rows []minioRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	slices.Sort(out)
	return out
}

// minioRowsOf reads an Arrow table of minioSchema's columns (in any order)
// back into rows, in table order, independently of lakeframe's code.
func minioRowsOf(tbl arrow.Table) []minioRow {
	var out []minioRow
	rdr := array.NewTableReader(tbl, 1024)
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		sc := rec.Schema()
		ids := rec.Column(sc.FieldIndices("id")[0]).(*array.Int64)
		regions := rec.Column(sc.FieldIndices("region")[0]).(*array.String)
		amounts := rec.Column(sc.FieldIndices("amount")[0]).(*array.Float64)
		for i := range int(rec.NumRows()) {
			r := minioRow{id: ids.Value(i), amount: -1}
			if regions.IsValid(i) {
				r.region = regions.Value(i)
			}
			if amounts.IsValid(i) {
				r.amount = amounts.Value(i)
			}
			out = append(out, r)
		}
	}
	return out
}

func minioCatalogProps(s *miniotest.Server, bucket string) map[string]string {
	p := s.IcebergProps()
	p["warehouse"] = "s3://" + bucket + "/wh"
	return p
}

// minioSales creates the table lake.sales of minioSchema in the SQLite
// catalog at catURI, whose warehouse is in bucket.
func minioSales(ctx context.Context, t *testing.T, s *miniotest.Server, bucket, catURI string) (catalog.Catalog, table.Identifier, *table.Table) {
	t.Helper()
	cat, err := iceberg.OpenCatalog(ctx, catURI, minioCatalogProps(s, bucket))
	if err != nil {
		t.Fatal(err)
	}
	ident := table.Identifier{"lake", "sales"}
	tbl, err := iceberg.CreateTable(ctx, cat, ident, minioSchema)
	if err != nil {
		t.Fatal(err)
	}
	return cat, ident, tbl
}

func TestMinioWriteRead(t *testing.T) {
	s := miniotest.Start(t)
	bucket := s.NewBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cat, ident, tbl := minioSales(ctx, t, s, bucket, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"))
	if loc := tbl.Location(); !strings.HasPrefix(loc, "s3://"+bucket+"/wh/") {
		t.Errorf("table location %s is not under the bucket's warehouse", loc)
	}

	first, second := minioRows(0, 120), minioRows(120, 200)
	for _, rows := range [][]minioRow{first, second} {
		in := minioTable(rows)
		var err error
		tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl)
		in.Release()
		if err != nil {
			t.Fatalf("append: %v", err)
		}
	}
	if n := len(tbl.Metadata().Snapshots()); n != 2 {
		t.Errorf("%d snapshots after two appends, want 2", n)
	}
	// The objects really are in MinIO, next to the table's metadata.
	objs, err := s.Client().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var parquet int
	for _, o := range objs.Contents {
		if strings.HasSuffix(*o.Key, ".parquet") {
			parquet++
		}
	}
	if parquet < 2 {
		t.Errorf("%d parquet objects in bucket %s, want at least 2", parquet, bucket)
	}

	tbl, err = cat.LoadTable(ctx, ident)
	if err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(first), second...)
	cases := []struct {
		name string
		pred *expr.Expr
		keep func(minioRow) bool
	}{
		{"all rows", nil, func(minioRow) bool { return true }},
		{"region and id", ptr(expr.Col("region").Eq("eu").And(expr.Col("id").Gt(int64(50)))),
			func(r minioRow) bool { return r.region == "eu" && r.id > 50 }},
		{"null amount", ptr(expr.Col("amount").IsNull()), func(r minioRow) bool { return r.amount < 0 }},
		{"null region", ptr(expr.Col("region").IsNull()), func(r minioRow) bool { return r.region == "" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var want []string
			for _, r := range all {
				if c.keep(r) {
					want = append(want, r.String())
				}
			}
			slices.Sort(want)
			df := frame.ReadIceberg(tbl)
			if c.pred != nil {
				df = df.Where(*c.pred)
			}
			got, err := df.Collect(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer got.Release()
			if rows := minioTableRows(t, got); !slices.Equal(rows, want) {
				t.Errorf("read %d rows %v\nwant %d rows %v", len(rows), rows, len(want), want)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestMinioErrors checks that bad storage settings fail fast, with an error
// that names what is wrong and never shows the secret.
func TestMinioErrors(t *testing.T) {
	s := miniotest.Start(t)
	bucket := s.NewBucket(t)
	closed, silent := miniotest.ClosedAddr(t), silentPort(t)
	const wrongSecret = "not-the-right-secret-42"

	cases := []struct {
		name   string
		props  func(map[string]string)
		secret string   // the secret the props carry
		cause  []string // each must appear in the error
		names  []string // each (the endpoint, the bucket) must appear
	}{
		{
			name:   "wrong secret key",
			props:  func(p map[string]string) { p["s3.secret-access-key"] = wrongSecret },
			secret: wrongSecret,
			cause:  []string{"403", "SignatureDoesNotMatch"},
			names:  []string{bucket, s.Endpoint},
		},
		{
			name:   "missing bucket",
			props:  func(p map[string]string) { p["warehouse"] = "s3://no-such-bucket/wh" },
			secret: s.SecretKey,
			cause:  []string{"404", "NoSuchBucket"},
			names:  []string{"no-such-bucket", s.Endpoint},
		},
		{
			name:   "refused connection",
			props:  func(p map[string]string) { p["s3.endpoint"] = "http://" + closed },
			secret: s.SecretKey,
			cause:  []string{"connection refused"},
			names:  []string{closed, bucket},
		},
		{
			name: "silent endpoint",
			props: func(p map[string]string) {
				p["s3.endpoint"] = "http://" + silent
				p[iceberg.PropS3FirstByteTimeout] = "300ms"
			},
			secret: s.SecretKey,
			cause:  []string{"timeout awaiting response headers"},
			names:  []string{silent, bucket},
		},
		{
			name:   "wrong access key",
			props:  func(p map[string]string) { p["s3.access-key-id"] = "nobody" },
			secret: s.SecretKey,
			cause:  []string{"403", "InvalidAccessKeyId"},
			names:  []string{bucket, s.Endpoint},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			const limit = 30 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			props := minioCatalogProps(s, bucket)
			c.props(props)
			start := time.Now()
			err := createAndAppend(ctx, t, props)
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("create and append succeeded")
			}
			msg := err.Error()
			t.Logf("after %s: %v", elapsed.Round(time.Millisecond), err)
			if elapsed >= limit || ctx.Err() != nil {
				t.Errorf("took %s: ended by the context deadline, not by the failure", elapsed)
			}
			for _, m := range c.cause {
				if !strings.Contains(msg, m) {
					t.Errorf("error does not give the cause %q: %s", m, msg)
				}
			}
			if strings.Contains(msg, c.secret) || strings.Contains(msg, s.SecretKey) {
				t.Errorf("error shows the secret key: %s", msg)
			}
			for _, m := range c.names {
				if !strings.Contains(msg, m) {
					t.Errorf("error does not name %q: %s", m, msg)
				}
			}
		})
	}
}

// createAndAppend creates a table through a SQLite catalog with props and
// appends one batch to it, returning the first error.
func createAndAppend(ctx context.Context, t *testing.T, props map[string]string) error {
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), props)
	if err != nil {
		return err
	}
	tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"lake", "bad"}, minioSchema)
	if err != nil {
		return err
	}
	in := minioTable(minioRows(0, 10))
	defer in.Release()
	_, err = frame.FromArrow(in).WriteIceberg(ctx, tbl)
	return err
}

// silentPort is a loopback address that accepts connections and never
// answers.
func silentPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(conns)
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		for c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// TestMinioReadErrors checks failures after a table exists: loading it
// with a wrong secret, and reading it once a data file is gone. Both must
// name the bucket and endpoint; Explain must not show the secret.
func TestMinioReadErrors(t *testing.T) {
	s := miniotest.Start(t)
	bucket := s.NewBucket(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	catPath := "sqlite://" + filepath.Join(t.TempDir(), "cat.db")
	_, ident, tbl := minioSales(ctx, t, s, bucket, catPath)
	in := minioTable(minioRows(0, 50))
	tbl, err := frame.FromArrow(in).WriteIceberg(ctx, tbl)
	in.Release()
	if err != nil {
		t.Fatal(err)
	}
	explain, err := frame.ReadIceberg(tbl).Where(expr.Col("id").Gt(int64(3))).Explain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(explain, s.SecretKey) {
		t.Errorf("explain shows the secret key:\n%s", explain)
	}

	const wrongSecret = "not-the-right-secret-43"
	props := minioCatalogProps(s, bucket)
	props["s3.secret-access-key"] = wrongSecret
	bad, err := iceberg.OpenCatalog(ctx, catPath, props)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bad.LoadTable(ctx, ident)
	checkNamed(t, "load with a wrong secret", err, []string{"403", "SignatureDoesNotMatch", bucket, s.Endpoint}, wrongSecret, s.SecretKey)

	// Remove the data files behind the table's back.
	client := s.Client()
	objs, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs.Contents {
		if strings.Contains(*o.Key, "/data/") {
			if _, err := client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: o.Key}); err != nil {
				t.Fatal(err)
			}
		}
	}
	got, err := frame.ReadIceberg(tbl).Collect(ctx)
	if err == nil {
		got.Release()
	}
	checkNamed(t, "read of deleted data files", err, []string{bucket, s.Endpoint}, s.SecretKey)
}

func checkNamed(t *testing.T, what string, err error, want []string, secrets ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	t.Logf("%s: %v", what, err)
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error does not say %q", what, w)
		}
	}
	for _, sec := range secrets {
		if strings.Contains(err.Error(), sec) {
			t.Errorf("%s: error shows a secret", what)
		}
	}
}
