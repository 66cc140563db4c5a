package ducklake

import (
	"database/sql"
	"encoding/hex"
	"reflect"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/exec/source/prune"
	"lakeframe/expr"
)

func TestParseScalar(t *testing.T) {
	tsUS := &arrow.TimestampType{Unit: arrow.Microsecond}
	tsTZ := &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	tsS := &arrow.TimestampType{Unit: arrow.Second}
	cases := []struct {
		in   string
		typ  arrow.DataType
		want string // the scalar's text, "" for an error
	}{
		{"true", arrow.FixedWidthTypes.Boolean, "true"},
		{"f", arrow.FixedWidthTypes.Boolean, "false"},
		{"maybe", arrow.FixedWidthTypes.Boolean, ""},
		{"-128", arrow.PrimitiveTypes.Int8, "-128"},
		{"128", arrow.PrimitiveTypes.Int8, ""},
		{" 42 ", arrow.PrimitiveTypes.Int32, "42"},
		{"9223372036854775807", arrow.PrimitiveTypes.Int64, "9223372036854775807"},
		{"-1", arrow.PrimitiveTypes.Uint16, ""},
		{"65535", arrow.PrimitiveTypes.Uint16, "65535"},
		{"1.5", arrow.PrimitiveTypes.Float64, "1.5"},
		{"inf", arrow.PrimitiveTypes.Float64, "+Inf"},
		{"12.50", &arrow.Decimal128Type{Precision: 9, Scale: 2}, "1250e-2"},
		{"2024-02-29", arrow.FixedWidthTypes.Date32, "2024-02-29"},
		{"1969-12-31", arrow.FixedWidthTypes.Date32, "1969-12-31"},
		{"2024-02-30", arrow.FixedWidthTypes.Date32, ""},
		{"12:34:56.5", arrow.FixedWidthTypes.Time64us, "12:34:56.500000"},
		{"2024-01-02 03:04:05", tsUS, "2024-01-02 03:04:05"},
		{"2024-01-02 03:04:05.123456", tsUS, "2024-01-02 03:04:05.123456"},
		{"2024-01-02 03:04:05+02", tsTZ, "2024-01-02 01:04:05Z"},
		{"2024-01-02 03:04:05.5-01:30", tsTZ, "2024-01-02 04:34:05.5Z"},
		{"2024-01-02T03:04:05Z", tsS, "2024-01-02 03:04:05"},
		{"infinity", tsUS, ""},
		{"hello", arrow.BinaryTypes.String, "hello"},
		{"00112233-4455-6677-8899-aabbccddeeff", &arrow.FixedSizeBinaryType{ByteWidth: 16}, "00112233445566778899aabbccddeeff"},
		{"0011", &arrow.FixedSizeBinaryType{ByteWidth: 16}, ""},
	}
	for _, tc := range cases {
		sc, err := parseScalar(tc.in, tc.typ)
		if tc.want == "" {
			if err == nil {
				t.Errorf("parseScalar(%q, %s) = %s, want an error", tc.in, tc.typ, sc)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseScalar(%q, %s): %v", tc.in, tc.typ, err)
			continue
		}
		if !arrow.TypeEqual(sc.DataType(), tc.typ) {
			t.Errorf("parseScalar(%q, %s) has type %s", tc.in, tc.typ, sc.DataType())
		}
		if got := scalarText(sc); got != tc.want {
			t.Errorf("parseScalar(%q, %s) = %s, want %s", tc.in, tc.typ, got, tc.want)
		}
	}
}

// scalarText prints temporal scalars as calendar text, the rest as the
// scalar prints itself.
func scalarText(sc scalar.Scalar) string {
	switch x := sc.(type) {
	case *scalar.Decimal128:
		return x.Value.BigInt().String() + "e-" + strconv.Itoa(int(x.Type.(*arrow.Decimal128Type).Scale))
	case *scalar.FixedSizeBinary:
		return hex.EncodeToString(x.Data())
	case *scalar.Date32:
		return x.Value.FormattedString()
	case *scalar.Time64:
		return x.Value.FormattedString(arrow.Microsecond)
	case *scalar.Timestamp:
		unit := x.Type.(*arrow.TimestampType).Unit
		s := x.Value.ToTime(unit).Format("2006-01-02 15:04:05.999999999")
		if x.Type.(*arrow.TimestampType).TimeZone != "" {
			s += "Z"
		}
		return s
	}
	return sc.String()
}

func TestPartitionStats(t *testing.T) {
	date := arrow.FixedWidthTypes.Date32
	ts := &arrow.TimestampType{Unit: arrow.Second}
	tsz := &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}
	str := arrow.BinaryTypes.String
	v := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	null := sql.NullString{}
	days := func(y, m, d int) int64 { return int64(arrow.Date32FromTime(dateUTC(y, m, d))) }
	secs := func(y, m, d, h int) int64 { return dateUTC(y, m, d).Unix() + int64(h)*3600 }
	cases := []struct {
		name   string
		values map[string]sql.NullString
		typ    arrow.DataType
		ok     bool
		want   prune.Stats
	}{
		{"identity", map[string]sql.NullString{"identity": v("EU")}, str, true, prune.Constant(prune.String("EU"), false, 10)},
		{"identity_null", map[string]sql.NullString{"identity": null}, str, true, prune.Stats{Rows: 10, Nulls: 10}},
		{"year_date", map[string]sql.NullString{"year": v("2024")}, date, true,
			prune.Stats{Rows: 10, Nulls: -1, HasBounds: true, Min: prune.Int(days(2024, 1, 1)), Max: prune.Int(days(2024, 12, 31))}},
		{"year_month_date", map[string]sql.NullString{"year": v("2024"), "month": v("2")}, date, true,
			prune.Stats{Rows: 10, Nulls: -1, HasBounds: true, Min: prune.Int(days(2024, 2, 1)), Max: prune.Int(days(2024, 2, 29))}},
		{"year_month_day_hour_ts", map[string]sql.NullString{"year": v("2024"), "month": v("2"), "day": v("3"), "hour": v("4")}, ts, true,
			prune.Stats{Rows: 10, Nulls: -1, HasBounds: true, Min: prune.Int(secs(2024, 2, 3, 4)), Max: prune.Int(secs(2024, 2, 3, 5) - 1)}},
		{"month_alone_bounds_nothing", map[string]sql.NullString{"month": v("2")}, date, false, prune.Stats{}},
		{"zoned_timestamp_not_bounded", map[string]sql.NullString{"year": v("2024")}, tsz, false, prune.Stats{}},
		{"null_year", map[string]sql.NullString{"year": null}, date, true, prune.Stats{Rows: 10, Nulls: 10}},
		{"bad_month", map[string]sql.NullString{"year": v("2024"), "month": v("13")}, date, false, prune.Stats{}},
		{"bad_number", map[string]sql.NullString{"year": v("MMXXIV")}, date, false, prune.Stats{}},
	}
	for _, tc := range cases {
		got, ok := partitionStats(tc.values, tc.typ, 10)
		if ok != tc.ok || ok && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

// TestColumnStats checks the statistics a file contributes: bounds parse
// in the column's type, floats give bounds only without NaN, missing
// statistics of a column added later give its default.
func TestColumnStats(t *testing.T) {
	def := "7"
	cols := []Column{
		{ID: 1, Name: "f", Type: "float64", Added: 1},
		{ID: 2, Name: "n", Type: "int32", Added: 5, InitialDefault: &def},
		{ID: 3, Name: "s", Type: "varchar", Added: 5},
	}
	schema, err := arrowSchema(cols)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(s string) sql.NullString { return sql.NullString{String: s, Valid: true} }
	p := &pruner{schema: schema, cols: cols, stats: map[int64]map[int]fileStat{
		1: {0: {min: ok("1.5"), max: ok("9"), nan: sql.NullBool{Valid: true}}},
		2: {0: {min: ok("1.5"), max: ok("9"), nan: sql.NullBool{Bool: true, Valid: true}}},
		3: {0: {min: ok("1.5"), max: ok("9")}},
	}}
	gt := func(col string, v any) *prune.Predicate {
		n, err := expr.Resolve(expr.Col(col).Gt(v).Node(), schema)
		if err != nil {
			t.Fatal(err)
		}
		return prune.Compile(n, schema)
	}
	cases := []struct {
		name string
		file dataFile
		pred *prune.Predicate
		want bool
	}{
		{"float_bounds_prune", dataFile{id: 1, begin: 2, rows: 5}, gt("f", 10.0), false},
		{"float_bounds_keep", dataFile{id: 1, begin: 2, rows: 5}, gt("f", 5.0), true},
		{"float_with_nan", dataFile{id: 2, begin: 2, rows: 5}, gt("f", 10.0), true},
		{"float_nan_unknown", dataFile{id: 3, begin: 2, rows: 5}, gt("f", 10.0), true},
		{"default_before_added", dataFile{id: 1, begin: 2, rows: 5}, gt("n", 7), false},
		{"default_before_added_keep", dataFile{id: 1, begin: 2, rows: 5}, gt("n", 6), true},
		{"no_stats_after_added", dataFile{id: 1, begin: 6, rows: 5}, gt("n", 7), true},
		{"null_default_before_added", dataFile{id: 1, begin: 2, rows: 5}, gt("s", "a"), false},
	}
	for _, tc := range cases {
		p.preds = []*prune.Predicate{tc.pred}
		if got := p.keep(&tc.file); got != tc.want {
			t.Errorf("%s: keep = %v, want %v", tc.name, got, tc.want)
		}
	}
}
