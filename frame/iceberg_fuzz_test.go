//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// TestIcebergPruningDifferential builds random Iceberg tables (random
// schema, partition spec, NULL layouts, row-group sizes, files written by
// lakeframe and by DuckDB, copy-on-write and merge-on-read deletes) and
// runs random filters three ways: through lakeframe with every pruning
// rule on, through lakeframe without push_down_filter, and through
// DuckDB over the snapshot's data files with the positional deletes
// anti-joined in SQL. The row multisets and count(*) must agree. The
// DuckDB answer is itself checked against the filter evaluated in plain
// Go over the snapshot's rows, so a translation slip in this test shows
// up as an "oracle" mismatch instead of blaming lakeframe.
//
// Environment: LAKEFRAME_FUZZ_SEED (default fixed), LAKEFRAME_FUZZ_ROUNDS
// (tables), LAKEFRAME_FUZZ_FILTERS (filters per table), and
// LAKEFRAME_FUZZ_ROUND=k to replay one round of a seed.
//
// NaN: lakeframe compares floats as IEEE 754 (NaN is neither =, <, nor >
// anything, and NaN <> x is true); DuckDB orders NaN above everything and
// equal to itself. The SQL side is made IEEE: a float comparison c op v
// becomes (c op v AND NOT isnan(c)), c <> v becomes (c <> v OR
// isnan(c)), a comparison with a NaN literal is NULL for a NULL c and
// otherwise true for <> and false for the rest, and a float IN list is
// spelled as ORed equalities. -0.0 equals 0.0 on both sides.
func TestIcebergPruningDifferential(t *testing.T) {
	seed := uint64(fzEnv(t, "LAKEFRAME_FUZZ_SEED", 1))
	rounds := fzEnv(t, "LAKEFRAME_FUZZ_ROUNDS", 24)
	filters := fzEnv(t, "LAKEFRAME_FUZZ_FILTERS", 25)
	only := fzEnv(t, "LAKEFRAME_FUZZ_ROUND", -1)
	if testing.Short() {
		rounds, filters = 4, 10
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	f := &fzRun{t: t, ctx: ctx, cat: cat, conn: duckConn(ctx, t), dir: t.TempDir(), seed: seed, filters: filters, replay: only >= 0}
	for r := range rounds {
		if only >= 0 && r != only {
			continue
		}
		f.round(r)
	}
	t.Logf("seed %d: %d tables, %d queries, %d mismatches %v; %d data files (%d from DuckDB), %d delete files, %d row groups, %d all-null and %d half-null column chunks",
		seed, f.tables, f.queries, f.mismatches, f.byKind, f.files, f.duckFiles, f.deleteFiles, f.rowGroups, f.allNull, f.halfNull)
	if f.mismatches > 0 {
		t.Errorf("%d mismatches (by round: %v); replay one round with LAKEFRAME_FUZZ_SEED=%d LAKEFRAME_FUZZ_ROUND=<round> go test -count=1 -run TestIcebergPruningDifferential ./frame", f.mismatches, f.byRound, seed)
	}
}

func fzEnv(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}

// fzKind is a column type; values are nil (NULL), int64 (int32, int64,
// date as days since 1970-01-01, timestamp as microseconds since the
// epoch), float64, string or bool.
type fzKind int

const (
	fzInt32 fzKind = iota
	fzInt64
	fzFloat64
	fzString
	fzDate
	fzTimestamp
	fzBool
)

var fzKindNames = []string{"int32", "int64", "float64", "string", "date", "timestamp(us, UTC)", "bool"}

func (k fzKind) arrow() arrow.DataType {
	return []arrow.DataType{arrow.PrimitiveTypes.Int32, arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64,
		arrow.BinaryTypes.String, arrow.FixedWidthTypes.Date32, &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"},
		arrow.FixedWidthTypes.Boolean}[k]
}

func (k fzKind) duck() string {
	return []string{"INTEGER", "BIGINT", "DOUBLE", "VARCHAR", "DATE", "TIMESTAMPTZ", "BOOLEAN"}[k]
}

func fzDay(y int, m time.Month, d int) int64 {
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
}

func fzMicros(y int, m time.Month, d, h, mi, s, us int) int64 {
	return time.Date(y, m, d, h, mi, s, us*1000, time.UTC).UnixMicro()
}

// Value domains: small, so that equality filters hit, and with the values
// that break engines: ”, unicode, NaN, ±Inf, -0.0, dates and times
// around the epoch and around year, month, day and hour boundaries.
var (
	fzInts    = []int64{-20, -3, -1, 0, 1, 2, 5, 7, 9, 10, 11, 100, 1000}
	fzInts64  = []int64{-1 << 40, -7, -1, 0, 1, 3, 10, 99, 100, 1 << 40}
	fzFloats  = []float64{math.Inf(-1), -2.5, -1, math.Copysign(0, -1), 0, 0.5, 1, 3.25, 1e9, math.Inf(1), math.NaN()}
	fzStrings = []string{"", "a", "ab", "abc", "b", "ba", "Z", "A", " a", "é", "éa", "日本", "日本語", "🙂"}
	fzDays    = []int64{fzDay(1969, 12, 31), 0, fzDay(2019, 12, 31), fzDay(2020, 1, 1), fzDay(2020, 2, 29), fzDay(2020, 3, 1),
		fzDay(2020, 12, 31), fzDay(2021, 1, 1), fzDay(2024, 6, 15)}
	fzTimes = []int64{fzMicros(1969, 12, 31, 23, 59, 59, 999999), 0, fzMicros(2020, 1, 1, 0, 0, 0, 0),
		fzMicros(2020, 1, 1, 0, 59, 59, 999999), fzMicros(2020, 1, 1, 1, 0, 0, 0), fzMicros(2020, 2, 29, 12, 30, 0, 1),
		fzMicros(2020, 12, 31, 23, 0, 0, 0), fzMicros(2021, 1, 1, 0, 0, 0, 0), fzMicros(2024, 6, 15, 23, 0, 0, 0)}
	// Filter literals off the domains: between and beyond the values.
	fzExtraInts    = []int64{-21, 3, 8, 50, 1001}
	fzExtraFloats  = []float64{-3, 0.25, 2, 1e10}
	fzExtraStrings = []string{"aa", "c", "B", "日", "éb", "zzz"}
	fzExtraDays    = []int64{fzDay(1969, 1, 1), fzDay(2020, 1, 2), fzDay(2020, 2, 1), fzDay(2030, 1, 1)}
	fzExtraTimes   = []int64{-1, 1, fzMicros(2020, 1, 1, 0, 30, 0, 0), fzMicros(2020, 6, 1, 0, 0, 0, 0), fzMicros(2030, 1, 1, 0, 0, 0, 0)}
)

func pickOf[T any](rng *rand.Rand, vs []T) T { return vs[rng.IntN(len(vs))] }

func fzValue(rng *rand.Rand, k fzKind) any {
	switch k {
	case fzInt32:
		return pickOf(rng, fzInts)
	case fzInt64:
		return pickOf(rng, fzInts64)
	case fzFloat64:
		return pickOf(rng, fzFloats)
	case fzString:
		return pickOf(rng, fzStrings)
	case fzDate:
		return pickOf(rng, fzDays)
	case fzTimestamp:
		return pickOf(rng, fzTimes)
	}
	return rng.IntN(2) == 0
}

func fzLiteral(rng *rand.Rand, k fzKind) any {
	if rng.IntN(5) != 0 {
		return fzValue(rng, k)
	}
	switch k {
	case fzInt32, fzInt64:
		return pickOf(rng, fzExtraInts)
	case fzFloat64:
		return pickOf(rng, fzExtraFloats)
	case fzString:
		return pickOf(rng, fzExtraStrings)
	case fzDate:
		return pickOf(rng, fzExtraDays)
	case fzTimestamp:
		return pickOf(rng, fzExtraTimes)
	}
	return fzValue(rng, k)
}

// fzCell renders one value canonically; both sides' rows go through it.
func fzCell(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return strconv.Quote(x)
	case bool:
		return strconv.FormatBool(x)
	}
	panic(fmt.Sprintf("fzCell %T", v))
}

