// Command icebergbench measures what reading through Iceberg costs over
// reading the same Parquet files directly. It writes TPC-H's lineitem and
// orders as Iceberg tables (SQLite catalog, local files), unpartitioned
// and partitioned by month of their date column, then runs Q1, Q6 and
// selective date-range queries through frame.ReadIceberg and through
// frame.ReadParquet over exactly the tables' data files, and prints each
// side's best time and the ratio. Answers must agree.
//
//	go run ./cmd/icebergbench -sf 1 -runs 5
//
// The tables are written once into -data and reused.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/examples/tpch/queries"
	"lakeframe/exec/source/parquet"
	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
	"lakeframe/internal/tpchgen"
)

func main() {
	sf := flag.Int("sf", 1, "TPC-H scale factor")
	dir := flag.String("data", "", "data directory (default /tmp/lakeframe-icebergbench-sf<sf>)")
	runs := flag.Int("runs", 5, "runs per query and side; the best time counts")
	only := flag.String("queries", "", "comma-separated query names to run (default all)")
	explain := flag.Bool("explain", false, "print both sides' plans instead of timing")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the timed runs here")
	flag.Parse()
	if *dir == "" {
		*dir = fmt.Sprintf("/tmp/lakeframe-icebergbench-sf%d", *sf)
	}
	ctx := context.Background()
	tables, err := setUp(ctx, *dir, *sf)
	if err != nil {
		log.Fatal(err)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\ttable\tfiles\ticeberg ms\tparquet ms\tratio\t")
	for _, q := range benchQueries() {
		if *only != "" && !strings.Contains(","+*only+",", ","+q.name+",") {
			continue
		}
		for _, layout := range []string{"", "_month"} {
			tbl := tables[q.table+layout]
			files, err := dataFiles(ctx, tbl)
			if err != nil {
				log.Fatal(err)
			}
			ice := func() *frame.DataFrame { return q.build(frame.ReadIceberg(tbl)) }
			pq := func() *frame.DataFrame {
				return q.build(frame.ReadParquetWith(parquet.Options{NoHivePartitions: true}, files...))
			}
			if *explain {
				for side, df := range map[string]*frame.DataFrame{"iceberg": ice(), "parquet": pq()} {
					plan, err := df.Explain(ctx)
					if err != nil {
						log.Fatal(err)
					}
					fmt.Printf("== %s on %s%s through %s\n%s\n", q.name, q.table, layout, side, plan)
				}
				continue
			}
			iceMS, iceOut, err := best(ctx, ice, *runs)
			if err != nil {
				log.Fatalf("%s iceberg: %v", q.name, err)
			}
			pqMS, pqOut, err := best(ctx, pq, *runs)
			if err != nil {
				log.Fatalf("%s parquet: %v", q.name, err)
			}
			if iceOut != pqOut {
				log.Fatalf("%s on %s%s: answers differ\niceberg:\n%s\nparquet:\n%s", q.name, q.table, layout, iceOut, pqOut)
			}
			fmt.Fprintf(tw, "%s\t%s%s\t%d\t%.1f\t%.1f\t%.2fx\t\n", q.name, q.table, layout, len(files), iceMS, pqMS, iceMS/pqMS)
		}
	}
	tw.Flush()
}

type benchQuery struct {
	name, table string
	build       func(*frame.DataFrame) *frame.DataFrame
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func benchQueries() []benchQuery {
	return []benchQuery{
		{"q1", "lineitem", queries.Q1Of},
		{"q6", "lineitem", queries.Q6Of},
		{"week", "lineitem", func(df *frame.DataFrame) *frame.DataFrame {
			return df.Where(expr.Col("l_shipdate").Ge(day(1995, 3, 1)).And(expr.Col("l_shipdate").Lt(day(1995, 3, 8)))).
				Agg(expr.Col("l_extendedprice").Sum().Alias("revenue"), expr.CountAll().Alias("n"))
		}},
		{"month", "orders", func(df *frame.DataFrame) *frame.DataFrame {
			return df.Where(expr.Col("o_orderdate").Ge(day(1996, 7, 1)).And(expr.Col("o_orderdate").Lt(day(1996, 8, 1)))).
				Agg(expr.Col("o_totalprice").Sum().Alias("total"), expr.CountAll().Alias("n"))
		}},
	}
}

// best runs a query n times and returns the best wall time in
// milliseconds and the answer, printed.
func best(ctx context.Context, build func() *frame.DataFrame, n int) (float64, string, error) {
	bestMS := -1.0
	var answer string
	for range n {
		start := time.Now()
		out, err := build().Collect(ctx)
		if err != nil {
			return 0, "", err
		}
		ms := float64(time.Since(start).Microseconds()) / 1e3
		answer = render(out)
		out.Release()
		if bestMS < 0 || ms < bestMS {
			bestMS = ms
		}
	}
	return bestMS, answer, nil
}

func render(t arrow.Table) string {
	var sb strings.Builder
	rdr := arrowTableReader(t)
	for rdr.Next() {
		rec := rdr.RecordBatch()
		for r := range int(rec.NumRows()) {
			for c := range int(rec.NumCols()) {
				// Sums in another order differ in the last bits.
				if f, ok := rec.Column(c).(*array.Float64); ok && f.IsValid(r) {
					fmt.Fprintf(&sb, "%.10g|", f.Value(r))
					continue
				}
				fmt.Fprintf(&sb, "%s|", rec.Column(c).ValueStr(r))
			}
			sb.WriteByte('\n')
		}
	}
	rdr.Release()
	return sb.String()
}

// setUp generates the TPC-H tables as Parquet once and writes each as two
// Iceberg tables, unpartitioned and by month.
func setUp(ctx context.Context, dir string, sf int) (map[string]*table.Table, error) {
	src := filepath.Join(dir, "parquet")
	if err := tpchgen.Generate(ctx, src, sf, tpchgen.WithTables("lineitem", "orders")); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "warehouse"), 0o755); err != nil {
		return nil, err
	}
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "catalog.db"),
		map[string]string{"warehouse": "file://" + filepath.Join(dir, "warehouse")})
	if err != nil {
		return nil, err
	}
	dates := map[string]string{"lineitem": "l_shipdate", "orders": "o_orderdate"}
	out := map[string]*table.Table{}
	for name, date := range dates {
		for _, layout := range []string{"", "_month"} {
			id := table.Identifier{"tpch", name + layout}
			tbl, err := cat.LoadTable(ctx, id)
			if err == nil && tbl.CurrentSnapshot() != nil {
				out[name+layout] = tbl
				continue
			}
			if tbl, err = create(ctx, cat, id, tpchgen.Glob(src, name), date, layout != ""); err != nil {
				return nil, fmt.Errorf("write %s: %w", strings.Join(id, "."), err)
			}
			out[name+layout] = tbl
		}
	}
	return out, nil
}

