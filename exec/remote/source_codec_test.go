package remote

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
)

// testSource is a source whose description is its column names; its
// tasks are numbers.
type testSource struct{ cols []string }

type testTask int

func (t testTask) String() string        { return fmt.Sprintf("task %d", int(t)) }
func (t testTask) EstimatedBytes() int64 { return 1 }

func (s *testSource) Kind() string { return "remote-test" }
func (s *testSource) Schema() *arrow.Schema {
	fields := make([]arrow.Field, len(s.cols))
	for i, c := range s.cols {
		fields[i] = arrow.Field{Name: c, Type: arrow.PrimitiveTypes.Int64, Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}
func (s *testSource) String() string                              { return strings.Join(s.cols, ",") }
func (s *testSource) SupportsFilter(expr.Node) plan.FilterSupport { return plan.FilterUnsupported }
func (s *testSource) Plan(context.Context, plan.Pushdown) (*plan.ScanPlan, error) {
	return nil, errors.New("not planned in these tests")
}
func (s *testSource) Open(context.Context, *exec.TaskContext, plan.Task) (exec.Stream, error) {
	return nil, errors.New("not read in these tests")
}

// testCodec counts opens; failOpens makes that many opens fail first, and
// refuse makes EncodeTask refuse that task.
type testCodec struct {
	opens     atomic.Int64
	failOpens atomic.Int64
	refuse    testTask
	// gate, when set, holds opens until closed.
	gate chan struct{}
}

func (c *testCodec) EncodeSource(src plan.Source) ([]byte, error) {
	return json.Marshal(src.(*testSource).cols)
}

func (c *testCodec) OpenSource(ctx context.Context, desc []byte) (exec.Scanner, error) {
	if c.gate != nil {
		<-c.gate
	}
	c.opens.Add(1)
	if c.failOpens.Add(-1) >= 0 {
		return nil, errors.New("storage unavailable")
	}
	var cols []string
	if err := json.Unmarshal(desc, &cols); err != nil {
		return nil, err
	}
	return &testSource{cols: cols}, nil
}

func (c *testCodec) EncodeTask(_ plan.Source, t plan.Task) ([]byte, error) {
	if t.(testTask) == c.refuse {
		return nil, fmt.Errorf("%w: task %d cannot be sent", errs.ErrNotImplemented, int(t.(testTask)))
	}
	return json.Marshal(int(t.(testTask)))
}

func (c *testCodec) DecodeTask(_ exec.Scanner, b []byte) (plan.Task, error) {
	var n int
	err := json.Unmarshal(b, &n)
	return testTask(n), err
}

var (
	testCodecOnce sync.Once
	theTestCodec  = &testCodec{refuse: -1}
)

func registerTestCodec(t *testing.T) *testCodec {
	testCodecOnce.Do(func() { RegisterSourceCodec("remote-test", theTestCodec) })
	c := theTestCodec
	c.opens.Store(0)
	c.failOpens.Store(0)
	c.refuse, c.gate = -1, nil
	return c
}

func TestWireScanRoundTrip(t *testing.T) {
	registerTestCodec(t)
	src := &testSource{cols: []string{"a", "b"}}
	enc, err := newScanEncoder(src, [][]plan.Task{{testTask(1), testTask(2)}, {testTask(3)}})
	if err != nil {
		t.Fatal(err)
	}
	w, err := enc.encode([]plan.Task{testTask(3), testTask(1)})
	if err != nil {
		t.Fatal(err)
	}
	var cache sourceCache
	got, tasks, err := openWireScan(context.Background(), &w, cache.open)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Schema().Equal(src.Schema()) {
		t.Errorf("schema %s, want %s", got.Schema(), src.Schema())
	}
	if fmt.Sprint(tasks) != "[task 3 task 1]" {
		t.Errorf("tasks %v, want [task 3 task 1]", tasks)
	}
}

func TestScanEncoderReasons(t *testing.T) {
	c := registerTestCodec(t)
	if _, err := newScanEncoder(&otherSource{}, nil); err == nil || !strings.Contains(err.Error(), "no codec registered for other sources") {
		t.Errorf("source without a codec: %v", err)
	}
	c.refuse = 2
	_, err := newScanEncoder(&testSource{cols: []string{"a"}}, [][]plan.Task{{testTask(1)}, {testTask(2)}})
	if !errors.Is(err, errs.ErrNotImplemented) || !strings.Contains(err.Error(), "task 2") {
		t.Errorf("refused task: %v", err)
	}
}

// otherSource has no codec.
type otherSource struct{ testSource }

func (*otherSource) Kind() string { return "other" }

func TestWireScanSchemaMismatch(t *testing.T) {
	registerTestCodec(t)
	enc, err := newScanEncoder(&testSource{cols: []string{"a", "b"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := enc.encode(nil)
	// The executor opens a source with other columns than the coordinator.
	w.Source, _ = json.Marshal([]string{"a"})
	var cache sourceCache
	_, _, err = openWireScan(context.Background(), &w, cache.open)
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "on the executor") {
		t.Fatalf("got %v, want a schema mismatch", err)
	}
}

func TestSourceCacheOpensOnce(t *testing.T) {
	c := registerTestCodec(t)
	c.gate = make(chan struct{})
	var cache sourceCache
	ctx := context.Background()
	var wg sync.WaitGroup
	srcs := make([]exec.Scanner, 8)
	for i := range srcs {
		wg.Go(func() {
			var err error
			if srcs[i], err = cache.open(ctx, "remote-test", []byte(`["a"]`)); err != nil {
				t.Error(err)
			}
		})
	}
	close(c.gate)
	wg.Wait()
	if n := c.opens.Load(); n != 1 {
		t.Errorf("%d opens for one description, want 1", n)
	}
	for _, s := range srcs[1:] {
		if s != srcs[0] {
			t.Fatal("fragments of one source got different sources")
		}
	}
	if _, err := cache.open(ctx, "remote-test", []byte(`["b"]`)); err != nil {
		t.Fatal(err)
	}
	if n := c.opens.Load(); n != 2 {
		t.Errorf("%d opens for two descriptions, want 2", n)
	}
}

func TestSourceCacheForgetsFailedOpen(t *testing.T) {
	c := registerTestCodec(t)
	c.failOpens.Store(1)
	var cache sourceCache
	ctx := context.Background()
	_, err := cache.open(ctx, "remote-test", []byte(`["a"]`))
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "storage unavailable") {
		t.Fatalf("first open: %v, want the codec's error", err)
	}
	if _, err := cache.open(ctx, "remote-test", []byte(`["a"]`)); err != nil {
		t.Fatalf("second open: %v", err)
	}
	if n := c.opens.Load(); n != 2 {
		t.Errorf("%d opens, want 2", n)
	}
}

func TestSourceCacheKeepsTheLastUsed(t *testing.T) {
	c := registerTestCodec(t)
	var cache sourceCache
	ctx := context.Background()
	desc := func(i int) []byte { return fmt.Appendf(nil, `["c%d"]`, i) }
	for i := range maxCachedSources + 10 {
		if _, err := cache.open(ctx, "remote-test", desc(i)); err != nil {
			t.Fatal(err)
		}
		// The first source stays in use throughout.
		if _, err := cache.open(ctx, "remote-test", desc(0)); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(cache.entries); n != maxCachedSources {
		t.Errorf("%d sources kept, want %d", n, maxCachedSources)
	}
	opens := c.opens.Load()
	if _, err := cache.open(ctx, "remote-test", desc(0)); err != nil {
		t.Fatal(err)
	}
	if c.opens.Load() != opens {
		t.Error("the source used last was evicted")
	}
	if _, err := cache.open(ctx, "remote-test", desc(1)); err != nil {
		t.Fatal(err)
	}
	if c.opens.Load() != opens+1 {
		t.Error("the source used longest ago was kept")
	}
}
