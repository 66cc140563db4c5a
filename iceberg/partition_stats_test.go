package iceberg

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"

	"lakeframe/exec/source/prune"
	"lakeframe/expr"
)

// TestPartitionValueBounds checks, for random source values under every
// transform, that the statistics a partition value stands for contain the
// value that produced it (iceberg-go's transforms compute the partition
// values), so pruning by them never drops a file holding a match; and that
// equality on other values prunes, so the bounds are not vacuous.
func TestPartitionValueBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	ts := &arrow.TimestampType{Unit: arrow.Microsecond}
	var cases []boundCase
	intVal := func() (iceberg.Literal, prune.Value) {
		v := r.Int64N(2_000_000) - 1_000_000
		return iceberg.NewLiteral(v), prune.Int(v)
	}
	int32Val := func() (iceberg.Literal, prune.Value) {
		v := int32(r.IntN(2_000_000) - 1_000_000)
		return iceberg.NewLiteral(v), prune.Int(int64(v))
	}
	dateVal := func() (iceberg.Literal, prune.Value) {
		v := int32(r.IntN(200_000) - 100_000)
		return iceberg.NewLiteral(iceberg.Date(v)), prune.Int(int64(v))
	}
	tsVal := func() (iceberg.Literal, prune.Value) {
		v := r.Int64N(8e15) - 4e15
		return iceberg.NewLiteral(iceberg.Timestamp(v)), prune.Int(v)
	}
	strVal := func() (iceberg.Literal, prune.Value) {
		var sb strings.Builder
		for range r.IntN(6) {
			sb.WriteString([]string{"", "a", "b", "é", "\U0010FFFF", "zz"}[r.IntN(6)])
		}
		return iceberg.NewLiteral(sb.String()), prune.String(sb.String())
	}
	for _, tr := range []iceberg.Transform{iceberg.IdentityTransform{}, iceberg.TruncateTransform{Width: 10}, iceberg.BucketTransform{NumBuckets: 7}} {
		cases = append(cases,
			boundCase{"long " + tr.String(), iceberg.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Int64, tr, intVal},
			boundCase{"int " + tr.String(), iceberg.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int32, tr, int32Val},
			boundCase{"string " + tr.String(), iceberg.PrimitiveTypes.String, arrow.BinaryTypes.String, tr, strVal})
	}
	for _, tr := range []iceberg.Transform{iceberg.YearTransform{}, iceberg.MonthTransform{}, iceberg.DayTransform{}, iceberg.IdentityTransform{}, iceberg.BucketTransform{NumBuckets: 16}} {
		cases = append(cases, boundCase{"date " + tr.String(), iceberg.PrimitiveTypes.Date, arrow.FixedWidthTypes.Date32, tr, dateVal})
	}
	for _, tr := range []iceberg.Transform{iceberg.YearTransform{}, iceberg.MonthTransform{}, iceberg.DayTransform{}, iceberg.HourTransform{}, iceberg.BucketTransform{NumBuckets: 16}} {
		cases = append(cases, boundCase{"timestamp " + tr.String(), iceberg.PrimitiveTypes.Timestamp, ts, tr, tsVal})
	}
	schemaFor := func(typ arrow.DataType) *arrow.Schema {
		return arrow.NewSchema([]arrow.Field{{Name: "c", Type: typ, Nullable: true}}, nil)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := partitionView{col: 0, src: c.typ, srcIce: c.src, transform: c.tr, result: c.tr.ResultType(c.src)}
			sch := schemaFor(c.typ)
			pruned := 0
			for range 3000 {
				lit, val := c.random()
				part := c.tr.Apply(iceberg.Optional[iceberg.Literal]{Valid: true, Val: lit})
				if !part.Valid {
					t.Fatalf("%s of %v has no value", c.tr, lit)
				}
				st, ok := v.valueStats(part.Val.Any(), 10)
				if !ok {
					t.Fatalf("%s: no statistics for partition value %v", c.tr, part.Val)
				}
				eq := func(x prune.Value) bool {
					return prune.Compile(eqNode(t, sch, x), sch).MayMatch(only(0, st))
				}
				if !eq(val) {
					t.Fatalf("%s: partition %v of %v prunes the value itself (stats %+v)", c.tr, part.Val, lit, st)
				}
				other, oval := c.random()
				op := c.tr.Apply(iceberg.Optional[iceberg.Literal]{Valid: true, Val: other})
				same := op.Valid && op.Val.Equals(part.Val)
				if !eq(oval) {
					if same {
						t.Fatalf("%s: partition %v prunes %v, which is in it", c.tr, part.Val, other)
					}
					pruned++
				}
			}
			if pruned == 0 {
				t.Errorf("%s: equality never pruned", c.tr)
			}
		})
	}
	// NULL partitions hold only NULLs.
	v := partitionView{col: 0, src: arrow.PrimitiveTypes.Int64, srcIce: iceberg.PrimitiveTypes.Int64, transform: iceberg.IdentityTransform{}}
	st, ok := v.valueStats(nil, 5)
	if !ok || st.Nulls != 5 || st.Rows != 5 {
		t.Errorf("NULL partition: %+v, %v", st, ok)
	}
}

