//go:build cgo && linux

package iceberg_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/iceberg-go/table"
	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/frame"
	lfice "lakeframe/iceberg"
)

// A write with more partitions than the process may open files must land
// every row, or fail and commit nothing: iceberg-go's writer returned nil
// with rows missing. The writer runs in a child process (this test
// binary, re-executed to run only TestWriteFileLimitProcess) whose
// RLIMIT_NOFILE is lowered; the parent counts the rows of what it
// committed through lakeframe's reader, through the manifests' record
// counts and through DuckDB reading the data files.

const (
	fileLimitEnv  = "LAKEFRAME_FILE_LIMIT_WRITER"
	fileLimit     = 256
	fileLimitDays = 1100
	fileLimitRows = 10 // per day
)

var fileLimitSchema = arrow.NewSchema([]arrow.Field{
	{Name: "id", Type: arrow.PrimitiveTypes.Int64},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "v", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// TestWriteFileLimitProcess is the writer process; run on its own it
// skips. It prints "committed" or "error: <message>".
func TestWriteFileLimitProcess(t *testing.T) {
	dir := os.Getenv(fileLimitEnv)
	if dir == "" {
		t.Skip("runs only as the writer process of TestWriteMorePartitionsThanFiles")
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	lim.Cur = fileLimit
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cat, err := lfice.OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "cat.db"), map[string]string{"warehouse": "file://" + dir})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := lfice.CreateTable(ctx, cat, table.Identifier{"lake", "days"}, fileLimitSchema, lfice.WithPartitioning(lfice.Day("ts")))
	if err != nil {
		t.Fatal(err)
	}
	// Rows in random order, two batches: each batch touches every day.
	n := fileLimitDays * fileLimitRows
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	var recs []arrow.RecordBatch
	for half := range 2 {
		b := array.NewRecordBuilder(memory.DefaultAllocator, fileLimitSchema)
		for _, id := range order[half*n/2 : (half+1)*n/2] {
			b.Field(0).(*array.Int64Builder).Append(int64(id))
			ts := start.Add(time.Duration(id%fileLimitDays)*24*time.Hour + time.Duration(id)*time.Second)
			b.Field(1).(*array.TimestampBuilder).Append(arrow.Timestamp(ts.UnixMicro()))
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprint("row ", id))
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	if _, err := lfice.Write(ctx, tbl, fileLimitSchema, batchesOfRecords(recs...), lfice.WriteOptions{}); err != nil {
		fmt.Println("error:", strings.ReplaceAll(err.Error(), "\n", " "))
		return
	}
	fmt.Println("committed")
}

func TestWriteMorePartitionsThanFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a writer process; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestWriteFileLimitProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), fileLimitEnv+"="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("writer process: %v\n%s", err, out)
	}
	committed := strings.Contains(string(out), "committed")

	cat, err := lfice.OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "cat.db"), map[string]string{"warehouse": "file://" + dir})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := cat.LoadTable(ctx, table.Identifier{"lake", "days"})
	if err != nil {
		t.Fatal(err)
	}
	if !committed {
		// A clear error is allowed, if nothing of the write is left.
		t.Logf("writer under RLIMIT_NOFILE=%d: %s", fileLimit, out)
		if tbl.CurrentSnapshot() != nil {
			t.Errorf("failed write committed snapshot %d", tbl.CurrentSnapshot().SnapshotID)
		}
		if left := dataFiles(t, dir); len(left) > 0 {
			t.Errorf("failed write left %d data files", len(left))
		}
		return
	}
	want := int64(fileLimitDays * fileLimitRows)
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var counted int64
	var paths []string
	for _, ft := range tasks {
		counted += ft.File.Count()
		paths = append(paths, "'"+strings.TrimPrefix(ft.File.FilePath(), "file://")+"'")
	}
	if counted != want {
		t.Errorf("record counts of the snapshot's %d data files: %d rows, want %d", len(tasks), counted, want)
	}

	res, err := frame.ReadIceberg(tbl).Collect(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.NumRows(); got != want {
		t.Errorf("lakeframe reads %d rows, want %d", got, want)
	}
	res.Release()

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rows, ids, days int64
	q := fmt.Sprintf("SELECT count(*), count(DISTINCT id), count(DISTINCT CAST(ts AS DATE)) FROM read_parquet([%s])", strings.Join(paths, ","))
	if err := db.QueryRowContext(ctx, q).Scan(&rows, &ids, &days); err != nil {
		t.Fatal(err)
	}
	if rows != want || ids != want || days != fileLimitDays {
		t.Errorf("DuckDB reads %d rows, %d ids, %d days from the data files; want %d, %d, %d", rows, ids, days, want, want, fileLimitDays)
	}
	t.Logf("under RLIMIT_NOFILE=%d: %d rows in %d data files over %d days", fileLimit, rows, len(tasks), days)
}
