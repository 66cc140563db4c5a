package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"lakeframe/errs"
)

// server is where a source connects: the parsed connection string, and
// host:port for messages. The password stays in cfg and never reaches a
// message: every error from the server or the driver passes through
// wrap, which also removes it should a driver message ever echo it.
type server struct {
	cfg  *pgconn.Config
	addr string
}

func parseDSN(dsn string) (*server, error) {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil {
		// The parse error may quote the connection string, password and
		// all; say what is wrong without it.
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%w: postgres: the connection string does not parse (not shown: it may hold a password)", errs.ErrPlan)
		}
		return nil, fmt.Errorf("%w: postgres: the connection string does not parse", errs.ErrPlan)
	}
	if cfg.ConnectTimeout == 0 {
		// Without connect_timeout a host that drops packets would hold
		// the frame's construction for the operating system's TCP timeout.
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "lakeframe"
	}
	return &server{cfg: cfg, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))}, nil
}

// connect opens one connection.
func (s *server) connect(ctx context.Context) (*pgconn.PgConn, error) {
	conn, err := pgconn.ConnectConfig(ctx, s.cfg.Copy())
	if err != nil {
		return nil, s.wrap(errs.ErrExec, "connect", err)
	}
	return conn, nil
}

// wrap makes err an error of the given kind that names the server and
// what was being done, and never the password. Server errors keep their
// message, detail and hint; *pgconn.PgError stays reachable with
// errors.As.
func (s *server) wrap(kind error, doing string, err error) error {
	msg := err.Error()
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		msg = pe.Severity + ": " + pe.Message + " (SQLSTATE " + pe.Code + ")"
		if pe.Detail != "" {
			msg += "; " + pe.Detail
		}
		if pe.Hint != "" {
			msg += "; hint: " + pe.Hint
		}
	}
	if pw := s.cfg.Password; pw != "" {
		msg = strings.ReplaceAll(msg, pw, "********")
	}
	return &serverError{kind: kind, msg: kind.Error() + ": postgres " + s.addr + ": " + doing + ": " + msg, cause: pe}
}

// serverError carries its kind (errs.ErrPlan, errs.ErrExec) and the
// server's error without the driver's own message, which might quote
// the connection string.
type serverError struct {
	kind  error
	msg   string
	cause *pgconn.PgError
}

func (e *serverError) Error() string { return e.msg }

func (e *serverError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// closeConn closes a connection without waiting long for the server.
func closeConn(conn *pgconn.PgConn) {
	ctx, cancel := context.WithTimeout(context.Background(), closeTimeout)
	defer cancel()
	_ = conn.Close(ctx)
}
