package tpchgen

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMarkerRoundTrip(t *testing.T) {
	dir := t.TempDir()
	if err := writeMarker(dir, marker{sf: 10, tables: []string{"region", "nation"}}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, SuccessFile))
	if err != nil {
		t.Fatal(err)
	}
	if want := "sf=10\ntables=nation,region\n"; string(b) != want {
		t.Errorf("marker = %q, want %q", b, want)
	}
	m, err := readMarker(dir)
	if err != nil || m.sf != 10 || !slices.Equal(m.tables, []string{"nation", "region"}) {
		t.Errorf("readMarker = %+v, %v", m, err)
	}
	if err := removeMarker(dir); err != nil {
		t.Fatal(err)
	}
	if err := removeMarker(dir); err != nil {
		t.Errorf("removing a missing marker: %v", err)
	}
}

// TestMarkerUnreadable checks that a marker Generate cannot trust counts
// as no marker, so the data are generated again.
func TestMarkerUnreadable(t *testing.T) {
	tests := []struct{ name, body string }{
		{"missing", ""},
		{"empty", "\n"},
		{"bad scale", "sf=x\ntables=nation\n"},
		{"zero scale", "sf=0\ntables=nation\n"},
		{"unknown table", "sf=1\ntables=nation,nations\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.name != "missing" {
				if err := os.WriteFile(filepath.Join(dir, SuccessFile), []byte(tt.body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			m, err := readMarker(dir)
			if err != nil || m.sf != 0 || m.tables != nil {
				t.Errorf("readMarker = %+v, %v; want zero marker", m, err)
			}
		})
	}
}
