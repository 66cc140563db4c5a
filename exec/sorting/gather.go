package sorting

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// gatherer copies rows picked from many batches of one schema into new
// batches. Common column types are copied with typed loops straight from
// the source buffers, which needs no intermediate concatenation.
type gatherer struct {
	mem     memory.Allocator
	schema  *arrow.Schema
	batches []arrow.RecordBatch
	srcs    []arrow.Array // scratch: one column across batches
}

func newGatherer(mem memory.Allocator, schema *arrow.Schema, batches []arrow.RecordBatch) *gatherer {
	g := &gatherer{
		mem:     mem,
		schema:  schema,
		batches: batches,
		srcs:    make([]arrow.Array, len(batches)),
	}
	return g
}

// gather returns a batch whose row i is row ri[i] of batch bi[i].
func (g *gatherer) gather(bi, ri []int32) (arrow.RecordBatch, error) {
	cols := make([]arrow.Array, g.schema.NumFields())
	release := func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}
	for j := range cols {
		for i, b := range g.batches {
			g.srcs[i] = b.Column(j)
		}
		c, err := gatherColumn(g.mem, g.schema.Field(j).Type, g.srcs, bi, ri)
		if err == nil && c == nil {
			c, err = sliceGather(g.mem, g.schema.Field(j).Type, g.srcs, bi, ri)
		}
		if err != nil {
			release()
			return nil, fmt.Errorf("gather column %q: %w", g.schema.Field(j).Name, err)
		}
		cols[j] = c
	}
	rec := array.NewRecordBatch(g.schema, cols, int64(len(bi)))
	release()
	return rec, nil
}

// sliceGather is the fallback for column types without a typed gather
// (nested, dictionary and view types): it slices srcs into runs of
// consecutive picked rows and concatenates the runs.
func sliceGather(mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, bi, ri []int32) (arrow.Array, error) {
	var parts []arrow.Array
	defer func() {
		for _, p := range parts {
			p.Release()
		}
	}()
	for lo := 0; lo < len(bi); {
		hi := lo + 1
		for hi < len(bi) && bi[hi] == bi[lo] && ri[hi] == ri[hi-1]+1 {
			hi++
		}
		parts = append(parts, array.NewSlice(srcs[bi[lo]], int64(ri[lo]), int64(ri[hi-1])+1))
		lo = hi
	}
	if len(parts) == 0 {
		return array.MakeArrayOfNull(mem, dt, 0), nil
	}
	out, err := array.Concatenate(parts, mem)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrNotImplemented, err)
	}
	return out, nil
}

// gatherColumn copies the picked rows of srcs (one array per batch) into a
// new array, or returns nil when dt has no typed gather.
func gatherColumn(mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, bi, ri []int32) (arrow.Array, error) {
	switch dt.ID() {
	case arrow.BOOL:
		return gatherBool(mem, dt, srcs, bi, ri), nil
	case arrow.INT8, arrow.UINT8:
		return gatherFixed[uint8](mem, dt, srcs, bi, ri), nil
	case arrow.INT16, arrow.UINT16, arrow.FLOAT16:
		return gatherFixed[uint16](mem, dt, srcs, bi, ri), nil
	case arrow.INT32, arrow.UINT32, arrow.FLOAT32, arrow.DATE32, arrow.TIME32,
		arrow.DECIMAL32, arrow.INTERVAL_MONTHS:
		return gatherFixed[uint32](mem, dt, srcs, bi, ri), nil
	case arrow.INT64, arrow.UINT64, arrow.FLOAT64, arrow.DATE64, arrow.TIMESTAMP,
		arrow.TIME64, arrow.DURATION, arrow.DECIMAL64, arrow.INTERVAL_DAY_TIME:
		return gatherFixed[uint64](mem, dt, srcs, bi, ri), nil
	case arrow.DECIMAL128, arrow.INTERVAL_MONTH_DAY_NANO:
		return gatherFixed[[16]byte](mem, dt, srcs, bi, ri), nil
	case arrow.DECIMAL256:
		return gatherFixed[[32]byte](mem, dt, srcs, bi, ri), nil
	case arrow.FIXED_SIZE_BINARY:
		return gatherFixedBytes(mem, dt, srcs, bi, ri), nil
	case arrow.STRING, arrow.BINARY:
		return gatherVar[int32](mem, dt, srcs, bi, ri)
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return gatherVar[int64](mem, dt, srcs, bi, ri)
	case arrow.NULL:
		return array.NewNull(len(bi)), nil
	}
	return nil, nil
}

// newBuffer allocates a buffer of n bytes from mem.
func newBuffer(mem memory.Allocator, n int) *memory.Buffer {
	b := memory.NewResizableBuffer(mem)
	b.Resize(n)
	return b
}

// makeArray builds an array over bufs and drops the caller's references.
func makeArray(dt arrow.DataType, n, nulls int, bufs ...*memory.Buffer) arrow.Array {
	d := array.NewData(dt, n, bufs, nil, nulls, 0)
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	arr := array.MakeFromData(d)
	d.Release()
	return arr
}

