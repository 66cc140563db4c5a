package filescan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/internal/textparse"
	"lakeframe/exec/source/files"
	"lakeframe/exec/source/prune"
	"lakeframe/expr"
	"lakeframe/plan"
)

// partitionValue converts a partition value to the typed form pruning
// compares; ok is false for a value that does not parse as its column's
// type.
func partitionValue(t arrow.DataType, v files.PartitionValue) (prune.Value, bool) {
	switch t.ID() {
	case arrow.INT64:
		n, ok := textparse.ParseInt([]byte(v.Text))
		return prune.Int(n), ok
	case arrow.DATE32:
		d, ok := textparse.ParseDate([]byte(v.Text))
		return prune.Int(int64(d)), ok
	case arrow.STRING:
		return prune.String(v.Text), true
	}
	return prune.Value{}, false
}

// PartitionStats returns statistics for the columns of the layout that
// are partition columns: constants taken from the file's directory names.
// rows is how many rows they stand for. File columns get stats from
// fileStats, which may be nil.
func (l *Layout) PartitionStats(e *files.Entry, rows int64, fileStats prune.StatsFunc) prune.StatsFunc {
	return func(col int) (prune.Stats, bool) {
		if col < l.NumFile {
			if fileStats == nil {
				return prune.Stats{}, false
			}
			return fileStats(col)
		}
		j := col - l.NumFile
		if j >= len(e.Partition) {
			return prune.Stats{}, false
		}
		pv := e.Partition[j]
		if pv.Null {
			return prune.Constant(prune.Value{}, true, rows), true
		}
		v, ok := partitionValue(l.Schema.Field(col).Type, pv)
		if !ok {
			return prune.Stats{}, false
		}
		return prune.Constant(v, false, rows), true
	}
}

// Support says how a source with this layout can use a predicate. One
// that reads only partition columns and is understood completely is
// exact: the source keeps exactly the files where it is true. Others are
// inexact when statistics can prune with them (statsUsable says which
// file columns have statistics; nil means none), else unsupported.
func (l *Layout) Support(pred expr.Node, statsUsable func(fileCol int) bool) plan.FilterSupport {
	p := prune.Compile(pred, l.Schema)
	onlyParts := true
	for _, name := range expr.Columns(pred) {
		idx := l.Schema.FieldIndices(name)
		if len(idx) != 1 || idx[0] < l.NumFile {
			onlyParts = false
		}
	}
	if onlyParts && p.Exact() {
		return plan.FilterExact
	}
	usable := func(col int) bool {
		if col >= l.NumFile {
			return true
		}
		return statsUsable != nil && statsUsable(col)
	}
	if p.CanPrune(usable) {
		return plan.FilterInexact
	}
	return plan.FilterUnsupported
}

// Compile compiles pushed filters for pruning.
func (l *Layout) Compile(filters []expr.Node) []*prune.Predicate {
	out := make([]*prune.Predicate, len(filters))
	for i, f := range filters {
		out[i] = prune.Compile(f, l.Schema)
	}
	return out
}

// KeepFile reports whether every predicate may be true for the file,
// judging by its partition values alone.
func (l *Layout) KeepFile(preds []*prune.Predicate, e *files.Entry) bool {
	if l.NumParts == 0 {
		return true
	}
	stats := l.PartitionStats(e, 1, nil)
	for _, p := range preds {
		if !p.MayMatch(stats) {
			return false
		}
	}
	return true
}

// ConstantArray is an array of n copies of a partition value.
func ConstantArray(mem memory.Allocator, t arrow.DataType, v files.PartitionValue, n int) (arrow.Array, error) {
	if v.Null {
		return array.MakeArrayOfNull(mem, t, n), nil
	}
	bad := fmt.Errorf("%w: partition value %q is not a valid %s", errs.ErrExec, v.Text, t)
	switch t.ID() {
	case arrow.INT64:
		x, ok := textparse.ParseInt([]byte(v.Text))
		if !ok {
			return nil, bad
		}
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.Reserve(n)
		for range n {
			b.UnsafeAppend(x)
		}
		return b.NewArray(), nil
	case arrow.DATE32:
		d, ok := textparse.ParseDate([]byte(v.Text))
		if !ok {
			return nil, bad
		}
		b := array.NewDate32Builder(mem)
		defer b.Release()
		b.Reserve(n)
		for range n {
			b.UnsafeAppend(arrow.Date32(d))
		}
		return b.NewArray(), nil
	case arrow.STRING:
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.Reserve(n)
		b.ReserveData(n * len(v.Text))
		for range n {
			b.Append(v.Text)
		}
		return b.NewArray(), nil
	}
	return nil, fmt.Errorf("%w: partition column type %s", errs.ErrInternal, t)
}
