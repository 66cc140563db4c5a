//go:build cgo

package kernel

// Differential tests: Like, Substr, Length, Year/Month/Day and DateAdd on a
// few hundred generated rows, compared with what DuckDB computes for the
// same rows.

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	_ "github.com/duckdb/duckdb-go/v2"
)

// duckRows are the generated rows, loaded into DuckDB table t and kept as
// Arrow arrays.
type duckRows struct {
	db   *sql.DB
	n    int
	strs arrow.Array // String
	days arrow.Array // Date32
	ts   arrow.Array // Timestamp(us)
}

func loadDuckRows(t *testing.T, mem memory.Allocator, n int) *duckRows {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE t (id INTEGER, s VARCHAR, d DATE, ts TIMESTAMP)`); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(11, 12))
	alphabet := []rune("abcAB%_ \\éö🦆")
	sb := array.NewStringBuilder(mem)
	db32 := array.NewDate32Builder(mem)
	tsb := array.NewTimestampBuilder(mem, tTsUs)
	defer sb.Release()
	defer db32.Release()
	defer tsb.Release()

	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(`INSERT INTO t VALUES (?, ?, DATE '1970-01-01' + CAST(? AS INTEGER), make_timestamp(CAST(? AS BIGINT)))`)
	if err != nil {
		t.Fatal(err)
	}
	const dayMin, dayMax = -135000, 157000 // about 1600 to 2400
	for i := range n {
		var s, d, ts any
		if rng.IntN(10) > 0 {
			r := make([]rune, rng.IntN(10))
			for k := range r {
				r[k] = alphabet[rng.IntN(len(alphabet))]
			}
			s = string(r)
			sb.Append(string(r))
		} else {
			sb.AppendNull()
		}
		if rng.IntN(10) > 0 {
			v := int32(dayMin + rng.IntN(dayMax-dayMin))
			// Month ends and leap days are where date arithmetic goes wrong.
			if rng.IntN(3) == 0 {
				v = int32(daysFromCivil(int64(1600+rng.IntN(800)), 1+rng.IntN(12), 28+rng.IntN(4)))
				if _, _, dd := civilFromDays(int64(v)); dd < 28 {
					v-- // the 29th-31st rolled into the next month
				}
			}
			d = v
			db32.Append(arrow.Date32(v))
		} else {
			db32.AppendNull()
		}
		if rng.IntN(10) > 0 {
			v := int64(dayMin+rng.IntN(dayMax-dayMin))*86400e6 + rng.Int64N(86400e6)
			ts = v
			tsb.Append(arrow.Timestamp(v))
		} else {
			tsb.AppendNull()
		}
		if _, err := stmt.Exec(i, s, d, ts); err != nil {
			t.Fatal(err)
		}
	}
	stmt.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	r := &duckRows{db: db, n: n, strs: sb.NewArray(), days: db32.NewArray(), ts: tsb.NewArray()}
	t.Cleanup(func() { r.strs.Release(); r.days.Release(); r.ts.Release() })
	return r
}

// query runs a one-column query over t in id order; NULL scans as nil.
func (r *duckRows) query(t *testing.T, expr string, args ...any) []any {
	t.Helper()
	rows, err := r.db.Query(fmt.Sprintf(`SELECT %s FROM t ORDER BY id`, expr), args...)
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != r.n {
		t.Fatalf("%s: %d rows", expr, len(out))
	}
	return out
}

// compare checks an Arrow result row by row against DuckDB's values.
func compare(t *testing.T, what string, got arrow.Array, want []any) {
	t.Helper()
	defer got.Release()
	for i, w := range want {
		var g any
		if got.IsValid(i) {
			switch a := got.(type) {
			case *array.Boolean:
				g = a.Value(i)
			case *array.Int64:
				g = a.Value(i)
			case *array.String:
				g = a.Value(i)
			case *array.Date32:
				g = int64(a.Value(i))
			case *array.Timestamp:
				g = int64(a.Value(i))
			default:
				t.Fatalf("compare: %s", got.DataType())
			}
		}
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Fatalf("%s row %d: got %v, DuckDB %v", what, i, g, w)
		}
	}
}

func TestDuckDBDifferential(t *testing.T) {
	mem := checkedMem(t)
	r := loadDuckRows(t, mem, 400)

	t.Run("like", func(t *testing.T) {
		patterns := []string{"", "%", "a%", "%a", "%a%", "a", "_", "__", "%_%", "a_%", "%_b", "%é%", "🦆%", "%🦆_",
			"a%b%c", "%a%b%", "_%a%_", "%ab%ba%", "%%", `%\%%`, `\_%`, "A%", "%ö"}
		rng := rand.New(rand.NewPCG(3, 4))
		alphabet := []rune("abAé%_🦆")
		for range 60 {
			p := make([]rune, rng.IntN(6))
			for k := range p {
				p[k] = alphabet[rng.IntN(len(alphabet))]
			}
			patterns = append(patterns, string(p))
		}
		for _, p := range patterns {
			got, err := Like(mem, r.strs, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "LIKE "+p, got, r.query(t, `s LIKE ?`, p))
			got, err = ILike(mem, r.strs, p, 0)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "ILIKE "+p, got, r.query(t, `s ILIKE ?`, p))
			got, err = Like(mem, r.strs, p, '\\')
			if err != nil {
				// A trailing escape: rejected as in PostgreSQL, where
				// DuckDB matches nothing.
				continue
			}
			compare(t, "LIKE ESCAPE "+p, got, r.query(t, `s LIKE ? ESCAPE '\'`, p))
		}
	})

	t.Run("substr", func(t *testing.T) {
		for start := int64(-12); start <= 12; start++ {
			for length := int64(-6); length <= 8; length += 2 {
				got, err := Substr(mem, r.strs, start, length)
				if err != nil {
					t.Fatal(err)
				}
				compare(t, fmt.Sprintf("substring(s, %d, %d)", start, length), got, r.query(t, `substring(s, ?, ?)`, start, length))
			}
			got, err := SubstrFrom(mem, r.strs, start)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, fmt.Sprintf("substring(s, %d)", start), got, r.query(t, `substring(s, ?)`, start))
		}
	})

	t.Run("length", func(t *testing.T) {
		got, err := Length(mem, r.strs)
		if err != nil {
			t.Fatal(err)
		}
		compare(t, "length", got, r.query(t, `length(s)`))
	})

	t.Run("date parts", func(t *testing.T) {
		for _, c := range []struct {
			name   string
			kernel partKernel
		}{{"year", Year}, {"month", Month}, {"day", Day}} {
			got, err := c.kernel(mem, r.days)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, c.name+"(d)", got, r.query(t, c.name+`(d)`))
			got, err = c.kernel(mem, r.ts)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, c.name+"(ts)", got, r.query(t, c.name+`(ts)`))
		}
	})

	t.Run("date add", func(t *testing.T) {
		for _, iv := range []arrow.MonthDayNanoInterval{
			{Months: 1}, {Months: -1}, {Months: 13}, {Months: -25}, {Months: 1, Days: 1}, {Days: -90}, {Days: 400},
			{Months: 2, Days: -3}, {Months: 12 * 7}, {Months: 6, Days: 31},
			{Months: 1, Nanoseconds: 3600e9}, {Nanoseconds: -86399999999000}, {Months: -3, Days: 2, Nanoseconds: 1000},
		} {
			lit := fmt.Sprintf(`INTERVAL '%d months %d days %d microseconds'`, iv.Months, iv.Days, iv.Nanoseconds/1000)
			if iv.Nanoseconds == 0 {
				got, err := DateAdd(mem, r.days, iv)
				if err != nil {
					t.Fatal(err)
				}
				// DuckDB's DATE + INTERVAL is a TIMESTAMP: back to a day number.
				compare(t, "d + "+lit, got, r.query(t, `CAST(d + `+lit+` AS DATE) - DATE '1970-01-01'`))
			}
			got, err := DateAdd(mem, r.ts, iv)
			if err != nil {
				t.Fatal(err)
			}
			compare(t, "ts + "+lit, got, r.query(t, `epoch_us(ts + `+lit+`)`))
		}
	})
}
