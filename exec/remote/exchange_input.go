package remote

import (
	"context"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// memSource holds, on an executor, the batches of one exchange input that
// came with a reduce task. A scan of it stands where the coordinator's
// plan has an exchangeInput, so exec.Build runs the reduce plan unchanged.
type memSource struct {
	runnerSource

	mu      sync.Mutex
	batches []arrow.RecordBatch
}

// memTask is the single task of a memSource.
type memTask struct {
	src   *memSource
	bytes int64
}

var (
	_ exec.Scanner = (*memSource)(nil)
	_ plan.Task    = (*memTask)(nil)
)

func (t *memTask) String() string        { return t.src.desc }
func (t *memTask) EstimatedBytes() int64 { return t.bytes }

// Open hands the batches over to the stream: an exchange input is read
// once.
func (s *memSource) Open(context.Context, *exec.TaskContext, plan.Task) (exec.Stream, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.batches
	s.batches = nil
	return &batchStream{schema: s.schema, batches: b}, nil
}

// release frees batches no scan took.
func (s *memSource) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.batches {
		b.Release()
	}
	s.batches = nil
}

// scan is a one-partition scan of the source.
func (s *memSource) scan() *physical.Scan {
	var bytes int64
	for _, b := range s.batches {
		for _, c := range b.Columns() {
			bytes += int64(c.Data().SizeInBytes())
		}
	}
	t := &memTask{src: s, bytes: bytes}
	return &physical.Scan{Source: s, Logical: plan.NewScan(s), Plan: &plan.ScanPlan{Tasks: []plan.Task{t}}, Groups: [][]plan.Task{{t}}}
}
