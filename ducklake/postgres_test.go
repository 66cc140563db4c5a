package ducklake_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"lakeframe/ducklake"
	"lakeframe/ducklake/ducklaketest"
	"lakeframe/internal/pgtest"
	"lakeframe/plan"
)

// TestPostgres starts one PostgreSQL cluster and gives each subtest its
// own database.
func TestPostgres(t *testing.T) {
	t.Parallel()
	dsn := pgtest.Start(t)
	t.Run("catalog", func(t *testing.T) { testPostgresCatalog(t, pgtest.NewDatabase(t, dsn)) })
	t.Run("metadata_schema", func(t *testing.T) { testPostgresMetadataSchema(t, pgtest.NewDatabase(t, dsn)) })
}

func testPostgresCatalog(t *testing.T, dsn string) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lake := ducklaketest.BuildLake(ducklaketest.NewBuilder(t, db, ducklake.Postgres, filepath.Join(t.TempDir(), "data")))
	cat, err := ducklake.OpenPostgres(context.Background(), dsn, ducklake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	if cat.Dialect() != ducklake.Postgres || cat.Version() != "1.0" {
		t.Errorf("dialect %s version %s", cat.Dialect(), cat.Version())
	}
	testLake(t, cat, lake)
}

// testPostgresMetadataSchema keeps the catalog tables in their own
// PostgreSQL schema, as DuckDB's METADATA_SCHEMA option does.
func testPostgresMetadataSchema(t *testing.T, dsn string) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE SCHEMA lake; SET search_path TO lake`); err != nil {
		t.Fatal(err)
	}
	// One connection, so that search_path holds for the builder.
	db.SetMaxOpenConns(1)
	lake := ducklaketest.BuildLake(ducklaketest.NewBuilder(t, db, ducklake.Postgres, filepath.Join(t.TempDir(), "data")))
	cat, err := ducklake.OpenPostgres(context.Background(), dsn, ducklake.Options{MetadataSchema: "lake"})
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	src := source(t, cat, "main.events")
	got, _ := scanAll(t, src, plan.Pushdown{Limit: -1})
	if want := len(lake.Events.Rows(lake.Latest)); len(got) != want {
		t.Errorf("%d rows, want %d", len(got), want)
	}
}
