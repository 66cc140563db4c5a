//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/iceberg-go/table"
	duckdb "github.com/duckdb/duckdb-go/v2"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// icebergTable is one table of ../shared/testdata/iceberg_cases.json.
type icebergTable struct {
	Name          string        `json:"name"`
	Metadata      string        `json:"metadata"`
	RelativeTo    string        `json:"relative_to"`
	LocationRemap *pathRemap    `json:"location_remap"`
	ExtraRemaps   []pathRemap   `json:"extra_remaps"`
	AcceptableErr any           `json:"acceptable_error"`
	Cases         []icebergCase `json:"cases"`
}

type pathRemap struct {
	From string `json:"from"`
	To   string `json:"to"`
}

type icebergCase struct {
	ID         string       `json:"id"`
	SQL        string       `json:"sql"`
	Metadata   string       `json:"metadata"`
	SnapshotID *int64       `json:"snapshot_id"`
	AsOfMs     *int64       `json:"as_of_timestamp_ms"`
	Columns    []caseColumn `json:"columns"`
	Expected   caseExpected `json:"expected"`
	RowCount   *int64       `json:"row_count"`
}

type caseColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

type caseExpected struct {
	Count         *int64            `json:"count"`
	RowsCSV       string            `json:"rows_csv"`
	Error         bool              `json:"error"`
	ColumnTypes   map[string]string `json:"column_types"`
	AbsentColumns []string          `json:"absent_columns"`
}

// icebergTestdata finds ../shared/testdata above the working directory.
func icebergTestdata(t testing.TB) string {
	if dir := os.Getenv("LAKEFRAME_TESTDATA"); dir != "" {
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "..", "shared", "testdata")
		if _, err := os.Stat(filepath.Join(cand, "iceberg_cases.json")); err == nil {
			return cand
		}
		if filepath.Dir(dir) == dir {
			t.Skip("iceberg test data not found: ../shared/testdata/iceberg_cases.json (set LAKEFRAME_TESTDATA)")
		}
	}
}

