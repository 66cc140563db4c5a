package remote

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
	"lakeframe/plan/plantest"
)

// tableSource serves fixed batches, one task per batch.
type tableSource struct {
	name    string
	schema  *arrow.Schema
	batches []arrow.RecordBatch
}

type tableTask struct{ i int }

func (t tableTask) String() string        { return fmt.Sprintf("batch %d", t.i) }
func (t tableTask) EstimatedBytes() int64 { return 1 }

func (s *tableSource) Kind() string                                { return "table" }
func (s *tableSource) Schema() *arrow.Schema                       { return s.schema }
func (s *tableSource) String() string                              { return s.name }
func (s *tableSource) SupportsFilter(expr.Node) plan.FilterSupport { return plan.FilterUnsupported }
func (s *tableSource) Plan(context.Context, plan.Pushdown) (*plan.ScanPlan, error) {
	sp := &plan.ScanPlan{}
	for i := range s.batches {
		sp.Tasks = append(sp.Tasks, tableTask{i})
	}
	return sp, nil
}
func (s *tableSource) Open(_ context.Context, _ *exec.TaskContext, t plan.Task) (exec.Stream, error) {
	tt, ok := t.(tableTask)
	if !ok {
		return nil, errs.ErrInternal
	}
	b := s.batches[tt.i]
	b.Retain()
	return &batchStream{schema: s.schema, batches: []arrow.RecordBatch{b}}, nil
}

// newTable makes a source of (id int64, s string, v float64) with
// duplicate and NULL keys, in parts batches.
func newTable(t *testing.T, name string, rows, mod, parts int) *tableSource {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "v", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	}, nil)
	src := &tableSource{name: name, schema: schema}
	per := (rows + parts - 1) / parts
	for p := range parts {
		b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
		for r := p * per; r < min(rows, (p+1)*per); r++ {
			if r%11 == 0 {
				b.Field(0).AppendNull()
			} else {
				b.Field(0).(*array.Int64Builder).Append(int64(r*31) % int64(mod))
			}
			if r%13 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("k%d", r%7))
			}
			b.Field(2).(*array.Float64Builder).Append(float64(r) / 4)
		}
		src.batches = append(src.batches, b.NewRecordBatch())
		b.Release()
	}
	t.Cleanup(func() {
		for _, b := range src.batches {
			b.Release()
		}
	})
	return src
}

// renderRows prints each row; sorted unless ordered.
func renderRows(batches []arrow.RecordBatch, ordered bool) []string {
	var out []string
	for _, b := range batches {
		for i := range int(b.NumRows()) {
			var sb strings.Builder
			for _, c := range b.Columns() {
				if c.IsNull(i) {
					sb.WriteString("NULL|")
				} else {
					sb.WriteString(c.ValueStr(i) + "|")
				}
			}
			out = append(out, sb.String())
		}
	}
	if !ordered {
		slices.Sort(out)
	}
	return out
}

