package pgwire

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
)

// Config configures a Server.
type Config struct {
	// Handler gives each connection its session. Required.
	Handler Handler
	// Password returns user's password, ok false for an unknown user.
	// Clients prove they know it with SCRAM-SHA-256; it never crosses the
	// wire, and no log line carries it.
	Password func(user string) (password string, ok bool)
	// Trust lets every client in without a password. Only when asked for.
	Trust bool
	// TLS, when set, is offered to clients that ask for it (sslmode=require
	// and the like); RequireTLS refuses clients that do not.
	TLS        *tls.Config
	RequireTLS bool
	// MaxConnections bounds the connections served at once; 0 means 100.
	MaxConnections int
	// ServerVersion is reported to clients; "" means "15.0", the PostgreSQL
	// release whose behaviour the server follows.
	ServerVersion string
	// Logf, when set, receives one line per connection event and failed
	// login; never statement parameters or passwords.
	Logf func(format string, args ...any)
}

// Server accepts PostgreSQL connections and serves them, each on its own
// goroutine.
type Server struct {
	cfg     Config
	secrets sync.Map // user+"\x00"+password → *scramSecret

	mu       sync.Mutex
	conns    map[uint32]*conn
	nextPID  uint32
	closed   bool
	wg       sync.WaitGroup
	listener []net.Listener
}

// NewServer checks the configuration.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Handler == nil {
		return nil, fmt.Errorf("pgwire: no handler")
	}
	if cfg.Password == nil && !cfg.Trust {
		return nil, fmt.Errorf("pgwire: no password source, and trust mode was not asked for")
	}
	if cfg.RequireTLS && cfg.TLS == nil {
		return nil, fmt.Errorf("pgwire: TLS required but no TLS configuration given")
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = 100
	}
	if cfg.ServerVersion == "" {
		cfg.ServerVersion = "15.0"
	}
	return &Server{cfg: cfg, conns: map[uint32]*conn{}, nextPID: 1000}, nil
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Serve accepts connections on ln until Close; it returns nil after Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("pgwire: server closed")
	}
	s.listener = append(s.listener, ln)
	s.mu.Unlock()
	for {
		nc, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed {
				return nil
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.serveConn(nc)
		}()
	}
}

// Close stops accepting, cancels running queries, closes every connection
// and waits for their goroutines to end.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	for _, ln := range s.listener {
		ln.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for _, c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.shutdown()
	}
	s.wg.Wait()
	return nil
}

// register gives c a process ID and a secret key for cancel requests.
func (s *Server) register(c *conn) error {
	if _, err := rand.Read(c.secret[:]); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return fmt.Errorf("server is shutting down")
	}
	if len(s.conns) >= s.cfg.MaxConnections {
		return fmt.Errorf("too many connections (at most %d)", s.cfg.MaxConnections)
	}
	s.nextPID++
	c.pid = s.nextPID
	s.conns[c.pid] = c
	return nil
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conns[c.pid] == c {
		delete(s.conns, c.pid)
	}
}

// cancel cancels the running query of the connection with that process ID
// when the secret matches, as PostgreSQL does: silently either way.
func (s *Server) cancel(pid uint32, secret []byte) {
	s.mu.Lock()
	c := s.conns[pid]
	s.mu.Unlock()
	if c == nil || len(secret) != len(c.secret) || binary.BigEndian.Uint32(secret) != binary.BigEndian.Uint32(c.secret[:]) {
		return
	}
	c.cancelQuery()
}

// secretFor returns the SCRAM secret of user's current password.
func (s *Server) secretFor(user, password string) (*scramSecret, error) {
	key := user + "\x00" + password
	if v, ok := s.secrets.Load(key); ok {
		return v.(*scramSecret), nil
	}
	sec, err := newScramSecret(password)
	if err != nil {
		return nil, err
	}
	v, _ := s.secrets.LoadOrStore(key, sec)
	return v.(*scramSecret), nil
}

// ConnCount is the number of connections being served.
func (s *Server) ConnCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}