// gatherValidity returns the validity bitmap of the picked rows and their
// null count, or nil when no source has nulls.
func gatherValidity(mem memory.Allocator, srcs []arrow.Array, bi, ri []int32) (*memory.Buffer, int) {
	type bitmap struct {
		bits []byte
		off  int
	}
	maps := make([]bitmap, len(srcs))
	any := false
	for i, s := range srcs {
		if s.NullN() > 0 {
			maps[i] = bitmap{s.NullBitmapBytes(), s.Data().Offset()}
			any = true
		}
	}
	if !any {
		return nil, 0
	}
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(len(bi)))))
	out := buf.Bytes()
	for i := range out {
		out[i] = 0xff
	}
	nulls := 0
	for i, b := range bi {
		m := maps[b]
		if m.bits != nil && !bitutil.BitIsSet(m.bits, m.off+int(ri[i])) {
			bitutil.ClearBit(out, i)
			nulls++
		}
	}
	return buf, nulls
}

// gatherFixed gathers fixed-width values, viewed as T of the same width.
func gatherFixed[T any](mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, bi, ri []int32) arrow.Array {
	n := len(bi)
	vals := make([][]T, len(srcs))
	for i, s := range srcs {
		if s.Len() > 0 {
			d := s.Data()
			vals[i] = castSlice[T](d.Buffers()[1].Bytes())[d.Offset():]
		}
	}
	valid, nulls := gatherValidity(mem, srcs, bi, ri)
	var zero T
	buf := newBuffer(mem, n*int(sizeOf(zero)))
	out := castSlice[T](buf.Bytes())[:n]
	if len(vals) == 1 {
		v := vals[0]
		for i, r := range ri {
			out[i] = v[r]
		}
	} else {
		for i, b := range bi {
			out[i] = vals[b][ri[i]]
		}
	}
	return makeArray(dt, n, nulls, valid, buf)
}

func gatherBool(mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, bi, ri []int32) arrow.Array {
	n := len(bi)
	type bitmap struct {
		bits []byte
		off  int
	}
	maps := make([]bitmap, len(srcs))
	for i, s := range srcs {
		if s.Len() > 0 {
			maps[i] = bitmap{s.Data().Buffers()[1].Bytes(), s.Data().Offset()}
		}
	}
	valid, nulls := gatherValidity(mem, srcs, bi, ri)
	buf := newBuffer(mem, int(bitutil.BytesForBits(int64(n))))
	out := buf.Bytes()
	clear(out)
	for i, b := range bi {
		m := maps[b]
		if bitutil.BitIsSet(m.bits, m.off+int(ri[i])) {
			bitutil.SetBit(out, i)
		}
	}
	return makeArray(dt, n, nulls, valid, buf)
}

func gatherFixedBytes(mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, bi, ri []int32) arrow.Array {
	n := len(bi)
	w := dt.(*arrow.FixedSizeBinaryType).ByteWidth
	vals := make([][]byte, len(srcs))
	for i, s := range srcs {
		if s.Len() > 0 {
			d := s.Data()
			vals[i] = d.Buffers()[1].Bytes()[d.Offset()*w:]
		}
	}
	valid, nulls := gatherValidity(mem, srcs, bi, ri)
	buf := newBuffer(mem, n*w)
	out := buf.Bytes()
	for i, b := range bi {
		r := int(ri[i])
		copy(out[i*w:(i+1)*w], vals[b][r*w:(r+1)*w])
	}
	return makeArray(dt, n, nulls, valid, buf)
}

// gatherVar gathers strings and binaries with offsets of type O.
func gatherVar[O int32 | int64](mem memory.Allocator, dt arrow.DataType, srcs []arrow.Array, bi, ri []int32) (arrow.Array, error) {
	n := len(bi)
	type source struct {
		offs []O
		data []byte
	}
	ss := make([]source, len(srcs))
	for i, s := range srcs {
		ss[i].offs, ss[i].data, _ = varValues[O](s)
	}
	total := 0
	for i, b := range bi {
		s, r := &ss[b], ri[i]
		total += int(s.offs[r+1] - s.offs[r])
	}
	var zero O
	if sizeOf(zero) == 4 && total > math.MaxInt32 {
		return nil, fmt.Errorf("%d bytes of %s values in one batch: %w", total, dt, errs.ErrResourcesExhausted)
	}
	valid, nulls := gatherValidity(mem, srcs, bi, ri)
	offBuf := newBuffer(mem, (n+1)*int(sizeOf(zero)))
	offs := castSlice[O](offBuf.Bytes())[:n+1]
	dataBuf := newBuffer(mem, total)
	data := dataBuf.Bytes()
	pos := 0
	offs[0] = 0
	for i, b := range bi {
		s, r := &ss[b], ri[i]
		pos += copy(data[pos:], s.data[s.offs[r]:s.offs[r+1]])
		offs[i+1] = O(pos)
	}
	return makeArray(dt, n, nulls, valid, offBuf, dataBuf), nil
}
