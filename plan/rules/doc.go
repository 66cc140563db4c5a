// Package rules holds lakeframe's logical optimizer rules, one per file, and
// Default, the batches the optimizer runs them in. Every rule walks the
// whole plan itself, keeps the plan's schema, shares the subtrees it leaves
// alone, and reports (n, false, nil) when it has nothing to do.
package rules
