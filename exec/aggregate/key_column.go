package aggregate

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// keyColumn maps the values of one key column to dense column-local ids.
// NULL is a value of its own and gets an id when first seen. Its methods
// work on whole batches, so their interface calls never happen per row.
type keyColumn interface {
	// insert writes the id of every row of arr into out, which has
	// arr.Len() elements, adding the values not seen before.
	insert(arr arrow.Array, out []uint32) error
	// len returns the number of distinct values, NULL included.
	len() int
	// nullID returns the id of NULL, or -1 when no NULL was seen.
	nullID() int
	// build returns an array of the column's type with the values of the
	// given ids, in that order; nil ids means every id in order.
	build(mem memory.Allocator, ids []uint32) (arrow.Array, error)
	// sizeBytes estimates the memory held.
	sizeBytes() int
}

// newKeyColumn picks the representation for one key type.
func newKeyColumn(dt arrow.DataType) (keyColumn, error) {
	switch dt.ID() {
	case arrow.NULL:
		return &nullColumn{}, nil
	case arrow.BOOL:
		return newBoolColumn(), nil
	case arrow.INT8:
		return newDirectColumn[int8](dt, 8), nil
	case arrow.UINT8:
		return newDirectColumn[uint8](dt, 8), nil
	case arrow.INT16:
		return newDirectColumn[int16](dt, 16), nil
	case arrow.UINT16:
		return newDirectColumn[uint16](dt, 16), nil
	case arrow.INT32, arrow.DATE32, arrow.TIME32:
		return newIntColumn[int32](dt), nil
	case arrow.UINT32:
		return newIntColumn[uint32](dt), nil
	case arrow.INT64, arrow.DATE64, arrow.TIMESTAMP, arrow.TIME64, arrow.DURATION:
		return newIntColumn[int64](dt), nil
	case arrow.UINT64:
		return newIntColumn[uint64](dt), nil
	case arrow.FLOAT32:
		return newFloatColumn[float32](dt), nil
	case arrow.FLOAT64:
		return newFloatColumn[float64](dt), nil
	case arrow.STRING, arrow.BINARY, arrow.LARGE_STRING, arrow.LARGE_BINARY:
		return newBytesColumn(dt, 0), nil
	case arrow.FIXED_SIZE_BINARY, arrow.DECIMAL128, arrow.DECIMAL256:
		return newBytesColumn(dt, dt.(arrow.FixedWidthDataType).Bytes()), nil
	}
	return nil, fmt.Errorf("group by a %s column: %w", dt, errs.ErrNotImplemented)
}

// checkRoom fails when adding n more values could overflow uint32 ids.
func checkRoom(have, n int) error {
	if have+n > math.MaxUint32 {
		return fmt.Errorf("more than %d distinct keys: %w", uint64(math.MaxUint32), errs.ErrResourcesExhausted)
	}
	return nil
}

// checkArray reports a batch whose type differs from the column's.
func checkArray(dt arrow.DataType, arr arrow.Array) error {
	if !arrow.TypeEqual(dt, arr.DataType()) {
		return fmt.Errorf("key column is %s, batch has %s: %w", dt, arr.DataType(), errs.ErrInternal)
	}
	return nil
}
