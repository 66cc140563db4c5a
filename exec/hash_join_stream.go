package exec

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
)

// hashJoinStream runs one probe partition. In memory it probes the shared
// build side with its own probe partition; in grace mode it joins spilled
// partitions, claimed one at a time from those all streams share.
type hashJoinStream struct {
	op      *hashJoinOp
	sh      *joinShared
	tc      *TaskContext
	part    int
	m       *OpMetrics
	started bool
	closed  bool

	cur   *partitionJoin
	owned *builtSide  // a spilled partition's build side, while it joins
	tasks []spillTask // partitions split again, still to join
}

func (s *hashJoinStream) Schema() *arrow.Schema { return s.op.Schema() }

func (s *hashJoinStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if s.closed {
		return nil, io.EOF
	}
	rec, err := s.next(ctx)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, fmt.Errorf("%s: %w", s.op.node, err)
	}
	countOut(s.m, rec)
	return rec, nil
}

func (s *hashJoinStream) next(ctx context.Context) (arrow.RecordBatch, error) {
	if !s.started {
		s.started = true
		if err := s.sh.buildSide(ctx, s.tc); err != nil {
			return nil, err
		}
		side := s.sh.side
		if side != nil && side.rows == 0 && !s.op.layout.keepsUnmatchedProbe() {
			// No probe row can find a match, and none is kept without one:
			// the probe side need not run.
			return nil, io.EOF
		}
		if side != nil {
			in, err := s.op.probe.Execute(ctx, s.tc, s.part)
			if err != nil {
				return nil, err
			}
			src := &probeSource{in: in, tc: s.tc, op: s.op}
			s.cur = newPartitionJoin(s.op, s.tc, side, src)
		}
	}
	for {
		if s.cur != nil {
			rec, err := s.cur.next(ctx)
			if !errors.Is(err, io.EOF) {
				return rec, err
			}
			if err := s.endPartition(); err != nil {
				return nil, err
			}
		}
		if s.sh.spill == nil {
			return nil, io.EOF
		}
		if err := s.sh.spillProbe(ctx, s.tc); err != nil {
			return nil, err
		}
		ok, err := s.startSpilled(ctx)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, io.EOF
		}
	}
}

// endPartition closes the current partition's join.
func (s *hashJoinStream) endPartition() error {
	var err error
	if s.cur != nil {
		err = s.cur.close()
		s.cur = nil
	}
	if s.owned != nil {
		s.owned.release()
		s.owned = nil
	}
	return err
}

// startSpilled starts joining the next spilled partition, and reports
// false when none is left.
func (s *hashJoinStream) startSpilled(ctx context.Context) (bool, error) {
	sp, l := s.sh.spill, &s.op.layout
	for {
		var t spillTask
		if n := len(s.tasks); n > 0 {
			t, s.tasks = s.tasks[n-1], s.tasks[:n-1]
		} else {
			k := s.sh.claim()
			if k < 0 {
				return false, nil
			}
			t = spillTask{build: sp.build[k], probe: sp.probe[k]}
		}
		// Partitions that cannot produce a row are skipped.
		if t.build.rows == 0 && !l.keepsUnmatchedProbe() || t.probe.rows == 0 && !l.keepsUnmatchedBuild() {
			t.build.remove()
			t.probe.remove()
			continue
		}
		if t.build.bytes+joinRowOverhead*t.build.rows > s.tc.joinBudget() && t.level+1 < joinSpillLevels {
			sub, err := sp.split(ctx, t)
			if err != nil {
				return false, err
			}
			s.tasks = append(s.tasks, sub...)
			continue
		}
		side, err := s.loadBuild(ctx, t.build)
		t.build.remove()
		if err != nil {
			return false, err
		}
		src, err := t.probe.open(s.tc.Mem, sp.probeCols)
		if err != nil {
			side.release()
			return false, err
		}
		s.owned = side
		s.cur = newPartitionJoin(s.op, s.tc, side, &removingSource{keyedSource: src, file: t.probe})
		return true, nil
	}
}

// loadBuild reads a spilled build partition into memory.
func (s *hashJoinStream) loadBuild(ctx context.Context, f *spillFile) (*builtSide, error) {
	src, err := f.open(s.tc.Mem, s.sh.spill.buildCols)
	if err != nil {
		return nil, err
	}
	defer src.close()
	var batches []keyedBatch
	defer func() {
		for i := range batches {
			batches[i].release()
		}
	}()
	for {
		kb, err := src.next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		batches = append(batches, kb)
	}
	// One stream joins a spilled partition: it sees every probe row that
	// can match this build side.
	return newBuiltSide(s.tc.Mem, s.op.keyTypes, &s.op.layout, batches, 1)
}

func (s *hashJoinStream) Close() error {
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.endPartition()
	for _, t := range s.tasks {
		t.build.remove()
		t.probe.remove()
	}
	s.tasks = nil
	s.sh.closeStream()
	return err
}

// probeSource evaluates the join keys of a probe partition's batches.
type probeSource struct {
	in Stream
	tc *TaskContext
	op *hashJoinOp
}

func (p *probeSource) next(ctx context.Context) (keyedBatch, error) {
	for {
		rec, err := p.in.Next(ctx)
		if err != nil {
			return keyedBatch{}, err
		}
		if rec.NumRows() == 0 {
			rec.Release()
			continue
		}
		kb, err := keyBatch(ctx, p.tc, p.op.node.ProbeKeys, p.op.layout.probeCols, rec)
		rec.Release()
		if err != nil {
			return keyedBatch{}, fmt.Errorf("probe keys: %w", err)
		}
		return kb, nil
	}
}

func (p *probeSource) close() error { return p.in.Close() }

// removingSource deletes its spill file once read.
type removingSource struct {
	keyedSource
	file *spillFile
}

func (r *removingSource) close() error {
	err := r.keyedSource.close()
	r.file.remove()
	return err
}
