package pgwire_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/big"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"lakeframe/pgwire"
)

const testPassword = "s3cret-Pässword"

// testServer is a server on a loopback port with user "lake" and the test
// password.
type testServer struct {
	srv  *pgwire.Server
	addr string
	mem  *memory.CheckedAllocator
	logs *logRecorder
	h    *fakeHandler
}

type logRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (l *logRecorder) logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logRecorder) all() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func startServer(t *testing.T, tweak func(*pgwire.Config)) *testServer {
	t.Helper()
	ts := &testServer{mem: memory.NewCheckedAllocator(memory.NewGoAllocator()), logs: &logRecorder{}}
	ts.h = &fakeHandler{mem: ts.mem}
	cfg := pgwire.Config{
		Handler: ts.h,
		Password: func(user string) (string, bool) {
			return testPassword, user == "lake"
		},
		Logf: ts.logs.logf,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	srv, err := pgwire.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.srv, ts.addr = srv, ln.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		srv.Close()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		ts.mem.AssertSize(t, 0)
	})
	return ts
}

func (ts *testServer) dsn(user, password string) string {
	host, port, _ := net.SplitHostPort(ts.addr)
	return fmt.Sprintf("postgres://%s:%s@%s:%s/lake?sslmode=disable", user, password, host, port)
}

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// TestRowsInBothProtocols reads 2,500 rows (three batches, NULLs every
// seventh) through the extended protocol in binary and through the simple
// protocol in text, as pgx decodes them.
func TestRowsInBothProtocols(t *testing.T) {
	ts := startServer(t, nil)
	conn := connect(t, ts.dsn("lake", testPassword))
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeDescribeExec} {
		t.Run(mode.String(), func(t *testing.T) {
			rows, err := conn.Query(context.Background(), "nums 2500", mode)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var i int64
				var s *string
				if err := rows.Scan(&i, &s); err != nil {
					t.Fatal(err)
				}
				if i != int64(n) {
					t.Fatalf("row %d has i=%d", n, i)
				}
				switch {
				case n%7 == 3 && s != nil:
					t.Fatalf("row %d: want NULL, got %q", n, *s)
				case n%7 != 3 && (s == nil || *s != fmt.Sprintf("v%d", n)):
					t.Fatalf("row %d: s=%v", n, s)
				}
				n++
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if n != 2500 {
				t.Fatalf("%d rows, want 2500", n)
			}
			if tag := rows.CommandTag().String(); tag != "SELECT 2500" {
				t.Fatalf("command tag %q", tag)
			}
		})
	}
}

// TestTypesDecodeAsPgxExpects checks each type's text and binary forms by
// decoding them with pgx, whose codecs follow PostgreSQL's.
func TestTypesDecodeAsPgxExpects(t *testing.T) {
	ts := startServer(t, nil)
	conn := connect(t, ts.dsn("lake", testPassword))
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			rows, err := conn.Query(context.Background(), "types", mode)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var oids []uint32
			for _, f := range rows.FieldDescriptions() {
				oids = append(oids, f.DataTypeOID)
			}
			wantOIDs := []uint32{pgtype.BoolOID, pgtype.Int2OID, pgtype.Int4OID, pgtype.Int8OID, pgtype.Float4OID, pgtype.Float8OID,
				pgtype.NumericOID, pgtype.TextOID, pgtype.ByteaOID, pgtype.DateOID, pgtype.TimestampOID, pgtype.TimestamptzOID, pgtype.Int8ArrayOID}
			if fmt.Sprint(oids) != fmt.Sprint(wantOIDs) {
				t.Fatalf("type OIDs %v, want %v", oids, wantOIDs)
			}
			if !rows.Next() {
				t.Fatalf("no row: %v", rows.Err())
			}
			var (
				b    bool
				i16  int16
				i32  int32
				i64  int64
				f32  float32
				f64  float64
				dec  pgtype.Numeric
				s    string
				bin  []byte
				d    time.Time
				ts   time.Time
				tstz time.Time
				list []*int64
			)
			if err := rows.Scan(&b, &i16, &i32, &i64, &f32, &f64, &dec, &s, &bin, &d, &ts, &tstz, &list); err != nil {
				t.Fatal(err)
			}
			got := fmt.Sprint(b, i16, i32, i64, f32, f64, dec.Int, dec.Exp, s, bin, d.Format(time.DateOnly), ts.Format(time.RFC3339Nano), tstz.UTC().Format(time.RFC3339Nano), len(list), *list[0], *list[1], list[2] == nil)
			want := fmt.Sprint(true, int16(-32768), int32(2147483647), int64(math.MinInt64), float32(1.5), math.Inf(-1), big.NewInt(-1234567), int32(-3),
				"ünï \"q\" \\ €", []byte{0, 1, 0xfe, 0xff}, "2024-02-29", "2024-02-29T13:14:15.123456Z", "2024-02-29T13:14:15.123456Z", 3, 1, -2, true)
			if got != want {
				t.Fatalf("values\ngot  %s\nwant %s", got, want)
			}
			if !rows.Next() {
				t.Fatalf("no NULL row: %v", rows.Err())
			}
			vals, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				if v != nil {
					t.Errorf("column %d of the NULL row is %v", i, v)
				}
			}
		})
	}
}

