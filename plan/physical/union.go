package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Union concatenates the partitions of its inputs: its partition p is
// partition p - (partitions of the inputs before it) of one input, so
// every input keeps its own parallelism and nothing is merged. The inputs
// have Out's columns and types (the logical Union checked that).
type Union struct {
	Inputs []Node
	Out    *arrow.Schema
}

func (u *Union) Schema() *arrow.Schema { return u.Out }
func (u *Union) Children() []Node      { return u.Inputs }
func (u *Union) String() string        { return fmt.Sprintf("UnionExec inputs=%d", len(u.Inputs)) }

func (u *Union) Partitions() int {
	n := 0
	for _, in := range u.Inputs {
		n += in.Partitions()
	}
	return n
}

// Locate returns the input that serves partition p and its partition there.
func (u *Union) Locate(p int) (input, partition int) {
	for i, in := range u.Inputs {
		if p < in.Partitions() {
			return i, p
		}
		p -= in.Partitions()
	}
	return -1, -1
}

func (u *Union) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("union", len(u.Inputs), children); err != nil {
		return nil, err
	}
	return &Union{Inputs: children, Out: u.Out}, nil
}
