// TPC-H: generate the eight tables as Parquet (scale factor 1 by default)
// when the directory does not hold them yet, then run the 22 queries
// written with the DataFrame API, showing each answer and its time.
//
//	go run ./examples/tpch                      # all 22 queries on /tmp/lakeframe-tpch-sf1
//	go run ./examples/tpch -queries 1,6,14 -rows 5
//
// The queries live in lakeframe/examples/tpch/queries, where each is an
// ordinary function returning a lazy *frame.DataFrame.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"lakeframe/examples/tpch/queries"
	"lakeframe/frame"
	"lakeframe/internal/tpchgen"
)

func main() {
	sf := flag.Int("sf", 1, "TPC-H scale factor (an integer, 1 or more)")
	dir := flag.String("data", "", "data directory (default <temp dir>/lakeframe-tpch-sf<sf>)")
	list := flag.String("queries", "", "comma-separated query numbers (default all 22)")
	rows := flag.Int("rows", 10, "rows of each answer to show")
	flag.Parse()
	if *dir == "" {
		*dir = filepath.Join(os.TempDir(), fmt.Sprintf("lakeframe-tpch-sf%d", *sf))
	}
	nums, err := parseQueries(*list)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	// Generate returns at once when the directory is already complete.
	start := time.Now()
	if err := tpchgen.Generate(ctx, *dir, *sf); err != nil {
		log.Fatalf("generate TPC-H data: %v", err)
	}
	fmt.Printf("TPC-H SF%d data in %s (ready in %s)\n", *sf, *dir, time.Since(start).Round(time.Millisecond))

	all := queries.All()
	var total time.Duration
	failures := 0
	for _, n := range nums {
		q := all[n-1]
		fmt.Printf("\n%s (%s)\n", strings.ToUpper(q.Name), q.Title)
		elapsed, err := run(ctx, q.DataFrame(*dir), *rows)
		if err != nil {
			failures++
			fmt.Printf("%s failed: %v\n", strings.ToUpper(q.Name), err)
			continue
		}
		total += elapsed
		fmt.Printf("%s took %s\n", strings.ToUpper(q.Name), elapsed.Round(time.Microsecond))
	}
	fmt.Printf("\n%d queries, %d failed, %s in all\n", len(nums), failures, total.Round(time.Millisecond))
	if failures > 0 {
		os.Exit(1)
	}
}

// run collects the whole answer, timing that alone, then shows its first
// rows.
func run(ctx context.Context, df *frame.DataFrame, rows int) (time.Duration, error) {
	start := time.Now()
	tbl, err := df.Collect(ctx, frame.WithoutProgressDisplay())
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	defer tbl.Release()
	return elapsed, frame.FromArrow(tbl).Show(ctx, os.Stdout, rows)
}

// parseQueries reads "1,6,q14" into query numbers; empty means all.
func parseQueries(s string) ([]int, error) {
	if s == "" {
		nums := make([]int, len(queries.All()))
		for i := range nums {
			nums[i] = i + 1
		}
		return nums, nil
	}
	var nums []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(f)), "q"))
		if err != nil || n < 1 || n > len(queries.All()) {
			return nil, fmt.Errorf("unknown query %q (want 1 to %d)", f, len(queries.All()))
		}
		nums = append(nums, n)
	}
	return nums, nil
}
