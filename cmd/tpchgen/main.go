// Command tpchgen writes the TPC-H tables as Parquet files:
//
//	go run ./cmd/tpchgen -sf 1 -out /tmp/tpch-sf1
//
// Each table lands in <out>/<table>/part-N.parquet; <out>/_SUCCESS marks a
// complete run, and running again over a complete directory does nothing
// unless -force is given.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"lakeframe/internal/tpchgen"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "tpchgen:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		sf     = flag.Float64("sf", 1, "scale factor: an integer from 1 to 100000 (go-tpc's dbgen has no fractional scale factors)")
		out    = flag.String("out", "", "output directory (required)")
		tables = flag.String("tables", "", "comma-separated tables to generate (default: all eight)")
		force  = flag.Bool("force", false, "regenerate tables the directory already has")
		quiet  = flag.Bool("q", false, "do not report each file written")
	)
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		return errors.New("-out is required and no arguments are accepted")
	}
	if *sf != math.Trunc(*sf) || *sf < 1 || *sf > tpchgen.MaxScale {
		return fmt.Errorf("scale factor %v not supported: go-tpc's dbgen takes integers from 1 to %d", *sf, tpchgen.MaxScale)
	}

	var opts []tpchgen.Option
	if *tables != "" {
		opts = append(opts, tpchgen.WithTables(strings.Split(*tables, ",")...))
	}
	if *force {
		opts = append(opts, tpchgen.WithOverwrite())
	}
	start := time.Now()
	if !*quiet {
		opts = append(opts, tpchgen.WithProgress(func(p tpchgen.Progress) {
			fmt.Fprintf(os.Stderr, "%7.1fs  %s/%s  %d rows\n", time.Since(start).Seconds(), p.Table, p.File, p.Rows)
		}))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := tpchgen.Generate(ctx, *out, int(*sf), opts...); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "sf=%d in %s: done in %.1fs\n", int(*sf), *out, time.Since(start).Seconds())
	return nil
}
