package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// stubNode is a logical input of a known schema.
type stubNode struct{ schema *arrow.Schema }

func (n stubNode) Schema() *arrow.Schema                        { return n.schema }
func (n stubNode) Children() []plan.Node                        { return nil }
func (n stubNode) WithChildren(...plan.Node) (plan.Node, error) { return n, nil }
func (n stubNode) String() string                               { return "stub" }

// fakeOp serves fixed batches per partition and counts its executions. A
// partition fails after failAfter batches when failAfter >= 0.
type fakeOp struct {
	schema    *arrow.Schema
	parts     [][]arrow.RecordBatch
	failAfter int
	executes  atomic.Int32
}

func (f *fakeOp) Schema() *arrow.Schema { return f.schema }
func (f *fakeOp) Partitions() int       { return len(f.parts) }
func (f *fakeOp) Execute(ctx context.Context, tc *TaskContext, p int) (Stream, error) {
	f.executes.Add(1)
	return &fakeStream{op: f, batches: f.parts[p]}, nil
}

type fakeStream struct {
	op      *fakeOp
	batches []arrow.RecordBatch
	sent    int
}

func (s *fakeStream) Schema() *arrow.Schema { return s.op.schema }
func (s *fakeStream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.op.failAfter >= 0 && s.sent == s.op.failAfter {
		return nil, fmt.Errorf("%w: source broke", errs.ErrExec)
	}
	if s.sent == len(s.batches) {
		return nil, io.EOF
	}
	rec := s.batches[s.sent]
	s.sent++
	rec.Retain()
	return rec, nil
}
func (s *fakeStream) Close() error { return nil }

