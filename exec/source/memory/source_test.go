package memory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	"lakeframe/plan"
)

// table builds a two-column table of n rows in chunks of chunk rows:
// id = row number, s = NULL for every third row else "v<id>".
func table(mem memory.Allocator, n, chunk int) arrow.Table {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	var recs []arrow.RecordBatch
	for lo := 0; lo < n; lo += chunk {
		b := array.NewRecordBuilder(mem, schema)
		for i := lo; i < min(lo+chunk, n); i++ {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
			if i%3 == 0 {
				b.Field(1).AppendNull()
			} else {
				b.Field(1).(*array.StringBuilder).Append("v" + string(rune('0'+i%10)))
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
	}
	tbl := array.NewTableFromRecords(schema, recs)
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

// rows formats the rows a source returns: "id|s" per row.
func rows(t *testing.T, src *Source, p plan.Pushdown, mem memory.Allocator, bs int) ([]string, int) {
	t.Helper()
	ctx := context.Background()
	sp, err := src.Plan(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	tc := &exec.TaskContext{Mem: mem, BatchSize: bs}
	for _, task := range sp.Tasks {
		st, err := src.Open(ctx, tc, task)
		if err != nil {
			t.Fatal(err)
		}
		taskRows := int64(0)
		for {
			rec, err := st.Next(ctx)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if rec.NumRows() > int64(bs) {
				t.Errorf("batch of %d rows", rec.NumRows())
			}
			for i := range int(rec.NumRows()) {
				row := ""
				for j, col := range rec.Columns() {
					if j > 0 {
						row += "|"
					}
					row += col.ValueStr(i)
				}
				out = append(out, row)
			}
			taskRows += rec.NumRows()
			rec.Release()
		}
		if p.Limit >= 0 && taskRows > p.Limit {
			t.Errorf("task read %d rows past limit %d", taskRows, p.Limit)
		}
		st.Close()
	}
	return out, len(sp.Tasks)
}

func TestMemorySource(t *testing.T) {
	// Expected rows, computed independently of the source.
	want := func(n int, cols string) []string {
		var out []string
		for i := range n {
			s := "(null)"
			if i%3 != 0 {
				s = "v" + string(rune('0'+i%10))
			}
			switch cols {
			case "s":
				out = append(out, s)
			case "s,id":
				out = append(out, fmt.Sprintf("%s|%d", s, i))
			default:
				out = append(out, fmt.Sprintf("%d|%s", i, s))
			}
		}
		return out
	}
	cases := []struct {
		name            string
		rows, chunk, bs int
		opts            Options
		cols            []string
		limit           int64
		wantTasks       int
		want            []string
	}{
		{"split", 1000, 300, 64, Options{Tasks: 4, MinTaskRows: 100}, nil, -1, 4, want(1000, "")},
		{"min rows", 1000, 300, 64, Options{Tasks: 4, MinTaskRows: 600}, []string{"s"}, -1, 1, want(1000, "s")},
		{"limit", 1000, 300, 7, Options{Tasks: 4, MinTaskRows: 1}, []string{"s", "id"}, 10, 4, want(10, "s,id")},
		{"empty", 0, 1, 64, Options{}, nil, -1, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			tbl := table(mem, c.rows, c.chunk)
			defer tbl.Release()
			got, tasks := rows(t, NewSource(tbl, c.opts), plan.Pushdown{Columns: c.cols, Limit: c.limit}, mem, c.bs)
			if tasks != c.wantTasks {
				t.Errorf("%d tasks, want %d", tasks, c.wantTasks)
			}
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Errorf("rows %v\nwant %v", got, c.want)
			}
		})
	}
}

func TestFromRecords(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl := table(mem, 10, 4)
	defer tbl.Release()
	tr := array.NewTableReader(tbl, 4)
	defer tr.Release()
	var recs []arrow.RecordBatch
	for tr.Next() {
		r := tr.RecordBatch()
		r.Retain()
		recs = append(recs, r)
	}
	src, err := NewSourceFromRecords(tbl.Schema(), recs, Options{})
	for _, r := range recs {
		r.Release()
	}
	if err != nil {
		t.Fatal(err)
	}
	defer src.Release()
	got, _ := rows(t, src, plan.Pushdown{Columns: []string{"id"}, Limit: -1}, mem, 3)
	if fmt.Sprint(got) != "[0 1 2 3 4 5 6 7 8 9]" {
		t.Errorf("rows %v", got)
	}
}
