package postgres

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5"

	"lakeframe/errs"
	"lakeframe/plan"
)

// typedTable creates a table with a column of every type the source maps,
// NULLs in each column at a different rhythm, and rows of edge values.
func typedTable(t *testing.T) (string, *pgx.Conn) {
	dsn, conn := newDatabase(t)
	mustExec(t, conn, `CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')`)
	mustExec(t, conn, `CREATE TABLE typed (
		id int PRIMARY KEY, b bool, i2 smallint, i4 int, i8 bigint, f4 real, f8 double precision,
		n numeric(12,2), nu numeric, t text, vc varchar(10), ch char(5), d date,
		ts timestamp, tstz timestamptz, by bytea, u uuid, j json, jb jsonb,
		ai int[], at text[], af float8[], an numeric(6,3)[], ad date[], iv interval, mo mood)`)
	mustExec(t, conn, `INSERT INTO typed SELECT g,
		CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 = 0 END,
		CASE WHEN g % 4 = 1 THEN NULL ELSE (g * 7 % 65535 - 32767)::int2 END,
		CASE WHEN g % 5 = 2 THEN NULL ELSE g * 104729 - 50000000 END,
		CASE WHEN g % 6 = 3 THEN NULL ELSE g::int8 * 1000000007 * (1 - 2 * (g % 2)) END,
		CASE WHEN g % 7 = 4 THEN NULL ELSE g / 7.0::real END,
		CASE WHEN g % 8 = 5 THEN NULL ELSE g / 3.0 - 100 END,
		CASE WHEN g % 9 = 6 THEN NULL ELSE (g * 12345.67 - 9999999.99)::numeric(12,2) END,
		CASE WHEN g % 10 = 7 THEN NULL ELSE g::numeric / 64 END,
		CASE WHEN g % 11 = 8 THEN NULL WHEN g % 11 = 9 THEN '' ELSE 'text ' || g || ' ünïcödé' END,
		CASE WHEN g % 12 = 9 THEN NULL ELSE 'v' || g END,
		CASE WHEN g % 13 = 10 THEN NULL ELSE 'c' || (g % 100) END,
		CASE WHEN g % 14 = 11 THEN NULL ELSE date '1969-12-01' + g * 17 END,
		CASE WHEN g % 15 = 12 THEN NULL ELSE timestamp '1960-01-01 00:00:00.000001' + g * interval '12345.678901 seconds' END,
		CASE WHEN g % 16 = 13 THEN NULL ELSE timestamptz '2000-01-01 00:00:00+05' + g * interval '98765.4321 seconds' END,
		CASE WHEN g % 17 = 14 THEN NULL WHEN g % 17 = 15 THEN '' ELSE decode(md5(g::text), 'hex') END,
		CASE WHEN g % 18 = 15 THEN NULL ELSE md5(g::text)::uuid END,
		CASE WHEN g % 19 = 16 THEN NULL ELSE json_build_object('g', g, 's', 'x' || g) END,
		CASE WHEN g % 20 = 17 THEN NULL ELSE jsonb_build_object('g', g, 'l', jsonb_build_array(g, null)) END,
		CASE WHEN g % 21 = 18 THEN NULL WHEN g % 21 = 19 THEN '{}' ELSE ARRAY[g, NULL, -g] END,
		CASE WHEN g % 22 = 19 THEN NULL ELSE ARRAY['a' || g, '', NULL] END,
		CASE WHEN g % 23 = 20 THEN NULL ELSE ARRAY[g / 3.0, 'NaN'::float8, '-Infinity'] END,
		CASE WHEN g % 24 = 21 THEN NULL ELSE ARRAY[g / 8.0, NULL]::numeric(6,3)[] END,
		CASE WHEN g % 25 = 22 THEN NULL ELSE ARRAY[date '2020-02-29' + g] END,
		CASE WHEN g % 26 = 23 THEN NULL ELSE g * interval '1 day 3 hours 1.5 seconds' END,
		CASE WHEN g % 27 = 24 THEN NULL ELSE (ARRAY['sad', 'ok', 'happy'])[g % 3 + 1]::mood END
		FROM generate_series(1, 3000) g`)
	// Edge values.
	mustExec(t, conn, `INSERT INTO typed (id, b, i2, i4, i8, f4, f8, n, nu, t, vc, ch, d, ts, tstz, by, at) VALUES
		(10001, true, 32767, 2147483647, 9223372036854775807, 'NaN', 'NaN', 9999999999.99,
			1234567890123456789012345678.0123456789, '', '', '', '0044-03-15 BC', '4713-01-01 00:00:00 BC', '294246-12-31 23:59:59.999999+00', '\x00ff', '{""}'),
		(10002, false, -32768, -2147483648, -9223372036854775808, 'Infinity', '-Infinity', -9999999999.99,
			-0.0000000001, 'x', 'y', 'z', '5874897-12-31', '1970-01-01 00:00:00', '1970-01-01 00:00:00+00', '\x', '{NULL}'),
		(10003, NULL, 0, 0, 0, '-0', '-0', 0, 0, ' ', ' ', ' ', '2000-01-01', '2000-01-01 00:00:00', '1999-12-31 23:59:59.999999-01', NULL, '{}'),
		(10004, NULL, NULL, NULL, NULL, 1.17549435e-38, 4.9e-324, 0.01, 1e27, 'tab	and "quotes" and \\', NULL, NULL, NULL, NULL, NULL, NULL, NULL)`)
	return dsn, conn
}

