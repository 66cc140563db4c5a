package exec_test

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	"lakeframe/exec/bufpool"
	memsrc "lakeframe/exec/source/memory"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// tpchLike returns tables shaped like TPC-H's orders (1.5M rows at SF1,
// sparse keys over 6M) and lineitem (1 to 7 lines per order, about 6M rows,
// in order key order as dbgen writes them; shuffled when asked).
func tpchLike(b *testing.B, mem memory.Allocator, orders int, shuffle bool) (arrow.Table, arrow.Table) {
	r := rand.New(rand.NewPCG(1, 1))
	osch := arrow.NewSchema([]arrow.Field{
		{Name: "o_orderkey", Type: arrow.PrimitiveTypes.Int64},
		{Name: "o_orderdate", Type: arrow.FixedWidthTypes.Date32},
		{Name: "o_shippriority", Type: arrow.PrimitiveTypes.Int32},
	}, nil)
	ls := arrow.NewSchema([]arrow.Field{
		{Name: "l_orderkey", Type: arrow.PrimitiveTypes.Int64},
		{Name: "l_extendedprice", Type: arrow.PrimitiveTypes.Float64},
		{Name: "l_discount", Type: arrow.PrimitiveTypes.Float64},
	}, nil)
	var lkeys []int64
	ob := array.NewRecordBuilder(mem, osch)
	defer ob.Release()
	for i := range orders {
		key := int64(i/8*32 + i%8 + 1)
		ob.Field(0).(*array.Int64Builder).Append(key)
		ob.Field(1).(*array.Date32Builder).Append(arrow.Date32(8000 + r.IntN(2400)))
		ob.Field(2).(*array.Int32Builder).Append(0)
		for range 1 + r.IntN(7) {
			lkeys = append(lkeys, key)
		}
	}
	if shuffle {
		r.Shuffle(len(lkeys), func(i, j int) { lkeys[i], lkeys[j] = lkeys[j], lkeys[i] })
	}
	lb := array.NewRecordBuilder(mem, ls)
	defer lb.Release()
	var lrecs []arrow.RecordBatch
	for lo := 0; lo < len(lkeys); lo += 1 << 20 {
		for _, k := range lkeys[lo:min(lo+1<<20, len(lkeys))] {
			lb.Field(0).(*array.Int64Builder).Append(k)
			lb.Field(1).(*array.Float64Builder).Append(float64(r.IntN(100000)) / 100)
			lb.Field(2).(*array.Float64Builder).Append(float64(r.IntN(11)) / 100)
		}
		lrecs = append(lrecs, lb.NewRecordBatch())
	}
	orec := ob.NewRecordBatch()
	ot := array.NewTableFromRecords(osch, []arrow.RecordBatch{orec})
	orec.Release()
	lt := array.NewTableFromRecords(ls, lrecs)
	for _, r := range lrecs {
		r.Release()
	}
	return lt, ot
}

// runJoin runs lineitem ⋈ orders on two partitions and returns the output
// row count.
func runJoin(b *testing.B, mem memory.Allocator, lt, ot arrow.Table) int64 {
	ctx := context.Background()
	opts := memsrc.Options{Tasks: 2}
	l := plan.NewScan(memsrc.NewSource(lt, opts))
	o := plan.NewScan(memsrc.NewSource(ot, opts))
	j, err := plan.NewJoin(l, o, plan.JoinSpec{Type: plan.InnerJoin,
		LeftKeys: []expr.Node{expr.Col("l_orderkey").Node()}, RightKeys: []expr.Node{expr.Col("o_orderkey").Node()}})
	if err != nil {
		b.Fatal(err)
	}
	root, err := physical.Lower(ctx, j, &physical.Config{Parallelism: 2})
	if err != nil {
		b.Fatal(err)
	}
	tc := &exec.TaskContext{Mem: mem, BatchSize: exec.DefaultBatchSize, Parallelism: 2}
	st, err := exec.Open(ctx, tc, root)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var n int64
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n += rec.NumRows()
		rec.Release()
	}
}

// BenchmarkHashJoinTPCH joins 6M lineitem rows with 1.5M orders (SF1) on
// two partitions: "probe" is the whole join, reported per probe row;
// "build" joins the orders with no lineitem, which is the build alone.
func BenchmarkHashJoinTPCH(b *testing.B) {
	mem := bufpool.New() // the queries' default allocator
	for _, shuffle := range []bool{false, true} {
		lt, ot := tpchLike(b, mem, 1_500_000, shuffle)
		name := "sorted"
		if shuffle {
			name = "shuffled"
		}
		b.Run(name+"/probe", func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				if n := runJoin(b, mem, lt, ot); n != lt.NumRows() {
					b.Fatalf("%d rows, want %d", n, lt.NumRows())
				}
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N)/float64(lt.NumRows()), "ns/probe-row")
		})
		if !shuffle {
			empty := array.NewTableFromSlice(lt.Schema(), [][]arrow.Array{{}, {}, {}})
			b.Run("build", func(b *testing.B) {
				for b.Loop() {
					runJoin(b, mem, empty, ot)
				}
			})
			empty.Release()
		}
		lt.Release()
		ot.Release()
	}
}
