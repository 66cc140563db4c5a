//go:build cgo

package iceberg_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
	"github.com/apache/arrow-go/v18/arrow/memory"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
	_ "github.com/duckdb/duckdb-go/v2"

	lfice "lakeframe/iceberg"
)

// The column metrics lakeframe writes into manifests are checked, file by
// file, against DuckDB reading the same Parquet file: value counts (NULLs
// included), NULL counts, NaN counts and lower/upper bounds, on NULLs in
// every proportion, empty and long unicode strings, NaN and signed zeros.

var metricsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "p", Type: arrow.PrimitiveTypes.Int32},
	{Name: "i", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	{Name: "l", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "d", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "b", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "dt", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "tz", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "bo", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "dec", Type: &arrow.Decimal128Type{Precision: 18, Scale: 3}, Nullable: true},
	{Name: "s_full", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "l_counts", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "i_none", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
}, nil)

// Partitions (column p) and the share of NULLs in their columns.
const (
	pNoNulls  = iota // 0%
	pHalf            // 50%
	pAllNull         // 100%: every value NULL
	pRandom          // a random share per column and batch
	pExtremes        // strings of U+10FFFF, bytes 0xFF, NaN and ±0.0 only
	pNaN             // floats all NaN; strings whose upper bound must walk back
	numMetricsParts
)

func TestWriteMetricsAgainstDuckDB(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 7))
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	ctx := compute.WithAllocator(context.Background(), mem)
	dir := t.TempDir()
	cat, err := lfice.OpenCatalog(ctx, "sqlite://"+filepath.Join(dir, "cat.db"), map[string]string{"warehouse": "file://" + dir})
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := lfice.CreateTable(ctx, cat, table.Identifier{"lake", "metrics"}, metricsSchema,
		lfice.WithPartitioning(lfice.Identity("p")),
		lfice.WithTableProperties(map[string]string{
			"write.metadata.metrics.column.s_full":   "full",
			"write.metadata.metrics.column.l_counts": "counts",
			"write.metadata.metrics.column.i_none":   "none",
		}))
	if err != nil {
		t.Fatal(err)
	}
	var recs []arrow.RecordBatch
	for range 4 {
		recs = append(recs, metricsBatch(mem, rng, 700))
	}
	if tbl, err = lfice.Write(ctx, tbl, metricsSchema, batchesOfRecords(recs...), lfice.WriteOptions{}); err != nil {
		t.Fatal(err)
	}

	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tasks, err := tbl.Scan().PlanFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != numMetricsParts {
		t.Errorf("%d data files, want one per partition (%d)", len(tasks), numMetricsParts)
	}
	sc := tbl.Schema()
	for _, ft := range tasks {
		df := ft.File
		path := strings.TrimPrefix(df.FilePath(), "file://")
		checkFieldIDs(t, db, path, sc)
		for _, f := range metricsSchema.Fields()[1:] {
			field, _ := sc.FindFieldByName(f.Name)
			checkColumnMetrics(t, db, path, df, field)
		}
	}
}

// checkFieldIDs: every column of the file carries its table field id.
func checkFieldIDs(t *testing.T, db *sql.DB, path string, sc *iceberg.Schema) {
	t.Helper()
	rows, err := db.Query("SELECT name, field_id FROM parquet_schema(?) WHERE num_children IS NULL OR num_children = 0", path)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		var id sql.NullInt64
		if err := rows.Scan(&name, &id); err != nil {
			t.Fatal(err)
		}
		f, ok := sc.FindFieldByName(name)
		if !ok || !id.Valid || int(id.Int64) != f.ID {
			t.Errorf("%s: column %s has field id %v, the table %d", path, name, id, f.ID)
		}
		n++
	}
	if n != len(sc.Fields()) {
		t.Errorf("%s: %d columns, want %d", path, n, len(sc.Fields()))
	}
}

// duckStats is what DuckDB says of one column of one file.
type duckStats struct {
	rows, values, nans, posZeros int64
	lo, hi                       any
}

