package eval

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/internal/textparse"
	"lakeframe/expr"
)

// castCase casts the column built by mk to a type; want is rowsOf's text.
type castCase struct {
	name string
	mk   func(mem memory.Allocator) arrow.Array
	to   arrow.DataType
	want []string
}

func build[B array.Builder](mem memory.Allocator, newB func(memory.Allocator) B, fill func(B)) arrow.Array {
	b := newB(mem)
	defer b.Release()
	fill(b)
	return b.NewArray()
}

func timestamps(unit arrow.TimeUnit, tz string, vals ...string) func(memory.Allocator) arrow.Array {
	return func(mem memory.Allocator) arrow.Array {
		b := array.NewTimestampBuilder(mem, &arrow.TimestampType{Unit: unit, TimeZone: tz})
		defer b.Release()
		for _, v := range vals {
			if v == "" {
				b.AppendNull()
				continue
			}
			tm, err := time.Parse("2006-01-02 15:04:05.999999999", v)
			if err != nil {
				panic(err)
			}
			ts, err := arrow.TimestampFromTime(tm, unit)
			if err != nil {
				panic(err)
			}
			b.Append(ts)
		}
		return b.NewArray()
	}
}

func castCases() []castCase {
	return []castCase{
		{"float64 to string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewFloat64Builder, func(b *array.Float64Builder) {
				b.AppendValues([]float64{1, 1e15, 1e16, 0.0001, 0.00001, math.Copysign(0, -1), 123456789012345.6, math.Inf(1), math.Inf(-1), math.NaN(), 0.1, -1.5, 0}, nil)
				b.AppendNull()
			})
		}, str, []string{"1.0", "1000000000000000.0", "1e+16", "0.0001", "1e-05", "-0.0", "123456789012345.6", "inf", "-inf", "nan", "0.1", "-1.5", "0.0", "NULL"}},
		{"float32 to large string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewFloat32Builder, func(b *array.Float32Builder) {
				b.AppendValues([]float32{0.1, 16777216, 1e10, 2.5e-7}, []bool{true, true, true, true})
				b.AppendNull()
			})
		}, lstr, []string{"0.1", "16777216.0", "10000000000.0", "2.5e-07", "NULL"}},
		{"int8 to string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewInt8Builder, func(b *array.Int8Builder) {
				b.AppendValues([]int8{-128, 127, 0}, []bool{true, true, false})
			})
		}, str, []string{"-128", "127", "NULL"}},
		{"uint64 to string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewUint64Builder, func(b *array.Uint64Builder) {
				b.AppendValues([]uint64{math.MaxUint64, 0}, nil)
			})
		}, str, []string{"18446744073709551615", "0"}},
		{"bool to string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewBooleanBuilder, func(b *array.BooleanBuilder) {
				b.AppendValues([]bool{true, false, true}, []bool{true, true, false})
			})
		}, str, []string{"true", "false", "NULL"}},
		{"date32 to string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewDate32Builder, func(b *array.Date32Builder) {
				for _, tm := range []time.Time{
					time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
					time.Date(99, 1, 1, 0, 0, 0, 0, time.UTC),
					time.Date(-44, 3, 15, 0, 0, 0, 0, time.UTC), // 45 BC
					time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
				} {
					b.Append(arrow.Date32(tm.Unix() / 86400))
				}
				b.AppendNull()
			})
		}, str, []string{"2024-02-29", "0099-01-01", "0045-03-15 (BC)", "1969-12-31", "NULL"}},
		{"date64 to string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewDate64Builder, func(b *array.Date64Builder) {
				b.AppendValues([]arrow.Date64{arrow.Date64FromTime(time.Date(1900, 3, 1, 0, 0, 0, 0, time.UTC))}, nil)
			})
		}, str, []string{"1900-03-01"}},
		{"timestamp us to string", timestamps(arrow.Microsecond, "",
			"2024-01-05 10:00:00.12", "2024-01-05 10:00:00", "2024-01-05 10:00:00.000001", "1969-12-31 23:59:59.5", ""),
			str, []string{"2024-01-05 10:00:00.12", "2024-01-05 10:00:00", "2024-01-05 10:00:00.000001", "1969-12-31 23:59:59.5", "NULL"}},
		{"timestamp ns to string", timestamps(arrow.Nanosecond, "", "2024-01-05 10:00:00.123456789"),
			str, []string{"2024-01-05 10:00:00.123456789"}},
		{"timestamp s with zone to string", timestamps(arrow.Second, "UTC", "2024-01-05 10:00:00"),
			str, []string{"2024-01-05 10:00:00+00"}},
		{"decimal to string", func(mem memory.Allocator) arrow.Array {
			b := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 5, Scale: 2})
			defer b.Release()
			b.AppendValues([]decimal128.Num{decimal128.FromI64(1250), decimal128.FromI64(-5), decimal128.FromI64(0)}, []bool{true, true, false})
			return b.NewArray()
		}, str, []string{"12.50", "-0.05", "NULL"}},
		{"string to decimal", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewStringBuilder, func(b *array.StringBuilder) {
				b.AppendValues([]string{"12.34", " -1.5 ", "1e2", "0", ""}, []bool{true, true, true, true, false})
			})
		}, &arrow.Decimal128Type{Precision: 5, Scale: 2}, []string{"12.34", "-1.50", "100.00", "0.00", "NULL"}},
		{"large string to date", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewLargeStringBuilder, func(b *array.LargeStringBuilder) {
				b.AppendValues([]string{"2000-02-29", "1900-1-1", "0001-01-01"}, nil)
			})
		}, d32, []string{"2000-02-29", "1900-01-01", "0001-01-01"}},
		{"string to zoned timestamp applies the offset", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewStringBuilder, func(b *array.StringBuilder) {
				b.AppendValues([]string{"2024-01-05 10:00:00+02", "2024-01-05T10:00:00Z", "2024-01-05 10:00:00.123456789 -05:30"}, nil)
			})
		}, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, []string{"2024-01-05 08:00:00", "2024-01-05 10:00:00", "2024-01-05 15:30:00.123456"}},
		{"string to plain timestamp keeps the wall clock", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewStringBuilder, func(b *array.StringBuilder) {
				b.AppendValues([]string{"2024-01-05 10:00:00+02", "2024-01-05 10:00"}, nil)
			})
		}, &arrow.TimestampType{Unit: arrow.Millisecond}, []string{"2024-01-05 10:00:00", "2024-01-05 10:00:00"}},
		{"string to date64", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewStringBuilder, func(b *array.StringBuilder) {
				b.AppendValues([]string{"1960-06-30 12:00:00"}, nil)
			})
		}, arrow.FixedWidthTypes.Date64, []string{"1960-06-30"}},
		{"float to int rounds half to even", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewFloat64Builder, func(b *array.Float64Builder) {
				b.AppendValues([]float64{2.5, 3.5, -2.5, 0.5, -0.5, 1e15 + 0.5, 7.49}, nil)
			})
		}, i64, []string{"2", "4", "-2", "0", "0", "1000000000000000", "7"}},
		{"decimal to int rounds half away from zero", func(mem memory.Allocator) arrow.Array {
			b := array.NewDecimal128Builder(mem, &arrow.Decimal128Type{Precision: 5, Scale: 1})
			defer b.Release()
			b.AppendValues([]decimal128.Num{decimal128.FromI64(25), decimal128.FromI64(-25), decimal128.FromI64(34), decimal128.FromI64(0)}, []bool{true, true, true, false})
			return b.NewArray()
		}, i32, []string{"3", "-3", "3", "NULL"}},
		{"bool to float", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewBooleanBuilder, func(b *array.BooleanBuilder) {
				b.AppendValues([]bool{true, false, true}, []bool{true, true, false})
			})
		}, f64, []string{"1", "0", "NULL"}},
		{"string to large string", func(mem memory.Allocator) arrow.Array {
			return build(mem, array.NewStringBuilder, func(b *array.StringBuilder) {
				b.AppendValues([]string{"a", "", "c"}, []bool{true, true, false})
			})
		}, lstr, []string{"a", "", "NULL"}},
	}
}

