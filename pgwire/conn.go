package pgwire

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"
)

// conn is one client connection.
type conn struct {
	srv     *Server
	nc      net.Conn
	be      *pgproto3.Backend
	pid     uint32
	secret  [4]byte
	user    string
	session Session
	types   *pgtype.Map

	stmts   map[string]*prepared
	portals map[string]*portal
	// failed is set after an error in the extended protocol: messages are
	// skipped until Sync.
	failed bool

	mu       sync.Mutex
	cancelFn context.CancelFunc // of the running statement
	ctx      context.Context    // the connection's, cancelled on shutdown
	stop     context.CancelFunc
}

func (s *Server) serveConn(nc net.Conn) {
	ctx, stop := context.WithCancel(context.Background())
	c := &conn{srv: s, nc: nc, be: pgproto3.NewBackend(nc, nc), types: pgtype.NewMap(),
		stmts: map[string]*prepared{}, portals: map[string]*portal{}, ctx: ctx, stop: stop}
	defer func() {
		stop()
		c.closePortals()
		if c.session != nil {
			c.session.Close()
		}
		s.unregister(c)
		nc.Close()
	}()
	ok, err := c.startup()
	if err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			s.logf("pgwire: %s: startup: %v", nc.RemoteAddr(), err)
		}
		return
	}
	if !ok {
		return
	}
	if err := c.loop(); err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
		s.logf("pgwire: %s: connection of %s: %v", nc.RemoteAddr(), c.user, err)
	}
}

// shutdown cancels the running statement and closes the socket, which ends
// the connection's loop.
func (c *conn) shutdown() {
	c.cancelQuery()
	c.stop()
	c.nc.Close()
}

func (c *conn) cancelQuery() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancelFn != nil {
		c.cancelFn()
	}
}

// watch makes cancel what a cancel request calls, until the returned
// function is called.
func (c *conn) watch(cancel context.CancelFunc) func() {
	c.mu.Lock()
	c.cancelFn = cancel
	c.mu.Unlock()
	return func() {
		c.mu.Lock()
		c.cancelFn = nil
		c.mu.Unlock()
	}
}

// queryContext is the context one statement runs under; a cancel request
// cancels it.
func (c *conn) queryContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.cancelFn = cancel
	c.mu.Unlock()
	return ctx, func() {
		c.mu.Lock()
		c.cancelFn = nil
		c.mu.Unlock()
		cancel()
	}
}

// fatal sends a FATAL error, which ends the connection.
func (c *conn) fatal(code, msg string) error {
	c.be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", SeverityUnlocalized: "FATAL", Code: code, Message: msg})
	return c.be.Flush()
}

// startup negotiates TLS, reads the startup message, authenticates and
// opens the session. ok is false when the connection should close without
// error (a cancel request, a refused login).
func (c *conn) startup() (ok bool, err error) {
	tlsDone := false
	for {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			return false, err
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest:
			if tlsDone || c.srv.cfg.TLS == nil {
				if _, err := c.nc.Write([]byte{'N'}); err != nil {
					return false, err
				}
				continue
			}
			if _, err := c.nc.Write([]byte{'S'}); err != nil {
				return false, err
			}
			tc := tls.Server(c.nc, c.srv.cfg.TLS)
			if err := tc.HandshakeContext(c.ctx); err != nil {
				return false, fmt.Errorf("TLS handshake: %w", err)
			}
			c.nc, tlsDone = tc, true
			c.be = pgproto3.NewBackend(tc, tc)
		case *pgproto3.GSSEncRequest:
			if _, err := c.nc.Write([]byte{'N'}); err != nil {
				return false, err
			}
		case *pgproto3.CancelRequest:
			c.srv.cancel(m.ProcessID, m.SecretKey)
			return false, nil
		case *pgproto3.StartupMessage:
			if c.srv.cfg.RequireTLS && !tlsDone {
				return false, c.fatal(codeInvalidAuthSpec, "this server accepts only TLS connections")
			}
			if m.ProtocolVersion != pgproto3.ProtocolVersion30 {
				c.be.Send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0})
			}
			return c.login(m)
		default:
			return false, c.fatal(codeProtocolViolation, fmt.Sprintf("unexpected startup message %T", msg))
		}
	}
}

