package exec

import (
	"context"
	"fmt"

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
	// only joins that emit unmatched build rows keep it, and only one
	// stream probes such a join.
	matched []uint64
}

// newBuiltSide indexes batches, which it leaves to the caller to release.
func newBuiltSide(mem memory.Allocator, keyTypes []arrow.DataType, fields []arrow.Field, batches []keyedBatch, trackMatches bool) (side *builtSide, err error) {
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
	if trackMatches {
		side.matched = make([]uint64, (side.rows+63)/64)
	}
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

// unmatched returns the build rows no passing pair reached.
func (s *builtSide) unmatched() []int32 {
	var out []int32
	for r := range s.rows {
		if s.matched[r>>6]&(1<<(r&63)) == 0 {
			out = append(out, int32(r))
		}
	}
	return out
}
