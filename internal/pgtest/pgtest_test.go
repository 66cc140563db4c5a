package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"sync"
	"testing"
	"time"
)

func query(t *testing.T, dsn, q string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var s string
	if err := db.QueryRowContext(ctx, q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

func TestStartAndNewDatabase(t *testing.T) {
	dsn := Start(t)
	if got := query(t, dsn, "SELECT current_setting('server_version_num')"); got[:2] != "15" {
		t.Errorf("server_version_num = %s, want 15xxxx", got)
	}
	if got := query(t, dsn, "SELECT inet_server_addr()::text"); got != "127.0.0.1/32" && got != "127.0.0.1" {
		t.Errorf("server address = %s, want 127.0.0.1", got)
	}
	sub := NewDatabase(t, dsn)
	if got := query(t, sub, "SELECT current_database()"); got == "postgres" {
		t.Errorf("NewDatabase returned the postgres database: %s", sub)
	}
}

func TestParallelClustersAreIndependent(t *testing.T) {
	var wg sync.WaitGroup
	clusters := make([]*Cluster, 2)
	errs := make([]error, 2)
	for i := range clusters {
		wg.Go(func() { clusters[i], errs[i] = Launch() })
	}
	wg.Wait()
	for i, err := range errs {
		if errors.Is(err, ErrNoBinaries) {
			t.Skip(err)
		}
		if err != nil {
			t.Fatalf("cluster %d: %v", i, err)
		}
		defer clusters[i].Stop()
	}
	if clusters[0].Port() == clusters[1].Port() {
		t.Fatalf("both clusters on port %d", clusters[0].Port())
	}
	// A table made in one cluster is not visible in the other.
	db, err := sql.Open("pgx", clusters[0].DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE only_here (x int)"); err != nil {
		t.Fatal(err)
	}
	if got := query(t, clusters[1].DSN(), "SELECT count(*)::text FROM pg_tables WHERE tablename = 'only_here'"); got != "0" {
		t.Errorf("table visible in the other cluster: count %s", got)
	}
	dir := clusters[0].dir
	if err := clusters[0].Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster directory %s still exists after Stop (stat err %v)", dir, err)
	}
	if err := clusters[0].Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestWithDatabase(t *testing.T) {
	for _, tc := range []struct{ in, name, want string }{
		{"postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "x", "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"},
		{"postgres://postgres@127.0.0.1:5432/postgres", "y", "postgres://postgres@127.0.0.1:5432/y"},
		{"postgres://postgres@127.0.0.1:5432", "z", "postgres://postgres@127.0.0.1:5432/z"},
	} {
		if got := withDatabase(tc.in, tc.name); got != tc.want {
			t.Errorf("withDatabase(%q, %q) = %q, want %q", tc.in, tc.name, got, tc.want)
		}
	}
}
