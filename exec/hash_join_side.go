package exec

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/join"
	"lakeframe/expr"
)

// keyedBatch is a batch of one join input: the columns that side keeps and
// its evaluated join keys.
type keyedBatch struct {
	cols []arrow.Array
	keys []arrow.Array
	n    int
}

func (b *keyedBatch) release() {
	releaseAll(b.cols)
	releaseAll(b.keys)
	*b = keyedBatch{}
}

// bytes estimates the memory the batch's rows take.
func (b *keyedBatch) bytes() int64 {
	var n int64
	for _, a := range b.cols {
		n += arrayBytes(a.Data())
	}
	for _, a := range b.keys {
		n += arrayBytes(a.Data())
	}
	return n
}

// arrayBytes estimates the bytes of an array's rows. A slice counts its
// share of the buffers it shares with other slices (sources hand out
// zero-copy slices of one large table), not the whole buffers.
func arrayBytes(d arrow.ArrayData) int64 {
	n := int64(d.Len())
	var bytes int64
	if d.NullN() > 0 {
		bytes += (n + 7) / 8
	}
	bufs := d.Buffers()
	switch dt := d.DataType().(type) {
	case *arrow.BooleanType:
		return bytes + (n+7)/8
	case *arrow.StringType, *arrow.BinaryType:
		offs := arrow.GetOffsets[int32](d, 1)
		return bytes + 4*(n+1) + int64(offs[n]-offs[0])
	case *arrow.LargeStringType, *arrow.LargeBinaryType:
		offs := arrow.GetOffsets[int64](d, 1)
		return bytes + 8*(n+1) + offs[n] - offs[0]
	case arrow.FixedWidthDataType:
		if _, dict := dt.(*arrow.DictionaryType); !dict && len(bufs) == 2 {
			return bytes + n*int64(dt.BitWidth())/8
		}
	}
	// Other layouts: every buffer, whole.
	for _, buf := range bufs {
		if buf != nil {
			bytes += int64(buf.Len())
		}
	}
	for _, c := range d.Children() {
		bytes += arrayBytes(c)
	}
	if dict := d.Dictionary(); dict != nil {
		bytes += arrayBytes(dict)
	}
	return bytes
}

// keyBatch evaluates a batch's join keys and keeps the columns cols.
func keyBatch(ctx context.Context, tc *TaskContext, keys []expr.Node, cols []int, rec arrow.RecordBatch) (keyedBatch, error) {
	k, err := evalAll(ctx, tc, keys, rec)
	if err != nil {
		return keyedBatch{}, err
	}
	kb := keyedBatch{keys: k, n: int(rec.NumRows()), cols: make([]arrow.Array, len(cols))}
	for i, c := range cols {
		col := rec.Column(c)
		col.Retain()
		kb.cols[i] = col
	}
	return kb, nil
}

// builtSide is a build side ready to probe: its table, its kept columns
// concatenated into one array each, and which rows found a match.
type builtSide struct {
	table *join.Table
	cols  []arrow.Array
	rows  int
	// matched has a bit per build row, set when a pair with it passed;
	// only joins that mark build rows keep it. An outer join's is written
	// by its one probe stream; a semi or anti join building on its left
	// may have several, which set bits atomically.
	matched []uint64
	// keyMatched has a bit per key id, set atomically when a probe row
	// found the key: a semi or anti join without a condition marks keys,
	// one bit per probe row, and folds them into matched at the end.
	keyMatched []uint64
	// probers counts the probe streams that have not seen all their rows;
	// the last one to finish emits the marked rows.
	probers atomic.Int64
}

// newBuiltSide indexes batches, which it leaves to the caller to release,
// for probers probe streams.
func newBuiltSide(mem memory.Allocator, keyTypes []arrow.DataType, l *joinLayout, batches []keyedBatch, probers int) (side *builtSide, err error) {
	side = &builtSide{}
	defer func() {
		if err != nil {
			side.release()
			side = nil
		}
	}()
	for _, b := range batches {
		side.rows += b.n
	}
	if len(keyTypes) == 0 {
		side.table, err = join.BuildCross(mem, side.rows)
	} else {
		keys := make([][]arrow.Array, len(batches))
		for i, b := range batches {
			keys[i] = b.keys
		}
		side.table, err = join.Build(mem, keyTypes, keys)
	}
	if err != nil {
		return side, err
	}
	fields := l.buildFields
	side.cols = make([]arrow.Array, len(fields))
	parts := make([]arrow.Array, len(batches))
	for c, f := range fields {
		for i, b := range batches {
			parts[i] = b.cols[c]
		}
		switch len(parts) {
		case 0:
			side.cols[c] = array.MakeArrayOfNull(mem, f.Type, 0)
		case 1:
			parts[0].Retain()
			side.cols[c] = parts[0]
		default:
			col, err := array.Concatenate(parts, mem)
			if err != nil {
				return side, fmt.Errorf("join build column %q: %w", f.Name, err)
			}
			side.cols[c] = col
		}
	}
	for _, c := range side.cols {
		// Arrow counts nulls lazily and caches the count: count them now,
		// before probe streams read the columns concurrently.
		c.NullN()
	}
	if l.markBuild() {
		side.matched = make([]uint64, (side.rows+63)/64)
	}
	if l.buildMarks && l.filter == nil {
		side.keyMatched = make([]uint64, (side.table.Keys()+63)/64)
	}
	side.probers.Store(int64(probers))
	return side, nil
}

func (s *builtSide) release() {
	if s.table != nil {
		s.table.Release()
		s.table = nil
	}
	releaseAll(s.cols)
	s.cols = nil
}

// markRows sets the matched bits of build rows (-1 is no row), atomically.
func (s *builtSide) markRows(build []int32) {
	m := s.matched
	for _, b := range build {
		if b < 0 {
			continue
		}
		w, bit := &m[b>>6], uint64(1)<<(b&63)
		// Most pairs find their row marked already: a load is cheaper
		// than a locked read-modify-write.
		if atomic.LoadUint64(w)&bit == 0 {
			atomic.OrUint64(w, bit)
		}
	}
}

// markKeys sets the keyMatched bits of key ids (join.NoMatch is no key),
// atomically.
func (s *builtSide) markKeys(ids []uint32) {
	m := s.keyMatched
	for _, id := range ids {
		if id == join.NoMatch {
			continue
		}
		w, bit := &m[id>>6], uint64(1)<<(id&63)
		if atomic.LoadUint64(w)&bit == 0 {
			atomic.OrUint64(w, bit)
		}
	}
}

// unmarked drops, in place, the pairs whose build row is marked already:
// another pair cannot change that row's fate.
func (s *builtSide) unmarked(probe, build []int32) ([]int32, []int32) {
	m, k := s.matched, 0
	for i, b := range build {
		if atomic.LoadUint64(&m[b>>6])&(1<<(b&63)) == 0 {
			probe[k], build[k] = probe[i], b
			k++
		}
	}
	return probe[:k], build[:k]
}

// finishProbe counts a probe stream that has seen all its rows, and
// reports whether it was the last one.
func (s *builtSide) finishProbe() bool { return s.probers.Add(-1) == 0 }

// marked returns the build rows whose matched bit is want, in row order,
// once every probe stream has finished.
func (s *builtSide) marked(want bool) []int32 {
	if s.keyMatched != nil {
		s.table.MarkKeyRows(s.keyMatched, s.matched)
	}
	var out []int32
	for r := range s.rows {
		if (s.matched[r>>6]&(1<<(r&63)) != 0) == want {
			out = append(out, int32(r))
		}
	}
	return out
}