func TestTypesMatchPostgres(t *testing.T) {
	dsn, conn := typedTable(t)
	src, err := NewSource(context.Background(), dsn, "SELECT * FROM typed ORDER BY id", Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantTypes := map[string]string{
		"b": "bool", "i2": "int16", "i4": "int32", "i8": "int64", "f4": "float32", "f8": "float64",
		"n": "decimal(12, 2)", "nu": "decimal(38, 10)", "t": "utf8", "vc": "utf8", "ch": "utf8", "d": "date32",
		"ts": "timestamp[us]", "tstz": "timestamp[us, tz=UTC]", "by": "binary", "u": "utf8", "j": "utf8", "jb": "utf8",
		"ai": "list<item: int32, nullable>", "at": "list<item: utf8, nullable>", "af": "list<item: float64, nullable>",
		"an": "list<item: decimal(6, 3), nullable>", "ad": "list<item: date32, nullable>", "iv": "utf8", "mo": "utf8",
	}
	for name, want := range wantTypes {
		idx := src.Schema().FieldIndices(name)
		if len(idx) != 1 {
			t.Fatalf("schema %s has no column %s", src.Schema(), name)
		}
		if got := src.Schema().Field(idx[0]).Type.String(); got != want {
			t.Errorf("column %s: type %s, want %s", name, got, want)
		}
	}
	for _, batch := range []int{1000, 64 * 1024} {
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		tbl, _, err := scanAll(t, src, plan.Pushdown{Limit: -1}, mem, batch)
		if err != nil {
			t.Fatal(err)
		}
		checkTable(t, conn, tbl, "typed", "id")
		tbl.Release()
		mem.AssertSize(t, 0)
	}
}

func TestNumericThatDoesNotFitFails(t *testing.T) {
	dsn, conn := newDatabase(t)
	mustExec(t, conn, `CREATE TABLE nums (id int, v numeric)`)
	mustExec(t, conn, `INSERT INTO nums VALUES (1, 1.5), (2, 0.12345678901), (3, 'NaN')`)
	for _, c := range []struct{ where, value string }{
		{"id = 2", "0.12345678901"},
		{"id = 3", "NaN"},
	} {
		src, err := NewSource(context.Background(), dsn, "SELECT * FROM nums WHERE "+c.where, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
		_, _, err = scanAll(t, src, plan.Pushdown{Limit: -1}, mem, 100)
		if err == nil {
			t.Fatalf("%s: read numeric %s as decimal(38,10) without an error", c.where, c.value)
		}
		if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "column v") || !strings.Contains(err.Error(), c.value) {
			t.Errorf("%s: error %q should be an execution error naming column v and the value %s", c.where, err, c.value)
		}
		mem.AssertSize(t, 0)
	}
}

// TestNumericShapesMatchPostgres reads random numerics of many
// precisions and scales, small and large, positive and negative, through
// both decoding paths (up to 16 digits, and beyond), and compares them
// with PostgreSQL's text.
func TestNumericShapesMatchPostgres(t *testing.T) {
	dsn, conn := newDatabase(t)
	mustExec(t, conn, `SELECT setseed(0.25)`)
	mustExec(t, conn, `CREATE TABLE nums (id int, a numeric(38,0), b numeric(38,18), c numeric(20,10),
		d numeric(4,-2), e numeric(5,5), f numeric)`)
	mustExec(t, conn, `INSERT INTO nums SELECT g,
		trunc((random()::numeric - 0.5) * 10::numeric ^ (g % 38)),
		round((random()::numeric - 0.5) * 10::numeric ^ (g % 20) + random()::numeric / 10::numeric ^ 15, 18),
		round((random()::numeric - 0.5) * 10::numeric ^ (g % 10), g % 11),
		round(random()::numeric * 990000, -2),
		round(random()::numeric - 0.5, 5),
		round((random()::numeric - 0.5) * 10::numeric ^ (g % 28), g % 11)
		FROM generate_series(1, 5000) g`)
	mustExec(t, conn, `INSERT INTO nums VALUES (0, 0, 0, 0, 0, 0, 0),
		(-1, 99999999999999999999999999999999999999, 99999999999999999999.999999999999999999, 9999999999.9999999999, 999900, 0.99999, 9999999999999999999999999999.9999999999),
		(-2, -99999999999999999999999999999999999999, -99999999999999999999.999999999999999999, -9999999999.9999999999, -999900, -0.99999, -9999999999999999999999999999.9999999999)`)
	src, err := NewSource(context.Background(), dsn, "SELECT * FROM nums ORDER BY id", Options{})
	if err != nil {
		t.Fatal(err)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	tbl, _, err := scanAll(t, src, plan.Pushdown{Limit: -1}, mem, 777)
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	if got := tbl.Schema().Field(4).Type.String(); got != "decimal(6, 0)" {
		t.Errorf("numeric(4,-2) reads as %s, want decimal(6, 0)", got)
	}
	checkTable(t, conn, tbl, "nums", "id")
}
