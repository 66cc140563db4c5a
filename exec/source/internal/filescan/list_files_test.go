package filescan

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"lakeframe/exec/source/files"
)

func TestListFiles(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"k=2/b.csv", "k=1/a.csv", "k=1/skip.txt"} {
		path := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("abc"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(dir, "k=1", "a.csv"), filepath.Join(dir, "k=2", "b.csv")
	for _, noHive := range []bool{false, true} {
		entries, parts, err := ListFiles(context.Background(), files.Local{}, []string{dir}, []string{".csv"}, noHive)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 2 || entries[0].Path != a || entries[1].Path != b || entries[0].Size != 3 {
			t.Fatalf("noHive=%v: entries %+v", noHive, entries)
		}
		if noHive {
			if parts != nil || entries[0].Partition != nil || entries[1].Partition != nil {
				t.Errorf("noHive: parts %v, entries %+v", parts, entries)
			}
			continue
		}
		if len(parts) != 1 || parts[0].Name != "k" || parts[0].Type.String() != "int64" {
			t.Errorf("parts %v", parts)
		}
		if len(entries[1].Partition) != 1 || entries[1].Partition[0].Text != "2" || entries[1].Partition[0].Null {
			t.Errorf("partition of %s: %+v", b, entries[1].Partition)
		}
	}
	if _, _, err := ListFiles(context.Background(), files.Local{}, []string{filepath.Join(dir, "none")}, []string{".csv"}, false); err == nil {
		t.Error("a missing path listed no error")
	}
}
