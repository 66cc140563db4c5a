//go:build unix && cgo

package sink

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"

	st "lakeframe/exec/source/sourcetest"
)

// TestOutputModesFollowUmask: written files and directories get 0666 and
// 0777 minus the umask, as other tools' outputs do, so that other users'
// jobs can read the lake; not the 0600/0700 of temporary files.
func TestOutputModesFollowUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs := batches(mem, 2, 10)
	defer st.Release(recs)
	dir := t.TempDir()
	ctx := context.Background()
	tree := filepath.Join(dir, "tree")
	if _, err := WriteParquet(ctx, &stream{recs: recs}, tree, ParquetOptions{PartitionBy: []string{"year"}, Mem: mem}); err != nil {
		t.Fatal(err)
	}
	single := filepath.Join(dir, "one.parquet")
	if _, err := WriteParquet(ctx, &stream{recs: recs}, single, ParquetOptions{Mem: mem}); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(dir, "one.csv")
	if _, err := WriteCSV(ctx, &stream{recs: recs}, csvPath, CSVOptions{}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, root := range []string{tree, single, csvPath} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			want := fs.FileMode(0o644)
			if d.IsDir() {
				want = 0o755
			}
			if got := info.Mode().Perm(); got != want {
				t.Errorf("%s: mode %o, want %o", path, got, want)
			}
			checked++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 5 {
		t.Errorf("checked only %d paths", checked)
	}
}
