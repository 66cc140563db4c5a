package ducklaketest

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedTestdata is the shared test data folder, ../shared/testdata next
// to the repository root. The test is skipped when it is absent.
func SharedTestdata(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared test data: repository root (go.mod) not found")
		}
		dir = parent
	}
	td := filepath.Join(dir, "..", "shared", "testdata")
	if _, err := os.Stat(filepath.Join(td, "ducklake_cases.json")); err != nil {
		t.Skipf("shared test data not found at %s (ducklake_cases.json missing): %v", td, err)
	}
	return td
}
