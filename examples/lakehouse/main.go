// Lakehouse: an Iceberg table on S3-compatible object storage with a SQL
// catalog, written, changed and read back through lakeframe. Starting
// from nothing, it creates a table partitioned by region, appends two
// batches of orders, updates and deletes rows (each change one Iceberg
// commit), shows the table, reads it as it was after the first append
// (time travel), prints the snapshot history and looks for orphan files.
//
// By default everything is throwaway: a MinIO server on 127.0.0.1 (the
// minio binary on PATH, in GOPATH/bin or named by LAKEFRAME_MINIO_BIN;
// `go install github.com/minio/minio@latest`) and a SQLite catalog in a
// temporary directory, both removed at the end. Without the minio binary
// the table lives in local files instead, and the program says so.
//
//	go run ./examples/lakehouse
//	go run ./examples/lakehouse -catalog postgres://user:pass@localhost:5432/lake
//	go run ./examples/lakehouse -warehouse s3://bucket/wh -s3-endpoint http://127.0.0.1:9000 \
//	    -s3-access-key KEY -s3-secret-key SECRET
//	go run ./examples/lakehouse -local
//
// With -warehouse the bucket must exist. The program exits with status 1
// on any error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
	"lakeframe/internal/miniotest"
)

type config struct {
	catalog   string
	warehouse string
	endpoint  string
	accessKey string
	secretKey string
	region    string
	local     bool
}

