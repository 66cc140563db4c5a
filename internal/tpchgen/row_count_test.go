package tpchgen

import (
	"errors"
	"slices"
	"testing"

	"lakeframe/errs"
)

func TestTables(t *testing.T) {
	want := []string{"customer", "lineitem", "nation", "orders", "part", "partsupp", "region", "supplier"}
	if got := Tables(); !slices.Equal(got, want) {
		t.Errorf("Tables() = %v, want %v", got, want)
	}
}

// TestRowCount checks against the cardinalities in the TPC-H specification
// (section 4.2.5) and, for lineitem, the counts the reference dbgen
// produces.
func TestRowCount(t *testing.T) {
	tests := []struct {
		table string
		sf    int
		rows  int64
		exact bool
	}{
		{"region", 1, 5, true},
		{"region", 100, 5, true},
		{"nation", 1, 25, true},
		{"nation", 10, 25, true},
		{"supplier", 1, 10_000, true},
		{"supplier", 100, 1_000_000, true},
		{"customer", 1, 150_000, true},
		{"customer", 10, 1_500_000, true},
		{"part", 1, 200_000, true},
		{"part", 3, 600_000, true},
		{"partsupp", 1, 800_000, true},
		{"partsupp", 10, 8_000_000, true},
		{"orders", 1, 1_500_000, true},
		{"orders", 100, 150_000_000, true},
		{"lineitem", 1, 6_001_215, true},
		{"lineitem", 10, 59_986_052, true},
		{"lineitem", 3, 18_000_000, false},
		{"orders", MaxScale, 150_000_000_000, true},
	}
	for _, tt := range tests {
		rows, exact, err := RowCount(tt.table, tt.sf)
		if err != nil || rows != tt.rows || exact != tt.exact {
			t.Errorf("RowCount(%q, %d) = %d, %v, %v; want %d, %v", tt.table, tt.sf, rows, exact, err, tt.rows, tt.exact)
		}
	}
}

func TestRowCountErrors(t *testing.T) {
	tests := []struct {
		table string
		sf    int
	}{
		{"lineitems", 1},
		{"", 1},
		{"LINEITEM", 1},
		{"orders", 0},
		{"orders", -1},
		{"nation", MaxScale + 1},
	}
	for _, tt := range tests {
		if _, _, err := RowCount(tt.table, tt.sf); !errors.Is(err, errs.ErrPlan) {
			t.Errorf("RowCount(%q, %d) error = %v, want ErrPlan", tt.table, tt.sf, err)
		}
	}
}

func TestSchemaColumns(t *testing.T) {
	if _, err := Schema("lineitems"); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("Schema(lineitems) error = %v, want ErrPlan", err)
	}
	// Column counts from the TPC-H specification, section 1.4.1.
	want := map[string]int{"part": 9, "supplier": 7, "partsupp": 5, "customer": 8, "orders": 9, "lineitem": 16, "nation": 4, "region": 3}
	for table, n := range want {
		s, err := Schema(table)
		if err != nil {
			t.Fatal(err)
		}
		if s.NumFields() != n {
			t.Errorf("%s has %d columns, want %d", table, s.NumFields(), n)
		}
		for _, f := range s.Fields() {
			if f.Nullable {
				t.Errorf("%s.%s is nullable", table, f.Name)
			}
		}
	}
}
