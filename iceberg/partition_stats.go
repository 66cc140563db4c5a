package iceberg

import (
	"math"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"
	"github.com/google/uuid"

	"lakeframe/exec/source/prune"
)

// partitionView ties a partition field to the top-level column its
// transform reads, so that a file's partition value (or a manifest's
// summary of them) bounds that column's values.
type partitionView struct {
	pos       int // index of the field in its spec (and in manifest summaries)
	fieldID   int
	col       int // index of the source column in the scan schema
	src       arrow.DataType
	srcIce    iceberg.Type
	transform iceberg.Transform
	// result is the type of the partition values.
	result iceberg.Type
}

// partitionViews lists, per partition spec, the fields whose source is a
// top-level column of the schema read.
func (s *Source) partitionViews() map[int][]partitionView {
	out := map[int][]partitionView{}
	for _, spec := range s.tbl.Metadata().PartitionSpecs() {
		var views []partitionView
		pos := 0
		for _, f := range spec.Fields() {
			k := pos
			pos++
			if len(f.SourceIDs) > 1 {
				continue
			}
			name, ok := s.ischema.FindColumnName(f.SourceID())
			if !ok || strings.Contains(name, ".") {
				continue
			}
			idx := s.schema.FieldIndices(name)
			field, ok := s.ischema.FindFieldByID(f.SourceID())
			if len(idx) != 1 || !ok {
				continue
			}
			views = append(views, partitionView{pos: k, fieldID: f.FieldID, col: idx[0], src: s.schema.Field(idx[0]).Type,
				srcIce: field.Type, transform: f.Transform, result: f.Transform.ResultType(field.Type)})
		}
		out[spec.ID()] = views
	}
	return out
}

// valueStats summarises the source column of the rows of one partition:
// v is the partition value (nil for NULL) of a file of rows rows.
func (v *partitionView) valueStats(val any, rows int64) (prune.Stats, bool) {
	if _, void := v.transform.(iceberg.VoidTransform); void {
		return prune.Stats{}, false
	}
	if val == nil {
		// Transforms keep NULL and only NULL as NULL.
		return prune.Stats{Rows: rows, Nulls: rows}, true
	}
	st, ok := v.rangeStats(val, val)
	st.Rows, st.Nulls = rows, 0
	return st, ok
}

// summaryStats summarises the source column over a manifest from its
// partition field summary. A missing or empty bound means unknown.
func (v *partitionView) summaryStats(fs iceberg.FieldSummary) (prune.Stats, bool) {
	if _, void := v.transform.(iceberg.VoidTransform); void {
		return prune.Stats{}, false
	}
	// The row count is unknown: as many as the bounds allow.
	st := prune.Stats{Rows: math.MaxInt64, Nulls: -1}
	if !fs.ContainsNull {
		st.Nulls = 0
	}
	lo, lok := v.decodeBound(fs.LowerBound)
	hi, hok := v.decodeBound(fs.UpperBound)
	if !lok || !hok {
		return st, true
	}
	r, ok := v.rangeStats(lo, hi)
	if !ok {
		return st, true
	}
	r.Rows, r.Nulls = st.Rows, st.Nulls
	if fs.ContainsNaN != nil && !*fs.ContainsNaN {
		r.NoNaN = true
	} else if v.src.ID() != arrow.FLOAT32 && v.src.ID() != arrow.FLOAT64 {
		r.NoNaN = true
	}
	return r, true
}

func (v *partitionView) decodeBound(b *[]byte) (any, bool) {
	if b == nil {
		return nil, false
	}
	if len(*b) == 0 {
		// Only a string or binary can be empty; anything else is corrupt.
		if _, ok := v.result.(iceberg.StringType); !ok {
			return nil, false
		}
		return "", true
	}
	lit, err := iceberg.LiteralFromBytes(v.result, *b)
	if err != nil {
		return nil, false
	}
	return lit.Any(), true
}

// rangeStats bounds the source values whose partition values lie in
// [lo, hi] (non-null).
func (v *partitionView) rangeStats(lo, hi any) (prune.Stats, bool) {
	switch t := v.transform.(type) {
	case iceberg.IdentityTransform:
		l, ok1 := sourceValue(lo, v.src)
		h, ok2 := sourceValue(hi, v.src)
		if !ok1 || !ok2 {
			return prune.Stats{}, false
		}
		return prune.Stats{Min: l, Max: h, HasBounds: true, NoNaN: true}, true
	case iceberg.TruncateTransform:
		return truncateRange(lo, hi, t.Width, v.src)
	case iceberg.YearTransform, iceberg.MonthTransform, iceberg.DayTransform, iceberg.HourTransform:
		l, ok1 := asInt(lo)
		h, ok2 := asInt(hi)
		if !ok1 || !ok2 {
			return prune.Stats{}, false
		}
		start, ok1 := temporalStart(t, l, v.src)
		end, ok2 := temporalStart(t, h+1, v.src)
		if !ok1 || !ok2 {
			return prune.Stats{}, false
		}
		return prune.Stats{Min: prune.Int(start), Max: prune.Int(end - 1), HasBounds: true, NoNaN: true}, true
	case iceberg.BucketTransform:
		l, ok1 := asInt(lo)
		h, ok2 := asInt(hi)
		hash := t.Transformer(v.srcIce)
		conv := bucketInput(v.srcIce, v.src)
		if !ok1 || !ok2 || conv == nil {
			return prune.Stats{}, false
		}
		return prune.Stats{NoNaN: true, Contains: func(x prune.Value) bool {
			in, ok := conv(x)
			if !ok {
				return true
			}
			b := hash(in)
			return !b.Valid || int64(b.Val) >= l && int64(b.Val) <= h
		}}, true
	}
	return prune.Stats{}, false
}