func checkColumnMetrics(t *testing.T, db *sql.DB, path string, df iceberg.DataFile, f iceberg.NestedField) {
	t.Helper()
	c := `"` + f.Name + `"`
	lo, hi := "min("+c+")", "max("+c+")"
	nans, posZeros := "0", "0"
	switch f.Type.(type) {
	case iceberg.Int32Type, iceberg.Int64Type:
		lo, hi = "CAST(min("+c+") AS BIGINT)", "CAST(max("+c+") AS BIGINT)"
	case iceberg.DateType:
		lo, hi = "CAST(min("+c+") - DATE '1970-01-01' AS BIGINT)", "CAST(max("+c+") - DATE '1970-01-01' AS BIGINT)"
	case iceberg.TimestampType, iceberg.TimestampTzType:
		lo, hi = "epoch_us(min("+c+"))", "epoch_us(max("+c+"))"
	case iceberg.BooleanType:
		lo, hi = "CAST(min("+c+") AS BIGINT)", "CAST(max("+c+") AS BIGINT)"
	case iceberg.DecimalType:
		lo, hi = "CAST(min("+c+") * 1000 AS BIGINT)", "CAST(max("+c+") * 1000 AS BIGINT)"
	case iceberg.Float32Type, iceberg.Float64Type:
		lo = "CAST(min(" + c + ") FILTER (WHERE NOT isnan(" + c + ")) AS DOUBLE)"
		hi = "CAST(max(" + c + ") FILTER (WHERE NOT isnan(" + c + ")) AS DOUBLE)"
		nans = "count(*) FILTER (WHERE isnan(" + c + "))"
		posZeros = "count(*) FILTER (WHERE " + c + " = 0 AND NOT starts_with(CAST(" + c + " AS VARCHAR), '-'))"
	}
	q := fmt.Sprintf("SELECT count(*), count(%s), %s, %s, %s, %s FROM read_parquet(?)", c, nans, posZeros, lo, hi)
	var st duckStats
	if err := db.QueryRow(q, path).Scan(&st.rows, &st.values, &st.nans, &st.posZeros, &st.lo, &st.hi); err != nil {
		t.Fatalf("%s: %s: %v", path, q, err)
	}
	where := fmt.Sprintf("%s column %s", filepath.Base(path), f.Name)
	id := f.ID
	if df.Count() != st.rows {
		t.Errorf("%s: record_count %d, DuckDB counts %d rows", where, df.Count(), st.rows)
	}
	if f.Name == "i_none" {
		for what, m := range map[string]map[int]int64{"value": df.ValueCounts(), "null": df.NullValueCounts(), "size": df.ColumnSizes()} {
			if _, ok := m[id]; ok {
				t.Errorf("%s: mode none, but a %s count", where, what)
			}
		}
		checkNoBounds(t, where, df, id)
		return
	}
	if got, ok := df.ValueCounts()[id]; !ok || got != st.rows {
		t.Errorf("%s: value_count %d (%v), DuckDB: %d rows", where, got, ok, st.rows)
	}
	if got, ok := df.NullValueCounts()[id]; !ok || got != st.rows-st.values {
		t.Errorf("%s: null_value_count %d (%v), DuckDB: %d", where, got, ok, st.rows-st.values)
	}
	if df.ColumnSizes()[id] <= 0 {
		t.Errorf("%s: no column size", where)
	}
	_, floating := f.Type.(iceberg.Float32Type)
	if _, ok := f.Type.(iceberg.Float64Type); ok {
		floating = true
	}
	if got, ok := df.NaNValueCounts()[id]; floating && (!ok || got != st.nans) {
		t.Errorf("%s: nan_value_count %d (%v), DuckDB: %d", where, got, ok, st.nans)
	}
	if f.Name == "l_counts" {
		checkNoBounds(t, where, df, id)
		return
	}
	lower, hasLo := df.LowerBoundValues()[id]
	upper, hasHi := df.UpperBoundValues()[id]
	if st.lo == nil {
		if hasLo || hasHi {
			t.Errorf("%s: bounds on a column without values DuckDB can order", where)
		}
		return
	}
	if !hasLo {
		t.Errorf("%s: no lower bound, DuckDB min %v", where, st.lo)
		return
	}
	lit := func(b []byte) iceberg.Literal {
		l, err := iceberg.LiteralFromBytes(f.Type, b)
		if err != nil {
			t.Fatalf("%s: bound %x: %v", where, b, err)
		}
		return l
	}
	switch typ := f.Type.(type) {
	case iceberg.StringType:
		width := 16
		if f.Name == "s_full" {
			width = 0
		}
		checkStringBounds(t, where, st.lo.(string), st.hi.(string), lower, upper, hasHi, width)
	case iceberg.BinaryType:
		checkBinaryBounds(t, where, st.lo.([]byte), st.hi.([]byte), lower, upper, hasHi)
	case iceberg.Float32Type, iceberg.Float64Type:
		if !hasHi {
			t.Fatalf("%s: no upper bound", where)
		}
		l, h := floatOf(lit(lower)), floatOf(lit(upper))
		if l != st.lo.(float64) || h != st.hi.(float64) {
			t.Errorf("%s: bounds [%g, %g], DuckDB (NaN left out) [%g, %g]", where, l, h, st.lo, st.hi)
		}
		if h == 0 && math.Signbit(h) && st.posZeros > 0 {
			t.Errorf("%s: upper bound -0.0 with %d values +0.0", where, st.posZeros)
		}
	default:
		if !hasHi {
			t.Fatalf("%s: no upper bound", where)
		}
		l, h := intOf(lit(lower), typ), intOf(lit(upper), typ)
		if l != st.lo.(int64) || h != st.hi.(int64) {
			t.Errorf("%s: bounds [%d, %d], DuckDB [%d, %d]", where, l, h, st.lo, st.hi)
		}
	}
}

