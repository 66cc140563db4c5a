//go:build cgo

package exec_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/expr"
	"lakeframe/frame"
)

// TestHashJoinThroughFrame runs joins end to end, from the DataFrame API
// through the optimizer and the planner's build-side choice.
func TestHashJoinThroughFrame(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(27, 28))
	duck := newDuckJoin(t)
	lrows, rrows := genRows(r, 500, 0, 50, 4), genRows(r, 80, 10, 50, 4)
	duck.load(t, "l", lrows)
	duck.load(t, "r", rrows)
	ltbl := arrowTable(t, mem, leftSchema, lrows, 128)
	defer ltbl.Release()
	rtbl := arrowTable(t, mem, rightSchema, rrows, 128)
	defer rtbl.Release()
	left, right := frame.FromArrow(ltbl), frame.FromArrow(rtbl)
	for _, tc := range []struct {
		name string
		df   *frame.DataFrame
		sql  string
	}{
		{"left with condition",
			left.Join(right, frame.Left, frame.LeftOn("a", "b"), frame.RightOn("c", "d"), frame.JoinWhere(expr.Col("x").Lt(expr.Col("y")))),
			joinSQL(frame.Left, "l.a = r.c AND l.b = r.d", "l.x < r.y")},
		// The planner builds the smaller, logical left side; the preserved
		// right side is probed.
		{"right", right.Join(left, frame.Right, frame.LeftOn("c"), frame.RightOn("a")),
			"SELECT r.c, r.d, r.y, r.s, l.a, l.b, l.x, l.s FROM r RIGHT JOIN l ON r.c = l.a"},
		{"anti", left.Join(right, frame.Anti, frame.LeftOn("a"), frame.RightOn("c")),
			joinSQL(frame.Anti, "l.a = r.c", "")},
		{"inner then filter", left.Join(right, frame.Inner, frame.LeftOn("b"), frame.RightOn("d")).Where(expr.Col("y").Gt(25)),
			joinSQL(frame.Inner, "l.b = r.d", "") + " WHERE r.y > 25"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tbl, err := tc.df.Collect(context.Background(), frame.WithAllocator(mem), frame.WithBatchSize(100), frame.WithParallelism(2))
			if err != nil {
				t.Fatal(err)
			}
			defer tbl.Release()
			var got []string
			cols := make([][]string, tbl.NumCols())
			for c := range cols {
				for _, chunk := range tbl.Column(c).Data().Chunks() {
					for i := range chunk.Len() {
						v := "NULL"
						if !chunk.IsNull(i) {
							v = chunk.ValueStr(i)
						}
						cols[c] = append(cols[c], v)
					}
				}
			}
			for i := range int(tbl.NumRows()) {
				row := make([]string, len(cols))
				for c := range cols {
					row[c] = cols[c][i]
				}
				got = append(got, strings.Join(row, "|"))
			}
			slices.Sort(got)
			compareRows(t, got, duck.query(t, tc.sql))
		})
	}
}