func main() {
	var c config
	flag.StringVar(&c.catalog, "catalog", "", "catalog URI (sqlite:///path/catalog.db, postgres://...); default: SQLite in a temporary directory")
	flag.StringVar(&c.warehouse, "warehouse", "", "s3://bucket/prefix of an existing bucket; default: a throwaway MinIO server")
	flag.StringVar(&c.endpoint, "s3-endpoint", "", "S3 endpoint for -warehouse, e.g. http://127.0.0.1:9000")
	flag.StringVar(&c.accessKey, "s3-access-key", "", "S3 access key id for -warehouse")
	flag.StringVar(&c.secretKey, "s3-secret-key", "", "S3 secret access key for -warehouse")
	flag.StringVar(&c.region, "s3-region", "us-east-1", "S3 region for -warehouse")
	flag.BoolVar(&c.local, "local", false, "keep the table in local files instead of object storage")
	flag.Parse()

	// Stop on Ctrl-C through the context, so that the deferred clean-up
	// (the MinIO server, temporary files) still runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, c)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "lakehouse:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	dir, err := os.MkdirTemp("", "lakeframe-lakehouse-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// 1. Storage and catalog.
	props, cleanup, err := storage(ctx, c, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	uri := c.catalog
	if uri == "" {
		uri = "sqlite://" + filepath.Join(dir, "catalog.db")
	}
	cat, err := iceberg.OpenCatalog(ctx, uri, props)
	if err != nil {
		return err
	}
	fmt.Printf("catalog %s, warehouse %s\n\n", catalogKind(uri), props["warehouse"])

	// 2. A table partitioned by region: one folder of data files per
	//    region, and filters on region prune whole files. Deletes are
	//    merge-on-read: they write delete files naming the deleted rows
	//    instead of rewriting data files. A name unique to this run keeps
	//    a shared catalog usable run after run.
	ident := table.Identifier{"shop", fmt.Sprintf("orders_%d", time.Now().UnixNano())}
	tbl, err := iceberg.CreateTable(ctx, cat, ident, orderSchema,
		iceberg.WithPartitioning(iceberg.Identity("region")),
		iceberg.WithTableProperties(map[string]string{"write.delete.mode": "merge-on-read"}))
	if err != nil {
		return err
	}
	fmt.Printf("created table %s at %s\n", strings.Join(ident, "."), tbl.Location())

	// 3. Two appends, one snapshot each.
	if tbl, err = appendOrders(ctx, tbl, 1, 1000); err != nil {
		return err
	}
	first := tbl.CurrentSnapshot().SnapshotID
	if tbl, err = appendOrders(ctx, tbl, 1001, 1500); err != nil {
		return err
	}
	fmt.Println("appended orders 1..1000 and 1001..1500")

	// 4. Row-level changes, each one commit: a 10% discount on large APAC
	//    orders rewrites the files holding them (copy-on-write, the
	//    default write.update.mode), then the cancelled orders are deleted
	//    with a delete file (merge-on-read, as the table says).
	discount := expr.Col("region").Eq("APAC").And(expr.Col("amount").Gt(900.0))
	if tbl, err = changeRows(ctx, "update", func() (*table.Table, error) {
		return frame.UpdateIceberg(ctx, tbl, discount, map[string]any{
			"amount": expr.Col("amount").Mul(0.9),
			"status": "discounted",
		})
	}, tbl); err != nil {
		return err
	}
	if tbl, err = changeRows(ctx, "delete", func() (*table.Table, error) {
		return frame.DeleteIceberg(ctx, tbl, expr.Col("status").Eq("cancelled"))
	}, tbl); err != nil {
		return err
	}

	// 5. Read the table back: totals per region and status, and a few
	//    rows. Nothing runs until Show.
	fmt.Println("\n### orders per region and status, now")
	perRegion := frame.ReadIceberg(tbl).
		GroupBy(expr.Col("region"), expr.Col("status")).
		Agg(expr.CountAll().Alias("orders"), expr.Col("amount").Sum().Alias("amount")).
		Sort(expr.Col("region").Asc(), expr.Col("status").Asc())
	if err := perRegion.Show(ctx, os.Stdout, 20); err != nil {
		return err
	}
	fmt.Println("\n### the largest APAC orders, now")
	top := frame.ReadIceberg(tbl).
		Where(expr.Col("region").Eq("APAC")).
		Sort(expr.Col("amount").Desc()).
		Limit(5)
	if err := top.Show(ctx, os.Stdout, 5); err != nil {
		return err
	}

	// 6. Time travel: the table as the first append left it.
	fmt.Printf("\n### as of snapshot %d (after the first append)\n", first)
	then := frame.ReadIceberg(tbl, frame.AtSnapshot(first)).
		Agg(expr.CountAll().Alias("orders"), expr.Col("order_id").Max().Alias("max_order_id"))
	if err := then.Show(ctx, os.Stdout, 1); err != nil {
		return err
	}
	n, err := countRows(ctx, tbl, first)
	if err != nil {
		return err
	}
	if n != 1000 {
		return fmt.Errorf("snapshot %d holds %d orders, want the first append's 1000", first, n)
	}

	// 7. The snapshot history, from the table's metadata.
	fmt.Println("\n### snapshot history")
	if err := printHistory(ctx, tbl); err != nil {
		return err
	}

	// 8. Files under the table that no snapshot references: what a
	//    writer that died before committing would leave. Only files older
	//    than the cutoff are candidates, so writes in flight are safe;
	//    iceberg.RemoveOrphanFiles deletes them.
	orphans, err := iceberg.FindOrphanFiles(ctx, tbl, time.Now().Add(-time.Minute))
	if err != nil {
		return err
	}
	fmt.Printf("\n%d orphan files older than a minute\n", len(orphans))
	return nil
}

// storage picks where the table's files go and returns the catalog
// properties that reach them, and a function that releases what storage
// started.
func storage(ctx context.Context, c config, dir string) (map[string]string, func(), error) {
	local := func() (map[string]string, func(), error) {
		return map[string]string{"warehouse": "file://" + filepath.Join(dir, "warehouse")}, func() {}, nil
	}
	switch {
	case c.local:
		return local()
	case c.warehouse != "":
		if !strings.HasPrefix(c.warehouse, "s3://") {
			return nil, nil, fmt.Errorf("-warehouse %s: want s3://bucket/prefix", c.warehouse)
		}
		p := map[string]string{"warehouse": c.warehouse, "s3.region": c.region}
		if c.endpoint != "" {
			p["s3.endpoint"] = c.endpoint
		}
		if c.accessKey != "" {
			p["s3.access-key-id"] = c.accessKey
			p["s3.secret-access-key"] = c.secretKey
		}
		return p, func() {}, nil
	}
	srv, err := miniotest.Launch()
	if errors.Is(err, miniotest.ErrNoBinary) {
		fmt.Fprintln(os.Stderr, strings.Repeat("!", 72))
		fmt.Fprintf(os.Stderr, "!! %v\n", err)
		fmt.Fprintln(os.Stderr, "!! no object storage for this run: the table goes to LOCAL FILES instead.")
		fmt.Fprintf(os.Stderr, "!! Install MinIO (go install github.com/minio/minio@latest) or set %s,\n", miniotest.BinEnv)
		fmt.Fprintln(os.Stderr, "!! or point -warehouse/-s3-endpoint at an S3 service to use object storage.")
		fmt.Fprintln(os.Stderr, strings.Repeat("!", 72))
		return local()
	}
	if err != nil {
		return nil, nil, fmt.Errorf("start minio: %w", err)
	}
	stop := func() {
		if err := srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "lakehouse: stop minio:", err)
		}
	}
	const bucket = "lakehouse"
	if err := srv.CreateBucket(ctx, bucket); err != nil {
		stop()
		return nil, nil, err
	}
	fmt.Printf("started a throwaway MinIO server at %s\n", srv.Endpoint)
	p := srv.IcebergProps()
	p["warehouse"] = "s3://" + bucket + "/wh"
	return p, stop, nil
}

