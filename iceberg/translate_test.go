package iceberg

import (
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/scalar"
	iceberg "github.com/apache/iceberg-go"
	"github.com/google/uuid"

	"lakeframe/expr"
)

// translateSchema has a column of every primitive type the translator
// converts literals for.
var translateSchema = iceberg.NewSchema(0,
	iceberg.NestedField{ID: 1, Name: "i", Type: iceberg.PrimitiveTypes.Int32},
	iceberg.NestedField{ID: 2, Name: "l", Type: iceberg.PrimitiveTypes.Int64},
	iceberg.NestedField{ID: 3, Name: "f", Type: iceberg.PrimitiveTypes.Float32},
	iceberg.NestedField{ID: 4, Name: "d", Type: iceberg.PrimitiveTypes.Float64},
	iceberg.NestedField{ID: 5, Name: "s", Type: iceberg.PrimitiveTypes.String},
	iceberg.NestedField{ID: 6, Name: "b", Type: iceberg.PrimitiveTypes.Bool},
	iceberg.NestedField{ID: 7, Name: "day", Type: iceberg.PrimitiveTypes.Date},
	iceberg.NestedField{ID: 8, Name: "ts", Type: iceberg.PrimitiveTypes.Timestamp},
	iceberg.NestedField{ID: 9, Name: "tstz", Type: iceberg.PrimitiveTypes.TimestampTz},
	iceberg.NestedField{ID: 10, Name: "tsns", Type: iceberg.PrimitiveTypes.TimestampTzNs},
	iceberg.NestedField{ID: 11, Name: "dec", Type: iceberg.DecimalTypeOf(10, 2)},
	iceberg.NestedField{ID: 12, Name: "u", Type: iceberg.PrimitiveTypes.UUID},
	iceberg.NestedField{ID: 13, Name: "bin", Type: iceberg.PrimitiveTypes.Binary},
	iceberg.NestedField{ID: 14, Name: "tm", Type: iceberg.PrimitiveTypes.Time},
)

// Hand-computed instants: 2025-01-02 03:04:05 UTC is 1735787045 s since
// the epoch; 2025-01-01 is day 20089.
const (
	instantSec = 1735787045
	day2025    = 20089
	day2026    = 20454
)

func col(name string) *expr.Column { return &expr.Column{Name: name} }

func lit(s scalar.Scalar) *expr.Literal { return &expr.Literal{Value: s} }

func ts(unit arrow.TimeUnit, tz string, v int64) *expr.Literal {
	return lit(scalar.NewTimestampScalar(arrow.Timestamp(v), &arrow.TimestampType{Unit: unit, TimeZone: tz}))
}