type fzRow []any // one value per column, id first

func (r fzRow) String() string {
	cells := make([]string, len(r))
	for i, v := range r {
		cells[i] = fzCell(v)
	}
	return strings.Join(cells, "|")
}

type fzCol struct {
	name string
	kind fzKind
}

// fzTable is one round's table and the plain Go model of its rows.
type fzTable struct {
	cols   []fzCol // cols[0] is id int64, never NULL
	parts  []iceberg.Partition
	props  map[string]string
	groups int // write.parquet.row-group-limit, 0 = default
	rows   []fzRow
	nextID int64
	ops    []string
}

func (tb *fzTable) describe() string {
	var cols, parts, props []string
	for _, c := range tb.cols {
		cols = append(cols, c.name+" "+fzKindNames[c.kind])
	}
	for _, p := range tb.parts {
		parts = append(parts, fmt.Sprintf("%s(%s)", p.Transform, p.Column))
	}
	for k, v := range tb.props {
		props = append(props, k+"="+v)
	}
	slices.Sort(props)
	return fmt.Sprintf("schema (%s); spec [%s]; props {%s}; ops: %s",
		strings.Join(cols, ", "), strings.Join(parts, ", "), strings.Join(props, ", "), strings.Join(tb.ops, "; "))
}

func (tb *fzTable) arrowSchema() *arrow.Schema {
	fields := make([]arrow.Field, len(tb.cols))
	for i, c := range tb.cols {
		// id is never NULL, but optional: DuckDB writes every column as
		// optional, and AddFiles refuses a file for a required column.
		fields[i] = arrow.Field{Name: c.name, Type: c.kind.arrow(), Nullable: true}
	}
	return arrow.NewSchema(fields, nil)
}

// newRows makes n rows; each column gets one NULL layout for the batch:
// none, all, random, alternating (half-null row groups with an even
// row-group limit) or blocks of a row group's size (all-null row groups
// next to full ones).
func (tb *fzTable) newRows(rng *rand.Rand, n int) []fzRow {
	rows := make([]fzRow, n)
	for i := range rows {
		rows[i] = make(fzRow, len(tb.cols))
		rows[i][0] = tb.nextID
		tb.nextID++
	}
	block := tb.groups
	if block == 0 {
		block = 2 + rng.IntN(6)
	}
	for c := 1; c < len(tb.cols); c++ {
		pattern := rng.IntN(20)
		p := pickOf(rng, []float64{0.1, 0.5, 0.9})
		for i, r := range rows {
			var null bool
			switch {
			case pattern < 6: // none
			case pattern < 8:
				null = true
			case pattern < 13:
				null = rng.Float64() < p
			case pattern < 17:
				null = i%2 == 0
			default:
				null = (i/block)%2 == 0
			}
			if !null {
				r[c] = fzValue(rng, tb.cols[c].kind)
			}
		}
	}
	return rows
}