// changeRows runs a row-level change. A build without row-level changes
// says so loudly and goes on with the table unchanged.
func changeRows(ctx context.Context, what string, change func() (*table.Table, error), tbl *table.Table) (*table.Table, error) {
	before := tbl.CurrentSnapshot().SnapshotID
	out, err := change()
	if errors.Is(err, errs.ErrNotImplemented) {
		fmt.Fprintf(os.Stderr, "!! %s skipped, not available in this build: %v\n", what, err)
		return tbl, nil
	}
	if err != nil {
		return nil, err
	}
	if out.CurrentSnapshot().SnapshotID == before {
		fmt.Printf("%s matched no rows: no new snapshot\n", what)
	} else {
		fmt.Printf("%s committed snapshot %d\n", what, out.CurrentSnapshot().SnapshotID)
	}
	return out, ctx.Err()
}

// printHistory lists the table's snapshots, oldest first, with what each
// one changed, from the snapshot summaries, and the rows each one reads
// as, counted through lakeframe (positional deletes are not in the
// summaries' record totals).
func printHistory(ctx context.Context, tbl *table.Table) error {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "snapshot\tparent\tcommitted\toperation\tadded rows\tremoved rows\tdeleted positions\tdata files\tdelete files\trows")
	current := tbl.CurrentSnapshot().SnapshotID
	for _, s := range tbl.Metadata().Snapshots() {
		parent := "-"
		if s.ParentSnapshotID != nil {
			parent = strconv.FormatInt(*s.ParentSnapshotID, 10)
		}
		var op string
		p := map[string]string{}
		if s.Summary != nil {
			op = string(s.Summary.Operation)
			p = s.Summary.Properties
		}
		get := func(k string) string {
			if v, ok := p[k]; ok {
				return v
			}
			return "0"
		}
		rows, err := countRows(ctx, tbl, s.SnapshotID)
		if err != nil {
			return err
		}
		id := strconv.FormatInt(s.SnapshotID, 10)
		if s.SnapshotID == current {
			id += " (current)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", id, parent,
			time.UnixMilli(s.TimestampMs).UTC().Format(time.RFC3339Nano), op,
			get("added-records"), get("deleted-records"), get("added-position-deletes"),
			get("total-data-files"), get("total-delete-files"), rows)
	}
	return w.Flush()
}

// countRows counts the rows of a snapshot of tbl.
func countRows(ctx context.Context, tbl *table.Table, id int64) (int64, error) {
	out, err := frame.ReadIceberg(tbl, frame.AtSnapshot(id)).Agg(expr.CountAll().Alias("n")).Collect(ctx)
	if err != nil {
		return 0, err
	}
	defer out.Release()
	return out.Column(0).Data().Chunk(0).(*array.Int64).Value(0), nil
}

var orderSchema = arrow.NewSchema([]arrow.Field{
	{Name: "order_id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "region", Type: arrow.BinaryTypes.String},
	{Name: "amount", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "status", Type: arrow.BinaryTypes.String},
}, nil)

// appendOrders appends orders with ids from..to (inclusive); their values
// follow from the id, so every run writes the same rows.
func appendOrders(ctx context.Context, tbl *table.Table, from, to int64) (*table.Table, error) {
	b := array.NewRecordBuilder(memory.DefaultAllocator, orderSchema)
	defer b.Release()
	regions := []string{"EMEA", "AMER", "APAC", "LATAM"}
	statuses := []string{"open", "shipped", "shipped", "cancelled", "shipped"}
	for id := from; id <= to; id++ {
		b.Field(0).(*array.Int64Builder).Append(id)
		b.Field(1).(*array.StringBuilder).Append(regions[id%4])
		if id%29 == 0 {
			b.Field(2).AppendNull()
		} else {
			b.Field(2).(*array.Float64Builder).Append(float64(id*7919%100000) / 100)
		}
		b.Field(3).(*array.StringBuilder).Append(statuses[id%5])
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	in := array.NewTableFromRecords(orderSchema, []arrow.RecordBatch{rec})
	defer in.Release()
	return frame.FromArrow(in).WriteIceberg(ctx, tbl)
}

// catalogKind names the catalog without its credentials.
func catalogKind(uri string) string {
	scheme, _, _ := strings.Cut(uri, "://")
	if scheme == "sqlite" {
		return uri
	}
	return scheme + " catalog"
}
