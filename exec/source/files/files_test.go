package files

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lakeframe/errs"
)

func touch(t *testing.T, root string, paths ...string) {
	t.Helper()
	for _, p := range paths {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestExpand(t *testing.T) {
	root := t.TempDir()
	touch(t, root,
		"a.parquet", "b.parquet", "c.csv", "_SUCCESS", ".hidden.parquet",
		"sub/d.parquet", "sub/deeper/e.PARQUET", "sub/_tmp/f.parquet", "sub/.git/g.parquet",
		"year=2024/h.parquet", "x[1].parquet")
	ctx := context.Background()
	rel := func(infos []Info) string {
		var out []string
		for _, i := range infos {
			r, _ := filepath.Rel(root, i.Path)
			out = append(out, filepath.ToSlash(r))
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name     string
		patterns []string
		want     string
	}{
		{"file", []string{"c.csv"}, "c.csv"},
		{"dir", []string{"."}, "a.parquet b.parquet sub/d.parquet sub/deeper/e.PARQUET x[1].parquet year=2024/h.parquet"},
		{"star", []string{"*.parquet"}, "a.parquet b.parquet x[1].parquet"},
		{"question", []string{"?.parquet"}, "a.parquet b.parquet"},
		{"class", []string{"[ab].parquet"}, "a.parquet b.parquet"},
		{"dir star", []string{"*/*.parquet"}, "sub/d.parquet year=2024/h.parquet"},
		{"double star", []string{"**/*.parquet"}, "a.parquet b.parquet sub/d.parquet x[1].parquet year=2024/h.parquet"},
		{"double star middle", []string{"sub/**/*.PARQUET"}, "sub/deeper/e.PARQUET"},
		{"trailing double star", []string{"sub/**"}, "sub/d.parquet sub/deeper/e.PARQUET"},
		{"several, deduplicated", []string{"b.parquet", "*.parquet"}, "b.parquet a.parquet x[1].parquet"},
		{"explicit hidden file", []string{"_SUCCESS"}, "_SUCCESS"},
		{"explicit hidden dir", []string{"sub/_tmp/*.parquet"}, "sub/_tmp/f.parquet"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pats := make([]string, len(c.patterns))
			for i, p := range c.patterns {
				pats[i] = filepath.ToSlash(filepath.Join(root, p))
				if p == "." {
					pats[i] = root
				}
			}
			got, err := Expand(ctx, Local{}, pats, []string{".parquet"})
			if err != nil {
				t.Fatal(err)
			}
			if rel(got) != c.want {
				t.Errorf("got %s\nwant %s", rel(got), c.want)
			}
		})
	}
	for _, p := range []string{"missing.parquet", "nope/*.parquet", "*.json", "sub/*/f.parquet"} {
		_, err := Expand(ctx, Local{}, []string{filepath.Join(root, p)}, []string{".parquet"})
		if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: want a plan error naming the path, got %v", p, err)
		}
	}
	_, err := Expand(ctx, Local{}, []string{filepath.Join(root, "missing.parquet")}, nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file error does not wrap fs.ErrNotExist: %v", err)
	}
	t.Run("relative", func(t *testing.T) {
		t.Chdir(root)
		got, err := Expand(ctx, Local{}, []string{"*.parquet", "sub"}, []string{".parquet"})
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for _, i := range got {
			paths = append(paths, i.Path)
		}
		if strings.Join(paths, " ") != "a.parquet b.parquet x[1].parquet sub/d.parquet sub/deeper/e.PARQUET" {
			t.Errorf("relative paths %v", paths)
		}
	})
}

func TestPartitions(t *testing.T) {
	infos := func(paths ...string) []Info {
		out := make([]Info, len(paths))
		for i, p := range paths {
			out[i] = Info{Path: p}
		}
		return out
	}
	cases := []struct {
		name   string
		paths  []string
		schema string
		values string
	}{
		{"none", []string{"data/a.parquet", "data/b.parquet"}, "", ""},
		{"typed", []string{
			"t/year=2024/day=2024-01-01/r=EU/a.parquet",
			"t/year=-7/day=__HIVE_DEFAULT_PARTITION__/r=a%2Fb%3D/b.parquet",
			"t/year=__HIVE_DEFAULT_PARTITION__/day=1999-12-31/r=/c.parquet",
		}, "year:int64 day:date32 r:utf8", "2024,2024-01-01,EU;-7,NULL,a/b=;NULL,1999-12-31,NULL"},
		{"not all ints", []string{"k=1/a", "k=x/b"}, "k:utf8", "1;x"},
		{"not all dates", []string{"k=2024-01-01/a", "k=2024-02-30/b"}, "k:utf8", "2024-01-01;2024-02-30"},
		{"all null", []string{"k=__HIVE_DEFAULT_PARTITION__/a"}, "k:utf8", "NULL"},
		{"escaped key", []string{"a%3Db=1/x"}, "a=b:int64", "1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			entries, fields, err := Partitions(infos(c.paths...))
			if err != nil {
				t.Fatal(err)
			}
			var schema []string
			for _, f := range fields {
				schema = append(schema, f.Name+":"+f.Type.String())
			}
			if strings.Join(schema, " ") != c.schema {
				t.Errorf("schema %v, want %s", schema, c.schema)
			}
			var rows []string
			for _, e := range entries {
				var vals []string
				for _, v := range e.Partition {
					if v.Null {
						vals = append(vals, "NULL")
					} else {
						vals = append(vals, v.Text)
					}
				}
				rows = append(rows, strings.Join(vals, ","))
			}
			if c.values != "" && strings.Join(rows, ";") != c.values {
				t.Errorf("values %v, want %s", rows, c.values)
			}
		})
	}
	for _, bad := range [][]string{{"a=1/x", "b=1/y"}, {"a=1/x", "y"}, {"a=1/b=2/x", "b=2/a=1/y"}, {"a=1/a=2/x"}} {
		if _, _, err := Partitions(infos(bad...)); !errors.Is(err, errs.ErrPlan) {
			t.Errorf("%v: want a plan error, got %v", bad, err)
		}
	}
}

func TestEscape(t *testing.T) {
	cases := map[string]string{
		"plain":       "plain",
		"a/b":         "a%2Fb",
		"k=v":         "k%3Dv",
		"10:30":       "10%3A30",
		"100%":        "100%25",
		"tab\there":   "tab%09here",
		"ünï cödé":    "ünï cödé",
		`q"#'*?\{[]^`: "q%22%23%27%2A%3F%5C%7B%5B%5D%5E",
	}
	for in, want := range cases {
		if got := Escape(in); got != want {
			t.Errorf("Escape(%q) = %q, want %q", in, got, want)
		}
		if back := Unescape(want); back != in {
			t.Errorf("Unescape(%q) = %q, want %q", want, back, in)
		}
	}
	if got := Unescape("50%zz%4"); got != "50%zz%4" {
		t.Errorf("malformed escapes changed: %q", got)
	}
}
