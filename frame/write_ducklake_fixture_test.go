//go:build cgo

package frame_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/expr"
	"lakeframe/frame"
)

// openSharedCopy opens a writable copy of the DuckDB-written catalog.
func openSharedCopy(t *testing.T) (*ducklake.Catalog, string, int64) {
	t.Helper()
	sc := ducklaketest.CopySharedCatalog(t)
	db, err := sql.Open("duckdb", sc.CatalogPath)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := ducklake.Open(context.Background(), db, ducklake.DuckDB, ducklake.Options{CatalogDir: sc.Dir, CloseDB: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cat.Close() })
	return cat, sc.DataDir, sc.Count
}

func idsFrame(ids []int64) *frame.DataFrame {
	schema := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	return frame.FromArrow(arrowTable(schema, ids, func(b *array.RecordBuilder, id int64) {
		b.Field(0).(*array.Int64Builder).Append(id)
	}))
}

func idLines(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = fmt.Sprint(id)
	}
	slices.Sort(out)
	return out
}

func rangeIDs(lo, hi int64) []int64 {
	var out []int64
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// TestWriteDuckLakeOnDuckDBCatalog appends to and deletes from the table
// DuckDB's ducklake extension wrote (catalog version 0.3, a delete file
// with an extra column), then reads every snapshot back, with lakeframe
// and with DuckDB on the files, against what the fixture's own expected
// rows imply.
func TestWriteDuckLakeOnDuckDBCatalog(t *testing.T) {
	ctx := context.Background()
	cat, dataDir, count := openSharedCopy(t)
	if cat.Version() != "0.3" {
		t.Fatalf("fixture catalog version %s, want 0.3", cat.Version())
	}
	// The fixture: snapshot 1 writes ids 0..99; snapshot 2 deletes 9 of
	// them, leaving count rows, which must be the 91 lowest ids (positions
	// 91..99 are deleted).
	lines := map[int64][]string{1: idLines(rangeIDs(0, 100)), 2: idLines(rangeIDs(0, count))}
	if got := collectLines(t, frame.ReadDuckLake(cat, "main.test", ducklake.AtSnapshot(2))); !slices.Equal(got, lines[2]) {
		t.Fatalf("fixture at snapshot 2 reads %d rows, want %d", len(got), count)
	}
	live := rangeIDs(0, count)

	s3, err := idsFrame(rangeIDs(1000, 1050)).WriteDuckLake(ctx, cat, "test")
	if err != nil {
		t.Fatal(err)
	}
	live = append(live, rangeIDs(1000, 1050)...)
	lines[s3.ID] = idLines(live)

	// Deleting from DuckDB's data file writes a delete file holding its
	// 9 positions and the new ones.
	res, err := frame.DeleteDuckLake(ctx, cat, "test", expr.Col("id").Lt(int64(5)).Or(expr.Col("id").Ge(int64(1040))))
	if err != nil {
		t.Fatal(err)
	}
	live, n := without(live, func(id int64) bool { return id < 5 || id >= 1040 })
	if res.Rows != n {
		t.Errorf("deleted %d rows, want %d", res.Rows, n)
	}
	lines[res.Snapshot.ID] = idLines(live)

	res, err = frame.UpdateDuckLake(ctx, cat, "test", expr.Col("id").Eq(int64(50)), map[string]any{"id": int64(5000)})
	if err != nil {
		t.Fatal(err)
	}
	live, _ = without(live, func(id int64) bool { return id == 50 })
	live = append(live, 5000)
	lines[res.Snapshot.ID] = idLines(live)

	snaps, err := cat.Snapshots(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A new table, partitioned, in the same catalog: its snapshot raises
	// the schema version, and it reads back.
	created, err := idsFrame(rangeIDs(0, 30)).WriteDuckLake(ctx, cat, "main.more",
		frame.DuckLakePartitionBy(ducklake.PartitionKey{Column: "id", Transform: "identity"}))
	if err != nil {
		t.Fatal(err)
	}
	if created.SchemaVersion != snaps[len(snaps)-1].SchemaVersion+1 {
		t.Errorf("creating a table made schema version %d after %d", created.SchemaVersion, snaps[len(snaps)-1].SchemaVersion)
	}
	if got := collectLines(t, frame.ReadDuckLake(cat, "main.more")); !slices.Equal(got, idLines(rangeIDs(0, 30))) {
		t.Errorf("main.more reads %v", got)
	}
	if got := duckLakeOracle(t, cat.DB(), dataDir, "main", "more", created.ID, []string{"id"}); !slices.Equal(got, idLines(rangeIDs(0, 30))) {
		t.Errorf("main.more: duckdb reads %v", got)
	}
	var versions int
	if err := cat.DB().QueryRow("SELECT count(*) FROM ducklake_schema_versions WHERE begin_snapshot = ? AND schema_version = ?",
		created.ID, created.SchemaVersion).Scan(&versions); err != nil || versions != 1 {
		t.Errorf("ducklake_schema_versions has %d rows for the new table's snapshot (%v)", versions, err)
	}
	if len(snaps) != 6 {
		t.Fatalf("%d snapshots, want 6 (three of DuckDB's, three new)", len(snaps))
	}
	for _, s := range snaps[1:] {
		want, ok := lines[s.ID]
		if !ok {
			t.Fatalf("unexpected snapshot %d", s.ID)
		}
		got := collectLines(t, frame.ReadDuckLake(cat, "main.test", ducklake.AtSnapshot(s.ID)))
		if !slices.Equal(got, want) {
			t.Errorf("snapshot %d: lakeframe read %d rows, want %d: %v", s.ID, len(got), len(want), head(got))
		}
		oracle := duckLakeOracle(t, cat.DB(), dataDir, "main", "test", s.ID, []string{"id"})
		if !slices.Equal(oracle, want) {
			t.Errorf("snapshot %d: duckdb read %d rows, want %d: %v", s.ID, len(oracle), len(want), head(oracle))
		}
	}
	// The new snapshots follow the extension's bookkeeping: ids given
	// out from next_file_id, schema version unchanged by data changes.
	var changes []string
	rows, err := cat.DB().Query("SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id > 2 AND snapshot_id <= ? ORDER BY snapshot_id", snaps[5].ID)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, c)
	}
	rows.Close()
	want := []string{"inserted_into_table:1", "deleted_from_table:1", "deleted_from_table:1,inserted_into_table:1"}
	if !slices.Equal(changes, want) {
		t.Errorf("changes_made %q, want %q", changes, want)
	}
	for _, s := range snaps[3:] {
		if s.SchemaVersion != snaps[2].SchemaVersion {
			t.Errorf("snapshot %d has schema version %d, want %d", s.ID, s.SchemaVersion, snaps[2].SchemaVersion)
		}
	}
}
