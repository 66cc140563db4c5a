package ducklake

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/errs"
	"lakeframe/exec/kernel"
)

// maxOpenPartitions bounds the partitions a write keeps a file open for;
// past it every open file is finished, and a partition seen again starts
// a new file. Memory stays at that many row groups.
const maxOpenPartitions = 32

// partitionedWriter fans a table's rows out to data files by the value
// of its partition keys, one file (rolled at the target size) per
// partition at a time, under key=value directories.
type partitionedWriter struct {
	spec  *partitionSpec
	cols  []Column
	dir   string
	opts  WriteOptions
	open  map[string]*partitionFiles
	done  []*writtenFile
	codes [maxPartitionKeys][]int64
	nulls [maxPartitionKeys][]bool
}

type partitionFiles struct {
	w      *dataFileWriter
	values []*string
}

// groupKey identifies a partition within a batch: each key's code and
// which keys are NULL.
type groupKey struct {
	codes [maxPartitionKeys]int64
	nulls uint8
}

func newPartitionedWriter(dir string, cols []Column, spec *partitionSpec, opts WriteOptions) *partitionedWriter {
	return &partitionedWriter{spec: spec, cols: cols, dir: dir, opts: opts, open: map[string]*partitionFiles{}}
}

// write splits a batch in table order by partition and writes each part.
func (pw *partitionedWriter) write(rec arrow.RecordBatch) error {
	n := int(rec.NumRows())
	if n == 0 {
		return nil
	}
	for k, key := range pw.spec.keys {
		pw.codes[k], pw.nulls[k] = grow(pw.codes[k], n), growBool(pw.nulls[k], n)
		if err := keyCodes(rec.Column(key.col), key, pw.codes[k], pw.nulls[k]); err != nil {
			return err
		}
	}
	index := map[groupKey]int{}
	var first []int // first row of each group
	rowGroup := make([]int, n)
	for i := range n {
		var g groupKey
		for k := range pw.spec.keys {
			if pw.nulls[k][i] {
				g.nulls |= 1 << k
			} else {
				g.codes[k] = pw.codes[k][i]
			}
		}
		idx, ok := index[g]
		if !ok {
			idx = len(first)
			index[g] = idx
			first = append(first, i)
		}
		rowGroup[i] = idx
	}
	for idx, row := range first {
		values := make([]*string, len(pw.spec.keys))
		for k, key := range pw.spec.keys {
			if !pw.nulls[k][row] {
				s := keyText(rec.Column(key.col), key, row)
				values[k] = &s
			}
		}
		part, err := pw.files(values)
		if err != nil {
			return err
		}
		if len(first) == 1 {
			return part.w.write(rec)
		}
		if err := pw.writeGroup(part, rec, rowGroup, idx); err != nil {
			return err
		}
	}
	return nil
}

// writeGroup writes the rows of rec in group idx.
func (pw *partitionedWriter) writeGroup(part *partitionFiles, rec arrow.RecordBatch, rowGroup []int, idx int) error {
	mem := pw.opts.mem()
	b := array.NewBooleanBuilder(mem)
	defer b.Release()
	b.Reserve(len(rowGroup))
	for _, g := range rowGroup {
		b.UnsafeAppend(g == idx)
	}
	mask := b.NewBooleanArray()
	defer mask.Release()
	sel, err := kernel.Filter(mem, rec, mask)
	if err != nil {
		return err
	}
	defer sel.Release()
	return part.w.write(sel)
}

// files returns the open writer of a partition, opening one (after
// finishing every open one when too many are open).
func (pw *partitionedWriter) files(values []*string) (*partitionFiles, error) {
	var key, dir strings.Builder
	for k, v := range values {
		c := pw.cols[pw.spec.keys[k].col]
		name := c.Name
		if t := pw.spec.keys[k].transform; t != "identity" {
			name += "_" + t
		}
		dir.WriteString(url.PathEscape(name) + "=")
		if v == nil {
			key.WriteString("\x01")
			dir.WriteString("__null__")
		} else {
			key.WriteString("\x02" + *v)
			dir.WriteString(url.PathEscape(*v))
		}
		key.WriteString("\x00")
		dir.WriteString("/")
	}
	if part, ok := pw.open[key.String()]; ok {
		return part, nil
	}
	if len(pw.open) >= maxOpenPartitions {
		if err := pw.finishOpen(); err != nil {
			return nil, err
		}
	}
	w, err := newDataFileWriter(pw.dir, pw.cols, pw.opts)
	if err != nil {
		return nil, err
	}
	w.prefix = dir.String()
	part := &partitionFiles{w: w, values: values}
	pw.open[key.String()] = part
	return part, nil
}

