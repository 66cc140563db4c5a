// Package pgtest starts throwaway PostgreSQL clusters for tests: initdb and
// pg_ctl on a fresh directory, listening on 127.0.0.1 and a free port,
// trust authentication, stopped and removed when the test ends.
//
// initdb refuses to run as root, so when the test process is root the
// cluster is created and run as the "postgres" OS user (through runuser)
// in a directory that user owns. Every cluster has its own directory,
// port and socket directory, so the tests of several packages may start
// clusters at the same time.
//
// Tests skip only when the PostgreSQL server binaries are absent; any other
// failure to start is a test failure.
package pgtest

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	// pgx registers the "pgx" database/sql driver used by NewDatabase.
	_ "github.com/jackc/pgx/v5/stdlib"
)

// ErrNoBinaries is returned by Launch when initdb or pg_ctl cannot be found.
var ErrNoBinaries = errors.New("postgresql server binaries not found")

// BinDirEnv names an environment variable that, when set, is the directory
// holding initdb and pg_ctl. Otherwise DefaultBinDir is used, then PATH.
const BinDirEnv = "LAKEFRAME_PG_BIN"

// DefaultBinDir is where Debian's postgresql-15 package installs the
// server binaries.
const DefaultBinDir = "/usr/lib/postgresql/15/bin"

// osUser is the account clusters run as when the process is root.
const osUser = "postgres"

// Cluster is a running PostgreSQL cluster.
type Cluster struct {
	dir     string // owns everything: data directory, socket, log
	data    string
	port    int
	bin     string
	asOther bool // commands run through runuser as osUser
	stopped atomic.Bool
}

// Start launches a cluster for t and returns the DSN of its "postgres"
// database as the superuser "postgres" (no password). The cluster is
// stopped and its directory removed in t.Cleanup. The test is skipped when
// the server binaries are absent.
func Start(t testing.TB) string {
	t.Helper()
	c, err := Launch()
	if errors.Is(err, ErrNoBinaries) {
		t.Skipf("pgtest: %v (install postgresql-15, or set %s to the directory of initdb and pg_ctl)", err, BinDirEnv)
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.Stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return c.DSN()
}

// NewDatabase creates a database with a unique name in the cluster that
// dsn points at, drops it in t.Cleanup, and returns its DSN. Tests that
// share one cluster (see Launch) use it to stay apart.
func NewDatabase(t testing.TB, dsn string) string {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer db.Close()
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), dbCounter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Errorf("pgtest: %v", err)
			return
		}
		defer db.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	return withDatabase(dsn, name)
}

var dbCounter atomic.Int64

// withDatabase replaces the database path of a URL-style DSN.
func withDatabase(dsn, name string) string {
	rest, query, _ := strings.Cut(dsn, "?")
	if i := strings.LastIndex(rest, "/"); i > len("postgres://") {
		rest = rest[:i]
	}
	out := rest + "/" + name
	if query != "" {
		out += "?" + query
	}
	return out
}

// Launch starts a cluster that the caller stops, for a TestMain that shares
// one cluster among a package's tests. It returns ErrNoBinaries (wrapped)
// when the server binaries are absent.
func Launch() (*Cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin, asOther: os.Geteuid() == 0}
	if c.dir, err = os.MkdirTemp("", "lakeframe-pg-"); err != nil {
		return nil, err
	}
	if err := c.prepareDir(); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	c.data = filepath.Join(c.dir, "data")
	if out, err := c.run("initdb", "-D", c.data, "-U", "postgres", "--auth=trust",
		"-E", "UTF8", "--locale=C", "--no-sync"); err != nil {
		os.RemoveAll(c.dir)
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// A free port can be taken by another process before the server binds
	// it; try a few.
	var startErr error
	for range 3 {
		if c.port, err = freePort(); err != nil {
			os.RemoveAll(c.dir)
			return nil, err
		}
		if startErr = c.start(); startErr == nil {
			return c, nil
		}
	}
	os.RemoveAll(c.dir)
	return nil, startErr
}

// DSN is the URL of the cluster's "postgres" database.
func (c *Cluster) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
}

// Port is the TCP port the cluster listens on.
func (c *Cluster) Port() int { return c.port }

// Stop shuts the cluster down at once and removes its directory. It may be
// called more than once.
func (c *Cluster) Stop() error {
	if c.stopped.Swap(true) {
		return nil
	}
	out, err := c.run("pg_ctl", "-D", c.data, "-m", "immediate", "-w", "-t", "30", "stop")
	rmErr := os.RemoveAll(c.dir)
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %w\n%s", err, out)
	}
	return rmErr
}

func (c *Cluster) start() error {
	opts := strings.Join([]string{
		"-p", strconv.Itoa(c.port),
		"-h", "127.0.0.1",
		"-k", c.dir,
		"-c", "fsync=off",
		"-c", "synchronous_commit=off",
		"-c", "full_page_writes=off",
		"-c", "shared_buffers=32MB",
		"-c", "max_connections=60",
	}, " ")
	logFile := filepath.Join(c.dir, "server.log")
	out, err := c.run("pg_ctl", "-D", c.data, "-l", logFile, "-w", "-t", "60", "-o", opts, "start")
	if err == nil {
		return nil
	}
	// Make sure a half-started server is gone before the next attempt.
	c.run("pg_ctl", "-D", c.data, "-m", "immediate", "-w", "stop")
	logText, _ := os.ReadFile(logFile)
	return fmt.Errorf("pg_ctl start on port %d: %w\n%s\n%s", c.port, err, out, tail(logText, 2000))
}

// prepareDir hands the cluster directory to the postgres OS user when the
// process is root.
func (c *Cluster) prepareDir() error {
	if !c.asOther {
		return nil
	}
	u, err := user.Lookup(osUser)
	if err != nil {
		return fmt.Errorf("running as root needs the %q OS user: %w", osUser, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return err
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return err
	}
	if err := os.Chown(c.dir, uid, gid); err != nil {
		return err
	}
	// The temp root must let that user reach the directory.
	return os.Chmod(c.dir, 0o700)
}

// run executes one of the server binaries, as the postgres user when the
// process is root, and returns its combined output.
func (c *Cluster) run(name string, args ...string) ([]byte, error) {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.asOther {
		cmd = exec.Command("runuser", append([]string{"-u", osUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	// The server inherits no working directory it cannot enter.
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err := cmd.Run()
	return buf.Bytes(), err
}

// binDir finds the directory that holds initdb and pg_ctl.
func binDir() (string, error) {
	candidates := []string{}
	if d := os.Getenv(BinDirEnv); d != "" {
		candidates = append(candidates, d)
	}
	candidates = append(candidates, DefaultBinDir)
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		candidates = append(candidates, filepath.Dir(p))
	}
	for _, d := range candidates {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "pg_ctl")) {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w in %s", ErrNoBinaries, strings.Join(candidates, ", "))
}

func isExec(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
