package ducklake

import (
	"net/url"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

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
