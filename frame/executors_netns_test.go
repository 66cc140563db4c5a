package frame_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"go/build"
	"math/big"
	"net/http"
	"os"
	osexec "os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lakeframe/exec/remote"
	"lakeframe/exec/source/files"
	pqsource "lakeframe/exec/source/parquet"
	"lakeframe/frame"
	"lakeframe/internal/miniotest"
)

// netLab is a private network of namespaces joined by a bridge: each
// "host" is a namespace with one veth, eth0, on 10.213.<net>.0/24, and
// this process reaches them through a veth of its own on .1.
type netLab struct {
	t      *testing.T
	id     string // unique per run, in every name
	subnet string // 10.213.<net>
	bridge string // namespace holding the bridge
}

func ip(args ...string) error {
	out, err := osexec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return nil
}

func randInt(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(err)
	}
	return v.Int64()
}

// newNetLab creates the bridge namespace and this process's link to it,
// or skips the test when namespaces cannot be made.
func newNetLab(t *testing.T) *netLab {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("network namespaces need Linux")
	}
	if _, err := osexec.LookPath("ip"); err != nil {
		t.Skip("SKIPPED multi-host test: no ip command (iproute2)")
	}
	l := &netLab{
		t:      t,
		id:     fmt.Sprintf("%06x", randInt(1<<24)),
		subnet: fmt.Sprintf("10.213.%d", 1+randInt(254)),
	}
	l.bridge = l.ns("br")
	if err := ip("netns", "add", l.bridge); err != nil {
		t.Skipf("SKIPPED multi-host test: cannot create a network namespace (needs root on Linux): %v", err)
	}
	// Registered first, so it runs last: nothing of this run may remain.
	t.Cleanup(l.checkGone)
	t.Cleanup(func() { l.delNS(l.bridge) })
	host, peer := "lf"+l.id+"h", "lf"+l.id+"hb"
	l.must(ip("-n", l.bridge, "link", "add", "br0", "type", "bridge"))
	l.must(ip("-n", l.bridge, "link", "set", "br0", "up"))
	l.must(ip("link", "add", host, "type", "veth", "peer", "name", peer))
	t.Cleanup(func() {
		// Deleting one end deletes the pair; it may be gone with the
		// bridge namespace already.
		_ = ip("link", "del", host)
	})
	l.must(ip("link", "set", peer, "netns", l.bridge))
	l.must(ip("-n", l.bridge, "link", "set", peer, "master", "br0"))
	l.must(ip("-n", l.bridge, "link", "set", peer, "up"))
	l.must(ip("addr", "add", l.subnet+".1/24", "dev", host))
	l.must(ip("link", "set", host, "up"))
	return l
}

// checkGone fails the test if a namespace or link of this run remains.
func (l *netLab) checkGone() {
	for _, args := range [][]string{{"netns", "list"}, {"-o", "link", "show"}} {
		out, err := osexec.Command("ip", args...).CombinedOutput()
		if err != nil {
			l.t.Errorf("ip %s: %v", strings.Join(args, " "), err)
			continue
		}
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, "lf-"+l.id) || strings.Contains(line, "lf"+l.id) {
				l.t.Errorf("left behind after the test: %s", line)
			}
		}
	}
}

func (l *netLab) ns(name string) string { return "lf-" + l.id + "-" + name }

func (l *netLab) must(err error) {
	l.t.Helper()
	if err != nil {
		l.t.Fatal(err)
	}
}

func (l *netLab) delNS(name string) {
	if err := ip("netns", "del", name); err != nil {
		l.t.Errorf("remove namespace: %v", err)
	}
}

