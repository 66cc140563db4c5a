package iceberg

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	iceberg "github.com/apache/iceberg-go"
	"github.com/google/uuid"
)

// Iceberg's column metrics are computed here, from the rows as they are
// written, not taken from the Parquet footer: the footer has no NaN
// counts, arrow-go's value count leaves out NULLs (Iceberg's includes
// them), and its min/max neither skip NaN nor truncate strings.

const (
	metricsDefaultKey    = "write.metadata.metrics.default"
	metricsColumnPrefix  = "write.metadata.metrics.column."
	metricsDefaultMode   = "truncate(16)"
	metricsModeNone      = "none"
	metricsModeCounts    = "counts"
	metricsModeFull      = "full"
	metricsModeTruncated = "truncate"
)

// metricsMode is what a column's metrics hold: nothing, counts, or
// counts and bounds (strings and binary cut to width bytes or code
// points; width 0 keeps them whole).
type metricsMode struct {
	counts, bounds bool
	width          int
}

func parseMetricsMode(s string) (metricsMode, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); {
	case v == metricsModeNone:
		return metricsMode{}, nil
	case v == metricsModeCounts:
		return metricsMode{counts: true}, nil
	case v == metricsModeFull:
		return metricsMode{counts: true, bounds: true}, nil
	case strings.HasPrefix(v, metricsModeTruncated+"(") && strings.HasSuffix(v, ")"):
		n, err := strconv.Atoi(v[len(metricsModeTruncated)+1 : len(v)-1])
		if err != nil || n <= 0 {
			return metricsMode{}, fmt.Errorf("metrics mode %q: truncate length must be a positive integer", s)
		}
		return metricsMode{counts: true, bounds: true, width: n}, nil
	}
	return metricsMode{}, fmt.Errorf("unknown metrics mode %q (none, counts, truncate(n) or full)", s)
}

// metricsLeaf is a primitive column metrics are kept for: reached from
// the batch's top-level column path[0] through struct children.
type metricsLeaf struct {
	id   int
	typ  iceberg.PrimitiveType
	path []int
	mode metricsMode
}

// metricsPlan lists the leaves of a file schema with their metrics modes.
// Leaves inside lists and maps get column sizes only.
type metricsPlan struct {
	leaves []metricsLeaf
	modes  map[int]metricsMode // every field id, for column sizes
}

func newMetricsPlan(sc *iceberg.Schema, props iceberg.Properties) (*metricsPlan, error) {
	def, err := parseMetricsMode(props.Get(metricsDefaultKey, metricsDefaultMode))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", metricsDefaultKey, err)
	}
	p := &metricsPlan{modes: map[int]metricsMode{}}
	var walk func(fields []iceberg.NestedField, path []int, inRepeated bool) error
	walk = func(fields []iceberg.NestedField, path []int, inRepeated bool) error {
		for i, f := range fields {
			mode := def
			if name, ok := sc.FindColumnName(f.ID); ok {
				if s, ok := props[metricsColumnPrefix+name]; ok {
					if mode, err = parseMetricsMode(s); err != nil {
						return fmt.Errorf("%s%s: %w", metricsColumnPrefix, name, err)
					}
				}
			}
			p.modes[f.ID] = mode
			at := append(path[:len(path):len(path)], i)
			switch t := f.Type.(type) {
			case *iceberg.StructType:
				if err := walk(t.FieldList, at, inRepeated); err != nil {
					return err
				}
			case *iceberg.ListType:
				if err := walk([]iceberg.NestedField{t.ElementField()}, nil, true); err != nil {
					return err
				}
			case *iceberg.MapType:
				if err := walk([]iceberg.NestedField{t.KeyField(), t.ValueField()}, nil, true); err != nil {
					return err
				}
			case iceberg.PrimitiveType:
				if !inRepeated && mode.counts {
					p.leaves = append(p.leaves, metricsLeaf{id: f.ID, typ: t, path: at, mode: mode})
				}
			}
		}
		return nil
	}
	if err := walk(sc.Fields(), nil, false); err != nil {
		return nil, err
	}
	return p, nil
}

// fileMetrics accumulates the metrics of one data file.
type fileMetrics struct {
	plan *metricsPlan
	cols []columnMetrics
	rows int64
}

