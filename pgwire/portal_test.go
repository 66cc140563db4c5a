package pgwire_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"lakeframe/pgwire"
)

// TestPortalRowLimits drives the extended protocol by hand, as JDBC's
// fetch size does: Execute with a row limit returns that many rows and
// PortalSuspended, and the next Execute resumes where it stopped.
func TestPortalRowLimits(t *testing.T) {
	ts := startServer(t, nil)
	conn := connect(t, ts.dsn("lake", testPassword))
	pc := conn.PgConn()
	fe := pc.Frontend()
	ctx := context.Background()
	fe.Send(&pgproto3.Parse{Name: "s1", Query: "nums 2500"})
	fe.Send(&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "s1", ResultFormatCodes: []int16{1}})
	fe.Send(&pgproto3.Describe{ObjectType: 'P', Name: "p1"})
	fe.Send(&pgproto3.Execute{Portal: "p1", MaxRows: 700})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	rows, end := readUntilReady(t, ctx, pc)
	if rows != 700 || end != "suspended" {
		t.Fatalf("first execute: %d rows, ended %s", rows, end)
	}
	total := rows
	for range 5 {
		fe.Send(&pgproto3.Execute{Portal: "p1", MaxRows: 700})
		fe.Send(&pgproto3.Sync{})
		if err := fe.Flush(); err != nil {
			t.Fatal(err)
		}
		rows, end = readUntilReady(t, ctx, pc)
		total += rows
		if end == "SELECT 2500" {
			break
		}
	}
	if total != 2500 || end != "SELECT 2500" {
		t.Fatalf("%d rows in all, ended %s", total, end)
	}
	// An unknown portal is an error, after which the connection still works.
	fe.Send(&pgproto3.Execute{Portal: "nope"})
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, end = readUntilReady(t, ctx, pc); end != "error 34000" {
		t.Fatalf("unknown portal ended %s", end)
	}
}

// readUntilReady reads to ReadyForQuery, counting DataRows and saying how
// the last Execute ended.
func readUntilReady(t *testing.T, ctx context.Context, pc *pgconn.PgConn) (rows int, end string) {
	t.Helper()
	for {
		msg, err := pc.ReceiveMessage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			rows++
		case *pgproto3.PortalSuspended:
			end = "suspended"
		case *pgproto3.CommandComplete:
			end = string(m.CommandTag)
		case *pgproto3.ErrorResponse:
			end = "error " + m.Code
		case *pgproto3.ReadyForQuery:
			return rows, end
		}
	}
}

// selfSigned makes a TLS certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestTLS: with TLS configured, sslmode=require connects over TLS; with
// RequireTLS, a client without TLS is refused.
func TestTLS(t *testing.T) {
	cert := selfSigned(t)
	ts := startServer(t, func(c *pgwire.Config) {
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		c.RequireTLS = true
	})
	dsn := strings.Replace(ts.dsn("lake", testPassword), "sslmode=disable", "sslmode=require", 1)
	conn := connect(t, dsn)
	var n int64
	var s *string
	if err := conn.QueryRow(context.Background(), "nums 1").Scan(&n, &s); err != nil {
		t.Fatal(err)
	}
	if _, ok := conn.PgConn().Conn().(*tls.Conn); !ok {
		t.Fatalf("the connection is %T, not TLS", conn.PgConn().Conn())
	}
	_, err := pgx.Connect(context.Background(), ts.dsn("lake", testPassword))
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "28000" {
		t.Fatalf("a plain connection to a TLS-only server: %v", err)
	}
}

// TestPsql runs the psql of the PostgreSQL installation against the
// server: startup, SCRAM, a simple query and its table.
func TestPsql(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql is not installed")
	}
	ts := startServer(t, nil)
	host, port, _ := net.SplitHostPort(ts.addr)
	cmd := exec.Command(psql, "-h", host, "-p", port, "-U", "lake", "-d", "lake", "-X", "-A", "-F", ",", "-c", "nums 3")
	cmd.Env = append(os.Environ(), "PGPASSWORD="+testPassword, "PGSSLMODE=disable")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	if want := "i,s\n0,v0\n1,v1\n2,v2\n(3 rows)\n"; string(out) != want {
		t.Fatalf("psql printed\n%s\nwant\n%s", out, want)
	}
}
