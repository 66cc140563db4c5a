package aggregate

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// nullColumn is a key of type Null: every row is NULL, one group.
type nullColumn struct{ seen bool }

func (c *nullColumn) insert(arr arrow.Array, out []uint32) error {
	if err := checkArray(arrow.Null, arr); err != nil {
		return err
	}
	if arr.Len() > 0 {
		c.seen = true
	}
	clear(out[:arr.Len()])
	return nil
}

func (c *nullColumn) len() int {
	if c.seen {
		return 1
	}
	return 0
}

func (c *nullColumn) nullID() int {
	if c.seen {
		return 0
	}
	return -1
}

func (c *nullColumn) build(mem memory.Allocator, ids []uint32) (arrow.Array, error) {
	n := c.len()
	if ids != nil {
		n = len(ids)
	}
	return array.NewNull(n), nil
}

func (c *nullColumn) sizeBytes() int { return 0 }
