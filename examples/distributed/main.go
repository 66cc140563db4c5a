// Distributed: the same query on the local goroutine pool and on three
// executor processes. An executor is this very program started again in
// executor mode, which is why main begins with remote.ServeIfExecutor.
//
//	go run ./examples/distributed
package main

import (
	"context"
	"fmt"
	"log"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/remote"
	"lakeframe/exec/source/parquet"
	"lakeframe/expr"
	"lakeframe/frame"
)

func main() {
	remote.ServeIfExecutor() // serves and exits when started as an executor
	defer remote.Cleanup()

	ctx := context.Background()
	dir, err := os.MkdirTemp("", "lakeframe-distributed-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	// 1. Eight Parquet files of sensor readings.
	for i := range 8 {
		tbl := readings(50_000, uint64(i))
		err := frame.FromArrow(tbl).WriteParquet(ctx, filepath.Join(dir, fmt.Sprintf("part-%d.parquet", i)))
		tbl.Release()
		if err != nil {
			log.Fatal(err)
		}
	}

	// 2. Average and peak temperature per site, for readings above zero.
	//    Small scan tasks, so that the files spread over the executors.
	query := frame.ReadParquetWith(parquet.Options{TaskBytes: 256 << 10}, dir).
		Where(expr.Col("celsius").Gt(0.0)).
		GroupBy("site").
		Agg(
			expr.Col("celsius").Mean().Alias("avg_celsius"),
			expr.Col("celsius").Max().Alias("max_celsius"),
			expr.CountAll().Alias("readings"),
		).
		Sort("site")

	// 3. The same query, locally and on three executor processes.
	start := time.Now()
	local, err := query.Collect(ctx)
	if err != nil {
		log.Fatal(err)
	}
	defer local.Release()
	fmt.Printf("local pool: %d sites in %v\n", local.NumRows(), time.Since(start).Round(time.Millisecond))

	// frame.WithExecutors(3) is the short form; a runner of our own lets
	// us count the fragments that ran on the executors.
	runner := remote.NewRunner(remote.Options{Executors: 3})
	start = time.Now()
	distributed, err := query.Collect(ctx, frame.WithRunner(runner))
	if err != nil {
		log.Fatal(err)
	}
	defer distributed.Release()
	fmt.Printf("3 executors: %d sites in %v (including starting them), %d fragments shipped\n",
		distributed.NumRows(), time.Since(start).Round(time.Millisecond), runner.Stats.Fragments())
	if runner.Stats.Fragments() == 0 {
		log.Fatal("nothing ran on the executors")
	}

	if !array.TableApproxEqual(local, distributed, array.WithAbsTolerance(1e-9)) {
		log.Fatal("the executors' answer differs from the local pool's")
	}
	fmt.Println("same answer on both")
	if err := query.Show(ctx, os.Stdout, 10, frame.WithExecutors(3)); err != nil {
		log.Fatal(err)
	}

	// 4. Executors on other hosts, over TCP with mutual TLS. Each host
	//    would run `lakeframe-executor -listen host:7070 -ca ... -cert ...
	//    -key ...` (or this program with LAKEFRAME_EXECUTOR_LISTEN set);
	//    here two serve from this process on 127.0.0.1, with throwaway
	//    certificates.
	executorTLS, coordinatorTLS, err := remote.ThrowawayTLS("127.0.0.1")
	if err != nil {
		log.Fatal(err)
	}
	serveCtx, stopServing := context.WithCancel(ctx)
	var serving sync.WaitGroup
	defer serving.Wait()
	defer stopServing()
	var addrs []string
	for range 2 {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			log.Fatal(err)
		}
		addrs = append(addrs, lis.Addr().String())
		serving.Go(func() {
			if err := remote.ServeListener(serveCtx, lis, executorTLS); err != nil {
				log.Print(err)
			}
		})
	}
	pool, err := remote.Attach(ctx, addrs, remote.Options{TLS: coordinatorTLS})
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	overTCP, err := query.Collect(ctx, frame.WithRunner(pool.Runner()))
	if err != nil {
		log.Fatal(err)
	}
	defer overTCP.Release()
	if !array.TableApproxEqual(local, overTCP, array.WithAbsTolerance(1e-9)) {
		log.Fatal("the attached executors' answer differs from the local pool's")
	}
	fmt.Println("same answer from 2 executors attached over TCP")
}

func readings(n int, seed uint64) arrow.Table {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "site", Type: arrow.BinaryTypes.String},
		{Name: "celsius", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	rng := rand.New(rand.NewPCG(seed, 99))
	sites := []string{"oslo", "lyon", "porto", "turku", "graz"}
	for range n {
		b.Field(0).(*array.StringBuilder).Append(sites[rng.IntN(len(sites))])
		if rng.IntN(100) == 0 {
			b.Field(1).AppendNull()
		} else {
			// Quarter degrees, so sums are exact in any order.
			b.Field(1).(*array.Float64Builder).Append(float64(rng.IntN(160)-40) / 4)
		}
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	return array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
}