func loadIcebergCases(t *testing.T) (string, []icebergTable) {
	root := icebergTestdata(t)
	b, err := os.ReadFile(filepath.Join(root, "iceberg_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tabs []icebergTable
	if err := json.Unmarshal(b, &tabs); err != nil {
		t.Fatal(err)
	}
	return root, tabs
}

func openCaseTable(t *testing.T, root string, tab *icebergTable, metadata string) (*table.Table, error) {
	var opts []iceberg.Option
	if tab.LocationRemap != nil {
		opts = append(opts, iceberg.WithLocationRemap(tab.LocationRemap.From, filepath.Join(root, tab.LocationRemap.To)))
	}
	for _, r := range tab.ExtraRemaps {
		opts = append(opts, iceberg.WithLocationRemap(r.From, filepath.Join(root, r.To)))
	}
	if tab.RelativeTo != "" {
		opts = append(opts, iceberg.WithBaseDir(filepath.Join(root, tab.RelativeTo)))
	}
	return iceberg.OpenMetadata(context.Background(), filepath.Join(root, metadata), opts...)
}

func caseOptions(c *icebergCase) []frame.IcebergOption {
	var opts []frame.IcebergOption
	if c.SnapshotID != nil {
		opts = append(opts, frame.AtSnapshot(*c.SnapshotID))
	}
	if c.AsOfMs != nil {
		opts = append(opts, frame.AsOf(time.UnixMilli(*c.AsOfMs)))
	}
	return opts
}

// apiCases express some cases through the DataFrame API, so that the
// filter goes through pushdown into the Iceberg scan; the answer must be
// the case's count.
var apiCases = map[string]func(df *frame.DataFrame) *frame.DataFrame{
	"duckdb-iceberg-old/generated_spec1_0_001/count_bool_is_null": where(expr.Col("l_orderkey_bool").IsNull()),
	"duckdb-iceberg-old/generated_spec1_0_001/count_int_is_null":  where(expr.Col("l_partkey_int").IsNull()),
	"duckdb-iceberg-old/generated_spec1_0_001/count_tz_ge": where(expr.Col("l_commitdate_timestamp_tz").Ge(
		time.Date(1996, 1, 1, 0, 0, 0, 0, time.UTC))),
	"duckdb-iceberg-old/generated_spec1_0_001/count_added_col_not_null": where(expr.Col("schema_evol_added_col_1").IsNotNull()),
	"duckdb-iceberg-old/generated_spec1_0_001/date_filter_count":        where(expr.Col("l_shipdate_date").Ge(time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC))),
	"duckdb-iceberg-old/generated_spec2_0_001/count_bool_is_null":       where(expr.Col("l_orderkey_bool").IsNull()),
	"duckdb-iceberg-old/generated_spec2_0_001/count_int_is_null":        where(expr.Col("l_partkey_int").IsNull()),
	"duckdb-iceberg-old/generated_spec2_0_001/count_tz_ge": where(expr.Col("l_commitdate_timestamp_tz").Ge(
		time.Date(1996, 1, 1, 0, 0, 0, 0, time.UTC))),
	"duckdb-iceberg-old/generated_spec2_0_001/count_added_col_not_null":     where(expr.Col("schema_evol_added_col_1").IsNotNull()),
	"duckdb-iceberg-old/generated_spec2_0_001/date_filter_count":            where(expr.Col("l_shipdate_date").Ge(time.Date(1995, 1, 1, 0, 0, 0, 0, time.UTC))),
	"duckdb-iceberg-old/lineitem_iceberg/count_extprice_lt_10000_current":   where(expr.Col("l_extendedprice").Lt(10000)),
	"duckdb-iceberg-old/lineitem_iceberg/count_extprice_lt_10000_snapshot1": where(expr.Col("l_extendedprice").Lt(10000)),
	"duckdb-iceberg/equality_deletes_mytable/count_bir_ge":                  where(expr.Col("bir").Ge(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))),
	"impala/iceberg_partitioned/count_id_gt_10":                             where(expr.Col("id").Gt(10)),
	"impala/iceberg_partitioned/count_action_ne_click":                      where(expr.Col("action").Ne("click")),
	"impala/iceberg_partitioned/count_action_like_c":                        where(expr.Col("action").Str().StartsWith("c")),
	"impala/iceberg_non_partitioned/count_id_gt_10":                         where(expr.Col("id").Gt(10)),
	"impala/iceberg_non_partitioned/count_action_click":                     where(expr.Col("action").Eq("click")),
	"impala/iceberg_non_partitioned/count_event_time_gt":                    where(expr.Col("event_time").Gt(time.Date(2020, 1, 1, 9, 0, 0, 0, time.UTC))),
	"impala/iceberg_v2_delete_positional/count_id_eq_2":                     where(expr.Col("id").Eq(2)),
	"impala/iceberg_lineitem_multiblock/count_linenumber_mod5":              where(expr.Col("l_linenumber").Mod(5).Eq(0)),
	"duckdb-iceberg/partition_integer/count":                                where(expr.Lit(true)),
	"duckdb-iceberg/partition_timestamptz/count":                            where(expr.Lit(true)),
	"duckdb-iceberg/hive_partitioned_table/count":                           where(expr.Lit(true)),
	"impala/iceberg_v2_delete_equality/count":                               where(expr.Lit(true)),
	"impala/iceberg_v2_delete_positional/count":                             where(expr.Lit(true)),
	"impala/iceberg_v2_delete_positional/count_snapshot1":                   where(expr.Lit(true)),
	"impala/iceberg_lineitem_multiblock/count":                              where(expr.Lit(true)),
	"duckdb-iceberg-old/lineitem_iceberg/count_asof_ts_2":                   where(expr.Lit(true)),
}

func where(pred expr.Expr) func(*frame.DataFrame) *frame.DataFrame {
	return func(df *frame.DataFrame) *frame.DataFrame { return df.Where(pred).Count() }
}

