//go:build cgo

package tpchgen

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
)

// openDuckDB returns an in-memory DuckDB with one view per table of dir.
func openDuckDB(t *testing.T, dir string, tables ...string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, table := range tables {
		q := fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet('%s')", table, Glob(dir, table))
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return db
}

func queryInt(t *testing.T, db *sql.DB, q string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// duckTypes returns "name TYPE, ..." for table as DuckDB reads it.
func duckTypes(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	rows, err := db.Query("SELECT column_name, column_type FROM (DESCRIBE " + table + ")")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, name+" "+typ)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(cols, ", ")
}

func queryString(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	var s string
	if err := db.QueryRow(q).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// fileFacts is what a Parquet footer says about one file.
type fileFacts struct {
	name      string
	rowGroups []int64 // rows per row group
	codecs    []compress.Compression
	noStats   []string // column chunks without min/max
}

func readFacts(t *testing.T, dir, table string) []fileFacts {
	t.Helper()
	paths, err := filepath.Glob(Glob(dir, table))
	if err != nil {
		t.Fatal(err)
	}
	var facts []fileFacts
	for _, p := range paths {
		r, err := file.OpenParquetFile(p, false)
		if err != nil {
			t.Fatal(err)
		}
		f := fileFacts{name: filepath.Base(p)}
		md := r.MetaData()
		for i := 0; i < md.NumRowGroups(); i++ {
			rg := md.RowGroup(i)
			f.rowGroups = append(f.rowGroups, rg.NumRows())
			for c := 0; c < rg.NumColumns(); c++ {
				cc, err := rg.ColumnChunk(c)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Contains(f.codecs, cc.Compression()) {
					f.codecs = append(f.codecs, cc.Compression())
				}
				stats, err := cc.Statistics()
				if err != nil {
					t.Fatal(err)
				}
				if stats == nil || !stats.HasMinMax() {
					f.noStats = append(f.noStats, fmt.Sprintf("rg%d.%s", i, cc.PathInSchema()))
				}
			}
		}
		r.Close()
		facts = append(facts, f)
	}
	return facts
}

// tempEntries lists what in dir looks like an unfinished run.
func tempEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var tmp []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			tmp = append(tmp, e.Name())
		}
	}
	return tmp
}
