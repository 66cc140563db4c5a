package filescan

import (
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/source/files"
)

func TestScanRecord(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	fileSchema := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	parts := []arrow.Field{
		{Name: "k", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	}
	l, err := NewLayout(fileSchema, parts, "f")
	if err != nil {
		t.Fatal(err)
	}
	// Output b, k, a, b again, d: the file columns read are b then a.
	s, err := l.NewScan(&exec.TaskContext{Mem: mem, BatchSize: 4}, []string{"b", "k", "a", "b", "d"}, 6)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.ReadCols; len(got) != 2 || got[0] != 1 || got[1] != 0 {
		t.Fatalf("read columns %v, want [1 0]", got)
	}
	if s.Schema().String() != arrow.NewSchema([]arrow.Field{fileSchema.Field(1), parts[0], fileSchema.Field(0), fileSchema.Field(1), parts[1]}, nil).String() {
		t.Errorf("schema %s", s.Schema())
	}
	e := &files.Entry{Path: "k=x/d=2024-01-02/f", Partition: []files.PartitionValue{{Text: "x"}, {Null: true}}}
	if err := s.MakePartitionColumns(e, s.BatchSize); err != nil {
		t.Fatal(err)
	}
	bb := array.NewStringBuilder(mem)
	bb.AppendValues([]string{"p", "q", ""}, []bool{true, true, false})
	b := bb.NewArray()
	bb.Release()
	ab := array.NewInt64Builder(mem)
	ab.AppendValues([]int64{1, 0, 3}, []bool{true, false, true})
	a := ab.NewArray()
	ab.Release()

	if s.BatchRows() != 4 || s.LimitReached() {
		t.Errorf("first batch: %d rows, limit reached %v", s.BatchRows(), s.LimitReached())
	}
	rec := s.Record([]arrow.Array{b, a}, 3)
	b.Release()
	a.Release()
	want := []string{
		`["p" "q" (null)]`, `["x" "x" "x"]`, `[1 (null) 3]`, `["p" "q" (null)]`, `[(null) (null) (null)]`,
	}
	for i, col := range rec.Columns() {
		if col.String() != want[i] {
			t.Errorf("column %d: %s, want %s", i, col, want[i])
		}
	}
	rec.Release()
	s.Emitted = 3
	if s.BatchRows() != 3 || s.LimitReached() {
		t.Errorf("after 3 rows: %d rows, limit reached %v", s.BatchRows(), s.LimitReached())
	}
	s.Emitted = 6
	if !s.LimitReached() {
		t.Error("limit not reached after 6 rows")
	}
	s.ReleasePartitionColumns()
}

func TestScanDefaultsAndErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	fileSchema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	l, err := NewLayout(fileSchema, []arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, "f")
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.NewScan(&exec.TaskContext{}, nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	if s.BatchSize != exec.DefaultBatchSize || s.Mem != memory.DefaultAllocator || s.BatchRows() != exec.DefaultBatchSize || s.LimitReached() {
		t.Errorf("defaults: batch size %d, rows %d", s.BatchSize, s.BatchRows())
	}
	if _, err := l.NewScan(&exec.TaskContext{}, []string{"zz"}, -1); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("unknown column: %v", err)
	}
	s.Mem = mem
	cases := []struct {
		name string
		e    files.Entry
		want string
	}{
		{"missing value", files.Entry{Path: "p/f"}, "p/f has no value for partition column k"},
		{"bad value", files.Entry{Path: "k=x/f", Partition: []files.PartitionValue{{Text: "x"}}}, `k=x/f: execution error: partition value "x" is not a valid int64`},
	}
	for _, c := range cases {
		err := s.MakePartitionColumns(&c.e, 8)
		if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
		s.ReleasePartitionColumns()
	}
}