func (tb *fzTable) arrowTable(rows []fzRow) arrow.Table {
	return arrowTable(tb.arrowSchema(), rows, func(b *array.RecordBuilder, r fzRow) {
		for i, v := range r {
			fb := b.Field(i)
			if v == nil {
				fb.AppendNull()
				continue
			}
			switch tb.cols[i].kind {
			case fzInt32:
				fb.(*array.Int32Builder).Append(int32(v.(int64)))
			case fzInt64:
				fb.(*array.Int64Builder).Append(v.(int64))
			case fzFloat64:
				fb.(*array.Float64Builder).Append(v.(float64))
			case fzString:
				fb.(*array.StringBuilder).Append(v.(string))
			case fzDate:
				fb.(*array.Date32Builder).Append(arrow.Date32(v.(int64)))
			case fzTimestamp:
				fb.(*array.TimestampBuilder).Append(arrow.Timestamp(v.(int64)))
			case fzBool:
				fb.(*array.BooleanBuilder).Append(v.(bool))
			}
		}
	})
}

// partitionChoices lists the transforms a column of kind k can take.
func partitionChoices(rng *rand.Rand, col string, k fzKind) []iceberg.Partition {
	bucket := iceberg.Bucket(col, pickOf(rng, []int{2, 3, 8}))
	switch k {
	case fzInt32, fzInt64:
		return []iceberg.Partition{iceberg.Identity(col), bucket, iceberg.Truncate(col, pickOf(rng, []int{1, 3, 10}))}
	case fzString:
		return []iceberg.Partition{iceberg.Identity(col), bucket, iceberg.Truncate(col, pickOf(rng, []int{1, 2}))}
	case fzDate:
		return []iceberg.Partition{iceberg.Identity(col), bucket, iceberg.Year(col), iceberg.Month(col), iceberg.Day(col)}
	case fzTimestamp:
		return []iceberg.Partition{iceberg.Identity(col), bucket, iceberg.Year(col), iceberg.Month(col), iceberg.Day(col), iceberg.Hour(col)}
	case fzBool:
		return []iceberg.Partition{iceberg.Identity(col)}
	}
	return nil // no float partitions
}

// fzRun holds the state of one test run and its figures.
type fzRun struct {
	t       *testing.T
	ctx     context.Context
	cat     catalog.Catalog
	conn    *sql.Conn
	dir     string
	seed    uint64
	filters int

	tables, queries, mismatches, printed, current               int
	byKind                                                      map[string]int
	byRound                                                     map[int]int // mismatches by round
	replay                                                      bool
	roundKinds                                                  map[string]int // this round\'s mismatches by kind
	files, duckFiles, deleteFiles, rowGroups, allNull, halfNull int
}

// mismatch reports one disagreement; only the first two of a round and
// twelve in all are printed (fifty when one round is replayed), the rest
// counted.
func (f *fzRun) mismatch(kind, msg string) {
	f.t.Helper()
	f.mismatches++
	if f.byKind == nil {
		f.byKind, f.byRound = map[string]int{}, map[int]int{}
	}
	f.byKind[kind]++
	f.roundKinds[kind]++
	f.byRound[f.current]++
	if f.printed < 12 && f.byRound[f.current] <= 2 || f.replay && f.printed < 50 {
		f.printed++
		f.t.Errorf("%s", msg)
	} else {
		f.t.Fail()
	}
}