func checkNoBounds(t *testing.T, where string, df iceberg.DataFile, id int) {
	t.Helper()
	if _, ok := df.LowerBoundValues()[id]; ok {
		t.Errorf("%s: a lower bound its metrics mode leaves out", where)
	}
	if _, ok := df.UpperBoundValues()[id]; ok {
		t.Errorf("%s: an upper bound its metrics mode leaves out", where)
	}
}

func floatOf(l iceberg.Literal) float64 {
	switch v := l.(type) {
	case iceberg.Float32Literal:
		return float64(v)
	case iceberg.Float64Literal:
		return float64(v)
	}
	panic(fmt.Sprintf("not a float literal: %T", l))
}

func intOf(l iceberg.Literal, typ iceberg.Type) int64 {
	switch v := l.(type) {
	case iceberg.Int32Literal:
		return int64(v)
	case iceberg.Int64Literal:
		return int64(v)
	case iceberg.DateLiteral:
		return int64(v)
	case iceberg.TimestampLiteral:
		return int64(v)
	case iceberg.BoolLiteral:
		if v {
			return 1
		}
		return 0
	case iceberg.DecimalLiteral:
		return decimal128.Num(v.Val).BigInt().Int64()
	}
	panic(fmt.Sprintf("no integer for %T of %s", l, typ))
}

// checkStringBounds: the lower bound is DuckDB's min cut to width code
// points; the upper bound is DuckDB's max when that is short enough, and
// otherwise a string of at most width code points above it that shares
// all but its last code point with it, absent only when the max's first
// width code points are all U+10FFFF.
func checkStringBounds(t *testing.T, where, min, max string, lower, upper []byte, hasUpper bool, width int) {
	t.Helper()
	cut := func(s string) string {
		r := []rune(s)
		if width > 0 && len(r) > width {
			r = r[:width]
		}
		return string(r)
	}
	if string(lower) != cut(min) {
		t.Errorf("%s: lower bound %q, DuckDB min %q", where, lower, min)
	}
	if cut(max) == max {
		if !hasUpper || string(upper) != max {
			t.Errorf("%s: upper bound %q (%v), DuckDB max %q", where, upper, hasUpper, max)
		}
		return
	}
	if strings.Trim(cut(max), "\U0010FFFF") == "" {
		if hasUpper {
			t.Errorf("%s: upper bound %q above %q, which cannot be incremented", where, upper, max)
		}
		return
	}
	if !hasUpper {
		t.Errorf("%s: no upper bound for DuckDB max %q", where, max)
		return
	}
	u := string(upper)
	_, last := utf8.DecodeLastRuneInString(u)
	if u <= max || utf8.RuneCountInString(u) > width || !strings.HasPrefix(max, u[:len(u)-last]) {
		t.Errorf("%s: upper bound %q is not a truncated bound of DuckDB max %q", where, u, max)
	}
}

// checkBinaryBounds is checkStringBounds for bytes, 16 of them.
func checkBinaryBounds(t *testing.T, where string, min, max, lower, upper []byte, hasUpper bool) {
	t.Helper()
	const width = 16
	if !bytes.Equal(lower, min[:minInt(len(min), width)]) {
		t.Errorf("%s: lower bound %x, DuckDB min %x", where, lower, min)
	}
	if len(max) <= width {
		if !hasUpper || !bytes.Equal(upper, max) {
			t.Errorf("%s: upper bound %x (%v), DuckDB max %x", where, upper, hasUpper, max)
		}
		return
	}
	if len(bytes.Trim(max[:width], "\xff")) == 0 {
		if hasUpper {
			t.Errorf("%s: upper bound %x above %x, which cannot be incremented", where, upper, max)
		}
		return
	}
	if !hasUpper || bytes.Compare(upper, max) <= 0 || len(upper) > width || !bytes.HasPrefix(max, upper[:len(upper)-1]) {
		t.Errorf("%s: upper bound %x (%v) is not a truncated bound of DuckDB max %x", where, upper, hasUpper, max)
	}
}

