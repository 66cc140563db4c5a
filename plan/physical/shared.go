package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
)

// Shared computes its single-partition input once and replays the rows to
// each of its Consumers (the places the same logical Cache appears).
type Shared struct {
	Input     Node
	ID        uint64
	Consumers int
}

func (s *Shared) Schema() *arrow.Schema { return s.Input.Schema() }
func (s *Shared) Children() []Node      { return []Node{s.Input} }
func (s *Shared) Partitions() int       { return 1 }
func (s *Shared) String() string {
	return fmt.Sprintf("SharedExec #%d consumers=%d", s.ID, s.Consumers)
}

func (s *Shared) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("shared", 1, children); err != nil {
		return nil, err
	}
	c := *s
	c.Input = children[0]
	return &c, nil
}