func (f *fzRun) round(r int) {
	t := f.t
	t.Helper()
	f.current = r
	f.roundKinds = map[string]int{}
	rng := rand.New(rand.NewPCG(f.seed, uint64(r)))
	tb := &fzTable{cols: []fzCol{{"id", fzInt64}}, props: map[string]string{}}
	for i := range 2 + rng.IntN(4) {
		tb.cols = append(tb.cols, fzCol{fmt.Sprintf("c%d", i+1), fzKind(rng.IntN(7))})
	}
	if n := rng.IntN(10); n >= 3 {
		seen := map[string]bool{}
		for range 1 + n/8 {
			c := tb.cols[rng.IntN(len(tb.cols))]
			// String partitions get more than their share: '' partition
			// values and unicode truncation are where pruning went wrong.
			if i := slices.IndexFunc(tb.cols, func(c fzCol) bool { return c.kind == fzString }); i > 0 && rng.IntN(2) == 0 {
				c = tb.cols[i]
			}
			choices := partitionChoices(rng, c.name, c.kind)
			if len(choices) == 0 {
				continue
			}
			p := pickOf(rng, choices)
			if key := p.Column + p.Transform.String(); !seen[key] {
				seen[key] = true
				tb.parts = append(tb.parts, p)
			}
		}
	}
	tb.props[table.WriteDeleteModeKey] = pickOf(rng, []string{table.WriteModeCopyOnWrite, table.WriteModeMergeOnRead})
	if rng.IntN(2) == 0 {
		tb.groups = pickOf(rng, []int{2, 3, 4, 7})
		tb.props[table.ParquetRowGroupLimitKey] = strconv.Itoa(tb.groups)
	}
	if rng.IntN(4) == 0 {
		tb.props[table.WriteTargetFileSizeBytesKey] = pickOf(rng, []string{"1", "2000"})
	}
	ident := table.Identifier{"fuzz", fmt.Sprintf("r%d", r)}
	tbl, err := iceberg.CreateTable(f.ctx, f.cat, ident, tb.arrowSchema(),
		iceberg.WithPartitioning(tb.parts...), iceberg.WithTableProperties(tb.props))
	if err != nil {
		t.Fatalf("round %d: create table: %v\n%s", r, err, tb.describe())
	}
	defer func() { t.Logf("round %d: mismatches %v; %s", r, f.roundKinds, tb.describe()) }()
	label := func() string { return fmt.Sprintf("seed %d round %d: %s", f.seed, r, tb.describe()) }

	// Operations: appends through lakeframe, files written by DuckDB,
	// deletes; the first is always an append.
	ops := []string{"append"}
	for range rng.IntN(4) {
		ops = append(ops, "append")
	}
	if rng.IntN(3) == 0 {
		ops = append(ops, "duckdb")
	}
	if rng.IntN(5) < 2 {
		for range 1 + rng.IntN(2) {
			ops = append(ops, "delete")
		}
	}
	rng.Shuffle(len(ops)-1, func(i, j int) { ops[i+1], ops[j+1] = ops[j+1], ops[i+1] })
	g := &fzGen{rng: rng, tb: tb}
	for _, op := range ops {
		switch op {
		case "append":
			rows := tb.newRows(rng, 1+rng.IntN(50))
			in := tb.arrowTable(rows)
			out, err := frame.FromArrow(in).WriteIceberg(f.ctx, tbl)
			in.Release()
			if err != nil {
				f.mismatch("write", fmt.Sprintf("%s\nWriteIceberg of %d rows: %v", label(), len(rows), err))
				return
			}
			tbl = out
			tb.rows = append(tb.rows, rows...)
			tb.ops = append(tb.ops, fmt.Sprintf("append %d rows", len(rows)))
		case "duckdb":
			if tbl, err = f.addDuckFiles(rng, tb, tbl); err != nil {
				f.mismatch("write", fmt.Sprintf("%s\nadding DuckDB files: %v", label(), err))
				return
			}
		case "delete":
			p := g.pred(rng.IntN(2))
			out, err := frame.DeleteIceberg(f.ctx, tbl, p.expr())
			if err != nil {
				f.mismatch("write", fmt.Sprintf("%s\nDeleteIceberg(%s): %v", label(), p.expr(), err))
				return
			}
			tbl = out
			before := len(tb.rows)
			tb.rows = slices.DeleteFunc(tb.rows, func(r fzRow) bool { return p.eval(r) == fzTrue })
			tb.ops = append(tb.ops, fmt.Sprintf("delete where %s (%d rows)", p.sql(), before-len(tb.rows)))
		}
	}
	f.tables++

	// The oracle's view of the snapshot, checked against the model.
	files := snapshotLiveFiles(f.ctx, t, tbl)
	f.files += len(files.data)
	f.deleteFiles += len(files.deletes)
	f.layout(files)
	cols := make([]duckCol, len(tb.cols))
	for i, c := range tb.cols {
		cols[i] = duckCol{c.name, c.kind.duck()}
	}
	createSnapshotView(f.ctx, t, f.conn, "fz_snap", files, cols)
	snap := f.duckRows(tb, "true")
	if msg := fzDiff(fzRendered(snap), fzRendered(tb.rows)); msg != "" {
		f.mismatch("table-state", fmt.Sprintf("%s\nthe snapshot's files (read by DuckDB) do not hold the rows written and not deleted:\n%s", label(), msg))
	}

	for q := range f.filters {
		p := g.pred(rng.IntN(3))
		f.queries++
		where := p.sql()
		want := fzRendered(f.duckRows(tb, where))
		var model []fzRow
		for _, row := range snap {
			if p.eval(row) == fzTrue {
				model = append(model, row)
			}
		}
		desc := fmt.Sprintf("%s\nquery %d: WHERE %s\n  lakeframe filter: %s", label(), q, where, p.expr())
		if msg := fzDiff(want, fzRendered(model)); msg != "" {
			f.mismatch("oracle", fmt.Sprintf("%s\nDuckDB (got) and the Go evaluation (want) disagree, a bug in this test:\n%s", desc, msg))
			continue
		}
		df := frame.ReadIceberg(tbl).Where(p.expr())
		for _, v := range []struct {
			name string
			opts []frame.Option
		}{{"pruned", nil}, {"unpruned", []frame.Option{frame.WithoutRules("push_down_filter")}}} {
			got, err := f.lakeRows(tb, df, v.opts...)
			if err != nil {
				f.mismatch(v.name+"-error", fmt.Sprintf("%s\nlakeframe %s: %v", desc, v.name, err))
				continue
			}
			if msg := fzDiff(got, want); msg != "" {
				f.mismatch(v.name, fmt.Sprintf("%s\nlakeframe %s (got) vs DuckDB (want):\n%s", desc, v.name, msg))
			}
			n, err := f.lakeCount(df, v.opts...)
			if err != nil {
				f.mismatch(v.name+"-count-error", fmt.Sprintf("%s\nlakeframe %s count(*): %v", desc, v.name, err))
				continue
			}
			if n != int64(len(want)) {
				f.mismatch(v.name+"-count", fmt.Sprintf("%s\nlakeframe %s count(*) = %d, DuckDB %d", desc, v.name, n, len(want)))
			}
		}
	}
}

// layout counts the row groups of the data files, and the column chunks
// that are all NULL or exactly half NULL, to show what a run covered.
func (f *fzRun) layout(files liveFiles) {
	if len(files.data) == 0 {
		return
	}
	q := fmt.Sprintf(`SELECT count(DISTINCT (file_name, row_group_id)),
		count(*) FILTER (WHERE stats_null_count = row_group_num_rows),
		count(*) FILTER (WHERE stats_null_count * 2 = row_group_num_rows)
		FROM parquet_metadata(%s)`, sqlList(files.data))
	var groups, all, half int
	if err := f.conn.QueryRowContext(f.ctx, q).Scan(&groups, &all, &half); err != nil {
		f.t.Fatalf("duckdb %s: %v", q, err)
	}
	f.rowGroups += groups
	f.allNull += all
	f.halfNull += half
}

