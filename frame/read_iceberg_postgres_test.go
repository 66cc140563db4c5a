package frame_test

import (
	"context"
	"strings"
	"testing"

	"github.com/apache/iceberg-go/table"

	"lakeframe/frame"
	"lakeframe/iceberg"
	"lakeframe/internal/pgtest"
)

// TestIcebergPostgresCatalog keeps the Iceberg catalog in a throwaway
// PostgreSQL cluster: a table written and appended to through it reads
// back whole and filtered (against the full read), also through a second
// catalog connection, and at its first snapshot.
func TestIcebergPostgresCatalog(t *testing.T) {
	dsn := pgtest.Start(t)
	ctx := context.Background()
	props := map[string]string{"warehouse": "file://" + t.TempDir()}
	cat, err := iceberg.OpenCatalog(ctx, dsn, props)
	if err != nil {
		t.Fatal(err)
	}
	_, snaps := writeCatalogTable(t, cat, [2]int{0, 100}, [2]int{100, 250})

	again, err := iceberg.OpenCatalog(ctx, dsn, props)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := again.LoadTable(ctx, table.Identifier{"ns", "t"})
	if err != nil {
		t.Fatal(err)
	}
	checkCatalogTable(t, tbl, 250)
	if got := collectCatalogRows(t, frame.ReadIceberg(tbl, frame.AtSnapshot(snaps[0]))); len(got) != 100 {
		t.Errorf("first snapshot has %d rows, want 100", len(got))
	}
}

// TestIcebergPostgresCatalogError: a catalog that cannot be reached fails
// to open, and the error does not show the password.
func TestIcebergPostgresCatalogError(t *testing.T) {
	_, err := iceberg.OpenCatalog(context.Background(), "postgres://lakeframe:s3cret@127.0.0.1:1/none?connect_timeout=2",
		map[string]string{"warehouse": "file://" + t.TempDir()})
	if err == nil {
		t.Fatal("opened a catalog on a closed port")
	}
	if strings.Contains(err.Error(), "s3cret") {
		t.Errorf("error shows the password: %v", err)
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("error %v does not name the server", err)
	}
}
