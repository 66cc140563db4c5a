package sink

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
)

// maxPartitionColumns bounds the partition columns of a write.
const maxPartitionColumns = 8

// partitioner splits batches by the values of the partition columns. It
// numbers the distinct values of each column with a typed loop, combines
// the numbers into a key per row, and formats a directory name only once
// per distinct key and batch.
type partitioner struct {
	cols  []int
	names []string
	ids   [maxPartitionColumns][]int32
	// per batch
	values [maxPartitionColumns][]string // directory value of each id
	groups map[[maxPartitionColumns]int32]int
}

// group is the rows of a batch that go to one partition directory.
type group struct {
	dir  string // "k1=v1/k2=v2"
	rows []int32
}

func newPartitioner(schema *arrow.Schema, by []string) (*partitioner, error) {
	if len(by) > maxPartitionColumns {
		return nil, fmt.Errorf("%w: at most %d partition columns, got %d", errs.ErrNotImplemented, maxPartitionColumns, len(by))
	}
	p := &partitioner{names: by, groups: map[[maxPartitionColumns]int32]int{}}
	for _, name := range by {
		idx := schema.FieldIndices(name)
		if len(idx) == 0 {
			return nil, fmt.Errorf("%w: partition column %q is not in the output (columns: %s)", errs.ErrPlan, name, schemaNames(schema))
		}
		if !partitionable(schema.Field(idx[0]).Type) {
			return nil, fmt.Errorf("%w: cannot partition by %s of type %s", errs.ErrPlan, name, schema.Field(idx[0]).Type)
		}
		p.cols = append(p.cols, idx[0])
	}
	if len(p.cols) == schema.NumFields() {
		return nil, fmt.Errorf("%w: every column is a partition column; no data would be left to write", errs.ErrPlan)
	}
	return p, nil
}