// addDuckFiles writes rows with DuckDB's Parquet writer (no field ids,
// DuckDB's own statistics, small row groups) and registers them: with
// AddFiles on an unpartitioned table, or, on a partitioned one, one file
// per partition with AddDataFiles, with partition values computed here
// with iceberg-go's transforms and statistics from the file's footer.
func (f *fzRun) addDuckFiles(rng *rand.Rand, tb *fzTable, tbl *table.Table) (*table.Table, error) {
	rows := tb.newRows(rng, 20+rng.IntN(60))
	groupRows := 1 + rng.IntN(8)
	var def, sel []string
	for _, c := range tb.cols {
		def = append(def, c.name+" "+c.kind.duck())
		sel = append(sel, c.name)
	}
	duckExec(f.ctx, f.t, f.conn, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE fz_src (ord INTEGER, %s)", strings.Join(def, ", ")))
	for i, r := range rows {
		args := []any{i}
		marks := []string{"?"}
		for c, v := range r {
			marks = append(marks, "?")
			switch {
			case v == nil:
				args = append(args, nil)
			case tb.cols[c].kind == fzDate:
				args = append(args, time.Unix(v.(int64)*86400, 0).UTC())
			case tb.cols[c].kind == fzTimestamp:
				args = append(args, time.UnixMicro(v.(int64)).UTC())
			default:
				args = append(args, v)
			}
		}
		duckExec(f.ctx, f.t, f.conn, "INSERT INTO fz_src VALUES ("+strings.Join(marks, ", ")+")", args...)
	}
	// Group rows by partition tuple: one file each.
	spec := tbl.Spec()
	type part struct {
		values map[int]any
		ords   []string
	}
	byKey := map[string]*part{}
	var keys []string
	logical := map[int]string{}
	for i, r := range rows {
		values := map[int]any{}
		var key []string
		for j, p := range tb.parts {
			field := spec.Field(j)
			col := slices.IndexFunc(tb.cols, func(c fzCol) bool { return c.name == p.Column })
			v, typ := fzPartitionValue(p.Transform, tb.cols[col].kind, r[col])
			values[field.FieldID] = v
			if typ != "" {
				logical[field.FieldID] = typ
			}
			key = append(key, fmt.Sprintf("%#v", v))
		}
		k := strings.Join(key, ",")
		if byKey[k] == nil {
			byKey[k] = &part{values: values}
			keys = append(keys, k)
		}
		byKey[k].ords = append(byKey[k].ords, strconv.Itoa(i))
	}
	fs, err := tbl.FS(f.ctx)
	if err != nil {
		return nil, err
	}
	var paths []string
	var dataFiles []iceberggo.DataFile
	for _, k := range keys {
		p := byKey[k]
		path := filepath.Join(f.dir, fmt.Sprintf("duck-%d-%d.parquet", f.duckFiles, len(paths)))
		f.duckFiles++
		// DuckDB cuts row groups only between the chunks it is fed: one
		// UNION ALL branch per row group gives small ones, in row order,
		// which keeps the NULL layouts.
		var branches []string
		for i := 0; i < len(p.ords); i += groupRows {
			branches = append(branches, fmt.Sprintf("SELECT %s FROM fz_src WHERE ord IN (%s)",
				strings.Join(sel, ", "), strings.Join(p.ords[i:min(i+groupRows, len(p.ords))], ", ")))
		}
		duckExec(f.ctx, f.t, f.conn, fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, ROW_GROUP_SIZE %d)",
			strings.Join(branches, " UNION ALL "), sqlString(path), groupRows))
		uri := "file://" + path
		paths = append(paths, uri)
		if len(tb.parts) == 0 {
			continue
		}
		stats, err := table.FileToDataFile(f.ctx, fs, uri, tbl.Schema(), *iceberggo.UnpartitionedSpec, 0, tbl.Properties())
		if err != nil {
			return nil, err
		}
		b, err := iceberggo.NewDataFileBuilder(spec, iceberggo.EntryContentData, uri, iceberggo.ParquetFile,
			p.values, logical, nil, stats.Count(), stats.FileSizeBytes())
		if err != nil {
			return nil, err
		}
		b.ColumnSizes(stats.ColumnSizes()).ValueCounts(stats.ValueCounts()).NullValueCounts(stats.NullValueCounts()).
			NaNValueCounts(stats.NaNValueCounts()).LowerBoundValues(stats.LowerBoundValues()).
			UpperBoundValues(stats.UpperBoundValues()).SplitOffsets(stats.SplitOffsets())
		dataFiles = append(dataFiles, b.Build())
	}
	tx := tbl.NewTransaction()
	if len(tb.parts) == 0 {
		err = tx.AddFiles(f.ctx, paths, nil, false)
	} else {
		err = tx.AddDataFiles(f.ctx, dataFiles, nil)
	}
	if err != nil {
		return nil, err
	}
	out, err := tx.Commit(f.ctx)
	if err != nil {
		return nil, err
	}
	tb.rows = append(tb.rows, rows...)
	tb.ops = append(tb.ops, fmt.Sprintf("add %d DuckDB files of %d rows (row groups of %d)", len(paths), len(rows), groupRows))
	return out, nil
}

