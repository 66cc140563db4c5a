package ducklaketest

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// SharedCatalog is a writable copy of the DuckLake catalog in the shared
// test data, which DuckDB's ducklake extension wrote.
type SharedCatalog struct {
	// Dir holds the copy: the decompressed DuckDB catalog file and the
	// data directory its relative data_path names.
	Dir         string
	CatalogPath string
	DataDir     string
	// Count is the row count the case's own test expects at the latest
	// snapshot.
	Count int64
}

// CopySharedCatalog copies the first catalog of ducklake_cases.json, with
// its data files, into a temporary directory, so that a test may write to
// it; the shared copy is only read. The test is skipped when the shared
// test data is absent.
func CopySharedCatalog(t testing.TB) SharedCatalog {
	t.Helper()
	td := SharedTestdata(t)
	raw, err := os.ReadFile(filepath.Join(td, "ducklake_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Catalog  string `json:"catalog"`
		DataPath string `json:"data_path"`
		Cases    []struct {
			Expected struct {
				Count *int64 `json:"count"`
			} `json:"expected"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 || len(cases[0].Cases) == 0 || cases[0].Cases[0].Expected.Count == nil {
		t.Fatal("ducklake_cases.json has no count case")
	}
	fx := cases[0]
	sc := SharedCatalog{Dir: t.TempDir(), Count: *fx.Cases[0].Expected.Count}
	sc.DataDir = filepath.Join(sc.Dir, filepath.Base(fx.DataPath))
	if err := os.CopyFS(sc.DataDir, os.DirFS(filepath.Join(td, fx.DataPath))); err != nil {
		t.Fatal(err)
	}
	sc.CatalogPath = filepath.Join(sc.Dir, "catalog.ducklake")
	if err := gunzipFile(filepath.Join(td, fx.Catalog), sc.CatalogPath); err != nil {
		t.Fatal(err)
	}
	return sc
}

func gunzipFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		return err
	}
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, zr); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
