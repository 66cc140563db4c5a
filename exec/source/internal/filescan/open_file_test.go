package filescan

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
)

func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	const text = "a,b\n1,2\n"
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write([]byte(text))
	w.Close()
	contents := map[string][]byte{"plain.csv": []byte(text), "zipped.CSV.GZ": gz.Bytes(), "bad.csv.gz": []byte("this is not gzip data\n")}
	for name, b := range contents {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	for _, name := range []string{"plain.csv", "zipped.CSV.GZ"} {
		r, c, err := OpenFile(ctx, files.Local{}, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || string(got) != text {
			t.Errorf("%s: read %q, %v", name, got, err)
		}
		if err := c.Close(); err != nil {
			t.Errorf("%s: close: %v", name, err)
		}
	}
	for _, c := range []struct{ name, want string }{
		{"missing.csv", "open " + filepath.Join(dir, "missing.csv")},
		{"bad.csv.gz", filepath.Join(dir, "bad.csv.gz") + ": gzip: invalid header"},
	} {
		_, _, err := OpenFile(ctx, files.Local{}, filepath.Join(dir, c.name))
		if !errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}