// fzPartitionValue applies an Iceberg transform to a value, and names the
// Avro logical type of date and timestamp results.
func fzPartitionValue(tr iceberggo.Transform, k fzKind, v any) (any, string) {
	var lit iceberggo.Literal
	var src iceberggo.Type
	switch k {
	case fzInt32:
		src = iceberggo.PrimitiveTypes.Int32
	case fzInt64:
		src = iceberggo.PrimitiveTypes.Int64
	case fzString:
		src = iceberggo.PrimitiveTypes.String
	case fzDate:
		src = iceberggo.PrimitiveTypes.Date
	case fzTimestamp:
		src = iceberggo.PrimitiveTypes.TimestampTz
	case fzBool:
		src = iceberggo.PrimitiveTypes.Bool
	}
	var typ string
	switch tr.ResultType(src).(type) {
	case iceberggo.DateType:
		typ = "date"
	case iceberggo.TimestampType, iceberggo.TimestampTzType:
		typ = "timestamp-micros"
	}
	if v == nil {
		return nil, typ
	}
	switch k {
	case fzInt32:
		lit = iceberggo.Int32Literal(int32(v.(int64)))
	case fzInt64:
		lit = iceberggo.Int64Literal(v.(int64))
	case fzString:
		lit = iceberggo.StringLiteral(v.(string))
	case fzDate:
		lit = iceberggo.DateLiteral(iceberggo.Date(v.(int64)))
	case fzTimestamp:
		lit = iceberggo.TimestampLiteral(iceberggo.Timestamp(v.(int64)))
	case fzBool:
		lit = iceberggo.BoolLiteral(v.(bool))
	}
	out := tr.Apply(iceberggo.Optional[iceberggo.Literal]{Valid: true, Val: lit})
	if !out.Valid {
		return nil, typ
	}
	return out.Val.Any(), typ
}

// duckRows reads the snapshot's rows where the SQL condition holds.
func (f *fzRun) duckRows(tb *fzTable, where string) []fzRow {
	f.t.Helper()
	sel := make([]string, len(tb.cols))
	for i, c := range tb.cols {
		switch c.kind {
		case fzInt32:
			sel[i] = "CAST(" + c.name + " AS BIGINT)"
		case fzDate:
			sel[i] = "CAST(" + c.name + " - DATE '1970-01-01' AS BIGINT)"
		case fzTimestamp:
			sel[i] = "epoch_us(" + c.name + ")"
		default:
			sel[i] = c.name
		}
	}
	q := fmt.Sprintf("SELECT %s FROM fz_snap WHERE %s", strings.Join(sel, ", "), where)
	rows, err := f.conn.QueryContext(f.ctx, q)
	if err != nil {
		f.t.Fatalf("duckdb %s: %v", q, err)
	}
	defer rows.Close()
	var out []fzRow
	for rows.Next() {
		r := make(fzRow, len(tb.cols))
		ptrs := make([]any, len(r))
		for i := range r {
			ptrs[i] = &r[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			f.t.Fatal(err)
		}
		for i, v := range r {
			if n, ok := v.(int32); ok {
				r[i] = int64(n)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatalf("duckdb %s: %v", q, err)
	}
	return out
}

// lakeRows collects df on a checked allocator and renders its rows.
func (f *fzRun) lakeRows(tb *fzTable, df *frame.DataFrame, opts ...frame.Option) ([]string, error) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(f.t, 0)
	out, err := df.Collect(f.ctx, append(opts, frame.WithAllocator(mem))...)
	if err != nil {
		return nil, err
	}
	defer out.Release()
	var rows []string
	rdr := array.NewTableReader(out, 1024)
	defer rdr.Release()
	for rdr.Next() {
		rec := rdr.RecordBatch()
		arrs := make([]arrow.Array, len(tb.cols))
		for i, c := range tb.cols {
			arrs[i] = column(f.t, rec, c.name)
		}
		for i := range int(rec.NumRows()) {
			r := make(fzRow, len(tb.cols))
			for c, a := range arrs {
				v, err := fzArrowValue(a, i)
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", tb.cols[c].name, err)
				}
				r[c] = v
			}
			rows = append(rows, r.String())
		}
	}
	slices.Sort(rows)
	return rows, nil
}

func fzArrowValue(a arrow.Array, i int) (any, error) {
	if a.IsNull(i) {
		return nil, nil
	}
	switch x := a.(type) {
	case *array.Int32:
		return int64(x.Value(i)), nil
	case *array.Int64:
		return x.Value(i), nil
	case *array.Float64:
		return x.Value(i), nil
	case *array.String:
		return x.Value(i), nil
	case *array.LargeString:
		return x.Value(i), nil
	case *array.StringView:
		return x.Value(i), nil
	case *array.Date32:
		return int64(x.Value(i)), nil
	case *array.Timestamp:
		unit := x.DataType().(*arrow.TimestampType).Unit
		return x.Value(i).ToTime(unit).UnixMicro(), nil
	case *array.Boolean:
		return x.Value(i), nil
	}
	return nil, fmt.Errorf("unexpected result type %s", a.DataType())
}

func (f *fzRun) lakeCount(df *frame.DataFrame, opts ...frame.Option) (int64, error) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(f.t, 0)
	out, err := df.Count().Collect(f.ctx, append(opts, frame.WithAllocator(mem))...)
	if err != nil {
		return 0, err
	}
	defer out.Release()
	if out.NumRows() != 1 || out.NumCols() != 1 {
		return 0, fmt.Errorf("count result is %d x %d", out.NumRows(), out.NumCols())
	}
	return strconv.ParseInt(out.Column(0).Data().Chunk(0).ValueStr(0), 10, 64)
}

func fzRendered(rows []fzRow) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.String()
	}
	slices.Sort(out)
	return out
}