func TestTranslate(t *testing.T) {
	ref := func(name string) iceberg.Reference { return iceberg.Reference(name) }
	us := func(sec int64) iceberg.Timestamp { return iceberg.Timestamp(sec * 1e6) }
	u := uuid.MustParse("1571effb-facd-42a3-90e9-0af522e9b6c2")
	zone := time.FixedZone("UTC+5", 5*3600)
	cases := []struct {
		name string
		// pred is built with the expr API and resolved against the table's
		// Arrow schema, or given resolved (node).
		pred expr.Expr
		node expr.Node
		want iceberg.BooleanExpression // nil: not translatable
		// startsWith marks translations iceberg-go cannot evaluate on rows.
		startsWith bool
	}{
		// Comparisons, either side.
		{name: "eq", pred: expr.Col("l").Eq(5), want: iceberg.EqualTo(ref("l"), int64(5))},
		{name: "ne", pred: expr.Col("l").Ne(5), want: iceberg.NotEqualTo(ref("l"), int64(5))},
		{name: "lt", pred: expr.Col("l").Lt(5), want: iceberg.LessThan(ref("l"), int64(5))},
		{name: "le", pred: expr.Col("l").Le(5), want: iceberg.LessThanEqual(ref("l"), int64(5))},
		{name: "gt", pred: expr.Col("l").Gt(5), want: iceberg.GreaterThan(ref("l"), int64(5))},
		{name: "ge", pred: expr.Col("l").Ge(5), want: iceberg.GreaterThanEqual(ref("l"), int64(5))},
		{name: "literal on the left", pred: expr.Lit(5).Lt(expr.Col("l")), want: iceberg.GreaterThan(ref("l"), int64(5))},
		{name: "int column", pred: expr.Col("i").Eq(7), want: iceberg.EqualTo(ref("i"), int64(7))},
		{name: "between", pred: expr.Col("l").Between(1, 3),
			want: iceberg.NewAnd(iceberg.GreaterThanEqual(ref("l"), int64(1)), iceberg.LessThanEqual(ref("l"), int64(3)))},
		// NULL tests and sets.
		{name: "is null", pred: expr.Col("s").IsNull(), want: iceberg.IsNull(ref("s"))},
		{name: "is not null", pred: expr.Col("s").IsNotNull(), want: iceberg.NotNull(ref("s"))},
		{name: "in", pred: expr.Col("s").IsIn("a", "b"), want: iceberg.IsIn(ref("s"), "a", "b")},
		{name: "in with null", pred: expr.Col("l").IsIn(1, nil, 3), want: iceberg.IsIn(ref("l"), int64(1), int64(3))},
		{name: "in only null", pred: expr.Col("l").IsIn(nil), want: iceberg.AlwaysFalse{}},
		{name: "not in", pred: expr.Col("s").IsIn("a", "b").Not(), want: iceberg.NewNot(iceberg.IsIn(ref("s"), "a", "b"))},
		{name: "starts with", pred: expr.Col("s").Str().StartsWith("ab"), want: iceberg.StartsWith(ref("s"), "ab"), startsWith: true},
		{name: "not starts with", pred: expr.Col("s").Str().StartsWith("ab").Not(),
			want: iceberg.NewNot(iceberg.StartsWith(ref("s"), "ab")), startsWith: true},
		// Boolean structure.
		{name: "and", pred: expr.Col("l").Gt(1).And(expr.Col("s").Eq("x")),
			want: iceberg.NewAnd(iceberg.GreaterThan(ref("l"), int64(1)), iceberg.EqualTo(ref("s"), "x"))},
		{name: "or", pred: expr.Col("l").Gt(1).Or(expr.Col("s").Eq("x")),
			want: iceberg.NewOr(iceberg.GreaterThan(ref("l"), int64(1)), iceberg.EqualTo(ref("s"), "x"))},
		{name: "not", pred: expr.Col("l").Eq(1).Not(), want: iceberg.NewNot(iceberg.EqualTo(ref("l"), int64(1)))},
		// An AND may drop what does not translate, but only where that
		// weakens the predicate: not under a NOT, and an OR needs both.
		{name: "and keeps the translatable side", pred: expr.Col("l").Gt(1).And(expr.Col("l").Add(1).Eq(3)),
			want: iceberg.GreaterThan(ref("l"), int64(1))},
		{name: "and under not", pred: expr.Col("l").Gt(1).And(expr.Col("l").Add(1).Eq(3)).Not()},
		{name: "or with untranslatable side", pred: expr.Col("l").Gt(1).Or(expr.Col("l").Add(1).Eq(3))},
		{name: "starts with inside and", pred: expr.Col("l").Gt(1).And(expr.Col("s").Str().StartsWith("a")),
			want: iceberg.NewAnd(iceberg.GreaterThan(ref("l"), int64(1)), iceberg.StartsWith(ref("s"), "a")), startsWith: true},
		{name: "true", node: lit(scalar.NewBooleanScalar(true)), want: iceberg.AlwaysTrue{}},
		{name: "false", node: lit(scalar.NewBooleanScalar(false)), want: iceberg.AlwaysFalse{}},
		// Literal types.
		{name: "bool", pred: expr.Col("b").Eq(true), want: iceberg.EqualTo(ref("b"), true)},
		{name: "float32", pred: expr.Col("f").Lt(1.5), want: iceberg.LessThan(ref("f"), float32(1.5))},
		{name: "float64", pred: expr.Col("d").Ge(-2.25), want: iceberg.GreaterThanEqual(ref("d"), -2.25)},
		{name: "decimal", pred: expr.Col("dec").Eq(12.5),
			want: iceberg.EqualTo(ref("dec"), iceberg.Decimal{Val: decimal128.FromI64(1250), Scale: 2})},
		{name: "uuid", pred: expr.Col("u").Eq(u.String()), want: iceberg.EqualTo(ref("u"), u)},
		{name: "bad uuid", pred: expr.Col("u").Eq("not-a-uuid")},
		{name: "binary", pred: expr.Col("bin").Eq([]byte{1, 2}), want: iceberg.EqualTo(ref("bin"), []byte{1, 2})},
		{name: "date", pred: expr.Col("day").Lt(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
			want: iceberg.LessThan(ref("day"), iceberg.Date(day2025))},
		{name: "time", node: &expr.Binary{Op: expr.OpLt, Left: col("tm"), Right: lit(scalar.NewTime64Scalar(3_600_000_000, arrow.FixedWidthTypes.Time64us))},
			want: iceberg.LessThan(ref("tm"), iceberg.Time(3_600_000_000))},
		{name: "time in nanoseconds", node: &expr.Binary{Op: expr.OpLt, Left: col("tm"), Right: lit(scalar.NewTime64Scalar(3_600_000_000_000, arrow.FixedWidthTypes.Time64ns))},
			want: iceberg.LessThan(ref("tm"), iceberg.Time(3_600_000_000))},
		// Timestamps: Go times in any zone are instants; a timestamp
		// without zone holds the UTC wall clock.
		{name: "timestamptz from go time", pred: expr.Col("tstz").Ge(time.Unix(instantSec, 0).In(zone)),
			want: iceberg.GreaterThanEqual(ref("tstz"), us(instantSec))},
		{name: "timestamp from go time", pred: expr.Col("ts").Ge(time.Unix(instantSec, 0).In(zone)),
			want: iceberg.GreaterThanEqual(ref("ts"), us(instantSec))},
		{name: "timestamp ns column", pred: expr.Col("tsns").Lt(time.Unix(instantSec, 0)),
			want: iceberg.LessThan(ref("tsns"), iceberg.TimestampNano(instantSec*1e9))},
		{name: "seconds literal", node: &expr.Binary{Op: expr.OpGe, Left: col("tstz"), Right: ts(arrow.Second, "UTC", instantSec)},
			want: iceberg.GreaterThanEqual(ref("tstz"), us(instantSec))},
		{name: "milliseconds literal", node: &expr.Binary{Op: expr.OpGe, Left: col("tstz"), Right: ts(arrow.Millisecond, "UTC", instantSec*1000+7)},
			want: iceberg.GreaterThanEqual(ref("tstz"), iceberg.Timestamp(instantSec*1e6+7000))},
		{name: "nanoseconds literal into ns column", node: &expr.Binary{Op: expr.OpGe, Left: col("tsns"), Right: ts(arrow.Nanosecond, "UTC", instantSec*1e9+1)},
			want: iceberg.GreaterThanEqual(ref("tsns"), iceberg.TimestampNano(instantSec*1e9+1))},
		{name: "whole microseconds in nanoseconds", node: &expr.Binary{Op: expr.OpGe, Left: col("tstz"), Right: ts(arrow.Nanosecond, "UTC", instantSec*1e9+3000)},
			want: iceberg.GreaterThanEqual(ref("tstz"), iceberg.Timestamp(instantSec*1e6+3))},
		// A microsecond column cannot hold the literal's nanoseconds.
		{name: "sub-microsecond literal", node: &expr.Binary{Op: expr.OpGe, Left: col("tstz"), Right: ts(arrow.Nanosecond, "UTC", instantSec*1e9+1)}},
		// Functions of a timestamp become ranges on the column.
		{name: "date of timestamp", pred: expr.Col("tstz").Cast(arrow.FixedWidthTypes.Date32).Eq(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)),
			want: iceberg.NewAnd(iceberg.GreaterThanEqual(ref("tstz"), iceberg.Timestamp(day2025*86400*1e6)),
				iceberg.LessThan(ref("tstz"), iceberg.Timestamp((day2025+1)*86400*1e6)))},
		{name: "year eq", pred: expr.Col("tstz").Dt().Year().Eq(2025),
			want: iceberg.NewAnd(iceberg.GreaterThanEqual(ref("tstz"), iceberg.Timestamp(day2025*86400*1e6)),
				iceberg.LessThan(ref("tstz"), iceberg.Timestamp(day2026*86400*1e6)))},
		{name: "year gt", pred: expr.Col("tstz").Dt().Year().Gt(2025),
			want: iceberg.GreaterThanEqual(ref("tstz"), iceberg.Timestamp(day2026*86400*1e6))},
		{name: "year le of ns timestamp", pred: expr.Col("tsns").Dt().Year().Le(2025),
			want: iceberg.LessThan(ref("tsns"), iceberg.TimestampNano(day2026*86400*1e9))},
		{name: "year of date", pred: expr.Col("day").Dt().Year().Lt(2025), want: iceberg.LessThan(ref("day"), iceberg.Date(day2025))},
		{name: "year ne", pred: expr.Col("tstz").Dt().Year().Ne(2025)},
		// Widening casts compare like the column; a float between two
		// integers or float32 values bounds the column by its neighbours.
		{name: "int widened to long", node: &expr.Binary{Op: expr.OpGt, Left: &expr.Cast{In: col("i"), To: arrow.PrimitiveTypes.Int64}, Right: lit(scalar.NewInt64Scalar(9))},
			want: iceberg.GreaterThan(ref("i"), int64(9))},
		{name: "int vs fraction lt", pred: expr.Col("i").Lt(2.5), want: iceberg.LessThanEqual(ref("i"), int32(2))},
		{name: "int vs fraction ge", pred: expr.Col("i").Ge(2.5), want: iceberg.GreaterThanEqual(ref("i"), int32(3))},
		{name: "int vs negative fraction gt", pred: expr.Col("i").Gt(-2.5), want: iceberg.GreaterThanEqual(ref("i"), int32(-2))},
		{name: "int vs fraction eq", pred: expr.Col("i").Eq(2.5), want: iceberg.AlwaysFalse{}},
		{name: "int vs fraction ne", pred: expr.Col("i").Ne(2.5)},
		{name: "int vs whole float", node: &expr.Binary{Op: expr.OpLt, Left: &expr.Cast{In: col("i"), To: arrow.PrimitiveTypes.Float64}, Right: lit(scalar.NewFloat64Scalar(4))},
			want: iceberg.LessThan(ref("i"), int32(4))},
		{name: "float32 widened, exact", node: &expr.Binary{Op: expr.OpGt, Left: &expr.Cast{In: col("f"), To: arrow.PrimitiveTypes.Float64}, Right: lit(scalar.NewFloat64Scalar(0.5))},
			want: iceberg.GreaterThan(ref("f"), float32(0.5))},
		// 0.1 lies between the float32 values 0x3dcccccc and 0x3dcccccd.
		{name: "float32 widened, between", node: &expr.Binary{Op: expr.OpLt, Left: &expr.Cast{In: col("f"), To: arrow.PrimitiveTypes.Float64}, Right: lit(scalar.NewFloat64Scalar(0.1))},
			want: iceberg.LessThanEqual(ref("f"), float32(0.099999994))},
		{name: "narrowing cast", node: &expr.Binary{Op: expr.OpEq, Left: &expr.Cast{In: col("l"), To: arrow.PrimitiveTypes.Int32}, Right: lit(scalar.NewInt32Scalar(1))}},
		// Nothing to translate.
		{name: "arithmetic", pred: expr.Col("l").Add(1).Gt(3)},
		{name: "column vs column", pred: expr.Col("l").Eq(expr.Col("i"))},
		{name: "null literal", node: &expr.Binary{Op: expr.OpEq, Left: col("l"), Right: lit(scalar.MakeNullScalar(arrow.PrimitiveTypes.Int64))}},
		{name: "contains", pred: expr.Col("s").Str().Contains("x")},
		{name: "unknown column", node: &expr.Binary{Op: expr.OpEq, Left: col("nope"), Right: lit(scalar.NewInt64Scalar(1))}},
	}
	as, err := arrowSchema(translateSchema)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := c.node
			if n == nil {
				if n, err = expr.Resolve(c.pred.Node(), as); err != nil {
					t.Fatal(err)
				}
			}
			tr := translator{schema: translateSchema}
			got, ok := tr.translate(n, true)
			if c.want == nil {
				if ok {
					t.Fatalf("%s translated to %s, want nothing", n, got.expr)
				}
				return
			}
			if !ok {
				t.Fatalf("%s did not translate, want %s", n, c.want)
			}
			if !got.expr.Equals(c.want) {
				t.Errorf("%s translated to\n %s\nwant\n %s", n, got.expr, c.want)
			}
			if got.startsWith != c.startsWith {
				t.Errorf("startsWith = %v, want %v", got.startsWith, c.startsWith)
			}
			// iceberg-go must accept it for this schema, as planning does.
			if _, err := iceberg.BindExpr(translateSchema, got.expr, true); err != nil {
				t.Errorf("bind %s: %v", got.expr, err)
			}
		})
	}
}
