package eval

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/expr"
)

const (
	benchRows  = 1 << 20
	benchBatch = 64 << 10
)

// lineitemBatches makes TPC-H-like lineitem columns: 1M rows in batches of
// 64K rows, without nulls as in TPC-H.
func lineitemBatches(b *testing.B, mem memory.Allocator) []arrow.RecordBatch {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "l_quantity", Type: f64},
		{Name: "l_extendedprice", Type: f64},
		{Name: "l_discount", Type: f64},
		{Name: "l_tax", Type: f64},
		{Name: "l_shipdate", Type: d32},
	}, nil)
	start := arrow.Date32FromTime(time.Date(1992, 1, 2, 0, 0, 0, 0, time.UTC))
	var out []arrow.RecordBatch
	for off := 0; off < benchRows; off += benchBatch {
		qty := array.NewFloat64Builder(mem)
		price := array.NewFloat64Builder(mem)
		disc := array.NewFloat64Builder(mem)
		tax := array.NewFloat64Builder(mem)
		ship := array.NewDate32Builder(mem)
		for range benchBatch {
			q := float64(1 + r.IntN(50))
			qty.Append(q)
			price.Append(q * float64(900+r.IntN(1200)))
			disc.Append(float64(r.IntN(11)) / 100)
			tax.Append(float64(r.IntN(9)) / 100)
			ship.Append(start + arrow.Date32(r.IntN(2526)))
		}
		cols := []arrow.Array{qty.NewArray(), price.NewArray(), disc.NewArray(), tax.NewArray(), ship.NewArray()}
		out = append(out, array.NewRecordBatch(schema, cols, benchBatch))
		for _, c := range cols {
			c.Release()
		}
		for _, bld := range []array.Builder{qty, price, disc, tax, ship} {
			bld.Release()
		}
	}
	return out
}

func benchEval(b *testing.B, e expr.Expr) {
	mem := memory.NewGoAllocator()
	batches := lineitemBatches(b, mem)
	defer func() {
		for _, rec := range batches {
			rec.Release()
		}
	}()
	n, err := expr.Resolve(e.Node(), batches[0].Schema())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		for _, rec := range batches {
			out, err := Eval(ctx, mem, n, rec)
			if err != nil {
				b.Fatal(err)
			}
			out.Release()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/benchRows, "ns/row")
}

// BenchmarkQ1Charge is TPC-H Q1's sum_charge argument.
func BenchmarkQ1Charge(b *testing.B) {
	price, disc, tax := expr.Col("l_extendedprice"), expr.Col("l_discount"), expr.Col("l_tax")
	benchEval(b, price.Mul(expr.Lit(1).Sub(disc)).Mul(expr.Lit(1).Add(tax)))
}

// BenchmarkQ6Predicate is TPC-H Q6's WHERE clause.
func BenchmarkQ6Predicate(b *testing.B) {
	ship, disc, qty := expr.Col("l_shipdate"), expr.Col("l_discount"), expr.Col("l_quantity")
	benchEval(b, ship.Ge("1994-01-01").
		And(ship.Lt("1995-01-01")).
		And(disc.Between(0.05, 0.07)).
		And(qty.Lt(24)))
}
