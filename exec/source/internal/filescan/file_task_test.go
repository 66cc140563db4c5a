package filescan

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
	"lakeframe/expr"
	"lakeframe/plan"
)

func TestFileTasks(t *testing.T) {
	fileSchema := arrow.NewSchema([]arrow.Field{{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	parts := []arrow.Field{{Name: "k", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}
	l, err := NewLayout(fileSchema, parts, "k=1/x.csv")
	if err != nil {
		t.Fatal(err)
	}
	entries := []files.Entry{
		{Path: "k=1/x.csv", Size: 10, Partition: []files.PartitionValue{{Text: "1"}}},
		{Path: "k=2/y.csv", Size: 20, Partition: []files.PartitionValue{{Text: "2"}}},
		{Path: "k=2/z.csv", Size: 40, Partition: []files.PartitionValue{{Text: "2"}}},
		{Path: "k=__HIVE_DEFAULT_PARTITION__/w.csv", Size: 80, Partition: []files.PartitionValue{{Null: true}}},
	}
	pred, err := expr.Resolve(expr.Col("k").Eq(2).Node(), l.Schema)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		filters []expr.Node
		paths   []string
		bytes   int64
	}{
		{"no filter", nil, []string{"k=1/x.csv", "k=2/y.csv", "k=2/z.csv", "k=__HIVE_DEFAULT_PARTITION__/w.csv"}, 150},
		{"k = 2", []expr.Node{pred}, []string{"k=2/y.csv", "k=2/z.csv"}, 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := plan.Pushdown{Columns: []string{"k"}, Filters: c.filters, Limit: 5}
			tasks, stats, err := l.FileTasks(entries, p)
			if err != nil {
				t.Fatal(err)
			}
			want := plan.ScanStats{FilesTotal: 4, FilesKept: len(c.paths), BytesToRead: c.bytes}
			if !reflect.DeepEqual(stats, want) {
				t.Errorf("stats %+v, want %+v", stats, want)
			}
			if len(tasks) != len(c.paths) {
				t.Fatalf("%d tasks, want %d", len(tasks), len(c.paths))
			}
			for i, task := range tasks {
				if task.String() != c.paths[i] || task.Limit != 5 || len(task.Columns) != 1 || task.Columns[0] != "k" {
					t.Errorf("task %d: %+v, want file %s", i, task, c.paths[i])
				}
			}
		})
	}
	if _, _, err := l.FileTasks(entries, plan.Pushdown{Columns: []string{"nope"}, Limit: -1}); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("unknown column: %v", err)
	}
}

// TestFileTaskJSON pins the form tasks take between processes.
func TestFileTaskJSON(t *testing.T) {
	task := FileTask{File: files.Entry{Path: "k=1/a.csv", Size: 42, Partition: []files.PartitionValue{{Text: "1"}}}, Columns: []string{"a", "k"}, Limit: 7}
	b, err := json.Marshal(&struct{ FileTask }{task})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"file":{"path":"k=1/a.csv","size":42,"partition":[{"text":"1"}]},"columns":["a","k"],"limit":7}`
	if string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	if task.EstimatedBytes() != 42 {
		t.Errorf("estimated bytes %d", task.EstimatedBytes())
	}
}
