package iceberg

import (
	"context"
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
)

// assignment is one column an update sets, to a value resolved against
// the table's columns and cast to the column's type.
type assignment struct {
	col   int
	value expr.Node
}

// rowChange is one delete (no assignments) or update, resolved against a
// table's current snapshot.
type rowChange struct {
	src   *Source
	where expr.Node
	set   []assignment
	mode  RowChangeMode
	mem   memory.Allocator
	// wholeFiles: a copy-on-write delete whose condition planning
	// decides exactly (it reads identity partition columns only), so every
	// planned file's rows all match and the files go without being read.
	wholeFiles bool
}

func newRowChange(tbl *table.Table, where expr.Expr, set map[string]any, mode RowChangeMode, mem memory.Allocator) (*rowChange, error) {
	src, err := NewSource(tbl, ScanOptions{})
	if err != nil {
		return nil, err
	}
	if where.Node() == nil {
		return nil, fmt.Errorf("%w: no condition (use expr.Lit(true) to match every row)", errs.ErrPlan)
	}
	w, err := expr.Resolve(where.Node(), src.schema)
	if err != nil {
		return nil, fmt.Errorf("where %s: %w", where, err)
	}
	t, err := expr.TypeOf(w, src.schema)
	if err != nil {
		return nil, fmt.Errorf("where %s: %w", where, err)
	}
	if t.ID() != arrow.BOOL && t.ID() != arrow.NULL {
		return nil, fmt.Errorf("%w: where %s is %s, not boolean", errs.ErrPlan, where, t)
	}
	c := &rowChange{src: src, where: w, mode: mode, mem: mem}
	for col, v := range set {
		a, err := resolveAssignment(src.schema, col, v)
		if err != nil {
			return nil, err
		}
		c.set = append(c.set, a)
	}
	slices.SortFunc(c.set, func(a, b assignment) int { return a.col - b.col })
	c.wholeFiles = mode == CopyOnWrite && len(c.set) == 0 && src.exact(w)
	return c, nil
}

// resolveAssignment resolves the new value of column col: an expr.Expr
// over the old row, or a Go literal.
func resolveAssignment(sch *arrow.Schema, col string, v any) (assignment, error) {
	idx := sch.FieldIndices(col)
	if len(idx) == 0 {
		return assignment{}, fmt.Errorf("set: %w", expr.UnknownColumnError(col, sch))
	}
	var n expr.Node
	if e, ok := v.(expr.Expr); ok {
		n = e.Node()
	} else {
		n = expr.Lit(v).Node()
	}
	if n == nil {
		return assignment{}, fmt.Errorf("%w: set %s: empty expression", errs.ErrPlan, col)
	}
	to := sch.Field(idx[0]).Type
	r, err := expr.Resolve(n, sch)
	if err != nil {
		return assignment{}, fmt.Errorf("set %s: %w", col, err)
	}
	t, err := expr.TypeOf(r, sch)
	if err != nil {
		return assignment{}, fmt.Errorf("set %s: %w", col, err)
	}
	if !arrow.TypeEqual(t, to) {
		if r, err = expr.Resolve(expr.Wrap(r).Cast(to).Node(), sch); err != nil {
			return assignment{}, fmt.Errorf("set %s (%s) to %s (%s): %w", col, to, expr.Wrap(n), t, err)
		}
	}
	return assignment{col: idx[0], value: r}, nil
}

// targets lists the data files that may hold matching rows, each once and
// whole, with every delete file that applies to it. Pruning is the scan's:
// manifests, partition values and column metrics, through the pushed-down
// form of the condition.
func (c *rowChange) targets(ctx context.Context) ([]table.FileScanTask, error) {
	if c.src.snap == nil {
		return nil, nil
	}
	pl, err := c.src.planFiles(ctx, []expr.Node{c.where}, -1)
	if err != nil {
		return nil, err
	}
	var out []table.FileScanTask
	at := map[string]int{}
	for _, ft := range pl.files {
		path := ft.File.FilePath()
		i, ok := at[path]
		if !ok {
			at[path] = len(out)
			ft.Start, ft.Length, ft.Residual = 0, ft.File.FileSizeBytes(), nil
			out = append(out, ft)
			continue
		}
		// A file split into several tasks: each carries the same deletes,
		// but merge them in case they differ.
		out[i].DeleteFiles = mergeFiles(out[i].DeleteFiles, ft.DeleteFiles)
		out[i].EqualityDeleteFiles = mergeFiles(out[i].EqualityDeleteFiles, ft.EqualityDeleteFiles)
		out[i].DeletionVectorFiles = mergeFiles(out[i].DeletionVectorFiles, ft.DeletionVectorFiles)
	}
	return out, nil
}

func mergeFiles(a, b []iceberg.DataFile) []iceberg.DataFile {
	for _, f := range b {
		if !slices.ContainsFunc(a, func(g iceberg.DataFile) bool { return g.FilePath() == f.FilePath() }) {
			a = append(a, f)
		}
	}
	return a
}
