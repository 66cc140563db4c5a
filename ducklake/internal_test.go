package ducklake

import (
	"database/sql"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/source/parquet"
)

func dateUTC(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func TestPartialMax(t *testing.T) {
	cases := []struct {
		in   any
		want sql.NullInt64
		err  bool
	}{
		{nil, sql.NullInt64{}, false},
		{int64(7), sql.NullInt64{Int64: 7, Valid: true}, false},
		{"partial_max:12", sql.NullInt64{Int64: 12, Valid: true}, false},
		{[]byte("other:1|partial_max:3"), sql.NullInt64{Int64: 3, Valid: true}, false},
		{"", sql.NullInt64{}, false},
		{"partial_max:x", sql.NullInt64{}, true},
		{1.5, sql.NullInt64{}, true},
	}
	for _, tc := range cases {
		got, err := partialMax(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("partialMax(%v) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestPaths(t *testing.T) {
	if got := resolveDataPath("data", "/cat"); got != "/cat/data/" {
		t.Errorf("relative data path: %s", got)
	}
	if got := resolveDataPath("file:///abs/data/", "/cat"); got != "/abs/data/" {
		t.Errorf("file url data path: %s", got)
	}
	if got := resolveDataPath("s3://bucket/prefix", "/cat"); got != "s3://bucket/prefix/" {
		t.Errorf("s3 data path: %s", got)
	}
	cases := []struct {
		base, p  string
		relative bool
		want     string
	}{
		{"/d/", "main/", true, "/d/main/"},
		{"/d/", "main", true, "/d/main/"},
		{"/d/", "", true, "/d/"},
		{"/d/", "/elsewhere/t", false, "/elsewhere/t/"},
		{"/d/", "file:///x/", false, "/x/"},
	}
	for _, tc := range cases {
		if got := joinPath(tc.base, tc.p, tc.relative); got != tc.want {
			t.Errorf("joinPath(%q, %q, %v) = %q, want %q", tc.base, tc.p, tc.relative, got, tc.want)
		}
	}
	if got := filePath("/d/main/t/", "f.parquet", true); got != "/d/main/t/f.parquet" {
		t.Errorf("relative file: %s", got)
	}
	if got := filePath("/d/main/t/", "/abs/f.parquet", false); got != "/abs/f.parquet" {
		t.Errorf("absolute file: %s", got)
	}
}

func TestBindAndRedact(t *testing.T) {
	pg := &Catalog{dialect: Postgres}
	if got := pg.bind("a = ? AND b IN (?, ?)"); got != "a = $1 AND b IN ($2, $3)" {
		t.Errorf("bind: %s", got)
	}
	lite := &Catalog{dialect: SQLite}
	if got := lite.bind("a = ?"); got != "a = ?" {
		t.Errorf("sqlite bind: %s", got)
	}
	if got := redact("postgres://u:secret@h:5432/db"); got != "postgres://u:***@h:5432/db" {
		t.Errorf("redact: %s", got)
	}
	if got := redact("host=h password=secret"); got == "host=h password=secret" {
		t.Errorf("redact kept a password: %s", got)
	}
}

// TestConform checks the conversions from a file's column types to the
// table's, with nulls.
func TestConform(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	i32 := array.NewInt32Builder(mem)
	i32.AppendValues([]int32{1, 0, -3}, []bool{true, false, true})
	in := i32.NewArray()
	i32.Release()
	out, err := conform(mem, in, arrow.PrimitiveTypes.Int64)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "[1 (null) -3]" || out.DataType().ID() != arrow.INT64 {
		t.Errorf("int32 to int64: %s %s", out.DataType(), got)
	}
	out.Release()
	in.Release()

	bb := array.NewBooleanBuilder(mem)
	bb.AppendValues([]bool{true, false, true}, []bool{true, false, true})
	bin := bb.NewArray()
	bb.Release()
	out, err = conform(mem, bin, arrow.FixedWidthTypes.Boolean)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != "[true (null) true]" {
		t.Errorf("boolean: %s", got)
	}
	out.Release()
	bin.Release()

	// A list whose element field has another name is relabelled.
	lb := array.NewListBuilder(mem, arrow.PrimitiveTypes.Int32)
	vb := lb.ValueBuilder().(*array.Int32Builder)
	lb.Append(true)
	vb.AppendValues([]int32{1, 2}, []bool{true, false})
	lb.AppendNull()
	lin := lb.NewArray()
	lb.Release()
	want := arrow.ListOfField(arrow.Field{Name: "element", Type: arrow.PrimitiveTypes.Int32, Nullable: true})
	out, err = conform(mem, lin, want)
	if err != nil {
		t.Fatal(err)
	}
	if !arrow.TypeEqual(out.DataType(), want) || out.String() != "[[1 (null)] (null)]" {
		t.Errorf("list: %s %s", out.DataType(), out)
	}
	out.Release()
	lin.Release()

	sb := array.NewStringBuilder(mem)
	sb.Append("x")
	sin := sb.NewArray()
	sb.Release()
	if _, err := conform(mem, sin, arrow.PrimitiveTypes.Int64); err == nil {
		t.Error("string to int64 conformed")
	}
	sin.Release()
}

func TestKeepMask(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	b := array.NewInt64Builder(mem)
	// Per-row snapshots; a NULL snapshot id is kept.
	b.AppendValues([]int64{1, 5, 0, 3, 2}, []bool{true, true, false, true, true})
	snaps := b.NewArray()
	b.Release()
	schema := arrow.NewSchema([]arrow.Field{{Name: "s", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	rec := array.NewRecordBatch(schema, []arrow.Array{snaps}, 5)
	snaps.Release()
	defer rec.Release()
	s := &stream{mem: mem, task: &Task{Snapshot: 3}, snapCol: 0, deleted: parquet.NewRowSet(20)}
	s.deleted.Add(10) // position 10 is row 0 of a batch starting at 10
	mask := s.keepMask(rec, 10, 5)
	if got := mask.String(); got != "[false false true true true]" {
		t.Errorf("mask %s", got)
	}
	mask.Release()
	s.snapCol = -1
	if m := s.keepMask(rec, 11, 5); m != nil {
		t.Errorf("mask without deletes in range: %s", m)
		m.Release()
	}
}
