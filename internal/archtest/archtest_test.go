// Package archtest checks that lakeframe's packages import each other only in
// the direction the design allows: expr → plan → exec → iceberg → frame.
// Go rejects cycles but not wrong-way imports; this test does.
package archtest

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "lakeframe"

// allowed lists, for each layer, the layers its non-test code may import.
// A package's layer is its first path element (plan/rules is in "plan").
var allowed = map[string][]string{
	"errs":     {},
	"expr":     {"errs"},
	"plan":     {"errs", "expr", "plan"},
	"exec":     {"errs", "expr", "plan", "exec"},
	"iceberg":  {"errs", "expr", "plan", "exec", "iceberg"},
	"ducklake": {"errs", "expr", "plan", "exec", "ducklake"},
	"frame":    {"errs", "expr", "plan", "exec", "iceberg", "ducklake", "frame", "internal"},
	"internal": {"errs", "expr", "plan", "exec", "internal"},
	"sql":      {"errs", "expr", "plan", "exec", "iceberg", "ducklake", "frame", "internal", "sql", "pgwire"},
	// The wire protocol server knows nothing of plans: a Handler (the sql
	// package's) gives statements their meaning.
	"pgwire":   {"errs"},
	"examples": {"*"},
	"cmd":      {"*"},
}

// The PostgreSQL parser is a cgo library: only the SQL front end and the
// command use it, so the core packages build without a C compiler.
const sqlParser = "github.com/pganalyze/pg_query_go"

var parserUsers = []string{"sql", "cmd"}

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		layer := strings.Split(filepath.ToSlash(rel), "/")[0]
		if !strings.Contains(filepath.ToSlash(rel), "/") {
			return nil
		}
		rules, ok := allowed[layer]
		if !ok {
			t.Errorf("%s: package layer %q is not in the import table", rel, layer)
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, sqlParser) && !permitted(parserUsers, layer) {
				t.Errorf("%s imports %s: only %v may use the SQL parser (it needs cgo)", rel, p, parserUsers)
			}
			if !strings.HasPrefix(p, module+"/") {
				continue
			}
			target := strings.Split(strings.TrimPrefix(p, module+"/"), "/")[0]
			if !permitted(rules, target) {
				t.Errorf("%s imports %s: %s may not import %s", rel, p, layer, target)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files were checked")
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found: %v", err)
	}
}

func permitted(rules []string, target string) bool {
	for _, r := range rules {
		if r == "*" || r == target {
			return true
		}
	}
	return false
}
