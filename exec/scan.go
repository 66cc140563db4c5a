package exec

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// scanOp reads the tasks of one partition, one after another.
type scanOp struct {
	node    *physical.Scan
	scanner Scanner
}

func (s *scanOp) Schema() *arrow.Schema { return s.node.Schema() }
func (s *scanOp) Partitions() int       { return s.node.Partitions() }

func (s *scanOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	var tasks []plan.Task
	if p < len(s.node.Groups) {
		tasks = s.node.Groups[p]
	}
	return &scanStream{op: s, tc: tc, tasks: tasks, m: tc.Metrics.Register("scan " + s.node.Source.Kind())}, nil
}

type scanStream struct {
	op    *scanOp
	tc    *TaskContext
	tasks []plan.Task
	cur   Stream
	m     *OpMetrics
}

func (s *scanStream) Schema() *arrow.Schema { return s.op.Schema() }

func (s *scanStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if s.cur == nil {
			if len(s.tasks) == 0 {
				return nil, io.EOF
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			task := s.tasks[0]
			s.tasks = s.tasks[1:]
			st, err := s.op.scanner.Open(ctx, s.tc, task)
			if err != nil {
				return nil, fmt.Errorf("scan %s: %w", task, err)
			}
			s.cur = st
		}
		rec, err := s.cur.Next(ctx)
		if err == io.EOF {
			cerr := s.cur.Close()
			s.cur = nil
			if cerr != nil {
				return nil, cerr
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		countOut(s.m, rec)
		return rec, nil
	}
}

func (s *scanStream) Close() error {
	if s.cur != nil {
		err := s.cur.Close()
		s.cur = nil
		return err
	}
	return nil
}