// TestParametersRoundTrip binds parameters in binary (pgx's default for
// known types) and in text, including NULL.
func TestParametersRoundTrip(t *testing.T) {
	ts := startServer(t, nil)
	conn := connect(t, ts.dsn("lake", testPassword))
	day := time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)
	num := pgtype.Numeric{Int: big.NewInt(-12345), Exp: -2, Valid: true}
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec} {
		var i *int64
		var s, n *string
		var f *float64
		var d *time.Time
		err := conn.QueryRow(context.Background(), "echo", mode, int64(-42), "a'b", 2.25, day, num).Scan(&i, &s, &f, &d, &n)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if *i != -42 || *s != "a'b" || *f != 2.25 || !d.Equal(day) || *n != "-123.45" {
			t.Fatalf("%s: echoed %d %q %v %v %q", mode, *i, *s, *f, *d, *n)
		}
		err = conn.QueryRow(context.Background(), "echo", mode, nil, nil, nil, nil, nil).Scan(&i, &s, &f, &d, &n)
		if err != nil || i != nil || s != nil || f != nil || d != nil || n != nil {
			t.Fatalf("%s: NULLs echoed as %v %v %v %v %v (%v)", mode, i, s, f, d, n, err)
		}
	}
}

// TestErrorsCarrySQLState: a statement's error reaches the client with its
// SQLSTATE and position, and the connection goes on.
func TestErrorsCarrySQLState(t *testing.T) {
	ts := startServer(t, nil)
	conn := connect(t, ts.dsn("lake", testPassword))
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		_, err := conn.Exec(context.Background(), "fail", mode)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "42703" || pe.Position != 3 || !strings.Contains(pe.Message, "nope") {
			t.Fatalf("%s: got %v", mode, err)
		}
		var n int64
		var str *string
		if err := conn.QueryRow(context.Background(), "nums 5", mode).Scan(&n, &str); err != nil {
			t.Fatalf("%s: after the error: %v", mode, err)
		}
	}
	// Transaction state follows the session.
	if _, err := conn.Exec(context.Background(), "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if s := conn.PgConn().TxStatus(); s != 'T' {
		t.Fatalf("after BEGIN the transaction status is %q", s)
	}
	if _, err := conn.Exec(context.Background(), "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if s := conn.PgConn().TxStatus(); s != 'I' {
		t.Fatalf("after COMMIT the transaction status is %q", s)
	}
}

// TestWrongPasswordIsRefused: 28P01, the same for an unknown user, and the
// password appears in no log line.
func TestWrongPasswordIsRefused(t *testing.T) {
	ts := startServer(t, nil)
	for _, user := range []string{"lake", "stranger"} {
		_, err := pgx.Connect(context.Background(), ts.dsn(user, "wrong-"+testPassword))
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "28P01" {
			t.Fatalf("user %s: got %v, want SQLSTATE 28P01", user, err)
		}
		if strings.Contains(err.Error(), testPassword) {
			t.Fatalf("the error shows the password: %v", err)
		}
	}
	if logs := ts.logs.all(); strings.Contains(logs, testPassword) || !strings.Contains(logs, "password authentication failed") {
		t.Fatalf("logs:\n%s", logs)
	}
	// Without SSL support, sslmode=require is refused by the client.
	if _, err := pgx.Connect(context.Background(), strings.Replace(ts.dsn("lake", testPassword), "sslmode=disable", "sslmode=require", 1)); err == nil {
		t.Fatal("sslmode=require succeeded against a server without TLS")
	}
}

// TestCancelStopsARunningStatement sends a cancel request from the client
// while a statement waits for rows.
func TestCancelStopsARunningStatement(t *testing.T) {
	ts := startServer(t, nil)
	conn := connect(t, ts.dsn("lake", testPassword))
	go func() {
		time.Sleep(200 * time.Millisecond)
		conn.PgConn().CancelRequest(context.Background())
	}()
	start := time.Now()
	_, err := conn.Exec(context.Background(), "sleep")
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" {
		t.Fatalf("got %v, want SQLSTATE 57014", err)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("the cancel took too long")
	}
	var n int64
	var str *string
	if err := conn.QueryRow(context.Background(), "nums 1").Scan(&n, &str); err != nil {
		t.Fatalf("after the cancel: %v", err)
	}
}

// TestConcurrentClients runs 32 clients with a mixed workload; afterwards
// every session is closed, every goroutine gone and all memory released.
func TestConcurrentClients(t *testing.T) {
	before := runtime.NumGoroutine()
	ts := startServer(t, nil)
	var wg sync.WaitGroup
	errc := make(chan error, 32)
	for c := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := pgx.Connect(context.Background(), ts.dsn("lake", testPassword))
			if err != nil {
				errc <- err
				return
			}
			defer conn.Close(context.Background())
			for i := range 20 {
				switch (c + i) % 4 {
				case 0:
					var n int
					rows, err := conn.Query(context.Background(), "nums 1500")
					if err == nil {
						for rows.Next() {
							n++
						}
						err = rows.Err()
					}
					if err == nil && n != 1500 {
						err = fmt.Errorf("%d rows", n)
					}
					if err != nil {
						errc <- err
						return
					}
				case 1:
					if _, err := conn.Exec(context.Background(), "types", pgx.QueryExecModeSimpleProtocol); err != nil {
						errc <- err
						return
					}
				case 2:
					var got *int64
					var s, n *string
					var f *float64
					var d *time.Time
					if err := conn.QueryRow(context.Background(), "echo", int64(c*100+i), "x", 1.0, time.Now(), pgtype.Numeric{Int: big.NewInt(1), Valid: true}).Scan(&got, &s, &f, &d, &n); err != nil {
						errc <- err
						return
					}
					if *got != int64(c*100+i) {
						errc <- fmt.Errorf("echo gave %d", *got)
						return
					}
				case 3:
					if _, err := conn.Exec(context.Background(), "fail"); err == nil {
						errc <- errors.New("fail succeeded")
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for ts.h.sessions.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := ts.h.sessions.Load(); n != 0 {
		t.Fatalf("%d sessions still open", n)
	}
	ts.srv.Close()
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}
