//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"

	iceberggo "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/table"
)

// DuckDB as an Iceberg oracle that shares no code with lakeframe or
// iceberg-go's data path: iceberg-go only lists the snapshot's files from
// its manifests; DuckDB reads the Parquet files and applies the
// positional delete files itself. Nothing is pruned, so a file or row
// group that a reader wrongly skips still counts here.

// liveFiles are the data files and positional delete files of a
// snapshot, as local paths, and the data files' paths as the metadata
// (and delete files) spell them.
type liveFiles struct {
	data, deletes []string
	dataURIs      []string
}

// snapshotLiveFiles lists the current snapshot's live files from its
// manifests; a table without a snapshot has none.
func snapshotLiveFiles(ctx context.Context, t *testing.T, tbl *table.Table) liveFiles {
	t.Helper()
	var out liveFiles
	for _, df := range snapshotDataFiles(ctx, t, tbl) {
		switch df.ContentType() {
		case iceberggo.EntryContentData:
			out.data = append(out.data, localPath(t, df.FilePath()))
			out.dataURIs = append(out.dataURIs, df.FilePath())
		case iceberggo.EntryContentPosDeletes:
			out.deletes = append(out.deletes, localPath(t, df.FilePath()))
		}
	}
	return out
}

// snapshotDataFiles lists the current snapshot's live data and delete
// files from its manifests, through iceberg-go; the delete files must be
// positional and Parquet, which the DuckDB oracles apply.
func snapshotDataFiles(ctx context.Context, t *testing.T, tbl *table.Table) []iceberggo.DataFile {
	t.Helper()
	snap := tbl.CurrentSnapshot()
	if snap == nil {
		return nil
	}
	fs, err := tbl.FS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	manifests, err := snap.Manifests(fs)
	if err != nil {
		t.Fatal(err)
	}
	var out []iceberggo.DataFile
	for _, m := range manifests {
		entries, err := m.FetchEntries(fs, true)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			df := e.DataFile()
			switch {
			case df.ContentType() == iceberggo.EntryContentData:
			case df.ContentType() != iceberggo.EntryContentPosDeletes:
				t.Fatalf("delete file %s has content %v; the oracle applies positional deletes only", df.FilePath(), df.ContentType())
			case df.FileFormat() != iceberggo.ParquetFile:
				t.Fatalf("positional delete file %s is %s; the oracle reads Parquet only", df.FilePath(), df.FileFormat())
			}
			out = append(out, df)
		}
	}
	return out
}

// localPath is the file a file:// URI names, its escapes (partition
// values in directory names) decoded.
func localPath(t *testing.T, p string) string {
	t.Helper()
	if !strings.HasPrefix(p, "file://") {
		return p
	}
	u, err := url.Parse(p)
	if err != nil {
		t.Fatalf("data file path %s: %v", p, err)
	}
	return u.Path
}

// duckCol is a table column and its DuckDB type, for a view that must
// have the column even when no file holds it.
type duckCol struct{ name, typ string }

// createSnapshotView (re)defines the temporary view `name` on conn as the
// snapshot's rows: every data file's columns matched by name (a column a
// file lacks is NULL, as Iceberg reads a column added after the file was
// written), minus the (file_path, pos) pairs of the delete files.
func createSnapshotView(ctx context.Context, t *testing.T, conn *sql.Conn, name string, files liveFiles, cols []duckCol) {
	t.Helper()
	var sel []string
	if len(files.data) == 0 {
		for _, c := range cols {
			sel = append(sel, fmt.Sprintf("CAST(NULL AS %s) AS %s", c.typ, c.name))
		}
		duckExec(ctx, t, conn, fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT %s WHERE false", name, strings.Join(sel, ", ")))
		return
	}
	dataList := sqlList(files.data)
	present := map[string]bool{}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT name FROM parquet_schema(%s)", dataList))
	if err != nil {
		t.Fatalf("duckdb parquet_schema: %v", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		present[n] = true
	}
	rows.Close()
	for _, c := range cols {
		if present[c.name] {
			sel = append(sel, fmt.Sprintf("CAST(d.%s AS %s) AS %s", c.name, c.typ, c.name))
		} else {
			sel = append(sel, fmt.Sprintf("CAST(NULL AS %s) AS %s", c.typ, c.name))
		}
	}
	// hive_partitioning=false: Iceberg's key=value directories are not
	// data; DuckDB would otherwise replace an identity-partitioned column
	// with the directory's text (' a' escaped as '+a').
	q := fmt.Sprintf("CREATE OR REPLACE TEMP VIEW %s AS SELECT %s FROM read_parquet(%s, filename=true, file_row_number=true, union_by_name=true, hive_partitioning=false) d",
		name, strings.Join(sel, ", "), dataList)
	if len(files.deletes) > 0 {
		// Delete files name data files as the metadata does.
		duckExec(ctx, t, conn, fmt.Sprintf("CREATE OR REPLACE TEMP TABLE %s_paths (uri VARCHAR, local VARCHAR)", name))
		for i, uri := range files.dataURIs {
			duckExec(ctx, t, conn, fmt.Sprintf("INSERT INTO %s_paths VALUES (?, ?)", name), uri, files.data[i])
		}
		q += fmt.Sprintf(` WHERE NOT EXISTS (
			SELECT 1 FROM read_parquet(%s, hive_partitioning=false) x JOIN %s_paths p ON x.file_path = p.uri
			WHERE p.local = d.filename AND x.pos = d.file_row_number)`, sqlList(files.deletes), name)
	}
	duckExec(ctx, t, conn, q)
}

func sqlList(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = sqlString(p)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func duckExec(ctx context.Context, t *testing.T, conn *sql.Conn, q string, args ...any) {
	t.Helper()
	if _, err := conn.ExecContext(ctx, q, args...); err != nil {
		t.Fatalf("duckdb %s: %v", q, err)
	}
}

// duckConn is one connection of a fresh in-memory DuckDB: temporary
// views live on a connection.
func duckConn(ctx context.Context, t *testing.T) *sql.Conn {
	t.Helper()
	db := openDuck(t)
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// duckInt64s runs a query with one BIGINT column and returns its values.
func duckInt64s(ctx context.Context, t *testing.T, conn *sql.Conn, q string) []int64 {
	t.Helper()
	rows, err := conn.QueryContext(ctx, q)
	if err != nil {
		t.Fatalf("duckdb %s: %v", q, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
