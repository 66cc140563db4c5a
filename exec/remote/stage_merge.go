package remote

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec"
	"lakeframe/exec/eval"
	"lakeframe/exec/sorting"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// mergeSource is a global sort: each map task sorts one partition on an
// executor, the sorted runs come back into the exchange's store (one
// partition per run), and its single task merges them on the coordinator.
// Merging keeps the order the local sort gives: the same sorting package
// compares the rows on both paths.
type mergeSource struct {
	runnerSource
	q     *query
	stage *shuffleStage
	keys  []*expr.SortKey
}

type mergeTask struct{ desc string }

func (t *mergeTask) String() string        { return t.desc }
func (t *mergeTask) EstimatedBytes() int64 { return 0 }

var (
	_ exec.Scanner = (*mergeSource)(nil)
	_ plan.Task    = (*mergeTask)(nil)
)

func (q *query) newMerge(desc string, stage *shuffleStage, schema *arrow.Schema, keys []*expr.SortKey, estimate int64) *physical.Scan {
	src := &mergeSource{runnerSource: runnerSource{kind: "sorted runs", schema: schema, desc: desc}, q: q, stage: stage, keys: keys}
	t := &mergeTask{desc: "merge of " + desc}
	return &physical.Scan{Source: src, Logical: plan.NewScan(src), Plan: &plan.ScanPlan{Tasks: []plan.Task{t}, Stats: plan.ScanStats{BytesToRead: estimate}}, Groups: [][]plan.Task{{t}}}
}

// Open sorts the runs on the executors, then merges them.
func (s *mergeSource) Open(ctx context.Context, tc *exec.TaskContext, _ plan.Task) (exec.Stream, error) {
	if err := s.stage.wait(ctx); err != nil {
		return nil, err
	}
	x := s.stage.exchanges[0]
	order := make([]sorting.Key, len(s.keys))
	for i, k := range s.keys {
		order[i] = sorting.Key{Desc: k.Desc, NullsFirst: k.NullsFirst}
	}
	runs := make([]sorting.Run, x.parts)
	defer func() {
		for _, r := range runs {
			for i, b := range r.Batches {
				b.Release()
				for _, k := range r.Keys[i] {
					k.Release()
				}
			}
		}
	}()
	for p := range runs {
		for _, st := range x.store.streams(p) {
			var buf bytes.Buffer
			if err := x.store.read(st, func(b []byte) error { _, err := buf.Write(b); return err }); err != nil {
				return nil, err
			}
			batches, err := readIPC(tc.Mem, s.schema, &buf)
			for _, b := range batches {
				keys, kerr := s.keyColumns(ctx, tc, b)
				if kerr != nil && err == nil {
					err = kerr
				}
				runs[p].Batches = append(runs[p].Batches, b)
				runs[p].Keys = append(runs[p].Keys, keys)
			}
			if err != nil {
				return nil, fmt.Errorf("sorted run %d of %s: %w", p, s.desc, err)
			}
		}
		x.store.release(p)
	}
	out, err := sorting.Merge(tc.Mem, runs, order)
	if err != nil {
		return nil, fmt.Errorf("merge sorted runs of %s: %w", s.desc, err)
	}
	return &batchStream{schema: s.schema, batches: out}, nil
}

func (s *mergeSource) keyColumns(ctx context.Context, tc *exec.TaskContext, b arrow.RecordBatch) ([]arrow.Array, error) {
	out := make([]arrow.Array, 0, len(s.keys))
	for _, k := range s.keys {
		a, err := eval.Eval(ctx, tc.Mem, k.In, b)
		if err != nil {
			for _, x := range out {
				x.Release()
			}
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
