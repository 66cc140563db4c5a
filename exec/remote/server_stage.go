package remote

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	"lakeframe/exec/bufpool"
	"lakeframe/expr"
)

// mapTask runs one partition of a map plan and streams its rows back split
// by partition, each message tagged with its partition number.
func (s *server) mapTask(ctx context.Context, data []byte, send func([]byte) error) (err error) {
	var req mapRequest
	if err := json.Unmarshal(data, &req); err != nil {
		return fmt.Errorf("decode map task: %w", err)
	}
	root, err := decodeNode(ctx, req.Plan, s.open, nil)
	if err != nil {
		return err
	}
	keys, err := decodeExprs(req.Keys)
	if err != nil {
		return err
	}
	op, err := exec.Build(root)
	if err != nil {
		return err
	}
	if req.Partition < 0 || req.Partition >= op.Partitions() {
		return fmt.Errorf("map task: partition %d of a plan with %d", req.Partition, op.Partitions())
	}
	mem := bufpool.Default
	tc := &exec.TaskContext{Mem: mem, BatchSize: req.BatchSize, Parallelism: 1, MemoryBudget: req.MemoryBudget}
	st, err := op.Execute(ctx, tc, req.Partition)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	return sendPartitioned(ctx, mem, st, keys, req.Parts, req.Compression, send)
}

// sendPartitioned splits a stream's rows by keys into parts partitions,
// each its own IPC stream, and sends them in messages tagged with the
// partition.
func sendPartitioned(ctx context.Context, mem memory.Allocator, st exec.Stream, keys []expr.Node, parts int, compression string, send func([]byte) error) error {
	w, err := newShuffleWriter(mem, st.Schema(), keys, parts, compression, func(p int, b []byte) error {
		return sendTagged(send, b, p)
	})
	if err != nil {
		return err
	}
	if err := eachBatch(ctx, st, func(rec arrow.RecordBatch) error { return w.write(ctx, rec) }); err != nil {
		return err
	}
	return w.close()
}

// reduceTask receives a reduce plan and its inputs, runs the plan and
// streams its result back. The inputs are received in full first: the
// plan's operators read them in their own order (a join its build side
// first), and the coordinator can then send them in any order.
func (s *server) reduceTask(ctx context.Context, recv func() ([]byte, error), send func([]byte) error) (err error) {
	head, err := recv()
	if err != nil {
		return fmt.Errorf("reduce task: %w", err)
	}
	var req reduceRequest
	if err := json.Unmarshal(head, &req); err != nil {
		return fmt.Errorf("decode reduce task: %w", err)
	}
	mem := bufpool.Default
	inputs := make([]*memSource, len(req.Inputs))
	for i, b := range req.Inputs {
		schema, err := decodeSchema(b)
		if err != nil {
			return err
		}
		inputs[i] = &memSource{runnerSource: runnerSource{kind: "exchange", schema: schema, desc: fmt.Sprintf("exchange input %d", i)}}
	}
	defer func() {
		for _, in := range inputs {
			in.release()
		}
	}()
	streams := make([][]*bytes.Buffer, len(inputs))
	tags := make([]int, 2)
	for {
		msg, err := recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reduce task input: %w", err)
		}
		b, err := untag(msg, tags)
		if err != nil {
			return err
		}
		in, seq := tags[0], tags[1]
		if in >= len(inputs) || seq > len(streams[in]) {
			return fmt.Errorf("reduce task: data for input %d stream %d out of order", in, seq)
		}
		if seq == len(streams[in]) {
			streams[in] = append(streams[in], new(bytes.Buffer))
		}
		streams[in][seq].Write(b)
	}
	for i, bufs := range streams {
		for j, buf := range bufs {
			batches, err := readIPC(mem, inputs[i].schema, buf)
			inputs[i].batches = append(inputs[i].batches, batches...)
			if err != nil {
				return fmt.Errorf("reduce task: input %d stream %d: %w", i, j, err)
			}
		}
		streams[i] = nil
	}
	root, err := decodeNode(ctx, req.Plan, s.open, inputs)
	if err != nil {
		return err
	}
	tc := &exec.TaskContext{Mem: mem, BatchSize: req.BatchSize, Parallelism: 1, MemoryBudget: req.MemoryBudget}
	st, err := exec.Open(ctx, tc, root)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := st.Close(); err == nil {
			err = cerr
		}
	}()
	if req.Parts > 0 {
		keys, err := decodeExprs(req.Keys)
		if err != nil {
			return err
		}
		return sendPartitioned(ctx, mem, st, keys, req.Parts, req.Compression, send)
	}
	return sendIPC(ctx, st, req.Compression, send)
}

// readIPC decodes one IPC stream; on error it returns the batches read so
// far, for the caller to release.
func readIPC(mem memory.Allocator, schema *arrow.Schema, r io.Reader) ([]arrow.RecordBatch, error) {
	rd, err := ipc.NewReader(r, ipc.WithAllocator(mem), ipc.WithSchema(schema))
	if err != nil {
		return nil, err
	}
	defer rd.Release()
	var out []arrow.RecordBatch
	for rd.Next() {
		rec := rd.RecordBatch()
		rec.Retain()
		out = append(out, rec)
	}
	if err := rd.Err(); err != nil && !errors.Is(err, io.EOF) {
		return out, err
	}
	return out, nil
}
