package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/keepalive"

	"lakeframe/errs"
)

// ServeTCP serves as an executor for coordinators on other hosts, on addr
// (host:port), with mutual TLS, until ctx ends. A program that calls it
// has its own sources and functions; cmd/lakeframe-executor is a program
// that does nothing else.
func ServeTCP(ctx context.Context, addr string, t TLS) error {
	if _, err := t.serverConfig(); err != nil {
		return err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%w: executor listen on %s: %w", errs.ErrExec, addr, err)
	}
	return ServeListener(ctx, lis, t)
}

// ServeListener is ServeTCP on a listener the caller opened; it closes it.
// Refused connections (no client certificate, or one the CA did not sign)
// are logged with the standard logger, and serving goes on.
func ServeListener(ctx context.Context, lis net.Listener, t TLS) error {
	cfg, err := t.serverConfig()
	if err != nil {
		lis.Close()
		return err
	}
	s := grpc.NewServer(append(serverOptions(),
		grpc.Creds(&loggedCreds{TransportCredentials: credentials.NewTLS(cfg)}))...)
	s.RegisterService(&serviceDesc, newServer())
	hs := health.NewServer()
	hs.SetServingStatus(plugin.GRPCServiceName, healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(s, hs)
	log.Printf("lakeframe executor listening on %s", lis.Addr())
	stop := context.AfterFunc(ctx, s.Stop)
	defer stop()
	if err := s.Serve(lis); err != nil && ctx.Err() == nil {
		return fmt.Errorf("%w: executor on %s: %w", errs.ErrExec, lis.Addr(), err)
	}
	return nil
}

// serverOptions let coordinators ping as often as their keepalive says,
// and drop coordinators that stop answering, which cancels their
// fragments.
func serverOptions() []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: time.Second, PermitWithoutStream: true}),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 15 * time.Second, Timeout: 10 * time.Second}),
	}
}

// loggedCreds logs the handshakes the executor refuses; gRPC itself only
// drops the connection.
type loggedCreds struct {
	credentials.TransportCredentials
}

func (c *loggedCreds) ServerHandshake(conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	out, info, err := c.TransportCredentials.ServerHandshake(conn)
	// A connection closed before its handshake (a port probe) is no
	// refusal.
	if err != nil && !errors.Is(err, io.EOF) {
		log.Printf("lakeframe executor: refused coordinator %s: %v", conn.RemoteAddr(), err)
	}
	return out, info, err
}

func (c *loggedCreds) Clone() credentials.TransportCredentials {
	return &loggedCreds{TransportCredentials: c.TransportCredentials.Clone()}
}

// Environment of a program started as an executor for other hosts:
// ServeIfExecutor serves on ListenEnv's address with the TLS files named
// by the other three. ExitWithParentEnv, set to 1, makes the executor exit
// when the process that started it does.
const (
	ListenEnv         = "LAKEFRAME_EXECUTOR_LISTEN"
	CAEnv             = "LAKEFRAME_EXECUTOR_CA"
	CertEnv           = "LAKEFRAME_EXECUTOR_CERT"
	KeyEnv            = "LAKEFRAME_EXECUTOR_KEY"
	ExitWithParentEnv = "LAKEFRAME_EXECUTOR_EXIT_WITH_PARENT"
)

// serveTCPFromEnv serves on ListenEnv's address until SIGINT or SIGTERM
// and exits.
func serveTCPFromEnv(addr string) {
	t, err := LoadTLS(os.Getenv(CAEnv), os.Getenv(CertEnv), os.Getenv(KeyEnv))
	if err != nil {
		log.Fatalf("lakeframe executor: %v", err)
	}
	if os.Getenv(ExitWithParentEnv) == "1" {
		go exitWithParent(os.Getppid())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := ServeTCP(ctx, addr, t); err != nil {
		log.Fatalf("lakeframe executor: %v", err)
	}
	os.Exit(0)
}
