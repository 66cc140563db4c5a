package exec

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/exec/eval"
	"lakeframe/exec/join"
)

// partitionJoin streams probe batches through one build side and yields
// output batches of at most BatchSize rows.
//
// Per probe batch it looks up every key once, then walks the matching
// pairs in chunks: the join condition, if any, keeps the passing pairs,
// which become output rows (inner and outer joins) or mark their probe
// rows (semi, anti, and the unmatched rows of an outer join). Build rows
// that paired are marked too, so that a join preserving the build side
// emits the others after the last probe batch, and a semi or anti join
// building on its left emits the marked or unmarked ones once the last
// probe stream is done.
type partitionJoin struct {
	op     *hashJoinOp
	l      *joinLayout
	tc     *TaskContext
	side   *builtSide
	src    keyedSource
	prober *join.Prober

	state   joinState
	batch   keyedBatch
	ids     []uint32
	matched []bool // per probe row of batch, when layout.trackProbe()

	// Rows decided at once (semi and anti results, unmatched rows) wait in
	// pendProbe/pendBuild and go out in chunks; a nil list means that side
	// is all NULL.
	pendProbe, pendBuild       []int32
	pendHasProbe, pendHasBuild bool
	pendAt, pendLen            int
}

type joinState int

const (
	stateNextBatch joinState = iota
	statePairs
	stateBatchEnd
	stateDone
)

func newPartitionJoin(op *hashJoinOp, tc *TaskContext, side *builtSide, src keyedSource) *partitionJoin {
	return &partitionJoin{op: op, l: &op.layout, tc: tc, side: side, src: src, prober: side.table.NewProber()}
}

func (j *partitionJoin) batchSize() int {
	if j.tc.BatchSize <= 0 {
		return DefaultBatchSize
	}
	return j.tc.BatchSize
}

// next returns the next output batch, or io.EOF.
func (j *partitionJoin) next(ctx context.Context) (arrow.RecordBatch, error) {
	for {
		if j.pendAt < j.pendLen {
			return j.emitPending()
		}
		switch j.state {
		case stateNextBatch:
			if err := j.nextBatch(ctx); err != nil {
				return nil, err
			}
		case statePairs:
			rec, err := j.pairs(ctx)
			if rec != nil || err != nil {
				return rec, err
			}
		case stateBatchEnd:
			j.batchEnd()
		case stateDone:
			return nil, io.EOF
		}
	}
}

// nextBatch reads and looks up the next probe batch; after the last one it
// queues the build rows that never matched, if the join emits them.
func (j *partitionJoin) nextBatch(ctx context.Context) error {
	j.batch.release()
	kb, err := j.src.next(ctx)
	if errors.Is(err, io.EOF) {
		j.state = stateDone
		switch {
		case j.l.buildOuter:
			unmatched := j.side.marked(false)
			j.pend(nil, unmatched, len(unmatched))
		case j.l.buildMarks && j.side.finishProbe():
			rows := j.side.marked(j.l.semi)
			j.pend(nil, rows, len(rows))
		}
		return nil
	}
	if err != nil {
		return err
	}
	j.batch = kb
	if j.ids, err = j.prober.Lookup(kb.keys, kb.n); err != nil {
		return err
	}
	if j.l.buildMarks && j.l.filter == nil {
		// Key lookups alone decide, for every build row of a key at once.
		j.side.markKeys(j.ids)
		return nil
	}
	if (j.l.semi || j.l.anti) && j.l.filter == nil {
		// Key lookups alone decide.
		rows := j.pendProbe[:0]
		for i, id := range j.ids {
			if (id != join.NoMatch) == j.l.semi {
				rows = append(rows, int32(i))
			}
		}
		j.pend(rows, nil, len(rows))
		return nil
	}
	if j.l.trackProbe() {
		j.matched = resizeClear(j.matched, kb.n)
	}
	j.state = statePairs
	return nil
}

// pairs handles the next chunk of matching pairs; it returns a nil batch
// when the chunk gives no output row.
func (j *partitionJoin) pairs(ctx context.Context) (arrow.RecordBatch, error) {
	l := j.l
	// Without a condition, a probe row of an outer join that has no key
	// match is unmatched for sure: it comes out in line.
	misses := l.probeOuter && l.filter == nil
	probe, build, done := j.prober.Next(j.batchSize(), misses)
	if done {
		j.state = stateBatchEnd
	}
	if l.buildMarks {
		probe, build = j.side.unmarked(probe, build)
	}
	if len(probe) == 0 {
		return nil, nil
	}
	if l.filter != nil {
		var err error
		if probe, build, err = j.filterPairs(ctx, probe, build); err != nil {
			return nil, err
		}
	}
	if j.matched != nil {
		for _, p := range probe {
			j.matched[p] = true
		}
	}
	switch {
	case l.buildMarks:
		j.side.markRows(build)
	case l.buildOuter:
		m := j.side.matched
		for _, b := range build {
			if b >= 0 {
				m[b>>6] |= 1 << (b & 63)
			}
		}
	}
	if !l.pairs || len(probe) == 0 {
		return nil, nil
	}
	return j.assemble(probe, build, len(probe))
}

