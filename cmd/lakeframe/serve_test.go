//go:build cgo

package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServe runs `lakeframe serve` on a free loopback port until the test
// ends and returns its address.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, append([]string{"-listen", addr}, args...), out) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "serving on") {
		if time.Now().After(deadline) {
			t.Fatalf("the server did not start: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return addr
}

// TestServeCreateInsertSelect is the session a PostgreSQL user expects:
// CREATE TABLE, INSERT and SELECT through pgx, with parameters in binary
// and text, a file table, and a refused wrong password.
func TestServeCreateInsertSelect(t *testing.T) {
	t.Setenv(PasswordEnv, "pw-for-tests")
	dir := t.TempDir()
	csv := filepath.Join(dir, "kinds.csv")
	if err := os.WriteFile(csv, []byte("kind,label\n1,click\n2,view\n3,buy\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := startServe(t, csv)
	host, port, _ := net.SplitHostPort(addr)
	dsn := fmt.Sprintf("postgres://lakeframe:pw-for-tests@%s:%s/lake?sslmode=disable", host, port)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, stmt := range []string{
		"CREATE TABLE t1(a INTEGER, b TEXT, c DOUBLE PRECISION)",
		"INSERT INTO t1 VALUES (1, 'one', 1.5), (2, NULL, 2.5), (3, 'three', NULL)",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol} {
		rows, err := conn.Query(ctx, "SELECT a, b, c FROM t1 WHERE a >= $1 ORDER BY a", mode, 2)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		var got []string
		for rows.Next() {
			var a int32
			var b *string
			var c *float64
			if err := rows.Scan(&a, &b, &c); err != nil {
				t.Fatalf("%s: %v", mode, err)
			}
			got = append(got, fmt.Sprintf("%d %v %v", a, deref(b), derefF(c)))
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if want := "2 <nil> 2.5|3 three <nil>"; strings.Join(got, "|") != want {
			t.Fatalf("%s: rows %q, want %q", mode, strings.Join(got, "|"), want)
		}
	}
	var n int64
	// Parameters of open type in an INSERT take the columns' types.
	if _, err := conn.Exec(ctx, "INSERT INTO t1 VALUES ($1, $2, $3)", 4, "007", 4.25); err != nil {
		t.Fatalf("insert with parameters: %v", err)
	}
	var b string
	var c float64
	if err := conn.QueryRow(ctx, "SELECT b, c FROM t1 WHERE a = $1", 4).Scan(&b, &c); err != nil || b != "007" || c != 4.25 {
		t.Fatalf("the inserted row reads %q %v (%v)", b, c, err)
	}
	if err := conn.QueryRow(ctx, "SELECT a FROM t1 WHERE b = $1", "007").Scan(&n); err != nil || n != 4 {
		t.Fatalf("text parameter compared with a text column: %d, %v", n, err)
	}
	var label string
	if err := conn.QueryRow(ctx, "SELECT k.label FROM kinds k JOIN t1 ON t1.a = k.kind WHERE t1.b = $1", "three").Scan(&label); err != nil || label != "buy" {
		t.Fatalf("join with the file table: %q, %v", label, err)
	}
	// A mistake keeps its SQLSTATE and position; the connection goes on.
	_, err = conn.Exec(ctx, "SELECT nope FROM t1")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "42703" || pe.Position != 8 {
		t.Fatalf("unknown column: %v", err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM t1").Scan(&n); err != nil || n != 4 {
		t.Fatalf("count: %d, %v", n, err)
	}
	if _, err := pgx.Connect(ctx, strings.Replace(dsn, "pw-for-tests", "wrong", 1)); !errors.As(err, &pe) || pe.Code != "28P01" {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestServePsql runs psql's own session start (it sends SET and reads
// SHOW-like settings) and a query.
func TestServePsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	t.Setenv(PasswordEnv, "pw-for-tests")
	addr := startServe(t)
	host, port, _ := net.SplitHostPort(addr)
	cmd := exec.Command(psql, "-h", host, "-p", port, "-U", "lakeframe", "-d", "lake", "-X", "-A", "-t",
		"-c", "CREATE TABLE t(x INTEGER)", "-c", "INSERT INTO t VALUES (4), (5)", "-c", "SELECT sum(x) FROM t")
	cmd.Env = append(os.Environ(), "PGPASSWORD=pw-for-tests", "PGSSLMODE=disable")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	if !strings.HasSuffix(string(out), "9\n") {
		t.Fatalf("psql printed %q", out)
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func derefF(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

// TestServePortalRowLimits reads a query's rows 7,000 at a time through one
// portal, as JDBC's fetch size does: the query (several batches) keeps
// running between Executes, and every row arrives once.
func TestServePortalRowLimits(t *testing.T) {
	t.Setenv(PasswordEnv, "pw-for-tests")
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("n,s\n")
	for i := range 60000 {
		fmt.Fprintf(&csv, "%d,v%d\n", i, i%7)
	}
	path := filepath.Join(dir, "nums.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := startServe(t, path)
	host, port, _ := net.SplitHostPort(addr)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, fmt.Sprintf("postgres://lakeframe:pw-for-tests@%s:%s/lake?sslmode=disable", host, port))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	pc := conn.PgConn()
	fe := pc.Frontend()
	fe.Send(&pgproto3.Parse{Query: "SELECT n, s FROM nums WHERE n % 2 = 0"})
	fe.Send(&pgproto3.Bind{ResultFormatCodes: []int16{1, 0}})
	sum, rows := int64(0), 0
	for range 20 {
		fe.Send(&pgproto3.Execute{MaxRows: 7000})
		fe.Send(&pgproto3.Sync{})
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		end := ""
		for end == "" || end == "suspended" {
			msg, err := pc.ReceiveMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			switch m := msg.(type) {
			case *pgproto3.DataRow:
				rows++
				sum += int64(binary.BigEndian.Uint64(m.Values[0]))
			case *pgproto3.PortalSuspended:
				end = "suspended"
			case *pgproto3.CommandComplete:
				end = string(m.CommandTag)
			case *pgproto3.ErrorResponse:
				t.Fatalf("after %d rows: %s %s", rows, m.Code, m.Message)
			case *pgproto3.ReadyForQuery:
				if end == "" {
					t.Fatal("ready without an end")
				}
			}
			if end == "suspended" {
				if _, err := pc.ReceiveMessage(ctx); err != nil { // ReadyForQuery
					t.Fatal(err)
				}
				break
			}
		}
		if end != "suspended" {
			if _, err := pc.ReceiveMessage(ctx); err != nil { // ReadyForQuery
				t.Fatal(err)
			}
			break
		}
	}
	// 30,000 even numbers 0..59998: their sum is 2 * (0 + … + 29999).
	if rows != 30000 || sum != 2*29999*30000/2 {
		t.Fatalf("%d rows summing to %d, want 30000 rows summing to %d", rows, sum, 2*29999*30000/2)
	}
}
