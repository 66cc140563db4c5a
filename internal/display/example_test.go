package display_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec"
	"lakeframe/internal/display"
)

func ExampleWriteTable() {
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "region", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "total", Type: &arrow.Decimal128Type{Precision: 12, Scale: 2}, Nullable: true},
	}, nil)
	rec, _, err := array.RecordFromJSON(memory.DefaultAllocator, schema, strings.NewReader(
		`[{"region": "EUROPE", "total": "1234.50"}, {"region": null, "total": "-7.25"}, {"region": "ASIA", "total": null}]`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer rec.Release()

	opts := display.TableOptions{MaxRows: 2, TotalRows: 3}
	if err := display.WriteTable(os.Stdout, schema, []arrow.RecordBatch{rec}, opts); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ╭────────┬────────────────╮
	// │ region │          total │
	// │ string │ decimal(12, 2) │
	// ├────────┼────────────────┤
	// │ EUROPE │        1234.50 │
	// │ null   │          -7.25 │
	// ╰────────┴────────────────╯
	// (showing first 2 of 3 rows)
}

func ExamplePoll() {
	var m exec.Metrics
	scan := m.Register("scan")
	stop := display.Poll(context.Background(), m.Snapshot, time.Hour, func(ops []exec.OpSnapshot) {
		for _, op := range ops {
			fmt.Printf("%s: %d rows, %d bytes\n", op.Name, op.RowsOut, op.BytesOut)
		}
	})
	scan.RowsOut.Add(100)
	scan.BytesOut.Add(800)
	// stop makes a last call with the final figures.
	if err := stop(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// scan: 100 rows, 800 bytes
}