func (p *metricsPlan) newFile() *fileMetrics {
	m := &fileMetrics{plan: p, cols: make([]columnMetrics, len(p.leaves))}
	for i, l := range p.leaves {
		m.cols[i].leaf = l
	}
	return m
}

// add takes the rows of rec, a batch in the file's schema.
func (m *fileMetrics) add(rec arrow.RecordBatch) error {
	m.rows += rec.NumRows()
	for i := range m.cols {
		c := &m.cols[i]
		arr := rec.Column(c.leaf.path[0])
		var parentNull []bool
		for _, j := range c.leaf.path[1:] {
			st, ok := arr.(*array.Struct)
			if !ok {
				return fmt.Errorf("metrics of field %d: %s is not a struct", c.leaf.id, arr.DataType())
			}
			if st.NullN() > 0 {
				if parentNull == nil {
					parentNull = make([]bool, st.Len())
				}
				for r := range parentNull {
					parentNull[r] = parentNull[r] || st.IsNull(r)
				}
			}
			arr = st.Field(j)
		}
		if err := c.add(arr, parentNull); err != nil {
			return fmt.Errorf("metrics of field %d: %w", c.leaf.id, err)
		}
	}
	return nil
}

// build sets the metrics on a data file under construction; column sizes
// come from the footer.
func (m *fileMetrics) build(b *iceberg.DataFileBuilder, footer *metadata.FileMetaData) error {
	values, nulls, nans := map[int]int64{}, map[int]int64{}, map[int]int64{}
	lower, upper := map[int][]byte{}, map[int][]byte{}
	for i := range m.cols {
		c := &m.cols[i]
		values[c.leaf.id] = c.values
		nulls[c.leaf.id] = c.nulls
		if isFloating(c.leaf.typ) {
			nans[c.leaf.id] = c.nans
		}
		if !c.leaf.mode.bounds || !c.has {
			continue
		}
		lo, hi, err := c.bounds()
		if err != nil {
			return fmt.Errorf("bounds of field %d: %w", c.leaf.id, err)
		}
		if lo != nil {
			lower[c.leaf.id] = lo
		}
		if hi != nil {
			upper[c.leaf.id] = hi
		}
	}
	sizes := map[int]int64{}
	for g := range footer.NumRowGroups() {
		rg := footer.RowGroup(g)
		for c := range rg.NumColumns() {
			id := int(footer.Schema.Column(c).SchemaNode().FieldID())
			if mode, ok := m.plan.modes[id]; !ok || !mode.counts {
				continue
			}
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return fmt.Errorf("parquet footer: %w", err)
			}
			sizes[id] += cc.TotalCompressedSize()
		}
	}
	b.ColumnSizes(sizes).ValueCounts(values).NullValueCounts(nulls).NaNValueCounts(nans).
		LowerBoundValues(lower).UpperBoundValues(upper)
	return nil
}

func isFloating(t iceberg.Type) bool {
	switch t.(type) {
	case iceberg.Float32Type, iceberg.Float64Type:
		return true
	}
	return false
}

// columnMetrics are the counts and running bounds of one leaf. Bounds are
// kept in the representation of the leaf's Arrow array: integers (and
// booleans, dates, times, timestamps) in lo/hi, floats in flo/fhi, bytes
// in blo/bhi (copied), decimals in dlo/dhi.
type columnMetrics struct {
	leaf                metricsLeaf
	values, nulls, nans int64
	has                 bool
	lo, hi              int64
	flo, fhi            float64
	blo, bhi            []byte
	dlo, dhi            decimal128.Num
}

