package exec

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/sorting"
	"lakeframe/expr"
)

// sortOp sorts its input partition. With k >= 0 it is a top-k: it keeps
// only the k first rows in bounded memory, per partition.
type sortOp struct {
	input Operator
	keys  []*expr.SortKey
	order []sorting.Key
	k     int64
}

func newSortOp(input Operator, keys []*expr.SortKey, k int64) (*sortOp, error) {
	order := make([]sorting.Key, len(keys))
	for i, key := range keys {
		order[i] = sorting.Key{Desc: key.Desc, NullsFirst: key.NullsFirst}
	}
	return &sortOp{input: input, keys: keys, order: order, k: k}, nil
}

func (s *sortOp) Schema() *arrow.Schema { return s.input.Schema() }
func (s *sortOp) Partitions() int {
	if s.k >= 0 {
		return s.input.Partitions()
	}
	return 1
}

func (s *sortOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	in, err := s.input.Execute(ctx, tc, p)
	if err != nil {
		return nil, err
	}
	name := "sort"
	if s.k >= 0 {
		name = "top-k"
	}
	return &sortStream{op: s, tc: tc, in: in, m: tc.Metrics.Register(name)}, nil
}

type sortStream struct {
	op   *sortOp
	tc   *TaskContext
	in   Stream
	m    *OpMetrics
	out  []arrow.RecordBatch
	done bool
}

func (s *sortStream) Schema() *arrow.Schema { return s.op.Schema() }

func (s *sortStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if !s.done {
		s.done = true
		var err error
		if s.op.k >= 0 {
			err = s.topK(ctx)
		} else {
			err = s.sortAll(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(s.out) == 0 {
		return nil, io.EOF
	}
	rec := s.out[0]
	s.out = s.out[1:]
	countOut(s.m, rec)
	return rec, nil
}

func (s *sortStream) keyColumns(ctx context.Context, rec arrow.RecordBatch) ([]arrow.Array, error) {
	keys := make([]expr.Node, len(s.op.keys))
	for i, k := range s.op.keys {
		keys[i] = k.In
	}
	return evalAll(ctx, s.tc, keys, rec)
}

func (s *sortStream) sortAll(ctx context.Context) error {
	var batches []arrow.RecordBatch
	var keys [][]arrow.Array
	defer func() {
		for i, b := range batches {
			b.Release()
			releaseAll(keys[i])
		}
	}()
	for {
		rec, err := s.in.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		k, err := s.keyColumns(ctx, rec)
		if err != nil {
			rec.Release()
			return fmt.Errorf("sort: %w", err)
		}
		batches = append(batches, rec)
		keys = append(keys, k)
	}
	out, err := sorting.Sort(s.tc.Mem, batches, keys, s.op.order)
	if err != nil {
		return fmt.Errorf("sort: %w", err)
	}
	s.out = out
	return nil
}

func (s *sortStream) topK(ctx context.Context) error {
	top := sorting.NewTopK(s.tc.Mem, int(s.op.k), s.op.order, s.op.Schema())
	defer top.Release()
	for {
		rec, err := s.in.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		k, err := s.keyColumns(ctx, rec)
		if err != nil {
			rec.Release()
			return fmt.Errorf("top-k: %w", err)
		}
		err = top.Push(rec, k)
		releaseAll(k)
		rec.Release()
		if err != nil {
			return fmt.Errorf("top-k: %w", err)
		}
	}
	res, err := top.Result()
	if err != nil {
		return fmt.Errorf("top-k: %w", err)
	}
	if res.NumRows() == 0 {
		res.Release()
		return nil
	}
	s.out = []arrow.RecordBatch{res}
	return nil
}

func (s *sortStream) Close() error {
	for _, r := range s.out {
		r.Release()
	}
	s.out = nil
	return s.in.Close()
}
