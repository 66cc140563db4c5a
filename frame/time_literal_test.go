//go:build cgo

package frame_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/frame"
)

// TestTimeLiteralMeetsDateAsItsCalendarDate: a time.Time at midnight
// compared with a date column means its calendar date in its own location
// (Berlin midnight of the 7th is the 6th in UTC), as DuckDB's DATE literal
// of that day; with a time of day, or against a timestamp, it is an
// instant.
func TestTimeLiteralMeetsDateAsItsCalendarDate(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no time zone database: %v", err)
	}
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	dir := t.TempDir()
	writeDiffData(t, dir, 2, 3000, 31)
	glob := filepath.Join(dir, "*.parquet")
	src := "read_parquet('" + glob + "')"
	df := frame.ReadParquet(glob)
	db := openDuck(t)
	day := func(loc *time.Location, y int, m time.Month, d, h int) time.Time {
		return time.Date(y, m, d, h, 0, 0, 0, loc)
	}
	cases := []struct {
		name string
		pred expr.Expr
		sql  string
	}{
		{"berlin midnight equals", expr.Col("d").Eq(day(berlin, 1996, 2, 7, 0)), "d = DATE '1996-02-07'"},
		{"tokyo midnight ge", expr.Col("d").Ge(day(tokyo, 1997, 6, 1, 0)), "d >= DATE '1997-06-01'"},
		// A time of day compares as an instant: 05:00 in Tokyo is 20:00 UTC
		// the day before, and a date is its UTC midnight.
		{"tokyo morning gt", expr.Col("d").Gt(day(tokyo, 1997, 6, 1, 5)), "d::TIMESTAMPTZ > TIMESTAMPTZ '1997-05-31 20:00:00+00'"},
		{"utc lt", expr.Col("d").Lt(day(time.UTC, 1995, 1, 1, 0)), "d < DATE '1995-01-01'"},
		{"between zones", expr.Col("d").Between(day(tokyo, 1996, 1, 1, 0), day(berlin, 1996, 3, 31, 0)), "d BETWEEN DATE '1996-01-01' AND DATE '1996-03-31'"},
		{"in list", expr.Col("d").IsIn(day(berlin, 1996, 2, 7, 0), day(tokyo, 1997, 6, 1, 0)), "d IN (DATE '1996-02-07', DATE '1997-06-01')"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tbl, err := df.Where(c.pred).Select("id").Collect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			got := tableRows(t, tbl)
			tbl.Release()
			want := duckRows(t, db, "SELECT id FROM "+src+" WHERE "+c.sql)
			slices.Sort(got)
			slices.Sort(want)
			if len(want) == 0 {
				t.Fatal("the case selects no row; it tests nothing")
			}
			if d := diffRows(got, want); d != "" {
				t.Fatal(d)
			}
		})
	}
	// Against a timestamp the literal is an instant: Berlin midnight of the
	// 7th is 23:00 UTC on the 6th.
	ts := df.WithColumn("ts", expr.Col("d").Cast(&arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"})).Where(expr.Col("ts").Lt(day(berlin, 1996, 2, 7, 0))).Count()
	tbl, err := ts.Collect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := tableRows(t, tbl)
	tbl.Release()
	want := duckRows(t, db, "SELECT count(*) FROM "+src+" WHERE d::TIMESTAMPTZ < TIMESTAMPTZ '1996-02-06 23:00:00+00'")
	if d := diffRows(got, want); d != "" {
		t.Fatal(d)
	}
}