// asExchangeInputs replaces each scan of a tableSource with an exchange
// input, and returns the inputs' data as an executor would hold it.
func asExchangeInputs(t *testing.T, n physical.Node, inputs *[]*memSource) physical.Node {
	if s, ok := n.(*physical.Scan); ok {
		src := s.Source.(*tableSource)
		ms := &memSource{runnerSource: runnerSource{kind: "exchange", schema: src.schema, desc: src.name}}
		for _, b := range src.batches {
			b.Retain()
			ms.batches = append(ms.batches, b)
		}
		*inputs = append(*inputs, ms)
		return &exchangeInput{index: len(*inputs) - 1, schema: src.schema}
	}
	var kids []physical.Node
	for _, c := range n.Children() {
		kids = append(kids, asExchangeInputs(t, c, inputs))
	}
	out, err := n.WithChildren(kids...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPlanCodecRunsLikeTheOriginal encodes physical plans of every node
// kind the codec knows, decodes them as an executor does (with exchange
// inputs for the scans) and checks that they compute what the original
// computes.
func TestPlanCodecRunsLikeTheOriginal(t *testing.T) {
	l := newTable(t, "l", 600, 50, 3)
	r := newTable(t, "r", 400, 70, 2)
	left := func() *plantest.Builder { return plantest.ScanOf(t, l) }
	right := func() *plantest.Builder { return plantest.ScanOf(t, r) }
	on := plantest.On(expr.Col("id"), expr.Col("id"))
	cases := []struct {
		name    string
		b       *plantest.Builder
		ordered bool
	}{
		{"filter project", left().Filter(expr.Col("v").Gt(10.5)).Project(expr.Col("id"), expr.Col("v").Mul(2).Alias("w")), false},
		{"aggregate partial final", left().Aggregate([]expr.Expr{expr.Col("s")}, expr.Col("v").Sum().Alias("t"), expr.Col("id").CountDistinct().Alias("d")), false},
		{"global aggregate", left().Aggregate(nil, expr.Col("v").Mean().Alias("m"), expr.Col("id").Count().Alias("c")), false},
		{"sort", left().Sort(expr.Col("id").Desc(), expr.Col("v")), true},
		{"top k with offset", left().Sort(expr.Col("v").Desc()).Limit(3, 10), true},
		{"limit", left().Filter(expr.Col("id").IsNull()).Limit(0, 1000), false},
		{"inner join", left().Join(right(), plan.InnerJoin, on), false},
		{"left join", left().Join(right(), plan.LeftJoin, on), false},
		{"right join", left().Join(right(), plan.RightJoin, on), false},
		{"full join with condition", left().Join(right(), plan.FullJoin, on, plantest.Where(expr.Col("v").Lt(expr.Col("v_right")))), false},
		{"semi join", left().Join(right(), plan.SemiJoin, on), false},
		{"anti join on two keys", left().Join(right(), plan.AntiJoin, plantest.Using("id", "s")), false},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			phys, err := physical.Lower(ctx, tc.b.Node(), &physical.Config{Parallelism: 3})
			if err != nil {
				t.Fatal(err)
			}
			want, err := exec.Collect(ctx, &exec.TaskContext{Mem: memory.DefaultAllocator, Parallelism: 3}, phys)
			if err != nil {
				t.Fatal(err)
			}
			defer releaseBatches(want)

			var inputs []*memSource
			shipped := asExchangeInputs(t, phys, &inputs)
			defer func() {
				for _, in := range inputs {
					in.release()
				}
			}()
			j, err := encodeNode(shipped)
			if err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(j)
			if err != nil {
				t.Fatal(err)
			}
			var back nodeJSON
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			decoded, err := decodeNode(ctx, &back, nil, inputs)
			if err != nil {
				t.Fatal(err)
			}
			mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
			defer mem.AssertSize(t, 0)
			got, err := exec.Collect(ctx, &exec.TaskContext{Mem: mem, Parallelism: 2}, decoded)
			if err != nil {
				t.Fatal(err)
			}
			defer releaseBatches(got)
			g, w := renderRows(got, tc.ordered), renderRows(want, tc.ordered)
			if len(w) == 0 {
				t.Fatalf("the case has no rows to compare")
			}
			if !slices.Equal(g, w) {
				t.Fatalf("decoded plan gives %d rows, original %d\n%s", len(g), len(w), physical.Format(decoded))
			}
		})
	}
}

func releaseBatches(bs []arrow.RecordBatch) {
	for _, b := range bs {
		b.Release()
	}
}

func TestPlanCodecValues(t *testing.T) {
	schema := arrow.NewSchema([]arrow.Field{{Name: "n", Type: arrow.PrimitiveTypes.Int64}, {Name: "s", Type: arrow.BinaryTypes.String}}, nil)
	v := &physical.Values{Row: []scalar.Scalar{scalar.NewInt64Scalar(42), scalar.NewStringScalar("x")}, Out: schema, Reason: "test"}
	j, err := encodeNode(v)
	if err != nil {
		t.Fatal(err)
	}
	n, err := decodeNode(context.Background(), j, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := n.(*physical.Values)
	if !got.Out.Equal(schema) || got.Reason != "test" || len(got.Row) != 2 ||
		!scalar.Equals(got.Row[0], v.Row[0]) || !scalar.Equals(got.Row[1], v.Row[1]) {
		t.Fatalf("got %s", got)
	}
}

func TestPlanCodecRefusesUnknownNodes(t *testing.T) {
	src := newTable(t, "t", 10, 5, 1)
	sh := &physical.Shared{Input: &physical.Scan{Source: src, Logical: plan.NewScan(src), Plan: &plan.ScanPlan{}}}
	if _, err := encodeNode(sh); err == nil {
		t.Fatalf("a shared node was encoded")
	}
	if _, err := decodeNode(context.Background(), &nodeJSON{Kind: "nope"}, nil, nil); err == nil {
		t.Fatalf("an unknown kind was decoded")
	}
}
