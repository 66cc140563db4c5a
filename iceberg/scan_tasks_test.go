package iceberg

import (
	"context"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	"lakeframe/plan"
)

// scanTasks reads every task with mem as the query's allocator and hands
// each batch to fn, releasing it afterwards; any error fails the test.
func scanTasks(ctx context.Context, t *testing.T, src *Source, tasks []plan.Task, mem memory.Allocator, fn func(arrow.RecordBatch)) {
	t.Helper()
	for _, task := range tasks {
		st, err := src.Open(ctx, &exec.TaskContext{Mem: mem}, task)
		if err != nil {
			t.Fatal(err)
		}
		for {
			rec, err := st.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				st.Close()
				t.Fatal(err)
			}
			fn(rec)
			rec.Release()
		}
		if err := st.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
