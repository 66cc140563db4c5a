//go:build cgo

package frame_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
)

type diffRow struct {
	ID   int64 // matched to "id" but for case
	K    *int32
	N    *int64     `lakeframe:"n"`
	X    *float64   `lakeframe:"x"`
	S    *string    `lakeframe:"s"`
	Day  *time.Time `lakeframe:"d"`
	Flag *bool      `lakeframe:"flag"`
	Skip string     `lakeframe:"-"`
}

// TestCollectAsAgreesWithDuckDBScan compares CollectAs with the rows DuckDB
// scans into the same struct through database/sql, NULLs included.
func TestCollectAsAgreesWithDuckDBScan(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 2, 300, 5)
	glob := filepath.Join(dir, "*.parquet")
	got, err := frame.CollectAs[diffRow](context.Background(), frame.ReadParquet(glob).Where(expr.Col("id").Lt(450)).Sort("id"))
	if err != nil {
		t.Fatal(err)
	}
	db := openDuck(t)
	rows, err := db.Query("SELECT id, k, n, x, s, d, flag FROM read_parquet('" + glob + "') WHERE id < 450 ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var want []diffRow
	for rows.Next() {
		var r diffRow
		if err := rows.Scan(&r.ID, &r.K, &r.N, &r.X, &r.S, &r.Day, &r.Flag); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
	}
	if len(got) != len(want) || len(want) != 450 {
		t.Fatalf("lakeframe %d rows, DuckDB %d", len(got), len(want))
	}
	nulls := 0
	for i := range want {
		if want[i].K == nil {
			nulls++
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d:\nlakeframe %s\nduckdb    %s", i, show(got[i]), show(want[i]))
		}
	}
	if nulls == 0 {
		t.Fatal("the data has no NULL in k; the test checks nothing about NULLs")
	}
}

func show(r diffRow) string {
	var b strings.Builder
	v := reflect.ValueOf(r)
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Pointer {
			if f.IsNil() {
				b.WriteString("<nil> ")
				continue
			}
			f = f.Elem()
		}
		b.WriteString(strings.TrimSpace(strings.ReplaceAll(reflect.ValueOf(f.Interface()).String(), "\n", " ")))
		b.WriteString(" ")
	}
	return b.String()
}

type sale struct {
	Region string    `lakeframe:"region"`
	Units  int64     `lakeframe:"units"`
	Price  *float64  `lakeframe:"price"`
	At     time.Time `lakeframe:"at"`
	Note   []byte    `lakeframe:"note"`
}

// TestFromStructsRoundTrips goes from structs to a frame, through a query,
// and back; DuckDB's view of the same rows (read from Parquet the frame
// wrote) checks what the frame holds.
func TestFromStructsRoundTrips(t *testing.T) {
	p := func(f float64) *float64 { return &f }
	at := time.Date(2025, 3, 4, 5, 6, 7, 8000, time.UTC)
	in := []sale{
		{"EMEA", 3, p(2.5), at, []byte("x")},
		{"AMER", 1, nil, at.Add(time.Hour), nil},
		{"", 7, p(-0.0), at.Add(-time.Hour), []byte{}},
		{"APAC", 2, p(1e300), at, []byte("é")},
	}
	df := frame.FromStructs(in)
	out, err := frame.CollectAs[sale](context.Background(), df.Where(expr.Col("units").Gt(1)))
	if err != nil {
		t.Fatal(err)
	}
	want := slices.DeleteFunc(slices.Clone(in), func(s sale) bool { return s.Units <= 1 })
	if !reflect.DeepEqual(out, want) {
		t.Fatalf("round trip:\ngot  %+v\nwant %+v", out, want)
	}
	path := filepath.Join(t.TempDir(), "sales.parquet")
	if err := df.WriteParquet(context.Background(), path); err != nil {
		t.Fatal(err)
	}
	db := openDuck(t)
	got := duckRows(t, db, "SELECT region, units, price, epoch_us(\"at\"), octet_length(note) FROM '"+path+"' ORDER BY units")
	wantRows := []string{"AMER|1|NULL|1741068367000008|NULL", "APAC|2|1e+300|1741064767000008|2", "EMEA|3|2.5|1741064767000008|1", "|7|0|1741061167000008|0"}
	if d := diffRows(got, wantRows); d != "" {
		t.Fatal(d)
	}
}

func TestCollectAsMistakes(t *testing.T) {
	dir := t.TempDir()
	writeDiffData(t, dir, 1, 50, 9)
	df := frame.ReadParquet(filepath.Join(dir, "*.parquet"))
	ctx := context.Background()
	type missing struct{ Nope int64 }
	type nullable struct {
		K int32 `lakeframe:"k"`
	}
	type lossy struct {
		N int32 `lakeframe:"n"`
	}
	if _, err := frame.CollectAs[missing](ctx, df); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "no column for field Nope; the columns are id, k") {
		t.Errorf("missing column: %v", err)
	}
	if _, err := frame.CollectAs[nullable](ctx, df); err == nil || !strings.Contains(err.Error(), "column k is NULL") || !strings.Contains(err.Error(), "pointer") {
		t.Errorf("NULL into int32: %v", err)
	}
	if _, err := frame.CollectAs[lossy](ctx, df); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "column n of type int64 cannot go into field n of type int32") {
		t.Errorf("int64 into int32: %v", err)
	}
	if _, err := frame.CollectAs[int](ctx, df); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("non-struct: %v", err)
	}
	type dup struct {
		A int64 `lakeframe:"a"`
		B int64 `lakeframe:"a"`
	}
	if err := frame.FromStructs([]dup{{1, 2}}).Err(); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), `column "a"`) {
		t.Errorf("duplicate column: %v", err)
	}
	type badType struct{ C chan int }
	if err := frame.FromStructs([]badType{{}}).Err(); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "field C") {
		t.Errorf("channel field: %v", err)
	}
}
