package tpchgen

import (
	"path/filepath"
	"testing"
)

func TestRowsPerFile(t *testing.T) {
	tests := []struct {
		name                      string
		expected, maxRows, rgSize int64
		want                      int64
	}{
		// 6M/2M = 3 files of 2,000,000, which rounds up to 17 row groups
		// (2,088,960) and breaks the cap; 4 files of 1.5M round up to 13
		// row groups.
		{"lineitem sf1", 6_000_000, 2_000_000, 122_880, 1_597_440},
		{"orders sf1", 1_500_000, 2_000_000, 122_880, 1_597_440},
		{"customer sf1", 150_000, 2_000_000, 122_880, 245_760},
		{"smaller than a row group", 25, 2_000_000, 122_880, 122_880},
		{"exact fit", 4_000, 2_000, 1_000, 2_000},
		{"uneven", 10_000, 4_000, 1_000, 4_000},
		{"row group larger than cap", 10_000, 4_000, 5_000, 3_334},
		{"one row per file", 3, 1, 1, 1},
		{"lineitem sf10", 60_000_000, 2_000_000, 122_880, 1_966_080},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := rowsPerFile(tt.expected, tt.maxRows, tt.rgSize); got != tt.want {
				t.Errorf("rowsPerFile(%d, %d, %d) = %d, want %d", tt.expected, tt.maxRows, tt.rgSize, got, tt.want)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	if got, want := Glob("/data/tpch", "orders"), filepath.FromSlash("/data/tpch/orders/*.parquet"); got != want {
		t.Errorf("Glob = %q, want %q", got, want)
	}
}
