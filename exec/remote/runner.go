package remote

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"lakeframe/exec"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// Stats count what a runner did, for logs and tests.
type Stats struct {
	// fragments ran to completion on executors; retries counts fragments
	// that ran again after their executor failed; local counts plans run
	// wholly on the coordinator because nothing in them could be shipped.
	fragments, retries, local atomic.Int64
}

// Fragments is the number of fragments executors completed.
func (s *Stats) Fragments() int64 { return s.fragments.Load() }

// Retries is the number of fragments run again after an executor failed.
func (s *Stats) Retries() int64 { return s.retries.Load() }

// LocalPlans is the number of plans run locally for want of a shippable part.
func (s *Stats) LocalPlans() int64 { return s.local.Load() }

// Runner runs the scan-heavy parts of physical plans on executor processes
// and the rest on the coordinator. It satisfies frame.Runner.
type Runner struct {
	opts Options
	// pool is shared by every query when set; otherwise each query starts
	// its own executors and kills them when it ends.
	pool *Pool
	// Logf, when set, is told which plans (or parts) stay local and why.
	Logf  func(format string, args ...any)
	Stats Stats
}

// NewRunner returns a runner that starts executors per query.
func NewRunner(opts Options) *Runner { return &Runner{opts: opts} }

// Runner returns a runner whose queries share the pool's executors.
func (p *Pool) Runner() *Runner { return &Runner{opts: p.opts, pool: p} }

func (r *Runner) logf(format string, args ...any) {
	if r.Logf != nil {
		r.Logf(format, args...)
	}
}

// Open runs root: each shippable subtree below a Coalesce becomes one
// fragment per scan partition, sent round robin to the executors; the
// rest of the plan runs locally on the fragments' results.
func (r *Runner) Open(ctx context.Context, tc *exec.TaskContext, root physical.Node) (exec.Stream, error) {
	var cands []*physical.Coalesce
	findCandidates(root, &cands, r.logf)
	if len(cands) == 0 {
		r.Stats.local.Add(1)
		r.logf("remote: no shippable fragment, the plan runs locally:\n%s", physical.Format(root))
		return exec.Open(ctx, tc, root)
	}
	pool, owned := r.pool, false
	if pool == nil {
		var err error
		if pool, err = NewPool(ctx, r.opts); err != nil {
			return nil, err
		}
		owned = true
	}
	newRoot, shipped, err := r.rewrite(root, pool, tc)
	if err != nil || !shipped {
		if owned {
			pool.Close()
		}
		if err != nil {
			return nil, err
		}
		r.Stats.local.Add(1)
		return exec.Open(ctx, tc, root)
	}
	// Enough partitions in flight to keep every executor's slots busy.
	ltc := *tc
	ltc.Parallelism = max(tc.Parallelism, pool.opts.Executors*pool.opts.PerExecutor)
	st, err := exec.Open(ctx, &ltc, newRoot)
	if err != nil {
		if owned {
			pool.Close()
		}
		return nil, err
	}
	if !owned {
		return st, nil
	}
	stop := context.AfterFunc(ctx, func() { pool.Close() })
	return &ownedStream{Stream: st, close: func() { stop(); pool.Close() }}, nil
}

// ownedStream kills the query's executors when it closes.
type ownedStream struct {
	exec.Stream
	once  sync.Once
	close func()
}

func (s *ownedStream) Close() error {
	err := s.Stream.Close()
	s.once.Do(s.close)
	return err
}

// findCandidates collects the Coalesce nodes whose input is shippable.
func findCandidates(n physical.Node, out *[]*physical.Coalesce, logf func(string, ...any)) {
	if c, ok := n.(*physical.Coalesce); ok {
		if _, why := matchShippable(c.Input); why == "" {
			*out = append(*out, c)
			return
		} else {
			logf("remote: %s stays local: %s", c, why)
		}
	}
	for _, ch := range n.Children() {
		findCandidates(ch, out, logf)
	}
}

// rewrite replaces shippable inputs of Coalesce nodes with scans of
// remote fragments, copying the parents on the way with WithChildren. A
// Shared node is left whole: exec.Build finds its consumers by pointer,
// and a copy per consumer would run its input once for each.
func (r *Runner) rewrite(n physical.Node, pool *Pool, tc *exec.TaskContext) (physical.Node, bool, error) {
	if c, ok := n.(*physical.Coalesce); ok {
		if sh, why := matchShippable(c.Input); why == "" {
			in, err := r.remoteScan(sh, pool, tc)
			if err != nil {
				return nil, false, err
			}
			out, err := c.WithChildren(in)
			return out, err == nil, err
		}
	}
	if _, ok := n.(*physical.Shared); ok {
		r.logf("remote: %s and its inputs stay local", n)
		return n, false, nil
	}
	children := n.Children()
	next := make([]physical.Node, len(children))
	changed := false
	for i, ch := range children {
		out, ok, err := r.rewrite(ch, pool, tc)
		if err != nil {
			return nil, false, err
		}
		next[i], changed = out, changed || ok
	}
	if !changed {
		return n, false, nil
	}
	out, err := n.WithChildren(next...)
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// remoteScan encodes one fragment per scan partition and returns a scan
// of them.
func (r *Runner) remoteScan(sh *shippable, pool *Pool, tc *exec.TaskContext) (physical.Node, error) {
	src := &fragmentSource{pool: pool, schema: sh.out, desc: sh.scan.Logical.String(), stats: &r.Stats}
	var tasks []plan.Task
	var groups [][]plan.Task
	for i, g := range sh.scan.Groups {
		if len(g) == 0 {
			continue
		}
		data, err := sh.encode(g, tc.BatchSize, pool.opts.Compression)
		if err != nil {
			return nil, fmt.Errorf("encode fragment: %w", err)
		}
		var bytes int64
		for _, t := range g {
			bytes += t.EstimatedBytes()
		}
		t := &fragmentTask{data: data, desc: fmt.Sprintf("partition %d (%d tasks)", i, len(g)), bytes: bytes}
		tasks = append(tasks, t)
		groups = append(groups, []plan.Task{t})
	}
	return &physical.Scan{Source: src, Logical: plan.NewScan(src), Plan: &plan.ScanPlan{Tasks: tasks}, Groups: groups}, nil
}