// finishOpen closes every open partition's files.
func (pw *partitionedWriter) finishOpen() error {
	for k, part := range pw.open {
		files, err := part.w.close()
		if err != nil {
			return err
		}
		for _, f := range files {
			f.partition = part.values
		}
		pw.done = append(pw.done, files...)
		delete(pw.open, k)
	}
	return nil
}

// close finishes every file and returns them all.
func (pw *partitionedWriter) close() ([]*writtenFile, error) {
	if err := pw.finishOpen(); err != nil {
		pw.abort()
		return nil, err
	}
	return pw.done, nil
}

// abort removes every file written.
func (pw *partitionedWriter) abort() {
	for _, part := range pw.open {
		part.w.abort()
	}
	pw.open = map[string]*partitionFiles{}
	removeFiles(pw.done)
	pw.done = nil
}

func grow(s []int64, n int) []int64 {
	if cap(s) < n {
		return make([]int64, n)
	}
	return s[:n]
}

func growBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}

// keyCodes fills, per row, a number that is equal for rows in the same
// partition of key, and whether the key is NULL. Strings are numbered in
// order of appearance.
func keyCodes(a arrow.Array, key specKey, codes []int64, nulls []bool) error {
	for i := range nulls {
		nulls[i] = a.IsNull(i)
	}
	if key.transform != "identity" {
		return calendarCodes(a, key.transform, codes)
	}
	switch x := a.(type) {
	case *array.Boolean:
		for i := range codes {
			codes[i] = 0
			if x.IsValid(i) && x.Value(i) {
				codes[i] = 1
			}
		}
	case *array.Int8:
		fillCodes(codes, x.Int8Values())
	case *array.Int16:
		fillCodes(codes, x.Int16Values())
	case *array.Int32:
		fillCodes(codes, x.Int32Values())
	case *array.Int64:
		fillCodes(codes, x.Int64Values())
	case *array.Uint8:
		fillCodes(codes, x.Uint8Values())
	case *array.Uint16:
		fillCodes(codes, x.Uint16Values())
	case *array.Uint32:
		fillCodes(codes, x.Uint32Values())
	case *array.Uint64:
		fillCodes(codes, x.Uint64Values())
	case *array.Float32:
		for i, v := range x.Float32Values() {
			codes[i] = int64(math.Float64bits(float64(v)))
		}
	case *array.Float64:
		for i, v := range x.Float64Values() {
			codes[i] = int64(math.Float64bits(v))
		}
	case *array.Date32:
		fillCodes(codes, x.Date32Values())
	case *array.Time64:
		fillCodes(codes, x.Time64Values())
	case *array.Timestamp:
		fillCodes(codes, x.TimestampValues())
	case *array.String:
		dict := map[string]int64{}
		for i := range codes {
			if x.IsNull(i) {
				continue
			}
			v := x.Value(i)
			code, ok := dict[v]
			if !ok {
				code = int64(len(dict))
				dict[strings.Clone(v)] = code
			}
			codes[i] = code
		}
	default:
		return fmt.Errorf("%w: partition values of type %s", errs.ErrNotImplemented, a.DataType())
	}
	return nil
}

func fillCodes[T ~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64](codes []int64, vals []T) {
	for i, v := range vals {
		codes[i] = int64(v)
	}
}

// calendarCodes computes year, month (of the year), day (of the month)
// or hour (of the day) of a date or timestamp column, in UTC.
func calendarCodes(a arrow.Array, transform string, codes []int64) error {
	part := func(t time.Time) int64 {
		switch transform {
		case "year":
			return int64(t.Year())
		case "month":
			return int64(t.Month())
		case "day":
			return int64(t.Day())
		}
		return int64(t.Hour())
	}
	switch x := a.(type) {
	case *array.Date32:
		for i, v := range x.Date32Values() {
			codes[i] = part(time.Unix(int64(v)*86400, 0).UTC())
		}
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		for i, v := range x.TimestampValues() {
			codes[i] = part(timestampTime(int64(v), unit))
		}
	default:
		return fmt.Errorf("%w: %s partition values of type %s", errs.ErrNotImplemented, transform, a.DataType())
	}
	return nil
}

// keyText is the partition value of row i, not NULL, as the catalog
// spells it: the transform's number, or the value in the form of
// statistics.
func keyText(a arrow.Array, key specKey, i int) string {
	if s, ok := a.(*array.String); ok && key.transform == "identity" {
		return s.Value(i)
	}
	one := array.NewSlice(a, int64(i), int64(i+1))
	defer one.Release()
	if key.transform != "identity" {
		codes := make([]int64, 1)
		_ = calendarCodes(one, key.transform, codes)
		return strconv.FormatInt(codes[0], 10)
	}
	st := newColumnStats(key.typ)
	st.add(one)
	if st.nan {
		return "nan"
	}
	lo, _, _ := st.bounds()
	return lo
}
