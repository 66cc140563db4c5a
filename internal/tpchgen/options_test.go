package tpchgen

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"lakeframe/errs"
)

// TestGenerateRejects checks that bad arguments fail before Generate
// touches the directory or the generator.
func TestGenerateRejects(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		sf   int
		opts []Option
		want error
	}{
		{"zero scale", context.Background(), 0, nil, errs.ErrPlan},
		{"negative scale", context.Background(), -3, nil, errs.ErrPlan},
		{"huge scale", context.Background(), MaxScale + 1, nil, errs.ErrPlan},
		{"unknown table", context.Background(), 1, []Option{WithTables("orders", "lineitems")}, errs.ErrPlan},
		{"no tables", context.Background(), 1, []Option{WithTables()}, errs.ErrPlan},
		{"zero row group", context.Background(), 1, []Option{WithRowGroupSize(0)}, errs.ErrPlan},
		{"negative rows per file", context.Background(), 1, []Option{WithMaxRowsPerFile(-1)}, errs.ErrPlan},
		{"zero batch", context.Background(), 1, []Option{WithBatchSize(0)}, errs.ErrPlan},
		{"nil allocator", context.Background(), 1, []Option{WithAllocator(nil)}, errs.ErrPlan},
		{"canceled", canceled, 1, nil, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			err := Generate(tt.ctx, dir, tt.sf, tt.opts...)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Generate error = %v, want %v", err, tt.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Generate created %s (stat error %v)", dir, err)
			}
		})
	}
}