var kvSchema = arrow.NewSchema([]arrow.Field{
	{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "v", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
}, nil)

// kvBatches makes parts partitions of batches of rows (k, v) with k
// running from lo; every key appears once.
func kvBatches(mem memory.Allocator, parts, batches, rows int, lo int64) [][]arrow.RecordBatch {
	out := make([][]arrow.RecordBatch, parts)
	k := lo
	for p := range out {
		for range batches {
			b := array.NewRecordBuilder(mem, kvSchema)
			for range rows {
				b.Field(0).(*array.Int64Builder).Append(k)
				b.Field(1).(*array.Int64Builder).Append(k * 10)
				k++
			}
			out[p] = append(out[p], b.NewRecordBatch())
			b.Release()
		}
	}
	return out
}

func releaseParts(parts [][]arrow.RecordBatch) {
	for _, p := range parts {
		for _, b := range p {
			b.Release()
		}
	}
}

// newTestJoin joins probe.k = build.k with the given type, building on the
// right.
func newTestJoin(t *testing.T, typ plan.JoinType, probe, build *fakeOp) *hashJoinOp {
	t.Helper()
	spec := plan.JoinSpec{Type: typ, LeftKeys: []expr.Node{expr.Col("k").Node()}, RightKeys: []expr.Node{expr.Col("k").Node()}}
	j, err := plan.NewJoin(stubNode{probe.schema}, stubNode{build.schema}, spec)
	if err != nil {
		t.Fatal(err)
	}
	op, err := newHashJoinOp(probe, build, &physical.HashJoin{ProbeKeys: j.LeftKeys, BuildKeys: j.RightKeys, Logical: j})
	if err != nil {
		t.Fatal(err)
	}
	return op.(*hashJoinOp)
}

func drain(ctx context.Context, st Stream) (int64, error) {
	var n int64
	for {
		rec, err := st.Next(ctx)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += rec.NumRows()
		rec.Release()
	}
}

// TestHashJoinBuildsOnce runs four probe partitions at once and one after
// another: each run reads the build side once, and frees it at the end.
func TestHashJoinBuildsOnce(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	probeParts := kvBatches(mem, 4, 3, 100, 0) // keys 0..1199
	defer releaseParts(probeParts)
	buildParts := kvBatches(mem, 2, 2, 100, 1000) // keys 1000..1399
	defer releaseParts(buildParts)
	probe := &fakeOp{schema: kvSchema, parts: probeParts, failAfter: -1}
	build := &fakeOp{schema: kvSchema, parts: buildParts, failAfter: -1}
	op := newTestJoin(t, plan.InnerJoin, probe, build)
	inputs := mem.CurrentAlloc()
	for _, parallelism := range []int{4, 1} {
		build.executes.Store(0)
		tc := &TaskContext{Mem: mem, BatchSize: 64, Parallelism: parallelism}
		st, err := (&coalesceOp{input: op}).Execute(context.Background(), tc, 0)
		if err != nil {
			t.Fatal(err)
		}
		n, err := drain(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		if n != 200 {
			t.Errorf("parallelism %d: %d rows, want 200 (keys 1000..1199)", parallelism, n)
		}
		// Two build partitions, executed once each through the coalesce.
		if got := build.executes.Load(); got != 2 {
			t.Errorf("parallelism %d: build partitions executed %d times, want 2", parallelism, got)
		}
		if got := mem.CurrentAlloc(); got != inputs {
			t.Errorf("parallelism %d: %d bytes held after the run, want %d", parallelism, got, inputs)
		}
	}
}

// TestHashJoinFreesOnContextDone starts only one of four partitions: the
// build side is freed once the run's context is done, since the others
// will not start.
func TestHashJoinFreesOnContextDone(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	probeParts := kvBatches(mem, 4, 1, 10, 0)
	defer releaseParts(probeParts)
	buildParts := kvBatches(mem, 1, 1, 10, 0)
	defer releaseParts(buildParts)
	op := newTestJoin(t, plan.InnerJoin, &fakeOp{schema: kvSchema, parts: probeParts, failAfter: -1}, &fakeOp{schema: kvSchema, parts: buildParts, failAfter: -1})
	inputs := mem.CurrentAlloc()
	ctx, cancel := context.WithCancel(context.Background())
	tc := &TaskContext{Mem: mem, BatchSize: 64}
	st, err := op.Execute(ctx, tc, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := drain(ctx, st); err != nil || n != 10 {
		t.Fatalf("%d rows, %v; want 10", n, err)
	}
	st.Close()
	if mem.CurrentAlloc() == inputs {
		t.Fatal("build side freed while three partitions have not run")
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for mem.CurrentAlloc() != inputs && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := mem.CurrentAlloc(); got != inputs {
		t.Errorf("%d bytes held after the context ended, want %d", got, inputs)
	}
}

// TestHashJoinErrors breaks the build or the probe side, in memory and in
// grace mode: every stream reports the error, and nothing is left behind,
// in memory or on disk.
func TestHashJoinErrors(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, budget := range []int64{1 << 30, 1} {
		for _, broken := range []string{"build", "probe"} {
			t.Run(fmt.Sprintf("%s/budget=%d", broken, budget), func(t *testing.T) {
				defer SetJoinSpill(budget, 4, 2)()
				mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
				defer mem.AssertSize(t, 0)
				probeParts := kvBatches(mem, 3, 3, 50, 0)
				defer releaseParts(probeParts)
				buildParts := kvBatches(mem, 2, 3, 50, 0)
				defer releaseParts(buildParts)
				probe := &fakeOp{schema: kvSchema, parts: probeParts, failAfter: -1}
				build := &fakeOp{schema: kvSchema, parts: buildParts, failAfter: -1}
				if broken == "build" {
					build.failAfter = 2
				} else {
					probe.failAfter = 2
				}
				op := newTestJoin(t, plan.FullJoin, probe, build)
				tc := &TaskContext{Mem: mem, BatchSize: 32, Parallelism: 2}
				st, err := (&coalesceOp{input: op}).Execute(context.Background(), tc, 0)
				if err != nil {
					t.Fatal(err)
				}
				_, err = drain(context.Background(), st)
				st.Close()
				if !errors.Is(err, errs.ErrExec) {
					t.Errorf("error %v, want the source's", err)
				}
				if left, _ := os.ReadDir(tmp); len(left) > 0 {
					t.Errorf("spill files left behind: %v", left)
				}
			})
		}
	}
}

// TestHashJoinCancel cancels a run in the middle of its output.
func TestHashJoinCancel(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	probeParts := kvBatches(mem, 2, 20, 100, 0)
	defer releaseParts(probeParts)
	buildParts := kvBatches(mem, 1, 20, 100, 0)
	defer releaseParts(buildParts)
	op := newTestJoin(t, plan.LeftJoin, &fakeOp{schema: kvSchema, parts: probeParts, failAfter: -1}, &fakeOp{schema: kvSchema, parts: buildParts, failAfter: -1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tc := &TaskContext{Mem: mem, BatchSize: 16, Parallelism: 2}
	var wg sync.WaitGroup
	for p := range 2 {
		st, err := op.Execute(ctx, tc, p)
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer st.Close()
			for i := 0; ; i++ {
				if i == 5 {
					cancel()
				}
				rec, err := st.Next(ctx)
				if err != nil {
					if !errors.Is(err, context.Canceled) {
						t.Errorf("partition %d: %v, want context.Canceled", p, err)
					}
					return
				}
				rec.Release()
			}
		}()
	}
	wg.Wait()
}

// TestHashJoinRejects checks the plans the operator refuses.
func TestHashJoinRejects(t *testing.T) {
	mem := memory.NewGoAllocator()
	parts := kvBatches(mem, 1, 1, 1, 0)
	defer releaseParts(parts)
	in := &fakeOp{schema: kvSchema, parts: parts, failAfter: -1}
	strSchema := arrow.NewSchema([]arrow.Field{{Name: "k", Type: arrow.BinaryTypes.String}}, nil)
	spec := plan.JoinSpec{Type: plan.SemiJoin, LeftKeys: []expr.Node{expr.Col("k").Node()}, RightKeys: []expr.Node{expr.Col("k").Node()}}
	j, err := plan.NewJoin(stubNode{kvSchema}, stubNode{kvSchema}, spec)
	if err != nil {
		t.Fatal(err)
	}
	// Keys of different types are a planner bug.
	str := &fakeOp{schema: strSchema, failAfter: -1}
	if _, err := newHashJoinOp(in, str, &physical.HashJoin{ProbeKeys: j.LeftKeys, BuildKeys: j.RightKeys, Logical: j}); !errors.Is(err, errs.ErrInternal) {
		t.Errorf("int64 = string keys: %v", err)
	}
}

// TestArrayBytesCountsSlices checks that slices of one array count their
// share of its buffers, so that a build side read as zero-copy slices of a
// table is not counted many times over.
func TestArrayBytesCountsSlices(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ib := array.NewInt64Builder(mem)
	sb := array.NewStringBuilder(mem)
	bb := array.NewBooleanBuilder(mem)
	for i := range 1000 {
		ib.Append(int64(i))
		sb.Append("abcd")
		bb.Append(i%2 == 0)
	}
	arrs := []arrow.Array{ib.NewArray(), sb.NewArray(), bb.NewArray()}
	ib.Release()
	sb.Release()
	bb.Release()
	for _, a := range arrs {
		whole := arrayBytes(a.Data())
		var parts int64
		for lo := int64(0); lo < 1000; lo += 100 {
			s := array.NewSlice(a, lo, lo+100)
			parts += arrayBytes(s.Data())
			s.Release()
		}
		if parts < whole*9/10 || parts > whole*11/10 {
			t.Errorf("%s: slices count %d bytes, the whole array %d", a.DataType(), parts, whole)
		}
		a.Release()
	}
}