func (c *conn) login(m *pgproto3.StartupMessage) (bool, error) {
	c.user = m.Parameters["user"]
	if c.user == "" {
		return false, c.fatal(codeInvalidAuthSpec, "no user name given")
	}
	database := m.Parameters["database"]
	if database == "" {
		database = c.user
	}
	if !c.srv.cfg.Trust {
		if ok, err := c.authenticate(); !ok || err != nil {
			return false, err
		}
	}
	if err := c.srv.register(c); err != nil {
		return false, c.fatal(codeTooManyConnections, err.Error())
	}
	session, err := c.srv.cfg.Handler.NewSession(c.ctx, c.user, database, m.Parameters)
	if err != nil {
		resp := errorResponse(err)
		resp.Severity, resp.SeverityUnlocalized = "FATAL", "FATAL"
		c.be.Send(resp)
		return false, c.be.Flush()
	}
	c.session = session
	c.be.Send(&pgproto3.AuthenticationOk{})
	for _, p := range [][2]string{
		{"server_version", c.srv.cfg.ServerVersion},
		{"server_encoding", "UTF8"},
		{"client_encoding", "UTF8"},
		{"DateStyle", "ISO, MDY"},
		{"IntervalStyle", "postgres"},
		{"TimeZone", "UTC"},
		{"integer_datetimes", "on"},
		{"standard_conforming_strings", "on"},
		{"is_superuser", "off"},
		{"session_authorization", c.user},
		{"application_name", m.Parameters["application_name"]},
	} {
		c.be.Send(&pgproto3.ParameterStatus{Name: p[0], Value: p[1]})
	}
	c.be.Send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.session.TxStatus()})
	return true, c.be.Flush()
}

// authenticate runs SCRAM-SHA-256. An unknown user goes through the same
// exchange with a made-up secret, so that a client cannot tell unknown
// users from wrong passwords.
func (c *conn) authenticate() (bool, error) {
	password, known := c.srv.cfg.Password(c.user)
	var secret *scramSecret
	var err error
	if known {
		secret, err = c.srv.secretFor(c.user, password)
	} else {
		secret, err = newScramSecret(string(c.secret[:]) + c.user)
	}
	if err != nil {
		return false, err
	}
	x := &scramExchange{secret: secret}
	c.be.Send(&pgproto3.AuthenticationSASL{AuthMechanisms: []string{"SCRAM-SHA-256"}})
	if err := c.be.Flush(); err != nil {
		return false, err
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASL); err != nil {
		return false, err
	}
	msg, err := c.be.Receive()
	if err != nil {
		return false, err
	}
	initial, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok || initial.AuthMechanism != "SCRAM-SHA-256" {
		return false, c.fatal(codeProtocolViolation, "expected a SCRAM-SHA-256 initial response")
	}
	serverFirst, err := x.first(string(initial.Data))
	if err != nil {
		return false, c.fatal(codeProtocolViolation, err.Error())
	}
	c.be.Send(&pgproto3.AuthenticationSASLContinue{Data: []byte(serverFirst)})
	if err := c.be.Flush(); err != nil {
		return false, err
	}
	if err := c.be.SetAuthType(pgproto3.AuthTypeSASLContinue); err != nil {
		return false, err
	}
	if msg, err = c.be.Receive(); err != nil {
		return false, err
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return false, c.fatal(codeProtocolViolation, "expected a SCRAM response")
	}
	serverFinal, err := x.final(string(resp.Data))
	if err != nil || !known {
		c.srv.logf("pgwire: %s: password authentication failed for user %q", c.nc.RemoteAddr(), c.user)
		return false, c.fatal(codeInvalidPassword, fmt.Sprintf("password authentication failed for user %q", c.user))
	}
	c.be.Send(&pgproto3.AuthenticationSASLFinal{Data: []byte(serverFinal)})
	return true, nil
}
