package iceberg

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/exec/eval"
	"lakeframe/expr"
)

// exact reports whether planning can apply pred exactly: it reads only
// columns whose values every data file of the snapshot holds in an
// identity partition field, so each file's partition values decide it for
// all of the file's rows. A table whose partitioning evolved may have
// files written under a spec without that field; then pred is not exact.
func (s *Source) exact(pred expr.Node) bool {
	cols := expr.Columns(pred)
	for _, c := range cols {
		if !s.identityCols[c] {
			return false
		}
	}
	if s.snap == nil || len(cols) == 0 {
		return true
	}
	covers := func(specID int) bool {
		ids := s.identity[specID]
		for _, c := range cols {
			if _, ok := ids[c]; !ok {
				return false
			}
		}
		return true
	}
	all := true
	for specID := range s.identity {
		all = all && covers(specID)
	}
	if all {
		return true
	}
	// Some spec lacks a column: exact only if no data file uses it.
	manifests, err := s.manifestList()
	if err != nil {
		return false
	}
	for _, mf := range manifests {
		if !isDeleteManifest(mf) && !covers(int(mf.PartitionSpecID())) {
			return false
		}
	}
	return true
}

// keepByPartition drops the planned files whose partition values do not
// satisfy every exact predicate. Each distinct combination of partition
// values is one row of a batch the predicates are evaluated on, with
// lakeframe's own semantics (NULLs included), so the files kept are
// exactly those whose rows all match.
func (s *Source) keepByPartition(ctx context.Context, files []plannedFile, preds []expr.Node) ([]plannedFile, error) {
	if len(preds) == 0 || len(files) == 0 {
		return files, nil
	}
	var cols []string
	seen := map[string]bool{}
	for _, p := range preds {
		for _, c := range expr.Columns(p) {
			if !seen[c] {
				seen[c] = true
				cols = append(cols, c)
			}
		}
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		idx := s.schema.FieldIndices(c)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%w: iceberg table %s has no column %q", errs.ErrPlan, name(s.tbl), c)
		}
		fields[i] = s.schema.Field(idx[0])
	}

	// row[i] is the row of files[i]'s partition values; rows[r] holds the
	// values of row r.
	row := make([]int, len(files))
	byKey := map[string]int{}
	var rows [][]any
	var key strings.Builder
	for i := range files {
		f := files[i].file
		ids := s.identity[int(f.SpecID())]
		part := f.Partition()
		vals := make([]any, len(cols))
		key.Reset()
		for j, c := range cols {
			id, ok := ids[c]
			if !ok {
				return nil, fmt.Errorf("%w: iceberg table %s: file %s has no identity partition value for %s",
					errs.ErrInternal, name(s.tbl), f.FilePath(), c)
			}
			vals[j] = part[id]
			fmt.Fprintf(&key, "%#v\x00", vals[j])
		}
		r, ok := byKey[key.String()]
		if !ok {
			r = len(rows)
			byKey[key.String()] = r
			rows = append(rows, vals)
		}
		row[i] = r
	}

	keep, err := evalPartitionRows(ctx, arrow.NewSchema(fields, nil), rows, preds)
	if err != nil {
		return nil, fmt.Errorf("%w: iceberg table %s: %w", errs.ErrExec, name(s.tbl), err)
	}
	out := files[:0:0]
	for i := range files {
		if keep[row[i]] {
			out = append(out, files[i])
		}
	}
	return out, nil
}

// evalPartitionRows evaluates the conjunction of preds on rows of
// partition values and reports, per row, whether it is true.
func evalPartitionRows(ctx context.Context, sch *arrow.Schema, rows [][]any, preds []expr.Node) ([]bool, error) {
	mem := memory.DefaultAllocator
	cols := make([]arrow.Array, sch.NumFields())
	defer func() {
		for _, c := range cols {
			if c != nil {
				c.Release()
			}
		}
	}()
	for j, f := range sch.Fields() {
		b := array.NewBuilder(mem, f.Type)
		for _, r := range rows {
			sc, err := partitionScalar(r[j], f.Type)
			if err != nil {
				b.Release()
				return nil, fmt.Errorf("partition value of %s: %w", f.Name, err)
			}
			if err := scalar.Append(b, sc); err != nil {
				b.Release()
				return nil, fmt.Errorf("partition value of %s: %w", f.Name, err)
			}
		}
		cols[j] = b.NewArray()
		b.Release()
	}
	batch := array.NewRecordBatch(sch, cols, int64(len(rows)))
	defer batch.Release()
	keep := make([]bool, len(rows))
	for i := range keep {
		keep[i] = true
	}
	for _, p := range preds {
		mask, err := eval.EvalPredicate(ctx, mem, p, batch)
		if err != nil {
			return nil, err
		}
		for i := range keep {
			keep[i] = keep[i] && mask.IsValid(i) && mask.Value(i)
		}
		mask.Release()
	}
	return keep, nil
}
