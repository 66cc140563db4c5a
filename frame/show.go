package frame

import (
	"context"
	"fmt"
	"io"

	"lakeframe/internal/display"
)

// Show runs the query for its first n rows and writes them to w as a text
// table, with a footer that says whether there are more. With n = 0 it
// prints the column names and types only.
func (df *DataFrame) Show(ctx context.Context, w io.Writer, n int, opts ...Option) error {
	if n < 0 {
		return fmt.Errorf("show: row count %d is negative", n)
	}
	// One row more than shown tells the footer that the result goes on.
	batches, schema, err := df.Limit(n+1).collectBatches(ctx, opts...)
	if err != nil {
		return err
	}
	defer func() {
		for _, b := range batches {
			b.Release()
		}
	}()
	return display.WriteTable(w, schema, batches, display.TableOptions{MaxRows: n, TotalRows: -1})
}
