//go:build cgo

package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"

	"lakeframe/frame"
	"lakeframe/pgwire"
	"lakeframe/sql"
)

// PasswordEnv holds the password clients of lakeframe serve log in with.
const PasswordEnv = "LAKEFRAME_PASSWORD"

// runServe serves SQL over the PostgreSQL wire protocol until ctx ends.
func runServe(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var (
		listen    = fs.String("listen", "127.0.0.1:5433", "address to accept connections on")
		catalog   = fs.String("catalog", "", "Iceberg catalog URI (sqlite:///path/catalog.db or postgres://…) whose tables clients may name as namespace.table")
		warehouse = fs.String("warehouse", "", "warehouse location for a SQL catalog (e.g. file:///path)")
		user      = fs.String("user", "lakeframe", "the user clients log in as, with the password in "+PasswordEnv)
		trust     = fs.Bool("trust", false, "let every client in without a password (only on a trusted network)")
		certFile  = fs.String("tls-cert", "", "TLS certificate (PEM) to offer clients")
		keyFile   = fs.String("tls-key", "", "TLS private key (PEM) of the certificate")
		executors = fs.Int("executors", 0, "run queries on this many executor processes (0: in this process)")
	)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: lakeframe serve [-listen 127.0.0.1:5433] [-catalog URI] [-user name] [-tls-cert f -tls-key f] [[name=]file ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := pgwire.Config{Trust: *trust, Logf: log.New(os.Stderr, "", log.LstdFlags).Printf}
	if !*trust {
		password := os.Getenv(PasswordEnv)
		if password == "" {
			return fmt.Errorf("set %s to the password of user %q, or run with -trust", PasswordEnv, *user)
		}
		cfg.Password = func(u string) (string, bool) { return password, u == *user }
	}
	if *certFile != "" || *keyFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("TLS certificate %s and key %s: %w", *certFile, *keyFile, err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	var opts []frame.Option
	if *executors > 0 {
		opts = append(opts, frame.WithExecutors(*executors))
	}
	sess, err := newSession(ctx, fs.Args(), *catalog, *warehouse, opts...)
	if err != nil {
		return err
	}
	cfg.Handler = sql.NewWireHandler(sess, opts...)
	srv, err := pgwire.NewServer(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "lakeframe: serving on %s (user %s)\n", ln.Addr(), *user)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		srv.Close()
		<-done
		return nil
	case err := <-done:
		srv.Close()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		return err
	}
}
