// Package plan holds logical plans: immutable trees of relational nodes
// (Scan, Filter, Project, Aggregate, Sort, Limit, Distinct), the optimizer
// that rewrites them, and Format, which prints them for EXPLAIN and tests.
package plan

import (
	"github.com/apache/arrow-go/v18/arrow"
)

// Node is a logical plan node. Nodes never change once built; a rewrite
// shares the subtrees it does not touch. Anything beyond these four methods
// is an optional interface, found with a type assertion.
type Node interface {
	// Schema is the schema of the rows the node produces.
	Schema() *arrow.Schema
	// Children are the node's inputs.
	Children() []Node
	// WithChildren returns a copy of the node with new inputs, checked as
	// the node's constructor checks them.
	WithChildren(children ...Node) (Node, error)
	// String describes the node alone, without its inputs.
	String() string
}
