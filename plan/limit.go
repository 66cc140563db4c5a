package plan

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// Limit skips Offset rows and then passes at most N rows.
type Limit struct {
	Input     Node
	Offset, N int64
}

var _ Node = (*Limit)(nil)

// NewLimit checks that the counts are not negative.
func NewLimit(in Node, offset, n int64) (*Limit, error) {
	if n < 0 || offset < 0 {
		return nil, fmt.Errorf("%w: limit %d offset %d: counts must not be negative", errs.ErrPlan, n, offset)
	}
	return &Limit{Input: in, Offset: offset, N: n}, nil
}

func (l *Limit) Schema() *arrow.Schema { return l.Input.Schema() }
func (l *Limit) Children() []Node      { return []Node{l.Input} }
func (l *Limit) WithChildren(children ...Node) (Node, error) {
	if len(children) != 1 {
		return nil, fmt.Errorf("%w: limit takes one input, got %d", errs.ErrInternal, len(children))
	}
	return NewLimit(children[0], l.Offset, l.N)
}

func (l *Limit) String() string {
	if l.Offset > 0 {
		return fmt.Sprintf("Limit %d offset=%d", l.N, l.Offset)
	}
	return fmt.Sprintf("Limit %d", l.N)
}
