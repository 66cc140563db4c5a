//go:build cgo

package exec_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"lakeframe/exec"
	memsrc "lakeframe/exec/source/memory"
	"lakeframe/expr"
	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// The join tests' tables: l(a, b, x, s) and r(c, d, y, s), keys a = c and
// b = d with duplicates and NULLs, values x, y and s for conditions.
var (
	leftSchema = arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	rightSchema = arrow.NewSchema([]arrow.Field{
		{Name: "c", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "d", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
)

// genRows draws n rows of (int key, string key, int value, string value);
// int keys come from [lo, lo+span) so the sides overlap in part, string
// keys from nstr values (the empty string among them).
func genRows(r *rand.Rand, n int, lo, span int64, nstr int) [][]any {
	rows := make([][]any, n)
	strs := []string{"", "p", "q", "r"}
	for i := len(strs); i < nstr; i++ {
		strs = append(strs, fmt.Sprintf("key %d", i))
	}
	strs = strs[:nstr]
	for i := range rows {
		row := []any{lo + r.Int64N(span), strs[r.IntN(len(strs))], r.Int64N(50), strs[r.IntN(4)]}
		for c := range row {
			if r.IntN(10) == 0 {
				row[c] = nil
			}
		}
		rows[i] = row
	}
	return rows
}

// arrowTable makes a table of rows, in chunks of up to chunk rows.
func arrowTable(t *testing.T, mem memory.Allocator, schema *arrow.Schema, rows [][]any, chunk int) arrow.Table {
	t.Helper()
	var recs []arrow.RecordBatch
	for lo := 0; lo < len(rows) || lo == 0; lo += chunk {
		b := array.NewRecordBuilder(mem, schema)
		for _, row := range rows[lo:min(lo+chunk, len(rows))] {
			for c, v := range row {
				switch v := v.(type) {
				case nil:
					b.Field(c).AppendNull()
				case int64:
					b.Field(c).(*array.Int64Builder).Append(v)
				case string:
					b.Field(c).(*array.StringBuilder).Append(v)
				}
			}
		}
		recs = append(recs, b.NewRecordBatch())
		b.Release()
		if len(rows) == 0 {
			break
		}
	}
	tbl := array.NewTableFromRecords(schema, recs)
	for _, r := range recs {
		r.Release()
	}
	return tbl
}

// duckJoin is a DuckDB connection holding the tables l and r.
type duckJoin struct {
	db *sql.DB
}

func newDuckJoin(t *testing.T) *duckJoin {
	t.Helper()
	connector, err := duckdb.NewConnector("", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(connector)
	t.Cleanup(func() { db.Close() })
	for _, q := range []string{
		"CREATE TABLE l (a BIGINT, b VARCHAR, x BIGINT, s VARCHAR)",
		"CREATE TABLE r (c BIGINT, d VARCHAR, y BIGINT, s VARCHAR)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return &duckJoin{db: db}
}

func (d *duckJoin) load(t *testing.T, table string, rows [][]any) {
	t.Helper()
	if _, err := d.db.Exec("DELETE FROM " + table); err != nil {
		t.Fatal(err)
	}
	conn, err := d.db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", table)
		if err != nil {
			return err
		}
		for _, row := range rows {
			vals := make([]driver.Value, len(row))
			for i, v := range row {
				vals[i] = v
			}
			if err := app.AppendRow(vals...); err != nil {
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// query returns the rendered rows of a query, sorted.
func (d *duckJoin) query(t *testing.T, q string) []string {
	t.Helper()
	res, err := d.db.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer res.Close()
	cols, err := res.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for res.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := res.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		parts := make([]string, len(vals))
		for i, v := range vals {
			if v == nil {
				parts[i] = "NULL"
			} else {
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := res.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// joinKeys is a choice of join keys, in both spellings.
type joinKeys struct {
	name        string
	left, right []string
	sql         string
}

var keyChoices = []joinKeys{
	{"int", []string{"a"}, []string{"c"}, "l.a = r.c"},
	{"string", []string{"b"}, []string{"d"}, "l.b = r.d"},
	{"int+string", []string{"a", "b"}, []string{"c", "d"}, "l.a = r.c AND l.b = r.d"},
}

// joinCond is an extra join condition, in both spellings (the right s is
// s_right in lakeframe's combined layout).
type joinCond struct {
	name string
	cond *expr.Expr
	sql  string
}

func condChoices() []joinCond {
	lt := expr.Col("x").Lt(expr.Col("y"))
	ne := expr.Col("s").Ne(expr.Col("s_right"))
	return []joinCond{{"none", nil, ""}, {"x<y", &lt, "l.x < r.y"}, {"s<>s_right", &ne, "l.s <> r.s"}}
}

// joinSQL spells a join in SQL; outer joins put the condition in ON, so
// that it decides which rows match.
func joinSQL(typ plan.JoinType, keys, cond string) string {
	on := strings.Join(slices.DeleteFunc([]string{keys, cond}, func(s string) bool { return s == "" }), " AND ")
	if on == "" {
		on = "TRUE"
	}
	const all = "l.a, l.b, l.x, l.s, r.c, r.d, r.y, r.s"
	switch typ {
	case plan.InnerJoin:
		return "SELECT " + all + " FROM l JOIN r ON " + on
	case plan.LeftJoin:
		return "SELECT " + all + " FROM l LEFT JOIN r ON " + on
	case plan.RightJoin:
		return "SELECT " + all + " FROM l RIGHT JOIN r ON " + on
	case plan.FullJoin:
		return "SELECT " + all + " FROM l FULL JOIN r ON " + on
	case plan.SemiJoin:
		return "SELECT l.* FROM l WHERE EXISTS (SELECT 1 FROM r WHERE " + on + ")"
	case plan.AntiJoin:
		return "SELECT l.* FROM l WHERE NOT EXISTS (SELECT 1 FROM r WHERE " + on + ")"
	case plan.CrossJoin:
		return "SELECT " + all + " FROM l CROSS JOIN r WHERE " + on
	}
	panic("join type")
}

// physicalJoin plans a hash join over two memory tables with the given
// build side and number of partitions per input.
func physicalJoin(t *testing.T, ltbl, rtbl arrow.Table, spec plan.JoinSpec, buildLeft bool, parts int) *physical.HashJoin {
	t.Helper()
	ctx := context.Background()
	opts := memsrc.Options{Tasks: parts, MinTaskRows: 1}
	lscan := plan.NewScan(memsrc.NewSource(ltbl, opts))
	rscan := plan.NewScan(memsrc.NewSource(rtbl, opts))
	j, err := plan.NewJoin(lscan, rscan, spec)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &physical.Config{Parallelism: parts}
	pl, err := physical.Lower(ctx, lscan, cfg)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := physical.Lower(ctx, rscan, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if buildLeft {
		return &physical.HashJoin{Probe: pr, Build: pl, BuildIsLeft: true, ProbeKeys: j.RightKeys, BuildKeys: j.LeftKeys, Logical: j}
	}
	return &physical.HashJoin{Probe: pl, Build: pr, ProbeKeys: j.LeftKeys, BuildKeys: j.RightKeys, Logical: j}
}

// collectRows runs a plan and renders its rows, sorted, checking batch
// sizes and the schema on the way.
func collectRows(t *testing.T, mem memory.Allocator, root physical.Node, batchSize int) []string {
	t.Helper()
	tc := &exec.TaskContext{Mem: mem, BatchSize: batchSize, Parallelism: 2}
	batches, err := exec.Collect(context.Background(), tc, root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, b := range batches {
		if !b.Schema().Equal(root.Schema()) {
			t.Errorf("batch schema %s, want %s", b.Schema(), root.Schema())
		}
		if b.NumRows() > int64(batchSize) || b.NumRows() == 0 {
			t.Errorf("batch of %d rows, batch size %d", b.NumRows(), batchSize)
		}
		for i := range int(b.NumRows()) {
			parts := make([]string, b.NumCols())
			for c, col := range b.Columns() {
				if col.IsNull(i) {
					parts[c] = "NULL"
				} else {
					parts[c] = col.ValueStr(i)
				}
			}
			out = append(out, strings.Join(parts, "|"))
		}
		b.Release()
	}
	slices.Sort(out)
	return out
}

func compareRows(t *testing.T, got, want []string) {
	t.Helper()
	if slices.Equal(got, want) {
		return
	}
	t.Errorf("%d rows, DuckDB has %d", len(got), len(want))
	gi, wi, shown := 0, 0, 0
	for (gi < len(got) || wi < len(want)) && shown < 8 {
		switch {
		case wi == len(want) || gi < len(got) && got[gi] < want[wi]:
			t.Errorf("extra row   %s", got[gi])
			gi++
			shown++
		case gi == len(got) || want[wi] < got[gi]:
			t.Errorf("missing row %s", want[wi])
			wi++
			shown++
		default:
			gi++
			wi++
		}
	}
}

var allJoinTypes = []plan.JoinType{plan.InnerJoin, plan.LeftJoin, plan.RightJoin, plan.FullJoin, plan.SemiJoin, plan.AntiJoin, plan.CrossJoin}

// joinVariant is one way to run the same join.
type joinVariant struct {
	buildLeft bool
	parts     int
	batch     int
}

func (v joinVariant) String() string {
	side := "right"
	if v.buildLeft {
		side = "left"
	}
	return fmt.Sprintf("build=%s/parts=%d/batch=%d", side, v.parts, v.batch)
}

// checkJoins runs the join types with every key choice and condition over
// one data set in every variant and compares each result with DuckDB's.
func checkJoins(t *testing.T, duck *duckJoin, lrows, rrows [][]any, types []plan.JoinType, variants []joinVariant, conds []joinCond, keyless bool) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ltbl := arrowTable(t, mem, leftSchema, lrows, 97)
	defer ltbl.Release()
	rtbl := arrowTable(t, mem, rightSchema, rrows, 61)
	defer rtbl.Release()
	duck.load(t, "l", lrows)
	duck.load(t, "r", rrows)
	for _, typ := range types {
		// Without keys, a join other than a cross join pairs the rows its
		// condition accepts.
		keys := append(slices.Clone(keyChoices), joinKeys{name: "none"})
		if typ == plan.CrossJoin {
			keys = []joinKeys{{name: "none"}}
		}
		for _, k := range keys {
			if k.left == nil && !keyless {
				continue
			}
			for _, c := range conds {
				if k.left == nil && c.cond == nil && typ != plan.CrossJoin {
					continue
				}
				spec := plan.JoinSpec{Type: typ}
				for i := range k.left {
					spec.LeftKeys = append(spec.LeftKeys, expr.Col(k.left[i]).Node())
					spec.RightKeys = append(spec.RightKeys, expr.Col(k.right[i]).Node())
				}
				if c.cond != nil {
					spec.Filter = c.cond.Node()
				}
				want := duck.query(t, joinSQL(typ, k.sql, c.sql))
				for _, v := range variants {
					if k.left == nil {
						// Every pair is a candidate: small batches would
						// only make many tiny condition evaluations.
						v.batch = max(v.batch, 256)
					}
					t.Run(fmt.Sprintf("%s/keys=%s/cond=%s/%s", typ, k.name, c.name, v), func(t *testing.T) {
						root := physicalJoin(t, ltbl, rtbl, spec, v.buildLeft, v.parts)
						compareRows(t, collectRows(t, mem, root, v.batch), want)
					})
				}
			}
		}
	}
}

var memoryVariants = []joinVariant{
	{false, 1, 1024}, {true, 1, 1024}, {false, 3, 13}, {true, 3, 13},
}

// TestHashJoinMatchesDuckDB covers every join type with NULL and duplicate
// keys, string and two-column keys, conditions, either build side and
// several probe partitions.
func TestHashJoinMatchesDuckDB(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	duck := newDuckJoin(t)
	sets := []struct {
		name         string
		lrows, rrows [][]any
	}{
		{"overlapping", genRows(r, 200, 0, 20, 4), genRows(r, 100, 5, 25, 4)},
		{"empty left", nil, genRows(r, 40, 0, 10, 4)},
		{"empty right", genRows(r, 40, 0, 10, 4), nil},
		{"both empty", nil, nil},
	}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			checkJoins(t, duck, set.lrows, set.rrows, allJoinTypes, memoryVariants, condChoices(), true)
		})
	}
}

// TestHashJoinGraceMatchesDuckDB forces the partitioned mode: a budget of a
// byte spills every build side and splits every partition down to the
// last level; a budget of some kilobytes starts spilling midway through
// the build side. Spill files must be gone afterwards.
func TestHashJoinGraceMatchesDuckDB(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := rand.New(rand.NewPCG(23, 24))
	duck := newDuckJoin(t)
	lrows, rrows := genRows(r, 1000, 0, 300, 200), genRows(r, 700, 100, 300, 200)
	for _, c := range []struct {
		budget         int64
		fanout, levels int
	}{{1, 4, 2}, {20 << 10, 4, 3}} {
		t.Run(fmt.Sprintf("budget=%d", c.budget), func(t *testing.T) {
			defer exec.SetJoinSpill(c.budget, c.fanout, c.levels)()
			// Joins without keys cannot be partitioned; they stay in memory.
			checkJoins(t, duck, lrows, rrows, allJoinTypes, []joinVariant{{false, 3, 100}, {true, 1, 256}}, condChoices()[:2], false)
		})
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("spill files left behind: %v", left)
	}
}

// TestHashJoinBuildLeftSemiAnti builds semi and anti joins on their left
// side, in memory with one or several probe partitions marking the build
// rows concurrently, and spilled: duplicate and NULL keys on both sides,
// conditions across the sides (as TPC-H Q21's l_suppkey <> l_suppkey), a
// probe side much larger than the build side, and empty sides.
func TestHashJoinBuildLeftSemiAnti(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	r := rand.New(rand.NewPCG(27, 28))
	duck := newDuckJoin(t)
	types := []plan.JoinType{plan.SemiJoin, plan.AntiJoin}
	sets := []struct {
		name         string
		lrows, rrows [][]any
	}{
		{"small build", genRows(r, 60, 0, 40, 6), genRows(r, 900, 10, 40, 6)},
		{"duplicate keys", genRows(r, 300, 0, 8, 4), genRows(r, 300, 4, 8, 4)},
		{"empty probe", genRows(r, 50, 0, 10, 4), nil},
		{"empty build", nil, genRows(r, 50, 0, 10, 4)},
	}
	inMemory := []joinVariant{{true, 1, 1024}, {true, 3, 7}, {true, 4, 64}}
	for _, set := range sets {
		t.Run(set.name, func(t *testing.T) {
			checkJoins(t, duck, set.lrows, set.rrows, types, inMemory, condChoices(), true)
		})
	}
	for _, budget := range []int64{1, 2 << 10} {
		t.Run(fmt.Sprintf("spill budget=%d", budget), func(t *testing.T) {
			defer exec.SetJoinSpill(budget, 4, 2)()
			for _, set := range sets {
				t.Run(set.name, func(t *testing.T) {
					checkJoins(t, duck, set.lrows, set.rrows, types, []joinVariant{{true, 3, 50}}, condChoices(), false)
				})
			}
		})
	}
	if left, _ := os.ReadDir(tmp); len(left) > 0 {
		t.Errorf("spill files left behind: %v", left)
	}
}

// TestHashJoinSharedKeys joins on columns named alike on both sides: the
// right key column is left out for inner, left, semi and anti joins.
func TestHashJoinSharedKeys(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	r := rand.New(rand.NewPCG(25, 26))
	duck := newDuckJoin(t)
	lrows, rrows := genRows(r, 200, 0, 30, 4), genRows(r, 100, 10, 30, 4)
	duck.load(t, "l", lrows)
	duck.load(t, "r", rrows)
	// Rename the right side's columns to share the key names a and b.
	shared := arrow.NewSchema([]arrow.Field{
		{Name: "a", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "b", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "y", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	ltbl := arrowTable(t, mem, leftSchema, lrows, 50)
	defer ltbl.Release()
	rtbl := arrowTable(t, mem, shared, rrows, 50)
	defer rtbl.Release()
	for _, typ := range []plan.JoinType{plan.InnerJoin, plan.LeftJoin, plan.SemiJoin, plan.AntiJoin} {
		spec := plan.JoinSpec{Type: typ, CoalesceKeys: true,
			LeftKeys:  []expr.Node{expr.Col("a").Node(), expr.Col("b").Node()},
			RightKeys: []expr.Node{expr.Col("a").Node(), expr.Col("b").Node()}}
		q := map[plan.JoinType]string{
			plan.InnerJoin: "SELECT l.a, l.b, l.x, l.s, r.y, r.s FROM l JOIN r ON l.a = r.c AND l.b = r.d",
			plan.LeftJoin:  "SELECT l.a, l.b, l.x, l.s, r.y, r.s FROM l LEFT JOIN r ON l.a = r.c AND l.b = r.d",
			plan.SemiJoin:  joinSQL(plan.SemiJoin, "l.a = r.c AND l.b = r.d", ""),
			plan.AntiJoin:  joinSQL(plan.AntiJoin, "l.a = r.c AND l.b = r.d", ""),
		}[typ]
		want := duck.query(t, q)
		for _, v := range memoryVariants {
			t.Run(fmt.Sprintf("%s/%s", typ, v), func(t *testing.T) {
				root := physicalJoin(t, ltbl, rtbl, spec, v.buildLeft, v.parts)
				if got := root.Schema().NumFields(); typ <= plan.LeftJoin && got != 6 {
					t.Fatalf("%d output columns, want 6", got)
				}
				compareRows(t, collectRows(t, mem, root, v.batch), want)
			})
		}
	}
}
