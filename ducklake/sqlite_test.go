package ducklake_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/uptrace/bun/driver/sqliteshim"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/errs"
	"lakeframe/plan"
)

// sqliteLake writes the test lake into a SQLite catalog in a temporary
// directory, with the data under dir/data. It returns the catalog path.
func sqliteLake(t *testing.T) (string, *ducklaketest.Lake) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lake.sqlite")
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := ducklaketest.NewBuilder(t, db, ducklake.SQLite, filepath.Join(dir, "data"))
	return path, ducklaketest.BuildLake(b)
}

func TestSQLiteCatalog(t *testing.T) {
	path, lake := sqliteLake(t)
	cat, err := ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if cat.Version() != "1.0" || cat.Dialect() != ducklake.SQLite {
		t.Errorf("version %q dialect %s", cat.Version(), cat.Dialect())
	}
	testLake(t, cat, lake)
}

func execSQLite(t *testing.T, path, q string, args ...any) {
	t.Helper()
	db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

func TestUnsupportedVersion(t *testing.T) {
	for _, v := range []string{"0.1", "9.9"} {
		path := filepath.Join(t.TempDir(), "lake.sqlite")
		db, err := sql.Open(sqliteshim.ShimName, "file:"+path)
		if err != nil {
			t.Fatal(err)
		}
		ducklaketest.NewBuilder(t, db, ducklake.SQLite, t.TempDir())
		db.Close()
		execSQLite(t, path, `UPDATE ducklake_metadata SET value = ? WHERE key = 'version'`, v)
		_, err = ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
		if !errors.Is(err, errs.ErrNotImplemented) || !strings.Contains(err.Error(), `"`+v+`"`) {
			t.Errorf("version %s: %v", v, err)
		}
	}
}

func TestNotACatalog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.sqlite")
	execSQLite(t, path, `CREATE TABLE x (a INT)`)
	_, err := ducklake.OpenSQLite(context.Background(), path, ducklake.Options{})
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "not a ducklake catalog") {
		t.Errorf("open a database without ducklake tables: %v", err)
	}
}

// TestDataPath moves the data: reads fail naming the missing file until
// the data path is overridden; a relative data_path is resolved against
// the catalog file's directory.
func TestDataPath(t *testing.T) {
	ctx := context.Background()
	path, lake := sqliteLake(t)
	dir := filepath.Dir(path)
	moved := filepath.Join(dir, "moved")
	if err := os.Rename(filepath.Join(dir, "data"), moved); err != nil {
		t.Fatal(err)
	}
	want := len(lake.Events.Rows(lake.Latest))

	cat, err := ducklake.OpenSQLite(ctx, path, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	src := source(t, cat, "main.events")
	sp, err := src.Plan(ctx, plan.Pushdown{Limit: -1})
	if err != nil {
		t.Fatal(err)
	}
	err = readTask(ctx, src, sp.Tasks[0])
	wantPath := filepath.ToSlash(filepath.Join(dir, "data", "main", "events", "data-0.parquet"))
	if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), wantPath) || !strings.Contains(err.Error(), "missing") {
		t.Errorf("read with the data moved: %v, want an error naming %s", err, wantPath)
	}
	cat.Close()

	cat, err = ducklake.OpenSQLite(ctx, path, ducklake.Options{DataPath: moved})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := scanAll(t, source(t, cat, "main.events"), plan.Pushdown{Limit: -1}); len(got) != want {
		t.Errorf("with the data path overridden: %d rows, want %d", len(got), want)
	}
	cat.Close()

	execSQLite(t, path, `UPDATE ducklake_metadata SET value = 'moved/' WHERE key = 'data_path'`)
	cat, err = ducklake.OpenSQLite(ctx, path, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if cat.DataPath() != filepath.ToSlash(moved)+"/" {
		t.Errorf("relative data path resolved to %s, want %s/", cat.DataPath(), moved)
	}
	if got, _ := scanAll(t, source(t, cat, "main.events"), plan.Pushdown{Limit: -1}); len(got) != want {
		t.Errorf("with a relative data path: %d rows, want %d", len(got), want)
	}
}