// host creates namespace name with address subnet.octet on its eth0,
// linked to the bridge, and returns the address.
func (l *netLab) host(name string, octet int) string {
	l.t.Helper()
	ns := l.ns(name)
	l.must(ip("netns", "add", ns))
	l.t.Cleanup(func() { l.delNS(ns) })
	a, b := "lf"+l.id+name, "lf"+l.id+name+"b"
	l.must(ip("link", "add", a, "type", "veth", "peer", "name", b))
	l.must(ip("link", "set", a, "netns", ns))
	l.must(ip("link", "set", b, "netns", l.bridge))
	l.must(ip("-n", l.bridge, "link", "set", b, "master", "br0"))
	l.must(ip("-n", l.bridge, "link", "set", b, "up"))
	l.must(ip("-n", ns, "link", "set", a, "name", "eth0"))
	addr := fmt.Sprintf("%s.%d", l.subnet, octet)
	l.must(ip("-n", ns, "addr", "add", addr+"/24", "dev", "eth0"))
	l.must(ip("-n", ns, "link", "set", "eth0", "up"))
	l.must(ip("-n", ns, "link", "set", "lo", "up"))
	return addr
}

// start runs a program inside namespace name, killed when the test ends.
func (l *netLab) start(name string, env []string, logs *bytes.Buffer, mu *sync.Mutex, prog string, args ...string) *osexec.Cmd {
	l.t.Helper()
	cmd := osexec.Command("ip", append([]string{"netns", "exec", l.ns(name), prog}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	w := &lockedWriter{mu: mu, w: logs, prefix: name + ": "}
	cmd.Stdout, cmd.Stderr = w, w
	l.must(cmd.Start())
	l.t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd
}

type lockedWriter struct {
	mu     *sync.Mutex
	w      *bytes.Buffer
	prefix string
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line != "" {
			w.w.WriteString(w.prefix + line)
		}
	}
	return len(p), nil
}

func minioBinary() string {
	if p := os.Getenv(miniotest.BinEnv); p != "" {
		return p
	}
	if p, err := osexec.LookPath("minio"); err == nil {
		return p
	}
	for _, gp := range filepath.SplitList(build.Default.GOPATH) {
		if p := filepath.Join(gp, "bin", "minio"); fileExists(p) {
			return p
		}
	}
	return ""
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestExecutorsOnOtherHosts runs a query on three executors, each in its
// own network namespace, attached over TCP with mutual TLS, reading
// Parquet files from MinIO in a fourth namespace. Mid-query the link of
// one executor goes down; the query completes on the other two with the
// local pool's answer. Needs root on Linux; skips otherwise.
func TestExecutorsOnOtherHosts(t *testing.T) {
	minio := minioBinary()
	if minio == "" {
		t.Skipf("SKIPPED multi-host test: minio binary not found (go install github.com/minio/minio@..., or set %s)", miniotest.BinEnv)
	}
	lab := newNetLab(t)
	var logs bytes.Buffer
	var logMu sync.Mutex
	t.Cleanup(func() {
		logMu.Lock()
		defer logMu.Unlock()
		if t.Failed() {
			t.Logf("logs of the namespaces' processes:\n%s", logs.String())
		}
	})

	// MinIO on its own host.
	s3Addr := lab.host("s3", 2)
	endpoint := "http://" + s3Addr + ":9000"
	lab.start("s3", []string{
		"MINIO_ROOT_USER=" + miniotest.AccessKey,
		"MINIO_ROOT_PASSWORD=" + miniotest.SecretKey,
		"MINIO_REGION=" + miniotest.Region,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=1",
	}, &logs, &logMu, minio, "server", "--quiet", "--address", s3Addr+":9000",
		"--console-address", s3Addr+":9001", filepath.Join(t.TempDir(), "data"))
	waitHTTP(t, endpoint+"/minio/health/live")

	// Parquet files, uploaded to a bucket; the local copy gives the
	// expected answer.
	dir := writeGroupData(t, 8, 20000)
	store := &miniotest.Server{Endpoint: endpoint, AccessKey: miniotest.AccessKey, SecretKey: miniotest.SecretKey, Region: miniotest.Region}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := store.CreateBucket(ctx, "lake"); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		body, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := store.Client().PutObject(ctx, &s3.PutObjectInput{
			Bucket: aws.String("lake"), Key: aws.String("groups/" + e.Name()), Body: bytes.NewReader(body),
		}); err != nil {
			t.Fatal(err)
		}
	}

	// Three executors: this test binary started again with the listen
	// address and TLS files in its environment (TestMain calls
	// remote.ServeIfExecutor).
	addrs := []string{lab.subnet + ".11:7070", lab.subnet + ".12:7070", lab.subnet + ".13:7070"}
	executorID, coordinatorID, err := remote.ThrowawayTLS(lab.subnet+".11", lab.subnet+".12", lab.subnet+".13")
	if err != nil {
		t.Fatal(err)
	}
	tlsDir := t.TempDir()
	for name, b := range map[string][]byte{"ca.pem": executorID.CA, "cert.pem": executorID.Cert, "key.pem": executorID.Key} {
		if err := os.WriteFile(filepath.Join(tlsDir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for i, addr := range addrs {
		name := fmt.Sprintf("e%d", i+1)
		lab.host(name, 11+i)
		lab.start(name, []string{
			remote.ListenEnv + "=" + addr,
			remote.CAEnv + "=" + filepath.Join(tlsDir, "ca.pem"),
			remote.CertEnv + "=" + filepath.Join(tlsDir, "cert.pem"),
			remote.KeyEnv + "=" + filepath.Join(tlsDir, "key.pem"),
			remote.ExitWithParentEnv + "=1",
			"AWS_ENDPOINT_URL_S3=" + endpoint,
			"AWS_REGION=" + miniotest.Region,
			"AWS_ACCESS_KEY_ID=" + miniotest.AccessKey,
			"AWS_SECRET_ACCESS_KEY=" + miniotest.SecretKey,
		}, &logs, &logMu, self, "-test.run=^$")
	}

	pool, err := remote.Attach(ctx, addrs, remote.Options{
		TLS: coordinatorID, PerExecutor: 1, DialTimeout: 30 * time.Second,
		HealthInterval: 500 * time.Millisecond, HealthTimeout: time.Second,
		Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	cfg := files.S3Config{Endpoint: endpoint, Region: miniotest.Region, AccessKeyID: miniotest.AccessKey, SecretAccessKey: miniotest.SecretKey}
	df := killQueryOn(frame.ReadParquetWith(pqsource.Options{TaskBytes: 64 << 10, S3: &cfg}, "s3://lake/groups/"))
	want := collectRows(t, killQuery(dir), frame.WithParallelism(4))

	r := pool.Runner()
	r.Logf = t.Logf
	cut := make(chan struct{})
	go func() {
		defer close(cut)
		for r.Stats.Fragments() < 2 {
			time.Sleep(time.Millisecond)
		}
		if err := ip("-n", lab.ns("e2"), "link", "set", "eth0", "down"); err != nil {
			t.Errorf("cut executor e2's link: %v", err)
		}
	}()
	start := time.Now()
	got := collectRows(t, df, frame.WithParallelism(24), frame.WithRunner(r))
	<-cut
	sameRows(t, got, want)
	t.Logf("query on 3 executors, one cut off: %v, %d fragments, %d retried", time.Since(start), r.Stats.Fragments(), r.Stats.Retries())
	if r.Stats.Retries() == 0 {
		t.Errorf("no fragment ran again after executor %s was cut off", addrs[1])
	}
	if live := pool.Addrs(); slices.Contains(live, addrs[1]) || len(live) != 2 {
		t.Errorf("live executors %v: want the two of %v that were not cut off", live, addrs)
	}

	// The link comes back: the pool dials the executor again and uses it.
	if err := ip("-n", lab.ns("e2"), "link", "set", "eth0", "up"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(30 * time.Second); !slices.Contains(pool.Addrs(), addrs[1]); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("executor %s not back in the pool 30s after its link came up: %v", addrs[1], pool.Addrs())
		}
	}
	sameRows(t, collectRows(t, df, frame.WithParallelism(24), frame.WithRunner(r)), want)
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := c.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not answering after 60s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
