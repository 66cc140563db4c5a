package remote

import (
	"bytes"
	"context"
	"errors"
	"log"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"lakeframe/errs"
)

// syncBuffer collects the executor's log lines.
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

// serveTLS runs an executor on 127.0.0.1 in this process until the test
// ends and returns its address.
func serveTLS(t *testing.T, id TLS) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeListener(ctx, lis, id) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("executor: %v", err)
		}
	})
	return lis.Addr().String()
}

func TestAttachMutualTLS(t *testing.T) {
	var logs syncBuffer
	log.SetOutput(&logs)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })

	executorID, coordinatorID, err := ThrowawayTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	// Certificates from another CA, trusted by nobody here.
	otherExecutor, otherCoordinator, err := ThrowawayTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, executorID)
	ctx := context.Background()
	opts := Options{DialTimeout: time.Second, HealthInterval: time.Hour}

	noCert, err := coordinatorID.clientConfig()
	if err != nil {
		t.Fatal(err)
	}
	noCert.Certificates = nil

	refused := []struct {
		name  string
		cause string // part of the TLS error the coordinator must report
		pool  func() (*Pool, error)
	}{
		{"client certificate from another CA", "tls: unknown certificate authority", func() (*Pool, error) {
			return Attach(ctx, []string{addr}, Options{TLS: TLS{CA: coordinatorID.CA, Cert: otherCoordinator.Cert, Key: otherCoordinator.Key}, DialTimeout: time.Second})
		}},
		{"no client certificate", "tls: certificate required", func() (*Pool, error) {
			return attach(ctx, []string{addr}, opts, noCert)
		}},
		{"executor certificate from another CA", "x509: certificate signed by unknown authority", func() (*Pool, error) {
			return Attach(ctx, []string{addr}, Options{TLS: TLS{CA: otherExecutor.CA, Cert: coordinatorID.Cert, Key: coordinatorID.Key}, DialTimeout: time.Second})
		}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.pool()
			if err == nil {
				p.Close()
				t.Fatal("attached without the right certificate")
			}
			if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), addr) || !strings.Contains(err.Error(), tc.cause) {
				t.Fatalf("error %q: want ErrExec naming %s and the TLS cause %q", err, addr, tc.cause)
			}
			t.Log(err)
		})
	}
	// The executor logs once its side of the handshake has returned,
	// which may be after the coordinator saw the alert.
	for deadline := time.Now().Add(5 * time.Second); strings.Count(logs.String(), "refused coordinator") < 2; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the executor did not log the two refused coordinators:\n%s", logs.String())
		}
	}

	// The executor still serves a coordinator with the right certificate.
	opts.TLS = coordinatorID
	p, err := Attach(ctx, []string{addr}, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got := p.Addrs(); len(got) != 1 || got[0] != addr {
		t.Fatalf("live executors %v, want [%s]", got, addr)
	}
	e, err := p.pick(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ping(e); err != nil {
		t.Fatal(err)
	}
}

func TestAttachNeedsTLS(t *testing.T) {
	_, err := Attach(context.Background(), []string{"127.0.0.1:1"}, Options{})
	if !errors.Is(err, errs.ErrPlan) {
		t.Fatalf("attach without TLS: %v, want ErrPlan", err)
	}
	if err := ServeTCP(context.Background(), "127.0.0.1:0", TLS{}); !errors.Is(err, errs.ErrPlan) {
		t.Fatalf("serve without TLS: %v, want ErrPlan", err)
	}
}
