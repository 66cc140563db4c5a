package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/remote"
	"lakeframe/exec/source/parquet"
	"lakeframe/expr"
	"lakeframe/frame"
)

// TestStandaloneExecutor builds this command, runs it on 127.0.0.1 and
// runs a query on it from this test's process: a different binary, which
// must get everything it needs in the fragments.
func TestStandaloneExecutor(t *testing.T) {
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "lakeframe-executor")
	if out, err := exec.Command("go", "build", "-ldflags=-s -w", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	executorID, coordinatorID, err := remote.ThrowawayTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{"ca.pem": executorID.CA, "cert.pem": executorID.Cert, "key.pem": executorID.Key} {
		if err := os.WriteFile(filepath.Join(tmp, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	lis.Close()
	cmd := exec.Command(bin, "-listen", addr, "-ca", filepath.Join(tmp, "ca.pem"),
		"-cert", filepath.Join(tmp, "cert.pem"), "-key", filepath.Join(tmp, "key.pem"))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	logs := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			select {
			case logs <- sc.Text():
			default:
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		if err := cmd.Wait(); err != nil {
			t.Errorf("executor did not stop cleanly on SIGINT: %v", err)
		}
	})

	// Parquet files of (k string, v int64).
	dir := t.TempDir()
	ctx := context.Background()
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String},
		{Name: "v", Type: arrow.PrimitiveTypes.Int64},
	}, nil)
	wantSum := map[string]int64{}
	for f := range 4 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for i := range 5000 {
			k, v := fmt.Sprintf("k%d", (f+i)%7), int64(f*5000+i)
			b.Field(0).(*array.StringBuilder).Append(k)
			b.Field(1).(*array.Int64Builder).Append(v)
			if v%3 != 0 {
				wantSum[k] += v
			}
		}
		rec := b.NewRecordBatch()
		b.Release()
		tbl := array.NewTableFromRecords(schema, []arrow.RecordBatch{rec})
		rec.Release()
		err := frame.FromArrow(tbl).WriteParquet(ctx, filepath.Join(dir, fmt.Sprintf("part-%d.parquet", f)))
		tbl.Release()
		if err != nil {
			t.Fatal(err)
		}
	}

	pool, err := remote.Attach(ctx, []string{addr}, remote.Options{TLS: coordinatorID, DialTimeout: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	r := pool.Runner()
	df := frame.ReadParquetWith(parquet.Options{TaskBytes: 16 << 10}, dir).
		Where(expr.Col("v").Mod(3).Ne(0)).
		GroupBy("k").
		Agg(expr.Col("v").Sum().Alias("s"))
	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tbl, err := df.Collect(tctx, frame.WithParallelism(8), frame.WithRunner(r))
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if r.Stats.Fragments() == 0 {
		t.Fatal("no fragment ran on the executor")
	}
	got := map[string]int64{}
	tr := array.NewTableReader(tbl, 0)
	defer tr.Release()
	for tr.Next() {
		rec := tr.RecordBatch()
		ks, vs := rec.Column(0).(*array.String), rec.Column(1).(*array.Int64)
		for i := range int(rec.NumRows()) {
			got[ks.Value(i)] = vs.Value(i)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(wantSum) {
		t.Fatalf("sums per key: got %v, want %v", got, wantSum)
	}
	select {
	case line := <-logs:
		if !strings.Contains(line, "listening on "+addr) {
			t.Errorf("first log line %q does not say where it listens", line)
		}
	default:
		t.Error("the executor logged nothing")
	}
}
