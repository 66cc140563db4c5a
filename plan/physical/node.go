// Package physical holds physical plans: what runs, split into partitions
// that execute in parallel, and Lower, which turns an optimized logical
// plan into one. exec.Build turns a physical plan into operators.
package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// Node is a physical plan node.
type Node interface {
	Schema() *arrow.Schema
	Children() []Node
	// WithChildren returns a copy of the node reading from children, in
	// the order Children lists them; the node itself is left unchanged.
	WithChildren(children ...Node) (Node, error)
	// Partitions is how many independent output streams the node has.
	Partitions() int
	// String describes the node alone, without its inputs.
	String() string
}

// checkChildren reports a wrong number of inputs given to WithChildren,
// which only a lakeframe bug can cause.
func checkChildren(node string, want int, children []Node) error {
	if len(children) != want {
		return fmt.Errorf("%w: %s takes %d inputs, got %d", errs.ErrInternal, node, want, len(children))
	}
	return nil
}

// Format prints a physical plan as an indented tree.
func Format(n Node) string {
	var out []byte
	var walk func(Node, int)
	walk = func(n Node, depth int) {
		for range depth {
			out = append(out, "  "...)
		}
		out = append(out, n.String()...)
		out = append(out, '\n')
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return string(out)
}
