package display

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestAppendFloat(t *testing.T) {
	tenth := 0.1
	tests := []struct {
		v    float64
		bits int
		want string
	}{
		{0.1, 64, "0.1"},
		{tenth + 0.2, 64, "0.30000000000000004"},
		{float64(float32(0.1)), 32, "0.1"},
		{3, 64, "3.0"},
		{-2, 32, "-2.0"},
		{0, 64, "0.0"},
		{math.Copysign(0, -1), 64, "-0.0"},
		{1234567.125, 64, "1234567.125"},
		{123456789012345, 64, "123456789012345.0"},
		{1e16, 64, "1e+16"},
		{0.0001, 64, "0.0001"},
		{0.00001234, 64, "1.234e-05"},
		{-1.5e300, 64, "-1.5e+300"},
		{math.NaN(), 64, "NaN"},
		{math.Inf(1), 64, "inf"},
		{math.Inf(-1), 32, "-inf"},
	}
	for _, tt := range tests {
		if got := string(appendFloat(nil, tt.v, tt.bits)); got != tt.want {
			t.Errorf("appendFloat(%v, %d) = %q, want %q", tt.v, tt.bits, got, tt.want)
		}
	}
}

// Whatever the magnitude, the text parses back to the same float.
func TestAppendFloatRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		v := math.Float64frombits(r.Uint64())
		if math.IsNaN(v) || math.IsInf(v, 0) {
			continue
		}
		s := string(appendFloat(nil, v, 64))
		back, err := strconv.ParseFloat(s, 64)
		if err != nil || back != v {
			t.Fatalf("%v shown as %q, parses back as %v (%v)", v, s, back, err)
		}
		f := math.Float32frombits(r.Uint32())
		if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
			continue
		}
		s = string(appendFloat(nil, float64(f), 32))
		back, err = strconv.ParseFloat(s, 32)
		if err != nil || float32(back) != f {
			t.Fatalf("float32 %v shown as %q, parses back as %v (%v)", f, s, back, err)
		}
	}
}

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a\nb\r\tc", `a\nb\r\tc`},
		{"\x1b[2J", `\x1b[2J`},
		{"\x00\x7f", `\x00\x7f`},
		{"\u0085", `\xc2\x85`}, // a C1 control, written as its UTF-8 bytes
		{"bad\xffutf8", `bad\xffutf8`},
		{"日本 ünï", "日本 ünï"},
	}
	for _, tt := range tests {
		if got := escape(tt.in); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFixedOffset(t *testing.T) {
	tests := []struct {
		tz   string
		secs int
		ok   bool
	}{
		{"+05:30", 5*3600 + 30*60, true},
		{"-0800", -8 * 3600, true},
		{"+01", 3600, true},
		{"-00:00", 0, true},
		{"UTC", 0, false},
		{"+5:30", 0, false},
		{"+24:00", 0, false},
		{"+05:60", 0, false},
		{"+0a", 0, false},
		{"+-1", 0, false},
	}
	for _, tt := range tests {
		loc, ok := fixedOffset(tt.tz)
		if ok != tt.ok {
			t.Errorf("fixedOffset(%q) ok = %v, want %v", tt.tz, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		if _, secs := time.Unix(0, 0).In(loc).Zone(); secs != tt.secs {
			t.Errorf("fixedOffset(%q) = %ds, want %ds", tt.tz, secs, tt.secs)
		}
	}
}

// formatCells renders every row of one JSON column through the cell
// formatter.
func formatCells(t *testing.T, typ arrow.DataType, js string, maxWidth int) []string {
	t.Helper()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	arr, _, err := array.FromJSON(mem, typ, strings.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	defer arr.Release()
	cell := newCellFormat(maxWidth).appender(arr, false)
	out := make([]string, arr.Len())
	for i := range out {
		out[i] = string(cell(nil, i))
	}
	return out
}

func TestTimestampZones(t *testing.T) {
	// 1700000000 s is 2023-11-14 22:13:20 UTC; New York is then on EST
	// (-05:00), and on EDT (-04:00) at 1690000000 s, 2023-07-22 04:26:40 UTC.
	tests := []struct {
		tz   string
		want []string
	}{
		{"UTC", []string{"2023-11-14 22:13:20Z", "2023-07-22 04:26:40Z"}},
		{"-08:00", []string{"2023-11-14 14:13:20-08:00", "2023-07-21 20:26:40-08:00"}},
		{"America/New_York", []string{"2023-11-14 17:13:20-05:00", "2023-07-22 00:26:40-04:00"}},
		// An unknown zone still shows the right instant, in UTC.
		{"Not/AZone", []string{"2023-11-14 22:13:20Z", "2023-07-22 04:26:40Z"}},
	}
	for _, tt := range tests {
		if tt.tz == "America/New_York" {
			if _, err := time.LoadLocation(tt.tz); err != nil {
				t.Logf("skipping %s: no zone database (%v)", tt.tz, err)
				continue
			}
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: arrow.Second, TimeZone: tt.tz})
		b.AppendValues([]arrow.Timestamp{1700000000, 1690000000}, nil)
		arr := b.NewArray()
		b.Release()
		cell := newCellFormat(-1).appender(arr, false)
		got := []string{string(cell(nil, 0)), string(cell(nil, 1))}
		arr.Release()
		mem.AssertSize(t, 0)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("zone %s: got %q, want %q", tt.tz, got, tt.want)
		}
	}
}

func TestCellFormatOtherTypes(t *testing.T) {
	tests := []struct {
		name string
		typ  arrow.DataType
		json string
		want []string
	}{
		{"null type", arrow.Null, `[null, null]`, []string{"null", "null"}},
		{"int16", arrow.PrimitiveTypes.Int16, `[-32768, null]`, []string{"-32768", "null"}},
		{"uint8", arrow.PrimitiveTypes.Uint8, `[255, null]`, []string{"255", "null"}},
		{"float16", arrow.FixedWidthTypes.Float16, `[1.5, null]`, []string{"1.5", "null"}},
		{"decimal256", &arrow.Decimal256Type{Precision: 40, Scale: 3}, `["-12345678901234567890.123", null]`,
			[]string{"-12345678901234567890.123", "null"}},
		{"decimal64", &arrow.Decimal64Type{Precision: 10, Scale: 0}, `["42", null]`, []string{"42", "null"}},
		{"time32 ms", &arrow.Time32Type{Unit: arrow.Millisecond}, `[3723004, 0]`, []string{"01:02:03.004", "00:00:00"}},
		{"duration s", &arrow.DurationType{Unit: arrow.Second}, `[3600, 9223372036854775807]`,
			[]string{"1h0m0s", "9223372036854775807s"}},
		{"large list", arrow.LargeListOf(arrow.FixedWidthTypes.Boolean), `[[true, null], null]`, []string{"[true, null]", "null"}},
		{"list of structs", arrow.ListOf(arrow.StructOf(arrow.Field{Name: "x", Type: arrow.PrimitiveTypes.Int32, Nullable: true})),
			`[[{"x": 1}, null, {"x": null}]]`, []string{"[{x: 1}, null, {x: null}]"}},
		{"nested string escapes", arrow.ListOf(arrow.BinaryTypes.String), `[["a\nb"]]`, []string{`["a\nb"]`}},
		{"string view", arrow.BinaryTypes.StringView, `["view", null]`, []string{"view", "null"}},
		// An interval has no formatter of its own: arrow's text is used.
		{"interval", arrow.FixedWidthTypes.MonthInterval, `[{"months": 14}, null]`, []string{"14", "null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := formatCells(t, tt.typ, tt.json, -1)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTypeName(t *testing.T) {
	tests := []struct {
		typ  arrow.DataType
		want string
	}{
		{arrow.BinaryTypes.String, "string"},
		{arrow.FixedWidthTypes.Boolean, "bool"},
		{arrow.PrimitiveTypes.Float64, "float64"},
		{&arrow.Decimal128Type{Precision: 15, Scale: 2}, "decimal(15, 2)"},
		{&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, "timestamp[us, tz=UTC]"},
		{arrow.LargeListOf(arrow.ListOf(arrow.BinaryTypes.LargeString)), "large_list<list<large_string>>"},
		{arrow.MapOf(arrow.BinaryTypes.String, arrow.StructOf(arrow.Field{Name: "v", Type: arrow.PrimitiveTypes.Int8})),
			"map<string, struct<v: int8>>"},
		{&arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}, "dictionary<string>"},
	}
	for _, tt := range tests {
		if got := typeName(tt.typ); got != tt.want {
			t.Errorf("typeName(%s) = %q, want %q", tt.typ, got, tt.want)
		}
	}
}

func TestNumberText(t *testing.T) {
	grouped := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {-1234567, "-1,234,567"},
		{math.MaxInt64, "9,223,372,036,854,775,807"},
		{math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range grouped {
		if got := formatGrouped(tt.n); got != tt.want {
			t.Errorf("formatGrouped(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	scaled := []struct {
		v    float64
		want string
	}{
		{0, "0"}, {999.4, "999"}, {1000, "1.0K"}, {1234567, "1.2M"}, {999960, "1.0M"}, {-1, "-"}, {math.NaN(), "-"},
	}
	for _, tt := range scaled {
		if got := formatScaled(tt.v); got != tt.want {
			t.Errorf("formatScaled(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
	sizes := []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {5 << 30, "5.0 GiB"}, {1048575, "1.0 MiB"},
	}
	for _, tt := range sizes {
		if got := formatBytes(tt.n); got != tt.want {
			t.Errorf("formatBytes(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}