// TestIcebergCases runs every case of iceberg_cases.json. lakeframe reads
// the case's snapshot (all columns, no filter); the case's SQL then runs
// in DuckDB over exactly those rows, written to a Parquet file. Cases in
// apiCases are also run through the DataFrame API with the filter pushed
// into the scan.
func TestIcebergCases(t *testing.T) {
	root, tabs := loadIcebergCases(t)
	db := openDuck(t)
	if _, err := db.Exec("SET TimeZone='UTC'"); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	files := map[string]string{} // read key -> parquet file of lakeframe's output
	seen := map[string]bool{}
	for ti := range tabs {
		tab := &tabs[ti]
		for ci := range tab.Cases {
			c := &tab.Cases[ci]
			id := tab.Name + "/" + c.ID
			seen[id] = true
			t.Run(id, func(t *testing.T) {
				metadata := tab.Metadata
				if c.Metadata != "" {
					metadata = c.Metadata
				}
				tbl, err := openCaseTable(t, root, tab, metadata)
				if err != nil {
					t.Fatalf("open: %v", err)
				}
				df := frame.ReadIceberg(tbl, caseOptions(c)...)
				switch {
				case c.Expected.Error:
					if _, err := df.Collect(ctx); err == nil {
						t.Fatal("read succeeded, want an error")
					} else {
						t.Logf("error as expected: %v", err)
					}
					return
				case c.Expected.ColumnTypes != nil || c.Expected.AbsentColumns != nil:
					checkCaseSchema(t, df, &c.Expected)
					return
				}
				key := fmt.Sprintf("%s|%s|%v|%v", tab.Name, metadata, ptr(c.SnapshotID), ptr(c.AsOfMs))
				path, ok := files[key]
				if !ok {
					path = filepath.Join(dir, fmt.Sprintf("t%d.parquet", len(files)))
					writeFrame(t, df, path)
					files[key] = path
				}
				got := duckCase(t, db, path, c)
				checkCaseAnswer(t, root, c, got)
				if build, ok := apiCases[id]; ok {
					out, err := build(frame.ReadIceberg(tbl, caseOptions(c)...)).Collect(ctx)
					if err != nil {
						t.Fatalf("dataframe api: %v", err)
					}
					defer out.Release()
					n := out.Column(0).Data().Chunk(0)
					v, err := strconv.ParseInt(n.ValueStr(0), 10, 64)
					if err != nil {
						t.Fatalf("dataframe api count %q: %v", n.ValueStr(0), err)
					}
					if v != *c.Expected.Count {
						t.Errorf("dataframe api count = %d, want %d", v, *c.Expected.Count)
					}
				}
			})
		}
	}
	for id := range apiCases {
		if !seen[id] {
			t.Errorf("api case %s names no case of iceberg_cases.json", id)
		}
	}
}

func ptr(p *int64) string {
	if p == nil {
		return "-"
	}
	return strconv.FormatInt(*p, 10)
}

// writeFrame collects a frame and writes it to a Parquet file.
func writeFrame(t *testing.T, df *frame.DataFrame, path string) {
	tbl, err := df.Collect(context.Background())
	if err != nil {
		t.Fatalf("collect: %v", err)
	}
	defer tbl.Release()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	props := parquet.NewWriterProperties()
	if err := pqarrow.WriteTable(tbl, f, 64*1024, props, pqarrow.DefaultWriterProps()); err != nil {
		t.Fatalf("write parquet: %v", err)
	}
}

func checkCaseSchema(t *testing.T, df *frame.DataFrame, want *caseExpected) {
	sch, err := df.Schema()
	if err != nil {
		t.Fatal(err)
	}
	for col, typ := range want.ColumnTypes {
		idx := sch.FieldIndices(col)
		if len(idx) == 0 {
			t.Errorf("column %s missing", col)
			continue
		}
		if got := icebergTypeOf(sch.Field(idx[0]).Type); got != typ {
			t.Errorf("column %s is %s (%s), want %s", col, got, sch.Field(idx[0]).Type, typ)
		}
	}
	for _, col := range want.AbsentColumns {
		if len(sch.FieldIndices(col)) > 0 {
			t.Errorf("column %s present, want absent", col)
		}
	}
}

func icebergTypeOf(dt arrow.DataType) string {
	switch dt.ID() {
	case arrow.INT32:
		return "int"
	case arrow.INT64:
		return "long"
	case arrow.STRING:
		return "string"
	case arrow.BOOL:
		return "boolean"
	case arrow.FLOAT32:
		return "float"
	case arrow.FLOAT64:
		return "double"
	case arrow.DATE32:
		return "date"
	}
	return dt.String()
}

