package postgres

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"lakeframe/exec"
	"lakeframe/internal/pgtest"
	"lakeframe/plan"
)

// cluster is the PostgreSQL cluster the package's tests share; each test
// makes its own database in it. It is nil when the server binaries are
// absent, and those tests skip.
var cluster *pgtest.Cluster

func TestMain(m *testing.M) {
	c, err := pgtest.Launch()
	switch {
	case errors.Is(err, pgtest.ErrNoBinaries):
		fmt.Fprintf(os.Stderr, "postgres tests skip: %v\n", err)
	case err != nil:
		fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		os.Exit(1)
	default:
		cluster = c
	}
	code := m.Run()
	if cluster != nil {
		if err := cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	os.Exit(code)
}

// newDatabase returns the DSN of a fresh database and a pgx connection to
// it, which the test uses to set up data and as the oracle.
func newDatabase(t *testing.T) (string, *pgx.Conn) {
	t.Helper()
	if cluster == nil {
		t.Skip("PostgreSQL server binaries not found (install postgresql-15, or set " + pgtest.BinDirEnv + ")")
	}
	dsn := pgtest.NewDatabase(t, cluster.DSN())
	conn, err := pgx.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return dsn, conn
}

func mustExec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// scanAll plans src with p and reads every task, returning one table
// that the caller releases, and the plan.
func scanAll(t *testing.T, src *Source, p plan.Pushdown, mem memory.Allocator, batchSize int) (arrow.Table, *plan.ScanPlan, error) {
	t.Helper()
	ctx := context.Background()
	sp, err := src.Plan(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	tc := &exec.TaskContext{Mem: mem, BatchSize: batchSize}
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	var schema *arrow.Schema
	for _, task := range sp.Tasks {
		st, err := src.Open(ctx, tc, task)
		if err != nil {
			return nil, sp, err
		}
		schema = st.Schema()
		for {
			rec, err := st.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				st.Close()
				return nil, sp, err
			}
			recs = append(recs, rec)
		}
		if err := st.Close(); err != nil {
			return nil, sp, err
		}
	}
	return array.NewTableFromRecords(schema, recs), sp, nil
}
