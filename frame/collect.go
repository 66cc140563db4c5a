package frame

import (
	"context"
	"fmt"
	"io"
	"iter"
	"runtime/debug"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/plan"
	"lakeframe/plan/physical"
	"lakeframe/plan/rules"
)

// optimize runs the default optimizer rules.
func (df *DataFrame) optimize(ctx context.Context, cfg *runConfig) (plan.Node, []string, error) {
	if err := df.Err(); err != nil {
		return nil, nil, err
	}
	return plan.Optimize(ctx, df.node, rules.Default(), &cfg.optimizer)
}

func (df *DataFrame) physical(ctx context.Context, cfg *runConfig) (physical.Node, error) {
	opt, _, err := df.optimize(ctx, cfg)
	if err != nil {
		return nil, err
	}
	phys, err := physical.Lower(ctx, opt, &physical.Config{Parallelism: cfg.parallelism})
	if err != nil {
		return nil, err
	}
	if cfg.scans != nil {
		reportScans(phys, cfg.scans)
	}
	return phys, nil
}

func reportScans(n physical.Node, fn func(ScanReport)) {
	if s, ok := n.(*physical.Scan); ok {
		fn(ScanReport{Kind: s.Source.Kind(), Source: s.Source.String(), Stats: s.Plan.Stats})
	}
	for _, c := range n.Children() {
		reportScans(c, fn)
	}
}

// Explain describes the query: the logical plan as written, the optimized
// plan with the rules that fired, and the physical plan with what each scan
// reads (pushed filters and columns, files and row groups kept).
func (df *DataFrame) Explain(ctx context.Context, opts ...Option) (_ string, err error) {
	defer recoverInternal(&err)
	cfg := newRunConfig(opts)
	if err := df.Err(); err != nil {
		return "", err
	}
	opt, fired, err := df.optimize(ctx, cfg)
	if err != nil {
		return "", err
	}
	phys, err := physical.Lower(ctx, opt, &physical.Config{Parallelism: cfg.parallelism})
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	sb.WriteString("== Logical plan ==\n")
	sb.WriteString(plan.Format(df.node))
	sb.WriteString("\n== Optimized plan ==\n")
	if len(fired) > 0 {
		fmt.Fprintf(&sb, "# rules fired: %s\n", strings.Join(fired, ", "))
	}
	sb.WriteString(plan.Format(opt))
	sb.WriteString("\n== Physical plan ==\n")
	sb.WriteString(physical.Format(phys))
	return sb.String(), nil
}

// Stream is a running query's result, a batch at a time. Release each
// batch; Close the stream when done, even after an error.
type Stream struct {
	st   exec.Stream
	stop func()
}

// Schema is the schema of the batches.
func (s *Stream) Schema() *arrow.Schema { return s.st.Schema() }

// Next returns the next batch, or io.EOF after the last. A panic inside
// lakeframe comes back as an errs.ErrInternal error, never to the caller.
func (s *Stream) Next(ctx context.Context) (rec arrow.RecordBatch, err error) {
	defer recoverInternal(&err)
	return s.st.Next(ctx)
}

// recoverInternal turns a panic into an errs.ErrInternal error; deferred
// by every entry point that runs lakeframe code on the caller's goroutine.
func recoverInternal(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: panic: %v\n%s", errs.ErrInternal, r, debug.Stack())
	}
}

// Close stops the query and releases what it holds.
func (s *Stream) Close() error {
	err := s.st.Close()
	s.stop()
	return err
}

// Stream starts the query and returns its result as a stream, for results
// too large to hold at once.
func (df *DataFrame) Stream(ctx context.Context, opts ...Option) (_ *Stream, err error) {
	defer recoverInternal(&err)
	cfg := newRunConfig(opts)
	phys, err := df.physical(ctx, cfg)
	if err != nil {
		return nil, err
	}
	metrics := &exec.Metrics{}
	tc := &exec.TaskContext{Mem: cfg.mem, BatchSize: cfg.batchSize, Metrics: metrics, Parallelism: cfg.parallelism,
		MemoryBudget: cfg.budget, SpillDir: cfg.spillDir}
	var st exec.Stream
	if cfg.runner != nil {
		st, err = cfg.runner.Open(ctx, tc, phys)
	} else {
		st, err = exec.Open(ctx, tc, phys)
	}
	if err != nil {
		return nil, err
	}
	return &Stream{st: st, stop: startProgress(ctx, cfg, metrics)}, nil
}

// Iter runs the query and yields its batches; each batch is valid only
// until the loop body returns (the iterator releases it). Breaking out of
// the loop stops the query.
func (df *DataFrame) Iter(ctx context.Context, opts ...Option) iter.Seq2[arrow.RecordBatch, error] {
	return func(yield func(arrow.RecordBatch, error) bool) {
		st, err := df.Stream(ctx, opts...)
		if err != nil {
			yield(nil, err)
			return
		}
		defer st.Close()
		for {
			rec, err := st.Next(ctx)
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			ok := yield(rec, nil)
			rec.Release()
			if !ok {
				return
			}
		}
	}
}

// Collect runs the query and returns its rows as an Arrow table; the caller
// releases it.
func (df *DataFrame) Collect(ctx context.Context, opts ...Option) (arrow.Table, error) {
	batches, schema, err := df.collectBatches(ctx, opts...)
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	return array.NewTableFromRecords(schema, batches), nil
}

func (df *DataFrame) collectBatches(ctx context.Context, opts ...Option) (batches []arrow.RecordBatch, schema *arrow.Schema, err error) {
	st, err := df.Stream(ctx, opts...)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if cerr := st.Close(); err == nil && cerr != nil {
			err = cerr
		}
		if err != nil {
			for _, b := range batches {
				b.Release()
			}
			batches = nil
		}
	}()
	for {
		rec, err := st.Next(ctx)
		if err == io.EOF {
			return batches, st.Schema(), nil
		}
		if err != nil {
			return batches, nil, err
		}
		batches = append(batches, rec)
	}
}