// batchEnd queues the rows a condition decided for the finished batch.
func (j *partitionJoin) batchEnd() {
	j.state = stateNextBatch
	if !j.l.trackProbe() {
		return
	}
	// Outer and anti joins keep the rows without a passing pair, semi
	// joins those with one.
	want := j.l.semi
	rows := j.pendProbe[:0]
	for i, m := range j.matched[:j.batch.n] {
		if m == want {
			rows = append(rows, int32(i))
		}
	}
	j.pend(rows, nil, len(rows))
}

func (j *partitionJoin) pend(probe, build []int32, n int) {
	if probe != nil {
		j.pendProbe = probe
	}
	if build != nil {
		j.pendBuild = build
	}
	j.pendAt, j.pendLen = 0, n
	j.pendHasProbe, j.pendHasBuild = probe != nil, build != nil
}

func (j *partitionJoin) emitPending() (arrow.RecordBatch, error) {
	lo := j.pendAt
	hi := min(j.pendLen, lo+j.batchSize())
	j.pendAt = hi
	var probe, build []int32
	if j.pendHasProbe {
		probe = j.pendProbe[lo:hi]
	}
	if j.pendHasBuild {
		build = j.pendBuild[lo:hi]
	}
	return j.assemble(probe, build, hi-lo)
}

// assemble gathers n output rows: output row i takes probe row probe[i]
// and build row build[i] (-1, or a nil list, for NULLs).
func (j *partitionJoin) assemble(probe, build []int32, n int) (arrow.RecordBatch, error) {
	cols, err := j.gatherAll(j.l.out, probe, build, n)
	if err != nil {
		return nil, err
	}
	rec := array.NewRecordBatch(j.l.schema, cols, int64(n))
	releaseAll(cols)
	return rec, nil
}

// gatherAll takes the rows of input columns.
func (j *partitionJoin) gatherAll(cols []sideCol, probe, build []int32, n int) ([]arrow.Array, error) {
	var ps, bs *join.Selection
	if probe != nil {
		s := join.Select(probe)
		ps = &s
	}
	if build != nil {
		s := join.Select(build)
		bs = &s
	}
	out := make([]arrow.Array, len(cols))
	for i, c := range cols {
		var err error
		switch {
		case c.build && bs == nil:
			out[i] = array.MakeArrayOfNull(j.tc.Mem, j.l.buildFields[c.col].Type, n)
		case c.build:
			out[i], err = bs.Take(j.tc.Mem, j.side.cols[c.col])
		case ps == nil:
			out[i] = array.MakeArrayOfNull(j.tc.Mem, j.l.probeFields[c.col].Type, n)
		default:
			out[i], err = ps.Take(j.tc.Mem, j.batch.cols[c.col])
		}
		if err != nil {
			releaseAll(out)
			return nil, err
		}
	}
	return out, nil
}

// filterPairs evaluates the join condition over candidate pairs and keeps
// those for which it is true (not false or NULL), in place.
func (j *partitionJoin) filterPairs(ctx context.Context, probe, build []int32) ([]int32, []int32, error) {
	l, n := j.l, len(probe)
	cols, err := j.gatherAll(l.filterCols, probe, build, n)
	if err != nil {
		return nil, nil, err
	}
	rec := array.NewRecordBatch(l.filterSchema, cols, int64(n))
	releaseAll(cols)
	mask, err := eval.EvalPredicate(ctx, j.tc.Mem, l.filter, rec)
	rec.Release()
	if err != nil {
		return nil, nil, fmt.Errorf("join condition %s: %w", l.filter, err)
	}
	defer mask.Release()
	values := mask.Data().Buffers()[1].Bytes()
	var valid []byte
	if mask.NullN() > 0 {
		valid = mask.Data().Buffers()[0].Bytes()
	}
	off := mask.Data().Offset()
	k := 0
	for i := range n {
		if bitutil.BitIsSet(values, off+i) && (valid == nil || bitutil.BitIsSet(valid, off+i)) {
			probe[k], build[k] = probe[i], build[i]
			k++
		}
	}
	return probe[:k], build[:k], nil
}

func (j *partitionJoin) close() error {
	j.batch.release()
	return j.src.close()
}

// resizeClear returns s with length n, all false.
func resizeClear(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	s = s[:n]
	clear(s)
	return s
}