// fzDiff describes how two sorted row multisets differ: counts and the
// first rows only one side has.
func fzDiff(got, want []string) string {
	if slices.Equal(got, want) {
		return ""
	}
	var extra, missing []string
	i, j := 0, 0
	for i < len(got) || j < len(want) {
		switch {
		case j == len(want) || i < len(got) && got[i] < want[j]:
			extra = append(extra, got[i])
			i++
		case i == len(got) || got[i] > want[j]:
			missing = append(missing, want[j])
			j++
		default:
			i++
			j++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "  %d rows, want %d; %d extra, %d missing\n", len(got), len(want), len(extra), len(missing))
	for _, r := range extra[:min(len(extra), 4)] {
		fmt.Fprintf(&b, "  extra   %s\n", r)
	}
	for _, r := range missing[:min(len(missing), 4)] {
		fmt.Fprintf(&b, "  missing %s\n", r)
	}
	return b.String()
}

// Filters: a small tree built as a lakeframe expression, as SQL for
// DuckDB and as a Go evaluation with SQL's three-valued logic.

type fzTri int8

const (
	fzFalse fzTri = iota
	fzTrue
	fzNull
)

func fzNot(a fzTri) fzTri {
	switch a {
	case fzTrue:
		return fzFalse
	case fzFalse:
		return fzTrue
	}
	return fzNull
}

func fzAnd(a, b fzTri) fzTri {
	if a == fzFalse || b == fzFalse {
		return fzFalse
	}
	if a == fzNull || b == fzNull {
		return fzNull
	}
	return fzTrue
}

func fzOr(a, b fzTri) fzTri {
	if a == fzTrue || b == fzTrue {
		return fzTrue
	}
	if a == fzNull || b == fzNull {
		return fzNull
	}
	return fzFalse
}

func fzBoolTri(b bool) fzTri {
	if b {
		return fzTrue
	}
	return fzFalse
}

type fzPred struct {
	op   string // cmp, isnull, notnull, in, between, starts, and, or, not
	col  int    // the column's index in a row
	name string
	kind fzKind
	cmp  string // =, <>, <, <=, >, >=
	vals []any  // literals; nil in an IN list is NULL
	kids []*fzPred
}

type fzGen struct {
	rng *rand.Rand
	tb  *fzTable
}

func (g *fzGen) pred(depth int) *fzPred {
	if depth > 0 && g.rng.IntN(4) != 0 {
		switch g.rng.IntN(5) {
		case 0, 1:
			return &fzPred{op: "and", kids: []*fzPred{g.pred(depth - 1), g.pred(depth - 1)}}
		case 2, 3:
			return &fzPred{op: "or", kids: []*fzPred{g.pred(depth - 1), g.pred(depth - 1)}}
		}
		return &fzPred{op: "not", kids: []*fzPred{g.pred(depth - 1)}}
	}
	// The id column is picked less often than the others.
	col := 0
	if g.rng.IntN(6) != 0 {
		col = 1 + g.rng.IntN(len(g.tb.cols)-1)
	}
	k := g.tb.cols[col].kind
	leaf := func(p *fzPred) *fzPred {
		p.col, p.name, p.kind = col, g.tb.cols[col].name, k
		return p
	}
	lit := func() any {
		if col == 0 {
			return g.rng.Int64N(g.tb.nextID + 3)
		}
		return fzLiteral(g.rng, k)
	}
	ops := []string{"=", "<>", "<", "<=", ">", ">="}
	if k == fzBool {
		ops = ops[:2]
	}
	switch g.rng.IntN(10) {
	case 0:
		return leaf(&fzPred{op: "isnull", col: col})
	case 1:
		return leaf(&fzPred{op: "notnull", col: col})
	case 2:
		p := leaf(&fzPred{op: "in"})
		for range 1 + g.rng.IntN(3) {
			p.vals = append(p.vals, lit())
		}
		if g.rng.IntN(3) == 0 {
			p.vals = append(p.vals, nil)
		}
		return p
	case 3:
		if k != fzBool {
			return leaf(&fzPred{op: "between", vals: []any{lit(), lit()}})
		}
	case 4:
		if k == fzString {
			return leaf(&fzPred{op: "starts", vals: []any{pickOf(g.rng, []string{"", "a", "ab", "é", "日", "Z", "b"})}})
		}
	}
	return leaf(&fzPred{op: "cmp", cmp: pickOf(g.rng, ops), vals: []any{lit()}})
}

// exprLit turns a value into a lakeframe literal of the column's kind.
func exprLit(k fzKind, v any) any {
	switch {
	case v == nil:
		return nil
	case k == fzDate:
		return time.Unix(v.(int64)*86400, 0).UTC()
	case k == fzTimestamp:
		return time.UnixMicro(v.(int64)).UTC()
	}
	return v
}

func (p *fzPred) expr() expr.Expr {
	switch p.op {
	case "and":
		return p.kids[0].expr().And(p.kids[1].expr())
	case "or":
		return p.kids[0].expr().Or(p.kids[1].expr())
	case "not":
		return p.kids[0].expr().Not()
	}
	c := expr.Col(p.name)
	lits := make([]any, len(p.vals))
	for i, v := range p.vals {
		lits[i] = exprLit(p.kind, v)
	}
	switch p.op {
	case "isnull":
		return c.IsNull()
	case "notnull":
		return c.IsNotNull()
	case "in":
		return c.IsIn(lits...)
	case "between":
		return c.Between(lits[0], lits[1])
	case "starts":
		return c.Str().StartsWith(p.vals[0].(string))
	}
	return map[string]func(expr.Expr, any) expr.Expr{
		"=": expr.Expr.Eq, "<>": expr.Expr.Ne, "<": expr.Expr.Lt, "<=": expr.Expr.Le, ">": expr.Expr.Gt, ">=": expr.Expr.Ge,
	}[p.cmp](c, lits[0])
}

// sqlLit spells a value as a DuckDB literal; timestamps are compared as
// epoch microseconds (see sqlCol), which needs no time zone.
func sqlLit(k fzKind, v any) string {
	switch {
	case v == nil:
		return "NULL"
	case k == fzFloat64:
		return "CAST('" + strconv.FormatFloat(v.(float64), 'g', -1, 64) + "' AS DOUBLE)"
	case k == fzString:
		return sqlString(v.(string))
	case k == fzDate:
		return "DATE '" + time.Unix(v.(int64)*86400, 0).UTC().Format("2006-01-02") + "'"
	}
	return fzCell(v)
}

func (p *fzPred) sqlCol() string {
	if p.kind == fzTimestamp {
		return "epoch_us(" + p.name + ")"
	}
	return p.name
}

// sqlCmp is `column op literal` with IEEE semantics for floats.
func (p *fzPred) sqlCmp(op string, v any) string {
	c, l := p.sqlCol(), sqlLit(p.kind, v)
	if p.kind != fzFloat64 || v == nil {
		return fmt.Sprintf("(%s %s %s)", c, op, l)
	}
	if math.IsNaN(v.(float64)) {
		return fmt.Sprintf("(CASE WHEN %s IS NULL THEN NULL ELSE %v END)", c, op == "<>")
	}
	if op == "<>" {
		return fmt.Sprintf("(%s <> %s OR isnan(%s))", c, l, c)
	}
	return fmt.Sprintf("(%s %s %s AND NOT isnan(%s))", c, op, l, c)
}

func (p *fzPred) sql() string {
	switch p.op {
	case "and":
		return "(" + p.kids[0].sql() + " AND " + p.kids[1].sql() + ")"
	case "or":
		return "(" + p.kids[0].sql() + " OR " + p.kids[1].sql() + ")"
	case "not":
		return "(NOT " + p.kids[0].sql() + ")"
	case "isnull":
		return "(" + p.name + " IS NULL)"
	case "notnull":
		return "(" + p.name + " IS NOT NULL)"
	case "in":
		if p.kind == fzFloat64 {
			terms := make([]string, len(p.vals))
			for i, v := range p.vals {
				terms[i] = p.sqlCmp("=", v)
			}
			return "(" + strings.Join(terms, " OR ") + ")"
		}
		lits := make([]string, len(p.vals))
		for i, v := range p.vals {
			lits[i] = sqlLit(p.kind, v)
		}
		return fmt.Sprintf("(%s IN (%s))", p.sqlCol(), strings.Join(lits, ", "))
	case "between":
		return "(" + p.sqlCmp(">=", p.vals[0]) + " AND " + p.sqlCmp("<=", p.vals[1]) + ")"
	case "starts":
		return fmt.Sprintf("starts_with(%s, %s)", p.name, sqlString(p.vals[0].(string)))
	}
	return p.sqlCmp(p.cmp, p.vals[0])
}

// fzCompare orders two non-NULL values of one kind; ok is false when
// they are unordered (a NaN).
func fzCompare(a, b any) (c int, ok bool) {
	switch x := a.(type) {
	case int64:
		y := b.(int64)
		return cmpOrdered(x, y), true
	case float64:
		y := b.(float64)
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmpOrdered(x, y), true // -0.0 == 0.0
	case string:
		return strings.Compare(x, b.(string)), true
	case bool:
		y := b.(bool)
		switch {
		case x == y:
			return 0, true
		case !x:
			return -1, true
		}
		return 1, true
	}
	panic(fmt.Sprintf("fzCompare %T", a))
}

func cmpOrdered[T int64 | float64](x, y T) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func fzCmpTri(op string, a, b any) fzTri {
	if a == nil || b == nil {
		return fzNull
	}
	c, ok := fzCompare(a, b)
	if !ok {
		return fzBoolTri(op == "<>")
	}
	switch op {
	case "=":
		return fzBoolTri(c == 0)
	case "<>":
		return fzBoolTri(c != 0)
	case "<":
		return fzBoolTri(c < 0)
	case "<=":
		return fzBoolTri(c <= 0)
	case ">":
		return fzBoolTri(c > 0)
	}
	return fzBoolTri(c >= 0)
}

func (p *fzPred) eval(r fzRow) fzTri {
	switch p.op {
	case "and":
		return fzAnd(p.kids[0].eval(r), p.kids[1].eval(r))
	case "or":
		return fzOr(p.kids[0].eval(r), p.kids[1].eval(r))
	case "not":
		return fzNot(p.kids[0].eval(r))
	}
	v := r[p.col]
	switch p.op {
	case "isnull":
		return fzBoolTri(v == nil)
	case "notnull":
		return fzBoolTri(v != nil)
	case "in":
		out := fzFalse
		for _, l := range p.vals {
			out = fzOr(out, fzCmpTri("=", v, l))
		}
		return out
	case "between":
		return fzAnd(fzCmpTri(">=", v, p.vals[0]), fzCmpTri("<=", v, p.vals[1]))
	case "starts":
		if v == nil {
			return fzNull
		}
		return fzBoolTri(strings.HasPrefix(v.(string), p.vals[0].(string)))
	}
	return fzCmpTri(p.cmp, v, p.vals[0])
}