// add counts arr's values; parentNull marks rows whose parent struct is
// NULL, which makes the value NULL whatever arr holds.
func (c *columnMetrics) add(arr arrow.Array, parentNull []bool) error {
	n := arr.Len()
	c.values += int64(n)
	isNull := func(i int) bool { return arr.IsNull(i) || (parentNull != nil && parentNull[i]) }
	if ext, ok := arr.(array.ExtensionArray); ok {
		arr = ext.Storage()
	}
	switch a := arr.(type) {
	case *array.Boolean:
		c.ints(n, isNull, func(i int) int64 {
			if a.Value(i) {
				return 1
			}
			return 0
		})
	case *array.Int32:
		c.ints(n, isNull, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Int64:
		c.ints(n, isNull, a.Value)
	case *array.Date32:
		c.ints(n, isNull, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Time64:
		c.ints(n, isNull, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Timestamp:
		c.ints(n, isNull, func(i int) int64 { return int64(a.Value(i)) })
	case *array.Float32:
		c.floats(n, isNull, func(i int) float64 { return float64(a.Value(i)) })
	case *array.Float64:
		c.floats(n, isNull, a.Value)
	case *array.String:
		c.byteValues(n, isNull, func(i int) []byte { return unsafeBytes(a.Value(i)) })
	case *array.LargeString:
		c.byteValues(n, isNull, func(i int) []byte { return unsafeBytes(a.Value(i)) })
	case *array.Binary:
		c.byteValues(n, isNull, a.Value)
	case *array.LargeBinary:
		c.byteValues(n, isNull, a.Value)
	case *array.FixedSizeBinary:
		c.byteValues(n, isNull, a.Value)
	case *array.Decimal128:
		for i := range n {
			if isNull(i) {
				c.nulls++
				continue
			}
			v := a.Value(i)
			if !c.has {
				c.has, c.dlo, c.dhi = true, v, v
				continue
			}
			if v.Less(c.dlo) {
				c.dlo = v
			}
			if c.dhi.Less(v) {
				c.dhi = v
			}
		}
	default:
		return fmt.Errorf("no metrics for arrow type %s", arr.DataType())
	}
	return nil
}

func (c *columnMetrics) ints(n int, isNull func(int) bool, value func(int) int64) {
	for i := range n {
		if isNull(i) {
			c.nulls++
			continue
		}
		v := value(i)
		if !c.has {
			c.has, c.lo, c.hi = true, v, v
			continue
		}
		c.lo, c.hi = min(c.lo, v), max(c.hi, v)
	}
}

// floats skips NaN in the bounds and orders -0.0 below +0.0, so the
// bounds hold whichever way a reader compares zeros.
func (c *columnMetrics) floats(n int, isNull func(int) bool, value func(int) float64) {
	for i := range n {
		if isNull(i) {
			c.nulls++
			continue
		}
		v := value(i)
		if math.IsNaN(v) {
			c.nans++
			continue
		}
		if !c.has {
			c.has, c.flo, c.fhi = true, v, v
			continue
		}
		if v < c.flo || (v == 0 && c.flo == 0 && math.Signbit(v)) {
			c.flo = v
		}
		if v > c.fhi || (v == 0 && c.fhi == 0 && !math.Signbit(v)) {
			c.fhi = v
		}
	}
}

// byteValues keeps copies of the smallest and largest values; value may
// alias Arrow buffers.
func (c *columnMetrics) byteValues(n int, isNull func(int) bool, value func(int) []byte) {
	for i := range n {
		if isNull(i) {
			c.nulls++
			continue
		}
		v := value(i)
		if !c.has {
			c.has = true
			c.blo = append(c.blo[:0], v...)
			c.bhi = append(c.bhi[:0], v...)
			continue
		}
		if bytes.Compare(v, c.blo) < 0 {
			c.blo = append(c.blo[:0], v...)
		}
		if bytes.Compare(v, c.bhi) > 0 {
			c.bhi = append(c.bhi[:0], v...)
		}
	}
}

// bounds serializes the lower and upper bounds as Iceberg single values;
// either is nil when there is none (an upper bound that cannot be
// truncated and incremented).
func (c *columnMetrics) bounds() (lo, hi []byte, err error) {
	var l, h iceberg.Literal
	switch t := c.leaf.typ.(type) {
	case iceberg.BooleanType:
		l, h = iceberg.BoolLiteral(c.lo == 1), iceberg.BoolLiteral(c.hi == 1)
	case iceberg.Int32Type:
		l, h = iceberg.Int32Literal(c.lo), iceberg.Int32Literal(c.hi)
	case iceberg.DateType:
		l, h = iceberg.DateLiteral(c.lo), iceberg.DateLiteral(c.hi)
	case iceberg.Int64Type:
		l, h = iceberg.Int64Literal(c.lo), iceberg.Int64Literal(c.hi)
	case iceberg.TimeType:
		l, h = iceberg.TimeLiteral(c.lo), iceberg.TimeLiteral(c.hi)
	case iceberg.TimestampType, iceberg.TimestampTzType:
		l, h = iceberg.TimestampLiteral(c.lo), iceberg.TimestampLiteral(c.hi)
	case iceberg.TimestampNsType, iceberg.TimestampTzNsType:
		l, h = iceberg.TimestampNsLiteral(c.lo), iceberg.TimestampNsLiteral(c.hi)
	case iceberg.Float32Type:
		l, h = iceberg.Float32Literal(float32(c.flo)), iceberg.Float32Literal(float32(c.fhi))
	case iceberg.Float64Type:
		l, h = iceberg.Float64Literal(c.flo), iceberg.Float64Literal(c.fhi)
	case iceberg.DecimalType:
		l = iceberg.DecimalLiteral{Val: c.dlo, Scale: t.Scale()}
		h = iceberg.DecimalLiteral{Val: c.dhi, Scale: t.Scale()}
	case iceberg.StringType:
		lo, hi := truncateStringBounds(c.blo, c.bhi, c.leaf.mode.width)
		return nonNil(lo), hi, nil
	case iceberg.BinaryType:
		lo, hi := truncateBinaryBounds(c.blo, c.bhi, c.leaf.mode.width)
		return nonNil(lo), hi, nil
	case iceberg.FixedType:
		return bytes.Clone(c.blo), bytes.Clone(c.bhi), nil
	case iceberg.UUIDType:
		lu, err := uuid.FromBytes(c.blo)
		if err != nil {
			return nil, nil, err
		}
		hu, err := uuid.FromBytes(c.bhi)
		if err != nil {
			return nil, nil, err
		}
		l, h = iceberg.UUIDLiteral(lu), iceberg.UUIDLiteral(hu)
	default:
		return nil, nil, nil
	}
	if lo, err = l.MarshalBinary(); err != nil {
		return nil, nil, err
	}
	if hi, err = h.MarshalBinary(); err != nil {
		return nil, nil, err
	}
	return lo, hi, nil
}

// nonNil keeps an empty lower bound (the empty string is a value) from
// reading as no bound.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// truncateStringBounds cuts UTF-8 bounds to width code points (0: whole):
// the lower bound is the prefix, the upper bound the prefix with its last
// code point that can be incremented incremented (and the rest dropped),
// or nil when none can.
func truncateStringBounds(lo, hi []byte, width int) ([]byte, []byte) {
	lo = bytes.Clone(lo[:prefixLen(lo, width)])
	if n := prefixLen(hi, width); n < len(hi) {
		return lo, incrementString(hi[:n])
	}
	return lo, nonNil(bytes.Clone(hi))
}

// prefixLen is the byte length of s's first width code points.
func prefixLen(s []byte, width int) int {
	if width <= 0 {
		return len(s)
	}
	off := 0
	for range width {
		if off >= len(s) {
			break
		}
		_, size := utf8.DecodeRune(s[off:])
		off += size
	}
	return off
}

// incrementString returns the smallest string above every string that
// starts with s and is no longer than it: s with its last code point that
// can be incremented incremented and what follows dropped; nil when every
// code point is U+10FFFF.
func incrementString(s []byte) []byte {
	runes := []rune(string(s))
	for i := len(runes) - 1; i >= 0; i-- {
		next := runes[i] + 1
		if next >= 0xD800 && next <= 0xDFFF {
			next = 0xE000 // surrogates are not code points UTF-8 can hold
		}
		if next > utf8.MaxRune {
			continue
		}
		runes[i] = next
		return []byte(string(runes[:i+1]))
	}
	return nil
}

// truncateBinaryBounds cuts binary bounds to width bytes (0: whole): the
// upper bound is the prefix with its last byte below 0xFF incremented and
// the rest dropped, or nil when every byte is 0xFF.
func truncateBinaryBounds(lo, hi []byte, width int) ([]byte, []byte) {
	if width > 0 && len(lo) > width {
		lo = lo[:width]
	}
	lo = bytes.Clone(lo)
	if width <= 0 || len(hi) <= width {
		return lo, nonNil(bytes.Clone(hi))
	}
	up := bytes.Clone(hi[:width])
	for i := len(up) - 1; i >= 0; i-- {
		if up[i] < 0xFF {
			up[i]++
			return lo, up[:i+1]
		}
	}
	return lo, nil
}

// unsafeBytes views s as bytes without copying; the bytes must not be
// changed or kept.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
