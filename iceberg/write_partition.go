package iceberg

import (
	"fmt"
	"strconv"

	iceberg "github.com/apache/iceberg-go"
)

// Partition is one field of a new table's partition spec: a transform of
// a source column.
type Partition struct {
	// Column is the source column's name.
	Column string
	// Transform maps column values to partition values.
	Transform iceberg.Transform
	// Name is the partition field's name; empty picks the column name for
	// identity and column_transform (column_day, column_bucket, ...)
	// otherwise.
	Name string
}

// Identity partitions by the column's value.
func Identity(column string) Partition {
	return Partition{Column: column, Transform: iceberg.IdentityTransform{}}
}

// Year partitions a date or timestamp column by year.
func Year(column string) Partition {
	return Partition{Column: column, Transform: iceberg.YearTransform{}}
}

// Month partitions a date or timestamp column by month.
func Month(column string) Partition {
	return Partition{Column: column, Transform: iceberg.MonthTransform{}}
}

// Day partitions a date or timestamp column by day.
func Day(column string) Partition {
	return Partition{Column: column, Transform: iceberg.DayTransform{}}
}

// Hour partitions a timestamp column by hour.
func Hour(column string) Partition {
	return Partition{Column: column, Transform: iceberg.HourTransform{}}
}

// Bucket partitions by a hash of the column into n buckets.
func Bucket(column string, n int) Partition {
	return Partition{Column: column, Transform: iceberg.BucketTransform{NumBuckets: n}}
}

// Truncate partitions by the column truncated to width (string prefixes,
// integer and decimal ranges).
func Truncate(column string, width int) Partition {
	return Partition{Column: column, Transform: iceberg.TruncateTransform{Width: width}}
}

func (p Partition) fieldName() string {
	if p.Name != "" {
		return p.Name
	}
	switch t := p.Transform.(type) {
	case iceberg.IdentityTransform:
		return p.Column
	case iceberg.BucketTransform:
		return p.Column + "_bucket_" + strconv.Itoa(t.NumBuckets)
	case iceberg.TruncateTransform:
		return p.Column + "_trunc_" + strconv.Itoa(t.Width)
	default:
		return p.Column + "_" + p.Transform.String()
	}
}

// partitionSpec builds the spec for sc; iceberg-go checks that each
// transform applies to its column's type.
func partitionSpec(sc *iceberg.Schema, parts []Partition) (iceberg.PartitionSpec, error) {
	opts := make([]iceberg.PartitionOption, 0, len(parts))
	for _, p := range parts {
		if p.Transform == nil {
			return iceberg.PartitionSpec{}, fmt.Errorf("partition on %q has no transform", p.Column)
		}
		opts = append(opts, iceberg.AddPartitionFieldByName(p.Column, p.fieldName(), p.Transform, sc, nil))
	}
	spec, err := iceberg.NewPartitionSpecOpts(opts...)
	if err != nil {
		return iceberg.PartitionSpec{}, fmt.Errorf("partition spec: %w", err)
	}
	return spec, nil
}
