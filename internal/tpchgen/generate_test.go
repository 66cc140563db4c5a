//go:build cgo

package tpchgen

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/parquet/compress"

	"lakeframe/errs"
)

// TestGenerateSF1 generates all eight tables at scale factor 1, the
// smallest go-tpc supports, and checks them with DuckDB against the TPC-H
// specification. dbgen can be initialized once per process, so every check
// that needs generated data shares this one run.
func TestGenerateSF1(t *testing.T) {
	if testing.Short() {
		t.Skip("generating sf=1 takes about half a minute")
	}
	t.Parallel()
	dir := t.TempDir()
	var (
		mu       sync.Mutex
		progress []Progress
	)
	err := Generate(context.Background(), dir, 1, WithProgress(func(p Progress) {
		mu.Lock()
		progress = append(progress, p)
		mu.Unlock()
	}))
	if err != nil {
		t.Fatal(err)
	}
	db := openDuckDB(t, dir, Tables()...)

	t.Run("files", func(t *testing.T) {
		want := map[string][]string{
			"lineitem": {"part-0.parquet", "part-1.parquet", "part-2.parquet", "part-3.parquet"},
		}
		for _, table := range Tables() {
			names := want[table]
			if names == nil {
				names = []string{"part-0.parquet"}
			}
			entries, err := os.ReadDir(filepath.Join(dir, table))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			if !slices.Equal(got, names) {
				t.Errorf("%s holds %v, want %v", table, got, names)
			}
		}
		if tmp := tempEntries(t, dir); len(tmp) > 0 {
			t.Errorf("left behind %v", tmp)
		}
		b, err := os.ReadFile(filepath.Join(dir, SuccessFile))
		if want := "sf=1\ntables=customer,lineitem,nation,orders,part,partsupp,region,supplier\n"; err != nil || string(b) != want {
			t.Errorf("marker = %q, %v; want %q", b, err, want)
		}
		var lineitemRows int64
		for _, p := range progress {
			if p.Table == "lineitem" {
				lineitemRows += p.Rows
			}
		}
		if len(progress) != 11 || lineitemRows != 6_001_215 {
			t.Errorf("progress reported %d files, %d lineitem rows; want 11 files, 6001215 rows", len(progress), lineitemRows)
		}
	})

	t.Run("parquet layout", func(t *testing.T) {
		for _, table := range Tables() {
			for _, f := range readFacts(t, dir, table) {
				for i, n := range f.rowGroups {
					last := i == len(f.rowGroups)-1
					if n > DefaultRowGroupSize || (!last && n != DefaultRowGroupSize) {
						t.Errorf("%s/%s: row group %d has %d rows", table, f.name, i, n)
					}
				}
				if !slices.Equal(f.codecs, []compress.Compression{compress.Codecs.Snappy}) {
					t.Errorf("%s/%s: codecs %v, want snappy only", table, f.name, f.codecs)
				}
				if len(f.noStats) > 0 {
					t.Errorf("%s/%s: no min/max statistics for %v", table, f.name, f.noStats)
				}
			}
		}
	})

	t.Run("row counts", func(t *testing.T) {
		// TPC-H specification 4.2.5 at SF 1; lineitem as the reference
		// dbgen generates it.
		want := map[string]int64{
			"region": 5, "nation": 25, "supplier": 10_000, "customer": 150_000,
			"part": 200_000, "partsupp": 800_000, "orders": 1_500_000, "lineitem": 6_001_215,
		}
		for table, n := range want {
			if got := queryInt(t, db, "SELECT count(*) FROM "+table); got != n {
				t.Errorf("%s has %d rows, want %d", table, got, n)
			}
		}
	})

	t.Run("column types", func(t *testing.T) {
		want := map[string]string{
			"region":   "r_regionkey BIGINT, r_name VARCHAR, r_comment VARCHAR",
			"nation":   "n_nationkey BIGINT, n_name VARCHAR, n_regionkey BIGINT, n_comment VARCHAR",
			"supplier": "s_suppkey BIGINT, s_name VARCHAR, s_address VARCHAR, s_nationkey BIGINT, s_phone VARCHAR, s_acctbal DOUBLE, s_comment VARCHAR",
			"customer": "c_custkey BIGINT, c_name VARCHAR, c_address VARCHAR, c_nationkey BIGINT, c_phone VARCHAR, c_acctbal DOUBLE, c_mktsegment VARCHAR, c_comment VARCHAR",
			"part":     "p_partkey BIGINT, p_name VARCHAR, p_mfgr VARCHAR, p_brand VARCHAR, p_type VARCHAR, p_size BIGINT, p_container VARCHAR, p_retailprice DOUBLE, p_comment VARCHAR",
			"partsupp": "ps_partkey BIGINT, ps_suppkey BIGINT, ps_availqty BIGINT, ps_supplycost DOUBLE, ps_comment VARCHAR",
			"orders":   "o_orderkey BIGINT, o_custkey BIGINT, o_orderstatus VARCHAR, o_totalprice DOUBLE, o_orderdate DATE, o_orderpriority VARCHAR, o_clerk VARCHAR, o_shippriority BIGINT, o_comment VARCHAR",
			"lineitem": "l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber BIGINT, l_quantity DOUBLE, l_extendedprice DOUBLE, l_discount DOUBLE, l_tax DOUBLE, " +
				"l_returnflag VARCHAR, l_linestatus VARCHAR, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE, l_shipinstruct VARCHAR, l_shipmode VARCHAR, l_comment VARCHAR",
		}
		for table, cols := range want {
			if got := duckTypes(t, db, table); got != cols {
				t.Errorf("%s:\n got %s\nwant %s", table, got, cols)
			}
		}
	})

	t.Run("invariants", func(t *testing.T) {
		// Each query counts rows that break a rule of the TPC-H
		// specification (sections 1.4 and 4.2.3).
		tests := []struct{ name, query string }{
			{"l_discount in [0, 0.10]", "SELECT count(*) FROM lineitem WHERE l_discount NOT BETWEEN 0 AND 0.10"},
			{"l_tax in [0, 0.08]", "SELECT count(*) FROM lineitem WHERE l_tax NOT BETWEEN 0 AND 0.08"},
			{"l_quantity in [1, 50]", "SELECT count(*) FROM lineitem WHERE l_quantity NOT BETWEEN 1 AND 50 OR l_quantity <> round(l_quantity)"},
			{"l_linenumber in [1, 7]", "SELECT count(*) FROM lineitem WHERE l_linenumber NOT BETWEEN 1 AND 7"},
			{"line numbers dense per order", "SELECT count(*) FROM (SELECT l_orderkey FROM lineitem GROUP BY 1 HAVING max(l_linenumber) <> count(*) OR count(DISTINCT l_linenumber) <> count(*))"},
			{"o_orderdate from 1992-01-01 to 1998-08-02", "SELECT count(*) FROM orders WHERE o_orderdate NOT BETWEEN DATE '1992-01-01' AND DATE '1998-08-02'"},
			{"o_orderdate spans the range", "SELECT count(*) FROM (SELECT min(o_orderdate) AS lo, max(o_orderdate) AS hi FROM orders) WHERE lo <> DATE '1992-01-01' OR hi <> DATE '1998-08-02'"},
			{"l_shipdate 1 to 121 days after o_orderdate", "SELECT count(*) FROM lineitem JOIN orders ON l_orderkey = o_orderkey WHERE l_shipdate NOT BETWEEN o_orderdate + 1 AND o_orderdate + 121"},
			{"l_commitdate 30 to 90 days after o_orderdate", "SELECT count(*) FROM lineitem JOIN orders ON l_orderkey = o_orderkey WHERE l_commitdate NOT BETWEEN o_orderdate + 30 AND o_orderdate + 90"},
			{"l_receiptdate 1 to 30 days after l_shipdate", "SELECT count(*) FROM lineitem WHERE l_receiptdate NOT BETWEEN l_shipdate + 1 AND l_shipdate + 30"},
			{"l_returnflag by receipt date", "SELECT count(*) FROM lineitem WHERE CASE WHEN l_receiptdate <= DATE '1995-06-17' THEN l_returnflag NOT IN ('R', 'A') ELSE l_returnflag <> 'N' END"},
			{"l_linestatus by ship date", "SELECT count(*) FROM lineitem WHERE l_linestatus <> CASE WHEN l_shipdate > DATE '1995-06-17' THEN 'O' ELSE 'F' END"},
			{"o_orderstatus from line statuses", "SELECT count(*) FROM orders JOIN (SELECT l_orderkey, bool_and(l_linestatus = 'F') AS f, bool_and(l_linestatus = 'O') AS o FROM lineitem GROUP BY 1) ON o_orderkey = l_orderkey " +
				"WHERE o_orderstatus <> CASE WHEN f THEN 'F' WHEN o THEN 'O' ELSE 'P' END"},
			{"l_extendedprice = l_quantity * p_retailprice", "SELECT count(*) FROM lineitem JOIN part ON l_partkey = p_partkey WHERE abs(l_extendedprice - l_quantity * p_retailprice) > 0.005"},
			{"p_retailprice formula", "SELECT count(*) FROM part WHERE abs(p_retailprice - (90000 + (p_partkey // 10) % 20001 + 100 * (p_partkey % 1000)) / 100) > 0.001"},
			// dbgen truncates each line's charge to cents twice, before and
			// after adding tax, losing up to 0.01 × 1.08 + 0.01 per line.
			{"o_totalprice = sum of line charges", "SELECT count(*) FROM orders JOIN (SELECT l_orderkey, sum(l_extendedprice * (1 + l_tax) * (1 - l_discount)) AS charge, count(*) AS n FROM lineitem GROUP BY 1) ON o_orderkey = l_orderkey " +
				"WHERE o_totalprice > charge + 0.001 OR o_totalprice < charge - 0.0208 * n"},
			{"every l_orderkey in orders", "SELECT count(*) FROM lineitem ANTI JOIN orders ON l_orderkey = o_orderkey"},
			{"every order has lines", "SELECT count(*) FROM orders ANTI JOIN lineitem ON o_orderkey = l_orderkey"},
			{"every l_partkey, l_suppkey in partsupp", "SELECT count(*) FROM lineitem ANTI JOIN partsupp ON l_partkey = ps_partkey AND l_suppkey = ps_suppkey"},
			{"every o_custkey in customer", "SELECT count(*) FROM orders ANTI JOIN customer ON o_custkey = c_custkey"},
			{"no orders for custkey divisible by 3", "SELECT count(*) FROM orders WHERE o_custkey % 3 = 0"},
			{"every ps_partkey in part", "SELECT count(*) FROM partsupp ANTI JOIN part ON ps_partkey = p_partkey"},
			{"every ps_suppkey in supplier", "SELECT count(*) FROM partsupp ANTI JOIN supplier ON ps_suppkey = s_suppkey"},
			{"four suppliers per part", "SELECT count(*) FROM (SELECT ps_partkey FROM partsupp GROUP BY 1 HAVING count(DISTINCT ps_suppkey) <> 4)"},
			{"every nation key valid", "SELECT (SELECT count(*) FROM customer ANTI JOIN nation ON c_nationkey = n_nationkey) + (SELECT count(*) FROM supplier ANTI JOIN nation ON s_nationkey = n_nationkey) + (SELECT count(*) FROM nation ANTI JOIN region ON n_regionkey = r_regionkey)"},
			{"phone country code = nation key + 10", "SELECT (SELECT count(*) FROM customer WHERE CAST(c_phone[1:2] AS BIGINT) <> c_nationkey + 10) + (SELECT count(*) FROM supplier WHERE CAST(s_phone[1:2] AS BIGINT) <> s_nationkey + 10)"},
			{"keys dense from 1", "SELECT (SELECT count(*) FROM (SELECT min(p_partkey) AS lo, max(p_partkey) AS hi, count(DISTINCT p_partkey) AS n FROM part) WHERE lo <> 1 OR hi <> 200000 OR n <> 200000) + " +
				"(SELECT count(*) FROM (SELECT min(c_custkey) AS lo, max(c_custkey) AS hi, count(DISTINCT c_custkey) AS n FROM customer) WHERE lo <> 1 OR hi <> 150000 OR n <> 150000) + " +
				"(SELECT count(*) FROM (SELECT min(s_suppkey) AS lo, max(s_suppkey) AS hi, count(DISTINCT s_suppkey) AS n FROM supplier) WHERE lo <> 1 OR hi <> 10000 OR n <> 10000)"},
			{"o_orderkey unique", "SELECT count(*) - count(DISTINCT o_orderkey) FROM orders"},
			{"c_acctbal in [-999.99, 9999.99]", "SELECT count(*) FROM customer WHERE c_acctbal NOT BETWEEN -999.99 AND 9999.99"},
			{"ps_availqty in [1, 9999]", "SELECT count(*) FROM partsupp WHERE ps_availqty NOT BETWEEN 1 AND 9999"},
			{"ps_supplycost in [1, 1000]", "SELECT count(*) FROM partsupp WHERE ps_supplycost NOT BETWEEN 1 AND 1000"},
			{"p_size in [1, 50]", "SELECT count(*) FROM part WHERE p_size NOT BETWEEN 1 AND 50"},
			{"l_shipmode domain", "SELECT count(*) FROM lineitem WHERE l_shipmode NOT IN ('REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB')"},
			{"o_orderpriority domain", "SELECT count(*) FROM orders WHERE o_orderpriority NOT IN ('1-URGENT', '2-HIGH', '3-MEDIUM', '4-NOT SPECIFIED', '5-LOW')"},
			{"c_mktsegment domain", "SELECT count(*) FROM customer WHERE c_mktsegment NOT IN ('AUTOMOBILE', 'BUILDING', 'FURNITURE', 'MACHINERY', 'HOUSEHOLD')"},
		}
		for _, tt := range tests {
			if n := queryInt(t, db, tt.query); n != 0 {
				t.Errorf("%s: %d violations", tt.name, n)
			}
		}
	})

	t.Run("reference rows", func(t *testing.T) {
		// The first rows of the reference dbgen's output at SF 1.
		tests := []struct{ query, want string }{
			{"SELECT * FROM lineitem WHERE l_orderkey = 1 AND l_linenumber = 1",
				"1|155190|7706|1|17.0|21168.23|0.04|0.02|N|O|1996-03-13|1996-02-12|1996-03-22|DELIVER IN PERSON|TRUCK|egular courts above the"},
			{"SELECT * FROM orders WHERE o_orderkey = 1",
				"1|36901|O|173665.47|1996-01-02|5-LOW|Clerk#000000951|0|nstructions sleep furiously among "},
			{"SELECT * FROM nation WHERE n_nationkey = 24",
				"24|UNITED STATES|1|y final packages. slow foxes cajole quickly. quickly silent platelets breach ironic accounts. unusual pinto be"},
		}
		for _, tt := range tests {
			q := "SELECT concat_ws('|', *COLUMNS(*)) FROM (" + tt.query + ")"
			if got := queryString(t, db, q); got != tt.want {
				t.Errorf("%s:\n got %s\nwant %s", tt.query, got, tt.want)
			}
		}
	})

	t.Run("query answers", func(t *testing.T) {
		// TPC-H Q1 (delta 90) and Q6 validation answers at SF 1.
		q1 := `SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
			sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)), count(*)
			FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY 1, 2 ORDER BY 1, 2`
		type q1Row struct {
			flag, status     string
			qty, base, total float64
			count            int64
		}
		want := []q1Row{
			{"A", "F", 37734107, 56586554400.73, 55909065222.83, 1478493},
			{"N", "F", 991417, 1487504710.38, 1469649223.19, 38854},
			{"N", "O", 74476040, 111701729697.74, 110367043872.50, 2920374},
			{"R", "F", 37719753, 56568041380.90, 55889619119.83, 1478870},
		}
		rows, err := db.Query(q1)
		if err != nil {
			t.Fatal(err)
		}
		var got []q1Row
		for rows.Next() {
			var r q1Row
			if err := rows.Scan(&r.flag, &r.status, &r.qty, &r.base, &r.total, &r.count); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		rows.Close()
		if len(got) != len(want) {
			t.Fatalf("Q1 returned %d rows, want %d", len(got), len(want))
		}
		for i, w := range want {
			g := got[i]
			if g.flag != w.flag || g.status != w.status || g.qty != w.qty || g.count != w.count ||
				math.Abs(g.base-w.base) > 0.01 || math.Abs(g.total-w.total) > 0.5 {
				t.Errorf("Q1 row %d = %+v, want %+v", i, g, w)
			}
		}
		var revenue float64
		q6 := `SELECT sum(l_extendedprice * l_discount) FROM lineitem
			WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01'
			AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24`
		if err := db.QueryRow(q6).Scan(&revenue); err != nil {
			t.Fatal(err)
		}
		if math.Abs(revenue-123141078.23) > 0.01 {
			t.Errorf("Q6 revenue = %.4f, want 123141078.23", revenue)
		}
	})

	t.Run("reuse", func(t *testing.T) {
		before := modTimes(t, dir)
		start := time.Now()
		if err := Generate(context.Background(), dir, 1); err != nil {
			t.Fatalf("generating over a complete directory: %v", err)
		}
		if err := Generate(context.Background(), dir, 1, WithTables("lineitem")); err != nil {
			t.Fatalf("generating a complete table: %v", err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("reusing complete data took %v", d)
		}
		// dbgen cannot run a table twice or at another scale in one
		// process; the data must survive the refusal.
		for _, tt := range []struct {
			name string
			dir  string
			sf   int
			opts []Option
		}{
			{"overwrite", dir, 1, []Option{WithOverwrite(), WithTables("region")}},
			{"other scale", filepath.Join(t.TempDir(), "sf2"), 2, []Option{WithTables("region")}},
		} {
			if err := Generate(context.Background(), tt.dir, tt.sf, tt.opts...); !errors.Is(err, errs.ErrNotImplemented) {
				t.Errorf("%s: error = %v, want ErrNotImplemented", tt.name, err)
			}
		}
		if after := modTimes(t, dir); !maps.Equal(before, after) {
			t.Errorf("files changed:\nbefore %v\nafter  %v", before, after)
		}
	})
}

// modTimes maps every file under dir to its modification time.
func modTimes(t *testing.T, dir string) map[string]time.Time {
	t.Helper()
	m := make(map[string]time.Time)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		m[path] = info.ModTime()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}
