package remote

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

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
	// exchanges counts exchanges whose map side completed, mapTasks and
	// reduceTasks the tasks of shuffles that succeeded (a reduce task is
	// one shuffled partition); shuffledBytes is the map output received by
	// the coordinator and spilledBytes the part of it written to disk.
	exchanges, mapTasks, reduceTasks, shuffledBytes, spilledBytes atomic.Int64
}

// Exchanges is the number of exchanges (shuffles) whose map side ran.
func (s *Stats) Exchanges() int64 { return s.exchanges.Load() }

// MapTasks is the number of shuffle map tasks that completed.
func (s *Stats) MapTasks() int64 { return s.mapTasks.Load() }

// ShuffledPartitions is the number of reduce tasks that completed, each
// over one partition of its exchanges.
func (s *Stats) ShuffledPartitions() int64 { return s.reduceTasks.Load() }

// ShuffledBytes is the map output, as sent over the wire, that reached
// the coordinator.
func (s *Stats) ShuffledBytes() int64 { return s.shuffledBytes.Load() }

// SpilledBytes is the part of ShuffledBytes written to spill files.
func (s *Stats) SpilledBytes() int64 { return s.spilledBytes.Load() }

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
	// warm runners share the process's warm pool (NewWarmRunner).
	warm bool
	// Logf, when set, is told which plans (or parts) stay local and why.
	Logf  func(format string, args ...any)
	Stats Stats
	// Shuffle says when joins, aggregations and sorts are repartitioned
	// across executors.
	Shuffle ShuffleOptions
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

// Open runs root: each shippable subtree below a Coalesce (a scan chain,
// or a join whose build sides are small, see broadcast.go) becomes one
// fragment per scan partition, sent round robin to the executors; the
// rest of the plan runs locally on the fragments' results.
func (r *Runner) Open(ctx context.Context, tc *exec.TaskContext, root physical.Node) (exec.Stream, error) {
	// exec.Open would coalesce a root with several partitions; doing it
	// here lets a root that is a shippable chain run on executors.
	if root.Partitions() > 1 {
		root = &physical.Coalesce{Input: root}
	}
	var cands []*physical.Coalesce
	r.findCandidates(root, &cands)
	shuffles := r.Shuffle.wantsShuffle(root)
	if len(cands) == 0 && !shuffles {
		r.Stats.local.Add(1)
		r.logf("remote: no shippable fragment, the plan runs locally:\n%s", physical.Format(root))
		return exec.Open(ctx, tc, root)
	}
	pool, owned := r.pool, false
	release := func() {}
	switch {
	case pool == nil && r.warm:
		var err error
		if pool, release, err = acquireWarm(ctx, r.opts); err != nil {
			return nil, err
		}
	case pool == nil:
		var err error
		if pool, err = NewPool(ctx, r.opts); err != nil {
			return nil, err
		}
		owned = true
	}
	// Enough partitions in flight to keep every executor's slots busy.
	ltc := *tc
	ltc.Parallelism = max(tc.Parallelism, pool.opts.Executors*pool.opts.PerExecutor)
	q := &query{r: r, pool: pool, tc: &ltc}
	cleanup := func() error {
		err := q.close()
		if owned {
			pool.Close()
		}
		release()
		return err
	}
	newRoot, shuffled, err := q.shuffle(root)
	if err != nil {
		cleanup()
		return nil, err
	}
	newRoot, shipped, err := r.rewrite(newRoot, pool, &ltc)
	if err != nil || !(shipped || shuffled) {
		cleanup()
		if err != nil {
			return nil, err
		}
		r.Stats.local.Add(1)
		return exec.Open(ctx, tc, root)
	}
	if shuffled {
		r.logf("remote: the coordinator runs\n%s", physical.Format(newRoot))
	}
	st, err := exec.Open(ctx, &ltc, newRoot)
	if err != nil {
		cleanup()
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { cleanup() })
	return &ownedStream{Stream: st, close: func() error { stop(); return cleanup() }}, nil
}

// ownedStream frees the query's exchanges, and kills its executors when
// it started them, when it closes.
type ownedStream struct {
	exec.Stream
	once  sync.Once
	close func() error
}

func (s *ownedStream) Close() error {
	err := s.Stream.Close()
	s.once.Do(func() {
		if cerr := s.close(); err == nil {
			err = cerr
		}
	})
	return err
}

// findCandidates collects the Coalesce nodes whose input is shippable.
func (r *Runner) findCandidates(n physical.Node, out *[]*physical.Coalesce) {
	if c, ok := n.(*physical.Coalesce); ok {
		if why := r.whyLocal(c.Input); why == "" {
			*out = append(*out, c)
			return
		} else {
			r.logf("remote: %s stays local: %s", c, why)
		}
	}
	for _, ch := range n.Children() {
		r.findCandidates(ch, out)
	}
}

// whyLocal says why the input of a Coalesce cannot be shipped, as a scan
// chain or as a broadcast join, or "" when it can.
func (r *Runner) whyLocal(n physical.Node) string {
	_, why := matchShippable(n)
	if why == "" {
		return ""
	}
	_, bwhy := r.Shuffle.matchBroadcast(n)
	if bwhy == "" {
		return ""
	}
	return why + "; not a broadcast join: " + bwhy
}

// rewrite replaces shippable inputs of Coalesce nodes with scans of
// remote fragments, copying the parents on the way with WithChildren. A
// Shared node is left whole: exec.Build finds its consumers by pointer,
// and a copy per consumer would run its input once for each.
func (r *Runner) rewrite(n physical.Node, pool *Pool, tc *exec.TaskContext) (physical.Node, bool, error) {
	if c, ok := n.(*physical.Coalesce); ok {
		// The shipped subtree's estimate, for the plan above to size it.
		est, _ := physical.EstimateBytes(c.Input)
		var in physical.Node
		var err error
		if sh, why := matchShippable(c.Input); why == "" {
			in, err = r.remoteScan(sh.out, sh.scan, pool, tc, est, func(i int, g []plan.Task) ([]byte, error) {
				return sh.encode(g, tc.BatchSize, pool.opts.Compression)
			})
		} else if b, why := r.Shuffle.matchBroadcast(c.Input); why == "" {
			in, err = r.remoteScan(b.out, b.scan, pool, tc, est, func(i int, _ []plan.Task) ([]byte, error) {
				return b.encode(i, tc.BatchSize, pool.opts.Compression)
			})
		}
		if err != nil {
			return nil, false, err
		}
		if in != nil {
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

// remoteScan encodes one fragment per partition of scan, the one whose
// partitions the shipped subtree follows, and returns a scan of them.
func (r *Runner) remoteScan(out *arrow.Schema, scan *physical.Scan, pool *Pool, tc *exec.TaskContext, est int64, encode func(i int, g []plan.Task) ([]byte, error)) (physical.Node, error) {
	src := &fragmentSource{runnerSource: runnerSource{kind: "remote", schema: out, desc: scan.Logical.String()}, pool: pool, stats: &r.Stats}
	var tasks []plan.Task
	var groups [][]plan.Task
	for i, g := range scan.Groups {
		if len(g) == 0 {
			continue
		}
		data, err := encode(i, g)
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
	sp := &plan.ScanPlan{Tasks: tasks, Stats: plan.ScanStats{BytesToRead: est}}
	return &physical.Scan{Source: src, Logical: plan.NewScan(src), Plan: sp, Groups: groups}, nil
}
