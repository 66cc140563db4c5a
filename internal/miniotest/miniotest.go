// Package miniotest starts throwaway MinIO servers for tests: `minio
// server` on 127.0.0.1 and a free port, a fresh data directory and fixed
// root credentials, stopped and removed when the test ends.
//
// Tests skip only when the minio binary is absent; any other failure to
// start is a test failure. The binary comes from
// `go install github.com/minio/minio@...`, which .ci/run does.
package miniotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/build"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// ErrNoBinary is returned by Launch when the minio binary cannot be found.
var ErrNoBinary = errors.New("minio binary not found")

// BinEnv names an environment variable that, when set, is the path of the
// minio binary. Otherwise PATH is searched, then GOPATH's bin directories.
const BinEnv = "LAKEFRAME_MINIO_BIN"

// Root credentials of every test server.
const (
	AccessKey = "lakeframe"
	SecretKey = "lakeframe-test-secret"
	Region    = "us-east-1"
)

// startTimeout bounds the wait for a server to answer its health check.
const startTimeout = 60 * time.Second

// Server is a running MinIO server.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:port.
	Endpoint  string
	AccessKey string
	SecretKey string
	Region    string

	dir      string // data directory and log
	cmd      *exec.Cmd
	exited   chan struct{} // closed once cmd has been waited for
	stopOnce sync.Once
	stopErr  error
}

// Start launches a server for t, stopped and removed in t.Cleanup. The test
// is skipped when the minio binary is absent.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Launch()
	if errors.Is(err, ErrNoBinary) {
		t.Skipf("miniotest: %v (go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c, or set %s)", err, BinEnv)
	}
	if err != nil {
		t.Fatalf("miniotest: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Errorf("miniotest: %v", err)
		}
	})
	return s
}

// Launch starts a server that the caller stops, for a TestMain that shares
// one server among a package's tests. It returns ErrNoBinary (wrapped) when
// the minio binary is absent.
func Launch() (*Server, error) {
	bin, err := findBinary()
	if err != nil {
		return nil, err
	}
	// A free port can be taken by another process before minio binds it:
	// try a few ports before giving up.
	var lastErr error
	for range 3 {
		s, err := launch(bin)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func launch(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "lakeframe-minio-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	consolePort, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s := &Server{
		Endpoint:  "http://" + addr,
		AccessKey: AccessKey,
		SecretKey: SecretKey,
		Region:    Region,
		dir:       dir,
		exited:    make(chan struct{}),
	}
	log, err := os.Create(filepath.Join(dir, "minio.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer log.Close()
	s.cmd = exec.Command(bin, "server", "--quiet", "--address", addr,
		"--console-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(consolePort)),
		filepath.Join(dir, "data"))
	s.cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+AccessKey,
		"MINIO_ROOT_PASSWORD="+SecretKey,
		"MINIO_REGION="+Region,
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off",
		"MINIO_CI_CD=1",
	)
	s.cmd.Stdout, s.cmd.Stderr = log, log
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start minio: %w", err)
	}
	go func() {
		s.cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitLive(); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitLive polls the liveness endpoint until it answers 200, the process
// exits or startTimeout passes.
func (s *Server) waitLive() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		resp, err := client.Get(s.Endpoint + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.exited:
			return fmt.Errorf("minio at %s exited during startup: %s\n%s", s.Endpoint, s.cmd.ProcessState, s.logTail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("minio at %s not live after %s\n%s", s.Endpoint, startTimeout, s.logTail())
		}
	}
}

// logTail is the end of the server's log, for startup errors.
func (s *Server) logTail() []byte {
	b, _ := os.ReadFile(filepath.Join(s.dir, "minio.log"))
	if len(b) > 4096 {
		b = b[len(b)-4096:]
	}
	return bytes.TrimSpace(b)
}

// Stop terminates the server and removes its directory. It is safe to call
// more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
		if err := os.RemoveAll(s.dir); err != nil {
			s.stopErr = fmt.Errorf("remove minio directory: %w", err)
		}
	})
	return s.stopErr
}

// Client is an S3 client for the server: path-style addressing, the root
// credentials and Region.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		BaseEndpoint: aws.String(s.Endpoint),
		Region:       s.Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// CreateBucket creates the bucket name.
func (s *Server) CreateBucket(ctx context.Context, name string) error {
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		return fmt.Errorf("create bucket %s at %s: %w", name, s.Endpoint, err)
	}
	return nil
}

// NewBucket creates a bucket with a name unique in this process and
// returns the name. Tests sharing one server use it to stay apart.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("test-%d-%d", os.Getpid(), bucketCounter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.CreateBucket(ctx, name); err != nil {
		t.Fatalf("miniotest: %v", err)
	}
	return name
}

var bucketCounter atomic.Int64

// IcebergProps are the iceberg-go FileIO properties that reach the server.
func (s *Server) IcebergProps() map[string]string {
	return map[string]string{
		"s3.endpoint":          s.Endpoint,
		"s3.region":            s.Region,
		"s3.access-key-id":     s.AccessKey,
		"s3.secret-access-key": s.SecretKey,
	}
}

// findBinary locates minio: BinEnv, then PATH, then each GOPATH's bin.
func findBinary() (string, error) {
	if p := os.Getenv(BinEnv); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("%w: %s=%s is not an executable file", ErrNoBinary, BinEnv, p)
	}
	if p, err := exec.LookPath("minio"); err == nil {
		return p, nil
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		if p := filepath.Join(gp, "bin", "minio"); isExecutable(p) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w in PATH or GOPATH/bin", ErrNoBinary)
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// freePort asks the kernel for a loopback port no one is listening on.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