func TestCast(t *testing.T) {
	for _, tc := range castCases() {
		t.Run(tc.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			arr := tc.mk(mem)
			batch := array.NewRecordBatch(arrow.NewSchema([]arrow.Field{{Name: "x", Type: arr.DataType(), Nullable: true}}, nil), []arrow.Array{arr}, int64(arr.Len()))
			arr.Release()
			defer batch.Release()
			got := mustEval(t, mem, expr.Col("x").Cast(tc.to), batch)
			defer got.Release()
			if !arrow.TypeEqual(got.DataType(), tc.to) {
				t.Fatalf("type %s, want %s", got.DataType(), tc.to)
			}
			if rows := rowsOfAny(t, got); !slices.Equal(rows, tc.want) {
				t.Errorf("got  %q\nwant %q", rows, tc.want)
			}
			// The same on a slice that starts at row 1.
			if batch.NumRows() < 2 {
				return
			}
			sliced := batch.NewSlice(1, batch.NumRows())
			defer sliced.Release()
			got2 := mustEval(t, mem, expr.Col("x").Cast(tc.to), sliced)
			defer got2.Release()
			if rows := rowsOfAny(t, got2); !slices.Equal(rows, tc.want[1:]) {
				t.Errorf("sliced: got  %q\nwant %q", rows, tc.want[1:])
			}
		})
	}
}

