package frame_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"lakeframe/errs"
	"lakeframe/exec/remote"
	"lakeframe/frame"
)

// tcpExecutors serves n executors in this process on 127.0.0.1, each
// behind a proxy that the test can freeze, and returns the proxies and the
// coordinator's TLS identity.
func tcpExecutors(t *testing.T, n int) ([]*blackHole, remote.TLS) {
	t.Helper()
	executorID, coordinatorID, err := remote.ThrowawayTLS("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	var proxies []*blackHole
	for range n {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := remote.ServeListener(ctx, lis, executorID); err != nil {
				t.Errorf("executor: %v", err)
			}
		})
		proxies = append(proxies, newBlackHole(t, lis.Addr().String()))
	}
	return proxies, coordinatorID
}

// blackHole forwards connections to an executor until frozen, then drops
// every byte in both directions, as a network cut does, while keeping
// the connections open.
type blackHole struct {
	addr   string
	mu     sync.Mutex
	frozen bool
	done   chan struct{}
}

func newBlackHole(t *testing.T, target string) *blackHole {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackHole{addr: lis.Addr().String(), done: make(chan struct{})}
	var wg sync.WaitGroup
	var conns []net.Conn
	var connMu sync.Mutex
	t.Cleanup(func() {
		close(b.done)
		lis.Close()
		connMu.Lock()
		for _, c := range conns {
			c.Close()
		}
		connMu.Unlock()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			in, err := lis.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			connMu.Lock()
			conns = append(conns, in, out)
			connMu.Unlock()
			wg.Go(func() { b.pipe(out, in) })
			wg.Go(func() { b.pipe(in, out) })
		}
	})
	return b
}

func (b *blackHole) freeze() {
	b.mu.Lock()
	b.frozen = true
	b.mu.Unlock()
}

func (b *blackHole) pipe(dst io.Writer, src io.Reader) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		b.mu.Lock()
		frozen := b.frozen
		b.mu.Unlock()
		if frozen {
			continue
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

// TestExecutorsOverTCP runs queries on two executors attached over TCP
// with mutual TLS and compares them with the local pool.
func TestExecutorsOverTCP(t *testing.T) {
	proxies, id := tcpExecutors(t, 2)
	pool, err := remote.Attach(context.Background(), []string{proxies[0].addr, proxies[1].addr}, remote.Options{TLS: id})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	dir := writeGroupData(t, 4, 20000)
	df := killQuery(dir)
	r := pool.Runner()
	sameRows(t, collectRows(t, df, frame.WithParallelism(8), frame.WithRunner(r)), collectRows(t, df, frame.WithParallelism(4)))
	if r.Stats.Fragments() == 0 {
		t.Fatal("no fragment ran on an executor")
	}
}

// TestExecutorsCutOffGiveUp cuts the network of one executor of two
// mid-query, which the query survives, then of the other: the query
// fails, naming an executor's address and a fragment, instead of waiting
// forever.
func TestExecutorsCutOffGiveUp(t *testing.T) {
	proxies, id := tcpExecutors(t, 2)
	addrs := []string{proxies[0].addr, proxies[1].addr}
	pool, err := remote.Attach(context.Background(), addrs, remote.Options{
		TLS: id, PerExecutor: 1, Retries: 2, Logf: t.Logf,
		HealthInterval: 200 * time.Millisecond, HealthTimeout: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	dir := writeGroupData(t, 8, 20000)
	df := killQuery(dir)
	r := pool.Runner()

	// One executor cut off: the other finishes the query.
	go func() {
		for r.Stats.Fragments() < 2 {
			time.Sleep(time.Millisecond)
		}
		proxies[0].freeze()
	}()
	sameRows(t, collectRows(t, df, frame.WithParallelism(24), frame.WithRunner(r)), collectRows(t, df, frame.WithParallelism(4)))
	if live := pool.Addrs(); len(live) != 1 || live[0] != addrs[1] {
		t.Fatalf("live executors %v, want [%s]", live, addrs[1])
	}

	// Both cut off: a clear error.
	proxies[1].freeze()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = df.Collect(ctx, frame.WithParallelism(24), frame.WithRunner(r))
	if err == nil {
		t.Fatal("query succeeded with every executor cut off")
	}
	if ctx.Err() != nil || !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), addrs[1]) || !strings.Contains(err.Error(), "fragment") {
		t.Fatalf("error %q: want ErrExec naming executor %s and the fragment", err, addrs[1])
	}
	t.Log(err)
}
