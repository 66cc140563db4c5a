package pgwire_test

import (
	"math"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// typesTS is the timestamp the types row holds.
var typesTS = time.Date(2024, 2, 29, 13, 14, 15, 123456000, time.UTC)

// typesBatch is one row of every type the server encodes, then a row of
// NULLs.
func typesBatch(mem memory.Allocator) arrow.RecordBatch {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true},
		{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "dec", Type: &arrow.Decimal128Type{Precision: 12, Scale: 3}, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "tstz", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, Nullable: true},
		{Name: "list", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64), Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(mem, schema)
	defer b.Release()
	b.Field(0).(*array.BooleanBuilder).Append(true)
	b.Field(1).(*array.Int16Builder).Append(-32768)
	b.Field(2).(*array.Int32Builder).Append(2147483647)
	b.Field(3).(*array.Int64Builder).Append(math.MinInt64)
	b.Field(4).(*array.Float32Builder).Append(1.5)
	b.Field(5).(*array.Float64Builder).Append(math.Inf(-1))
	b.Field(6).(*array.Decimal128Builder).Append(decimal128.FromI64(-1234567))
	b.Field(7).(*array.StringBuilder).Append("ünï \"q\" \\ €")
	b.Field(8).(*array.BinaryBuilder).Append([]byte{0, 1, 0xfe, 0xff})
	b.Field(9).(*array.Date32Builder).Append(arrow.Date32FromTime(typesTS))
	b.Field(10).(*array.TimestampBuilder).Append(arrow.Timestamp(typesTS.UnixMicro()))
	b.Field(11).(*array.TimestampBuilder).Append(arrow.Timestamp(typesTS.UnixNano()))
	lb := b.Field(12).(*array.ListBuilder)
	lb.Append(true)
	lb.ValueBuilder().(*array.Int64Builder).AppendValues([]int64{1, -2}, nil)
	lb.ValueBuilder().(*array.Int64Builder).AppendNull()
	for _, f := range b.Fields() {
		f.AppendNull()
	}
	return b.NewRecordBatch()
}
