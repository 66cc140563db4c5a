//go:build cgo

package ducklake_test

import (
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"lakeframe/ducklake"
	"lakeframe/ducklake/duckdbcat"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/errs"
	"lakeframe/plan"
)

func TestDuckDBCatalog(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lake.ducklake")
	db, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	lake := ducklaketest.BuildLake(ducklaketest.NewBuilder(t, db, ducklake.DuckDB, filepath.Join(dir, "data")))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	cat, err := duckdbcat.Open(context.Background(), path, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if cat.Dialect() != ducklake.DuckDB {
		t.Errorf("dialect %s", cat.Dialect())
	}
	testLake(t, cat, lake)
}

// sharedCase is the part of ducklake_cases.json the test uses.
type sharedCase struct {
	Name     string `json:"name"`
	Catalog  string `json:"catalog"`
	DataPath string `json:"data_path"`
	Cases    []struct {
		ID       string `json:"id"`
		Expected struct {
			Count *int64 `json:"count"`
		} `json:"expected"`
	} `json:"cases"`
}

// gunzip writes the decompressed gz file into dir and returns its path.
func gunzip(t *testing.T, gz, dir string) string {
	t.Helper()
	in, err := os.Open(gz)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(gz), ".gz"))
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(f, zr); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSharedCatalog reads the catalog the DuckDB ducklake extension wrote
// (version 0.3, one data file of 100 rows, one delete file of 9 positions
// with an extra column) and checks the count DuckLake's own test expects,
// and the rows against DuckDB reading the two Parquet files directly.
func TestSharedCatalog(t *testing.T) {
	td := ducklaketest.SharedTestdata(t)
	raw, err := os.ReadFile(filepath.Join(td, "ducklake_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []sharedCase
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatal("ducklake_cases.json lists no catalog")
	}
	ctx := context.Background()
	for _, e := range entries {
		t.Run(e.Name, func(t *testing.T) {
			catPath := gunzip(t, filepath.Join(td, e.Catalog), t.TempDir())
			dataPath := filepath.Join(td, e.DataPath)

			// The stored data_path is relative to where the writer ran,
			// not to the copy: reading names the missing file.
			cat, err := duckdbcat.Open(ctx, catPath, ducklake.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = readAll(ctx, source(t, cat, "test"))
			if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), "ducklake-01995275-3c88-7aa3-b5a9-9e6279d52d97.parquet") {
				t.Errorf("read without a data path override: %v", err)
			}
			cat.Close()

			cat, err = duckdbcat.Open(ctx, catPath, ducklake.Options{DataPath: dataPath})
			if err != nil {
				t.Fatal(err)
			}
			defer cat.Close()
			if cat.Version() != "0.3" {
				t.Errorf("version %s, want 0.3", cat.Version())
			}
			src := source(t, cat, "main.test")
			got, stats := scanAll(t, src, plan.Pushdown{Limit: -1})
			for _, c := range e.Cases {
				if c.Expected.Count != nil && int64(len(got)) != *c.Expected.Count {
					t.Errorf("case %s: %d rows, want %d", c.ID, len(got), *c.Expected.Count)
				}
			}
			if stats.FilesTotal != 1 || stats.FilesKept != 1 {
				t.Errorf("files %d of %d, want 1 of 1", stats.FilesKept, stats.FilesTotal)
			}
			want := duckdbOracle(t, dataPath)
			if !slices.Equal(got, want) {
				t.Errorf("rows differ from DuckDB's direct read:\n%s", firstDiff(got, want))
			}
		})
	}
}

// duckdbOracle reads the data files under dir with DuckDB and drops the
// positions its delete files list, matching files by name.
func duckdbOracle(t *testing.T, dir string) []string {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	glob := filepath.ToSlash(dir) + "/**/*.parquet"
	rows, err := db.Query(`
		WITH data AS (SELECT id, filename, file_row_number FROM read_parquet(?, filename = true, file_row_number = true)
		              WHERE filename NOT LIKE '%-delete.parquet'),
		     del AS (SELECT file_path, pos FROM read_parquet(?, union_by_name = true, filename = true)
		             WHERE filename LIKE '%-delete.parquet')
		SELECT id FROM data
		WHERE NOT EXISTS (SELECT 1 FROM del WHERE data.filename LIKE '%' || split_part(del.file_path, '/', -1)
		                  AND del.pos = data.file_row_number)`, glob, glob)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, strconv.FormatInt(id, 10))
	}
	slices.Sort(out)
	return out
}

func readAll(ctx context.Context, src *ducklake.Source) error {
	sp, err := src.Plan(ctx, plan.Pushdown{Limit: -1})
	if err != nil {
		return err
	}
	for _, task := range sp.Tasks {
		if err := readTask(ctx, src, task); err != nil {
			return err
		}
	}
	return nil
}
