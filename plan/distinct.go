package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// Distinct removes duplicate rows; NULLs equal each other here.
type Distinct struct {
	Input Node
}

var _ Node = (*Distinct)(nil)

// NewDistinct makes a Distinct.
func NewDistinct(in Node) *Distinct { return &Distinct{Input: in} }

func (d *Distinct) Schema() *arrow.Schema { return d.Input.Schema() }
func (d *Distinct) Children() []Node      { return []Node{d.Input} }
func (d *Distinct) WithChildren(children ...Node) (Node, error) {
	if len(children) != 1 {
		return nil, fmt.Errorf("%w: distinct takes one input, got %d", errs.ErrInternal, len(children))
	}
	return NewDistinct(children[0]), nil
}
func (d *Distinct) String() string { return "Distinct" }