// sourceValue converts a partition or bound value to the form pruning
// compares for a column of type t.
func sourceValue(v any, t arrow.DataType) (prune.Value, bool) {
	sc, err := partitionScalar(v, t)
	if err != nil {
		return prune.Value{}, false
	}
	return prune.FromScalar(sc, t)
}

// truncateRange: integers truncated to w stand for [p, p+w-1]; strings
// for every string that starts with the truncated prefix.
func truncateRange(lo, hi any, w int, t arrow.DataType) (prune.Stats, bool) {
	switch t.ID() {
	case arrow.INT32, arrow.INT64:
		l, ok1 := asInt(lo)
		h, ok2 := asInt(hi)
		if !ok1 || !ok2 || w <= 0 || h > math.MaxInt64-int64(w) {
			return prune.Stats{}, false
		}
		return prune.Stats{Min: prune.Int(l), Max: prune.Int(h + int64(w) - 1), HasBounds: true, NoNaN: true}, true
	case arrow.STRING, arrow.LARGE_STRING:
		l, ok1 := lo.(string)
		h, ok2 := hi.(string)
		if !ok1 || !ok2 {
			return prune.Stats{}, false
		}
		return prune.Stats{Min: prune.String(l), Max: prune.String(h), MaxIsPrefix: true, HasBounds: true, NoNaN: true}, true
	}
	return prune.Stats{}, false
}

// temporalStart is the first value of column type t in period n of a
// year, month, day or hour transform (counted from 1970), in the column's
// unit: days for dates, its time unit for timestamps.
func temporalStart(tr iceberg.Transform, n int64, t arrow.DataType) (int64, bool) {
	if n > 1e9 || n < -1e9 {
		return 0, false
	}
	var at time.Time
	switch tr.(type) {
	case iceberg.YearTransform:
		at = time.Date(1970+int(n), 1, 1, 0, 0, 0, 0, time.UTC)
	case iceberg.MonthTransform:
		at = time.Date(1970, time.Month(1+n), 1, 0, 0, 0, 0, time.UTC)
	case iceberg.DayTransform:
		at = time.Unix(n*86400, 0).UTC()
	case iceberg.HourTransform:
		at = time.Unix(n*3600, 0).UTC()
	default:
		return 0, false
	}
	secs := at.Unix()
	switch tt := t.(type) {
	case *arrow.Date32Type:
		days := secs / 86400
		if secs%86400 != 0 {
			days++ // an hour that does not start a day starts in the next one
		}
		return days, true
	case *arrow.TimestampType:
		const limit int64 = math.MaxInt64 / 1_000_000_000
		if secs > limit || secs < -limit {
			return 0, false
		}
		switch tt.Unit {
		case arrow.Second:
			return secs, true
		case arrow.Millisecond:
			return secs * 1e3, true
		case arrow.Microsecond:
			return secs * 1e6, true
		case arrow.Nanosecond:
			return secs * 1e9, true
		}
	}
	return 0, false
}

// bucketInput converts a value pruning compares into what iceberg-go's
// bucket hash takes for the source type, or nil when it cannot.
func bucketInput(src iceberg.Type, t arrow.DataType) func(prune.Value) (any, bool) {
	switch src.(type) {
	case iceberg.Int32Type:
		return func(v prune.Value) (any, bool) { i, ok := v.IntValue(); return int32(i), ok }
	case iceberg.Int64Type:
		return func(v prune.Value) (any, bool) { i, ok := v.IntValue(); return i, ok }
	case iceberg.DateType:
		return func(v prune.Value) (any, bool) { i, ok := v.IntValue(); return iceberg.Date(i), ok }
	case iceberg.TimestampType, iceberg.TimestampTzType:
		if tt, ok := t.(*arrow.TimestampType); !ok || tt.Unit != arrow.Microsecond {
			return nil
		}
		return func(v prune.Value) (any, bool) { i, ok := v.IntValue(); return iceberg.Timestamp(i), ok }
	case iceberg.StringType:
		return func(v prune.Value) (any, bool) { return v.StringValue() }
	case iceberg.UUIDType:
		return func(v prune.Value) (any, bool) {
			s, ok := v.StringValue()
			if !ok {
				return nil, false
			}
			u, err := uuid.Parse(s)
			return u, err == nil
		}
	}
	return nil
}
