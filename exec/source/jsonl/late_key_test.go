//go:build cgo

package jsonl

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/plan"
)

// TestKeyAfterInferenceSample: a key that first has a value after the
// lines inference read is not dropped without a word: the scan fails
// naming the key and the option to change, whatever columns are read;
// inferring from the whole file reads it; a NULL under an unknown key
// loses nothing and is skipped.
func TestKeyAfterInferenceSample(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "late.jsonl")
	var sb strings.Builder
	for i := range 1500 {
		fmt.Fprintf(&sb, "{\"id\": %d}\n", i)
	}
	sb.WriteString("{\"id\": 1500, \"early_null\": null}\n")
	sb.WriteString("{\"id\": 1501, \"late\": \"x\"}\n")
	if err := os.WriteFile(path, []byte(sb.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	src, err := NewSource(ctx, []string{path}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = st.ScanError(t, src, plan.Pushdown{Limit: -1}, 1000)
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `"late"`) ||
		!strings.Contains(err.Error(), "SampleRows") || !strings.Contains(err.Error(), "late.jsonl:1502") {
		t.Errorf("err = %v, want a plan error naming the key, the line and SampleRows", err)
	}

	// The schema lacks the key whatever is read, as DuckDB's reader says.
	if err := st.ScanError(t, src, plan.Pushdown{Columns: []string{"id"}, Limit: -1}, 1000); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("projected scan: %v, want the same plan error", err)
	}

	whole, err := NewSource(ctx, []string{path}, Options{SampleRows: -1})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, _, err := st.Scan(t, whole, plan.Pushdown{Columns: []string{"id", "late"}, Limit: -1}, mem, 1000)
	defer st.Release(recs)
	if err != nil {
		t.Fatal(err)
	}
	rows := st.Rows(recs)
	if len(rows) != 1502 || rows[1501] != `1501|"x"` {
		t.Errorf("%d rows, last %q; want 1502 ending with 1501|\"x\"", len(rows), rows[len(rows)-1])
	}
}