func create(ctx context.Context, cat catalog.Catalog, id table.Identifier, glob, date string, byMonth bool) (*table.Table, error) {
	df := frame.ReadParquet(glob)
	schema, err := df.Schema()
	if err != nil {
		return nil, err
	}
	var opts []iceberg.CreateOption
	if byMonth {
		opts = append(opts, iceberg.WithPartitioning(iceberg.Month(date)))
	}
	log.Printf("writing %s", strings.Join(id, "."))
	tbl, err := iceberg.CreateTable(ctx, cat, id, schema, opts...)
	if err != nil {
		return nil, err
	}
	return df.WriteIceberg(ctx, tbl)
}

func arrowTableReader(t arrow.Table) *array.TableReader { return array.NewTableReader(t, -1) }

// dataFiles lists the local paths of a table's current data files, read
// from its manifests.
func dataFiles(ctx context.Context, tbl *table.Table) ([]string, error) {
	fs, err := tbl.FS(ctx)
	if err != nil {
		return nil, err
	}
	mfs, err := tbl.CurrentSnapshot().Manifests(fs)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, mf := range mfs {
		entries, err := mf.FetchEntries(fs, true)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			out = append(out, strings.TrimPrefix(e.DataFile().FilePath(), "file://"))
		}
	}
	return out, nil
}