// boundCase is a source type, a transform and a generator of random
// source values.
type boundCase struct {
	name   string
	src    iceberg.Type
	typ    arrow.DataType
	tr     iceberg.Transform
	random func() (iceberg.Literal, prune.Value)
}

// eqNode is c = v, resolved against sch.
func eqNode(t *testing.T, sch *arrow.Schema, v prune.Value) expr.Node {
	t.Helper()
	var lit any
	if i, ok := v.IntValue(); ok {
		switch sch.Field(0).Type.ID() {
		case arrow.INT32:
			lit = int32(i)
		case arrow.DATE32:
			lit = time.Unix(i*86400, 0).UTC()
		case arrow.TIMESTAMP:
			lit = time.UnixMicro(i).UTC()
		default:
			lit = i
		}
	} else if s, ok := v.StringValue(); ok {
		lit = s
	}
	n, err := expr.Resolve(expr.Col("c").Eq(lit).Node(), sch)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestManifestSummaryBounds: a summary whose lower bound is the empty
// string (or missing, as iceberg-go returns a zero-length bound) keeps
// manifests holding the values between, and prunes values above its
// upper bound; a summary without NULLs prunes IS NULL.
func TestManifestSummaryBounds(t *testing.T) {
	sch := arrow.NewSchema([]arrow.Field{{Name: "c", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	v := partitionView{col: 0, src: arrow.BinaryTypes.String, srcIce: iceberg.PrimitiveTypes.String,
		transform: iceberg.IdentityTransform{}, result: iceberg.PrimitiveTypes.String}
	empty, fr := []byte{}, []byte("FR")
	cases := []struct {
		name string
		fs   iceberg.FieldSummary
		pred expr.Expr
		want bool
	}{
		{"empty lower keeps DE", iceberg.FieldSummary{LowerBound: &empty, UpperBound: &fr}, expr.Col("c").Eq("DE"), true},
		{"missing lower keeps DE", iceberg.FieldSummary{UpperBound: &fr}, expr.Col("c").Eq("DE"), true},
		{"empty lower keeps empty", iceberg.FieldSummary{LowerBound: &empty, UpperBound: &fr}, expr.Col("c").Eq(""), true},
		{"above upper", iceberg.FieldSummary{LowerBound: &empty, UpperBound: &fr}, expr.Col("c").Eq("ZZ"), false},
		{"no nulls", iceberg.FieldSummary{LowerBound: &empty, UpperBound: &fr}, expr.Col("c").IsNull(), false},
		{"nulls", iceberg.FieldSummary{ContainsNull: true, LowerBound: &empty, UpperBound: &fr}, expr.Col("c").IsNull(), true},
		{"only nulls", iceberg.FieldSummary{ContainsNull: true}, expr.Col("c").IsNull(), true},
	}
	for _, c := range cases {
		st, ok := v.summaryStats(c.fs)
		if !ok {
			t.Fatalf("%s: no statistics", c.name)
		}
		n, err := expr.Resolve(c.pred.Node(), sch)
		if err != nil {
			t.Fatal(err)
		}
		if got := prune.Compile(n, sch).MayMatch(only(0, st)); got != c.want {
			t.Errorf("%s: MayMatch = %v, want %v", c.name, got, c.want)
		}
	}
}
