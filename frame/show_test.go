package frame_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"lakeframe/frame"
)

// TestShowZeroRowsPrintsOnlyTheHeader: Show(…, 0) is a look at the columns,
// and the footer still says rows exist.
func TestShowZeroRowsPrintsOnlyTheHeader(t *testing.T) {
	tbl := orders()
	defer tbl.Release()
	var buf bytes.Buffer
	if err := frame.FromArrow(tbl).Show(context.Background(), &buf, 0); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(out, "EMEA") || !strings.Contains(out, "region") || !strings.HasSuffix(out, "(showing first 0 rows)\n") {
		t.Fatalf("Show with 0 rows printed:\n%s", out)
	}
}