func minInt(a, b int) int { return min(a, b) }

// metricsBatch makes n rows spread over the partitions, each partition
// with its share of NULLs.
func metricsBatch(mem memory.Allocator, rng *rand.Rand, n int) arrow.RecordBatch {
	b := array.NewRecordBuilder(mem, metricsSchema)
	defer b.Release()
	share := make([]float64, len(metricsSchema.Fields()))
	for i := range share {
		share[i] = rng.Float64()
	}
	for range n {
		p := int32(rng.IntN(numMetricsParts))
		b.Field(0).(*array.Int32Builder).Append(p)
		for c := 1; c < len(metricsSchema.Fields()); c++ {
			null := false
			switch p {
			case pHalf:
				null = rng.IntN(2) == 0
			case pAllNull:
				null = true
			case pRandom:
				null = rng.Float64() < share[c]
			}
			if null {
				b.Field(c).AppendNull()
				continue
			}
			appendMetricsValue(b.Field(c), p, rng)
		}
	}
	return b.NewRecordBatch()
}

var stringPieces = []string{"", "a", "z", "A", "é", "€", "😀", "\U0010FFFF", "\uFFFF", "\uD7FF", " ", "0"}

func randomString(rng *rand.Rand) string {
	var sb strings.Builder
	for range rng.IntN(30) {
		sb.WriteString(stringPieces[rng.IntN(len(stringPieces))])
	}
	return sb.String()
}

func appendMetricsValue(b array.Builder, p int32, rng *rand.Rand) {
	extremes := p == pExtremes
	floats := func() float64 {
		switch {
		case p == pNaN:
			return math.NaN()
		case extremes:
			return []float64{math.NaN(), math.Copysign(0, -1), 0}[rng.IntN(3)]
		}
		switch rng.IntN(8) {
		case 0:
			return math.NaN()
		case 1:
			return math.Copysign(0, -1)
		case 2:
			return 0
		}
		return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(12)))
	}
	switch b := b.(type) {
	case *array.Int32Builder:
		b.Append([]int32{math.MinInt32, math.MaxInt32, 0, int32(rng.Uint32())}[rng.IntN(4)])
	case *array.Int64Builder:
		b.Append([]int64{math.MinInt64, math.MaxInt64, 0, int64(rng.Uint64())}[rng.IntN(4)])
	case *array.Float32Builder:
		b.Append(float32(floats()))
	case *array.Float64Builder:
		b.Append(floats())
	case *array.StringBuilder:
		if p == pNaN {
			b.Append([]string{"z" + strings.Repeat("\U0010FFFF", 20), "y"}[rng.IntN(2)])
			return
		}
		if extremes {
			b.Append([]string{strings.Repeat("\U0010FFFF", 20), strings.Repeat("\U0010FFFF", 17) + "a", "a", ""}[rng.IntN(4)])
			return
		}
		b.Append(randomString(rng))
	case *array.BinaryBuilder:
		if p == pNaN {
			b.Append([][]byte{append([]byte{1}, bytes.Repeat([]byte{0xFF}, 20)...), {0}}[rng.IntN(2)])
			return
		}
		if extremes {
			b.Append([][]byte{bytes.Repeat([]byte{0xFF}, 20), {0xFF, 0x00}, {}}[rng.IntN(3)])
			return
		}
		v := make([]byte, rng.IntN(30))
		for i := range v {
			v[i] = []byte{0, 1, 0x7F, 0xFE, 0xFF, byte(rng.Uint32())}[rng.IntN(6)]
		}
		b.Append(v)
	case *array.Date32Builder:
		b.Append(arrow.Date32(rng.IntN(60000) - 20000))
	case *array.TimestampBuilder:
		b.Append(arrow.Timestamp(rng.Int64N(1e16) - 5e15))
	case *array.BooleanBuilder:
		b.Append(rng.IntN(2) == 0)
	case *array.Decimal128Builder:
		b.Append(decimal128.FromI64(rng.Int64N(2e15) - 1e15))
	default:
		panic(fmt.Sprintf("no values for %T", b))
	}
}
