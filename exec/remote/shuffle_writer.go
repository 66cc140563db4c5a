package remote

import (
	"bytes"
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/eval"
	"lakeframe/exec/join"
	"lakeframe/expr"
)

// shuffleWriter splits batches by the hash of their keys into parts
// partitions and writes each partition as its own Arrow IPC stream; emit
// receives the stream's bytes as they are written, tagged by partition.
// With no keys every row goes to partition 0.
type shuffleWriter struct {
	mem    memory.Allocator
	schema *arrow.Schema
	keys   []expr.Node
	parts  int
	opts   []ipc.Option
	emit   func(p int, b []byte) error

	bufs    []bytes.Buffer
	writers []*ipc.Writer
	hashes  []uint64
	idx     [][]int32
}

func newShuffleWriter(mem memory.Allocator, schema *arrow.Schema, keys []expr.Node, parts int, compression string, emit func(int, []byte) error) (*shuffleWriter, error) {
	opts, err := ipcOptions(schema, compression)
	if err != nil {
		return nil, err
	}
	opts = append(opts, ipc.WithAllocator(mem))
	if parts < 1 {
		return nil, fmt.Errorf("shuffle into %d partitions", parts)
	}
	return &shuffleWriter{mem: mem, schema: schema, keys: keys, parts: parts, opts: opts, emit: emit,
		bufs: make([]bytes.Buffer, parts), writers: make([]*ipc.Writer, parts), idx: make([][]int32, parts)}, nil
}

// write sends rec's rows to their partitions; the caller keeps rec.
func (w *shuffleWriter) write(ctx context.Context, rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	if len(w.keys) == 0 || w.parts == 1 {
		return w.writePart(0, rec)
	}
	cols := make([]arrow.Array, len(w.keys))
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for i, k := range w.keys {
		c, err := eval.Eval(ctx, w.mem, k, rec)
		if err != nil {
			return fmt.Errorf("shuffle key %s: %w", k, err)
		}
		cols[i] = c
	}
	if cap(w.hashes) < n {
		w.hashes = make([]uint64, n)
	}
	h := w.hashes[:n]
	if err := shuffleHash(cols, n, h); err != nil {
		return err
	}
	for p := range w.idx {
		w.idx[p] = w.idx[p][:0]
	}
	for i, x := range h {
		p := x % uint64(w.parts)
		w.idx[p] = append(w.idx[p], int32(i))
	}
	for p, idx := range w.idx {
		if len(idx) == 0 {
			continue
		}
		if len(idx) == n {
			return w.writePart(p, rec)
		}
		part, err := takeRows(w.mem, rec, idx)
		if err != nil {
			return err
		}
		err = w.writePart(p, part)
		part.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

func takeRows(mem memory.Allocator, rec arrow.RecordBatch, idx []int32) (arrow.RecordBatch, error) {
	sel := join.Select(idx)
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		out, err := sel.Take(mem, c)
		if err != nil {
			for _, x := range cols[:i] {
				x.Release()
			}
			return nil, fmt.Errorf("shuffle: take column %s: %w", rec.ColumnName(i), err)
		}
		cols[i] = out
	}
	out := array.NewRecordBatch(rec.Schema(), cols, int64(len(idx)))
	for _, c := range cols {
		c.Release()
	}
	return out, nil
}

func (w *shuffleWriter) writePart(p int, rec arrow.RecordBatch) error {
	if w.writers[p] == nil {
		w.writers[p] = ipc.NewWriter(&w.bufs[p], w.opts...)
	}
	if err := w.writers[p].Write(rec); err != nil {
		return fmt.Errorf("shuffle partition %d: %w", p, err)
	}
	return w.flush(p)
}

func (w *shuffleWriter) flush(p int) error {
	if w.bufs[p].Len() == 0 {
		return nil
	}
	err := w.emit(p, w.bufs[p].Bytes())
	w.bufs[p].Reset()
	return err
}

// close ends every partition's stream that was started.
func (w *shuffleWriter) close() error {
	for p, wr := range w.writers {
		if wr == nil {
			continue
		}
		if err := wr.Close(); err != nil {
			return fmt.Errorf("shuffle partition %d: %w", p, err)
		}
		if err := w.flush(p); err != nil {
			return err
		}
	}
	return nil
}
