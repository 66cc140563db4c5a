package rules_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lakeframe/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// goldenCase is one named plan to optimize; its expected output is in
// testdata/<dir>/<name>.golden.
type goldenCase struct {
	name  string
	build func(t *testing.T) plan.Node
}

// runRule runs one rule once over each case. Besides the golden output it
// checks that the rule reports a change exactly when the plan changed, and
// that one pass reaches the rule's fixed point.
func runRule(t *testing.T, rule plan.Rule, cases []goldenCase) {
	t.Helper()
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.build(t)
			out, fired, err := plan.Optimize(ctx, in, []plan.Batch{plan.Once(rule.Name(), rule)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case len(fired) == 0 && out != in:
				t.Errorf("the rule reported no change but returned a new plan")
			case len(fired) > 0 && plan.Format(out) == plan.Format(in):
				t.Errorf("the rule reported a change but the plan is the same")
			}
			again, changed, err := rule.Rewrite(ctx, out, &plan.Config{})
			if err != nil {
				t.Fatalf("second pass: %v", err)
			}
			if changed {
				t.Errorf("a second pass changed the plan again:\n%s", plan.Format(again))
			}
			checkGolden(t, rule.Name(), tc.name, in, out, fired)
		})
	}
}

// runBatches optimizes each case with the given batches.
func runBatches(t *testing.T, dir string, batches func() []plan.Batch, cases []goldenCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.build(t)
			out, fired, err := plan.Optimize(context.Background(), in, batches(), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, dir, tc.name, in, out, fired)
		})
	}
}

// checkGolden compares the optimized plan with its golden file: a first
// line naming the rules that fired, the input plan as comments, then the
// output plan. With -update it writes the file instead.
func checkGolden(t *testing.T, dir, name string, in, out plan.Node, fired []string) {
	t.Helper()
	var sb strings.Builder
	sb.WriteString("# fired: ")
	if len(fired) == 0 {
		sb.WriteString("none")
	}
	sb.WriteString(strings.Join(fired, ", "))
	sb.WriteString("\n# input:\n")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(plan.Format(in), "\n"), "\n") {
		sb.WriteString("#   " + line)
	}
	sb.WriteString("\n")
	sb.WriteString(plan.Format(out))
	got := sb.String()

	path := filepath.Join("testdata", dir, name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update and review the diff)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