// duckCase runs the case's SQL over the Parquet file as t and renders the
// rows as the expected CSV files write them.
func duckCase(t *testing.T, db *sql.DB, path string, c *icebergCase) [][]string {
	q := fmt.Sprintf("WITH t AS (SELECT * FROM read_parquet('%s')) %s", path, c.SQL)
	rows, err := db.Query(q)
	if err != nil {
		t.Fatalf("duckdb %s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			typ := ""
			if i < len(c.Columns) {
				typ = c.Columns[i].Type
			}
			row[i] = renderDuck(v, typ)
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func checkCaseAnswer(t *testing.T, root string, c *icebergCase, got [][]string) {
	if c.Expected.Count != nil {
		want := strconv.FormatInt(*c.Expected.Count, 10)
		if len(got) != 1 || len(got[0]) != 1 || got[0][0] != want {
			t.Errorf("count = %v, want %s", got, want)
		}
		return
	}
	f, err := os.Open(filepath.Join(root, c.Expected.RowsCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := recs[1:]
	for _, row := range want {
		for i := range row {
			if i < len(c.Columns) {
				row[i] = canonical(row[i], c.Columns[i].Type)
			}
		}
	}
	sortRows(got)
	sortRows(want)
	if len(got) != len(want) {
		t.Errorf("%d rows, want %d", len(got), len(want))
	}
	bad := 0
	for i := 0; i < min(len(got), len(want)); i++ {
		if !slices.Equal(got[i], want[i]) {
			if bad < 3 {
				t.Errorf("row %d:\n got  %q\n want %q", i, got[i], want[i])
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%d rows differ", bad)
	}
}

func sortRows(rows [][]string) {
	slices.SortFunc(rows, func(a, b []string) int { return slices.Compare(a, b) })
}

// canonical rewrites an expected CSV value so that it compares equal to
// renderDuck's form: floats are parsed at their precision and printed
// again.
func canonical(s, typ string) string {
	if s == `\N` {
		return s
	}
	switch typ {
	case "float":
		if f, err := strconv.ParseFloat(s, 32); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 32)
		}
	case "double":
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	return s
}

// renderDuck prints a DuckDB value in the expected files' format for an
// Iceberg type.
func renderDuck(v any, typ string) string {
	if v == nil {
		return `\N`
	}
	switch x := v.(type) {
	case bool:
		return strconv.FormatBool(x)
	case int8, int16, int32, int64, uint8, uint16, uint32, uint64:
		return fmt.Sprint(x)
	case *big.Int:
		return x.String()
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32)
	case float64:
		if typ == "float" {
			return strconv.FormatFloat(x, 'g', -1, 32)
		}
		return strconv.FormatFloat(x, 'g', -1, 64)
	case duckdb.Decimal:
		return formatDecimal(x.Value, int(x.Scale), typ)
	case string:
		return x
	case []byte:
		if typ == "string" {
			return string(x)
		}
		return hex.EncodeToString(x)
	case time.Time:
		x = x.UTC()
		switch typ {
		case "date":
			return x.Format("2006-01-02")
		case "timestamptz":
			return formatTS(x) + "+00:00"
		}
		return formatTS(x)
	}
	return fmt.Sprint(v)
}

func formatTS(x time.Time) string {
	s := x.Format("2006-01-02 15:04:05")
	if us := x.Nanosecond() / 1000; us != 0 {
		s += fmt.Sprintf(".%06d", us)
	}
	return s
}

// formatDecimal prints an unscaled value with the scale the type names
// (or its own).
func formatDecimal(v *big.Int, scale int, typ string) string {
	want := scale
	if strings.HasPrefix(typ, "decimal(") {
		if _, s, ok := strings.Cut(strings.TrimSuffix(typ, ")"), ","); ok {
			want, _ = strconv.Atoi(s)
		}
	}
	n := new(big.Int).Set(v)
	for ; scale < want; scale++ {
		n.Mul(n, big.NewInt(10))
	}
	neg := n.Sign() < 0
	digits := new(big.Int).Abs(n).String()
	if scale > 0 {
		for len(digits) <= scale {
			digits = "0" + digits
		}
		digits = digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
	}
	if neg {
		return "-" + digits
	}
	return digits
}
