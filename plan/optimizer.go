package plan

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// Rule rewrites a plan. A rule that changes nothing returns (n, false, nil)
// and never depends on another rule to leave a valid plan.
type Rule interface {
	// Name is the rule's file stem, used by EXPLAIN and configuration.
	Name() string
	Rewrite(ctx context.Context, n Node, cfg *Config) (Node, bool, error)
}

// Config tunes the optimizer.
type Config struct {
	// Disabled names rules to skip.
	Disabled map[string]bool
	// MaxPasses bounds FixedPoint batches; zero means 16.
	MaxPasses int
}

// Batch is a group of rules applied together, once or to a fixed point.
type Batch struct {
	Name  string
	Rules []Rule
	// Passes is 1 for a batch run once, more for a fixed point bounded by
	// that many passes.
	Passes int
}

// Once makes a batch whose rules run once, in order.
func Once(name string, rules ...Rule) Batch { return Batch{Name: name, Rules: rules, Passes: 1} }

// FixedPoint makes a batch whose rules repeat until nothing changes, at
// most n passes.
func FixedPoint(name string, n int, rules ...Rule) Batch {
	return Batch{Name: name, Rules: rules, Passes: n}
}

// Optimize applies the batches in order. It checks that every rule keeps
// the plan's schema, bounds the passes, and stops a fixed point that
// revisits an earlier plan (two rules undoing each other). It returns the
// names of the rules that changed the plan, in order of first firing.
func Optimize(ctx context.Context, n Node, batches []Batch, cfg *Config) (Node, []string, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	want := n.Schema()
	var fired []string
	seenFired := map[string]bool{}
	for _, b := range batches {
		passes := b.Passes
		if cfg.MaxPasses > 0 && passes > cfg.MaxPasses {
			passes = cfg.MaxPasses
		}
		seen := map[string]bool{Format(n): true}
		for pass := 0; pass < passes; pass++ {
			changedPass := false
			for _, r := range b.Rules {
				if cfg.Disabled[r.Name()] {
					continue
				}
				if err := ctx.Err(); err != nil {
					return nil, nil, err
				}
				next, changed, err := r.Rewrite(ctx, n, cfg)
				if err != nil {
					return nil, nil, fmt.Errorf("optimizer rule %s: %w", r.Name(), err)
				}
				if !changed {
					continue
				}
				if !sameSchema(next.Schema(), want) {
					return nil, nil, fmt.Errorf("%w: optimizer rule %s changed the schema from %s to %s",
						errs.ErrInternal, r.Name(), want, next.Schema())
				}
				n, changedPass = next, true
				if !seenFired[r.Name()] {
					seenFired[r.Name()] = true
					fired = append(fired, r.Name())
				}
			}
			if !changedPass {
				break
			}
			sig := Format(n)
			if seen[sig] {
				break // a cycle: the batch came back to a plan it produced before
			}
			seen[sig] = true
		}
	}
	return n, fired, nil
}

// sameSchema compares names and types, ignoring metadata and nullability.
func sameSchema(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		fa, fb := a.Field(i), b.Field(i)
		if fa.Name != fb.Name || !arrow.TypeEqual(fa.Type, fb.Type) {
			return false
		}
	}
	return true
}