func schemaNames(s *arrow.Schema) string {
	names := make([]string, s.NumFields())
	for i, f := range s.Fields() {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

func partitionable(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.BOOL, arrow.STRING, arrow.LARGE_STRING, arrow.DATE32, arrow.TIMESTAMP:
		return true
	}
	return false
}

// split returns the groups of rows of rec, in order of first row.
func (p *partitioner) split(rec arrow.RecordBatch) []group {
	n := int(rec.NumRows())
	for j, c := range p.cols {
		p.ids[j] = grow(p.ids[j], n)
		p.values[j] = numberValues(rec.Column(c), p.ids[j], p.values[j][:0])
	}
	clear(p.groups)
	var out []group
	var key [maxPartitionColumns]int32
	for r := range n {
		for j := range p.cols {
			key[j] = p.ids[j][r]
		}
		g, ok := p.groups[key]
		if !ok {
			g = len(out)
			p.groups[key] = g
			out = append(out, group{dir: p.dirName(key)})
		}
		out[g].rows = append(out[g].rows, int32(r))
	}
	return out
}

func (p *partitioner) dirName(key [maxPartitionColumns]int32) string {
	var sb strings.Builder
	for j, name := range p.names {
		if j > 0 {
			sb.WriteByte('/')
		}
		sb.WriteString(files.Escape(name))
		sb.WriteByte('=')
		sb.WriteString(p.values[j][key[j]])
	}
	return sb.String()
}

func grow(s []int32, n int) []int32 {
	if cap(s) < n {
		return make([]int32, n)
	}
	return s[:n]
}

// numbering gives each row of a column the number of its distinct value
// and keeps the escaped directory value of each number.
type numbering struct {
	ids    []int32
	values []string
	valid  []byte // nil when the column has no nulls
	off    int
	nullID int32
}

// isNull numbers a NULL row: NULL (and the empty string, as hive does) is
// the default partition.
func (n *numbering) isNull(r int) bool {
	if n.valid == nil || bitutil.BitIsSet(n.valid, n.off+r) {
		return false
	}
	if n.nullID < 0 {
		n.nullID = int32(len(n.values))
		n.values = append(n.values, files.DefaultPartition)
	}
	n.ids[r] = n.nullID
	return true
}

// numberValues numbers the values of a into ids and returns the directory
// value of each number.
func numberValues(a arrow.Array, ids []int32, values []string) []string {
	n := &numbering{ids: ids, values: values, off: a.Data().Offset(), nullID: -1}
	if a.NullN() > 0 {
		n.valid = a.NullBitmapBytes()
	}
	switch x := a.(type) {
	case *array.Int8:
		numberFixed(n, x.Int8Values(), func(v int8) string { return strconv.FormatInt(int64(v), 10) })
	case *array.Int16:
		numberFixed(n, x.Int16Values(), func(v int16) string { return strconv.FormatInt(int64(v), 10) })
	case *array.Int32:
		numberFixed(n, x.Int32Values(), func(v int32) string { return strconv.FormatInt(int64(v), 10) })
	case *array.Int64:
		numberFixed(n, x.Int64Values(), func(v int64) string { return strconv.FormatInt(v, 10) })
	case *array.Uint8:
		numberFixed(n, x.Uint8Values(), func(v uint8) string { return strconv.FormatUint(uint64(v), 10) })
	case *array.Uint16:
		numberFixed(n, x.Uint16Values(), func(v uint16) string { return strconv.FormatUint(uint64(v), 10) })
	case *array.Uint32:
		numberFixed(n, x.Uint32Values(), func(v uint32) string { return strconv.FormatUint(uint64(v), 10) })
	case *array.Uint64:
		numberFixed(n, x.Uint64Values(), func(v uint64) string { return strconv.FormatUint(v, 10) })
	case *array.Float32:
		numberFixed(n, floatBits32(x.Float32Values()), func(v uint32) string {
			return files.Escape(strconv.FormatFloat(float64(math.Float32frombits(v)), 'g', -1, 32))
		})
	case *array.Float64:
		numberFixed(n, floatBits64(x.Float64Values()), func(v uint64) string {
			return files.Escape(strconv.FormatFloat(math.Float64frombits(v), 'g', -1, 64))
		})
	case *array.Date32:
		numberFixed(n, x.Date32Values(), func(v arrow.Date32) string { return v.FormattedString() })
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		numberFixed(n, x.TimestampValues(), func(v arrow.Timestamp) string {
			return files.Escape(v.ToTime(unit).UTC().Format("2006-01-02 15:04:05.999999999"))
		})
	case *array.Boolean:
		seen := [2]int32{-1, -1}
		for r := range x.Len() {
			if n.isNull(r) {
				continue
			}
			b := 0
			if x.Value(r) {
				b = 1
			}
			if seen[b] < 0 {
				seen[b] = int32(len(n.values))
				n.values = append(n.values, strconv.FormatBool(b == 1))
			}
			n.ids[r] = seen[b]
		}
	case *array.String:
		numberStrings(n, x.Len(), x.Value)
	case *array.LargeString:
		numberStrings(n, x.Len(), x.Value)
	}
	return n.values
}

func floatBits32(v []float32) []uint32 {
	out := make([]uint32, len(v))
	for i, f := range v {
		if f == 0 {
			f = 0 // -0 and +0 are one partition
		}
		out[i] = math.Float32bits(f)
	}
	return out
}

func floatBits64(v []float64) []uint64 {
	out := make([]uint64, len(v))
	for i, f := range v {
		if f == 0 {
			f = 0
		}
		out[i] = math.Float64bits(f)
	}
	return out
}

// numberFixed numbers fixed-width values; format runs once per distinct
// value.
func numberFixed[T comparable](n *numbering, vals []T, format func(T) string) {
	seen := map[T]int32{}
	for r, v := range vals {
		if n.isNull(r) {
			continue
		}
		id, ok := seen[v]
		if !ok {
			id = int32(len(n.values))
			seen[v] = id
			n.values = append(n.values, format(v))
		}
		n.ids[r] = id
	}
}

func numberStrings(n *numbering, rows int, value func(int) string) {
	seen := map[string]int32{}
	for r := range rows {
		if n.isNull(r) {
			continue
		}
		v := value(r)
		id, ok := seen[v]
		if !ok {
			id = int32(len(n.values))
			v = strings.Clone(v) // v points into the batch
			seen[v] = id
			if v == "" {
				n.values = append(n.values, files.DefaultPartition)
			} else {
				n.values = append(n.values, files.Escape(v))
			}
		}
		n.ids[r] = id
	}
}
