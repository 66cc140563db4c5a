package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/ipc"

	"lakeframe/exec"
)

// ipcOptions are the IPC writer options for schema with a named
// compression: "lz4", "zstd" or "" for none.
func ipcOptions(schema *arrow.Schema, compression string) ([]ipc.Option, error) {
	opts := []ipc.Option{ipc.WithSchema(schema)}
	switch compression {
	case "lz4":
		opts = append(opts, ipc.WithLZ4())
	case "zstd":
		opts = append(opts, ipc.WithZstd())
	case "":
	default:
		return nil, fmt.Errorf("unknown compression %q", compression)
	}
	return opts, nil
}

// eachBatch hands each batch of st to fn until the stream ends, releasing the
// batch after fn returns.
func eachBatch(ctx context.Context, st exec.Stream, fn func(arrow.RecordBatch) error) error {
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		err = fn(rec)
		rec.Release()
		if err != nil {
			return err
		}
	}
}

// sendIPC writes a stream's batches as one IPC stream, sent after each
// batch in messages of at most maxChunk bytes.
func sendIPC(ctx context.Context, st exec.Stream, compression string, send func([]byte) error) error {
	opts, err := ipcOptions(st.Schema(), compression)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, opts...)
	flush := func() error {
		err := sendTagged(send, buf.Bytes())
		buf.Reset()
		return err
	}
	err = eachBatch(ctx, st, func(rec arrow.RecordBatch) error {
		if err := w.Write(rec); err != nil {
			return err
		}
		return flush()
	})
	if err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return flush()
}