// rowsOfAny is rowsOf plus decimals.
func rowsOfAny(t *testing.T, a arrow.Array) []string {
	d, ok := a.(*array.Decimal128)
	if !ok {
		return rowsOf(t, a)
	}
	out := make([]string, d.Len())
	for i := range out {
		if d.IsNull(i) {
			out[i] = "NULL"
		} else {
			out[i] = d.Value(i).ToString(d.DataType().(*arrow.Decimal128Type).Scale)
		}
	}
	return out
}

func TestCastScalar(t *testing.T) {
	for _, tc := range []struct {
		e    expr.Expr
		want string
	}{
		{expr.Lit(1.5).Cast(str), "1.5"},
		{expr.Lit(true).Cast(str), "true"},
		{expr.Lit("2024-02-29").Cast(d32), "2024-02-29"},
	} {
		n, err := expr.Resolve(tc.e.Node(), arrow.NewSchema(nil, nil))
		if err != nil {
			t.Fatal(err)
		}
		got, err := EvalScalar(context.Background(), n)
		if err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		if got.String() != tc.want {
			t.Errorf("%s = %s, want %s", n, got, tc.want)
		}
	}
}

func TestParseDateTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" when the text must not parse
	}{
		{"2024-01-05", "2024-01-05 00:00:00"},
		{"2024-1-5", "2024-01-05 00:00:00"},
		{"  2024-01-05\t", "2024-01-05 00:00:00"},
		{"2024-01-05 7:08", "2024-01-05 07:08:00"},
		{"2024-01-05T23:59:59.999999999", "2024-01-05 23:59:59.999999999"},
		{"2024-01-05 10:00:00Z", "2024-01-05 10:00:00"},
		{"2024-01-05 10:00:00 UTC", "2024-01-05 10:00:00"},
		{"2000-02-29", "2000-02-29 00:00:00"},
		{"1600-02-29", "1600-02-29 00:00:00"},
		{"-0001-03-01", "-0001-03-01 00:00:00"},
		{"1900-02-29", ""},
		{"2023-02-29", ""},
		{"2024-13-01", ""},
		{"2024-00-10", ""},
		{"2024-04-31", ""},
		{"2024-01-05 24:00:00", ""},
		{"2024-01-05 10:60", ""},
		{"2024-01-05 10:00:00.", ""},
		{"2024-01-05x", ""},
		{"20240105", ""},
		{"", ""},
		{"x", ""},
	} {
		p, ok := parseDateTime(tc.in)
		if tc.want == "" {
			if ok {
				t.Errorf("parseDateTime(%q) parsed; want an error", tc.in)
			}
			continue
		}
		if !ok {
			t.Errorf("parseDateTime(%q) failed", tc.in)
			continue
		}
		got := time.Unix(p.days*86400-p.zone, p.nanos).UTC().Format("2006-01-02 15:04:05.999999999")
		if got != tc.want {
			t.Errorf("parseDateTime(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestCivilDays checks the calendar arithmetic against the time package
// over 1,000 years around the epoch, and its inverse.
func TestCivilDays(t *testing.T) {
	start := time.Date(1500, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := start; d.Year() < 2500; d = d.AddDate(0, 0, 1) {
		days := textparse.DaysFromCivil(int64(d.Year()), int64(d.Month()), int64(d.Day()))
		if days != d.Unix()/86400 {
			t.Fatalf("DaysFromCivil(%s) = %d, want %d", d.Format("2006-01-02"), days, d.Unix()/86400)
		}
		y, m, dd := civilFromDays(days)
		if y != int64(d.Year()) || m != int64(d.Month()) || dd != int64(d.Day()) {
			t.Fatalf("civilFromDays(%d) = %d-%d-%d, want %s", days, y, m, dd, d.Format("2006-01-02"))
		}
	}
}
