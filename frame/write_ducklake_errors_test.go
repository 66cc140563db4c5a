//go:build cgo

package frame_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

// TestDuckLakeWriteMisuse: a nil catalog and a frame that failed to build
// are plan errors that say which table and which step.
func TestDuckLakeWriteMisuse(t *testing.T) {
	ctx := context.Background()
	df := ordersFrame(makeOrders(0, 3))
	if _, err := df.WriteDuckLake(ctx, nil, "t"); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "write_ducklake t") {
		t.Errorf("write with a nil catalog: %v", err)
	}
	if _, err := frame.DeleteDuckLake(ctx, nil, "t", expr.Lit(true)); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "delete_ducklake t") {
		t.Errorf("delete with a nil catalog: %v", err)
	}
	if _, err := frame.UpdateDuckLake(ctx, nil, "t", expr.Lit(true), map[string]any{"a": 1}); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "update_ducklake t") {
		t.Errorf("update with a nil catalog: %v", err)
	}
	cat, _ := emptyLake(t)
	bad := df.Select("nope")
	if _, err := bad.WriteDuckLake(ctx, cat, "t"); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("write of a failed frame: %v", err)
	}
	if tables, err := cat.Tables(ctx, "main"); err != nil || len(tables) != 0 {
		t.Errorf("a failed write left tables %v (%v)", tables, err)
	}
}
