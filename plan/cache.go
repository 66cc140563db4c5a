package plan

import (
	"fmt"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// Cache marks a subplan that a query uses more than once (a frame joined
// with an aggregate of itself, a common table expression): it is computed
// once per query and its rows are shared by every use. Uses are the same
// Cache, recognised by ID, so rewrites that copy the node keep sharing.
type Cache struct {
	Input Node
	ID    uint64
}

var _ Node = (*Cache)(nil)

// cacheIDs numbers caches so that copies made by rewrites keep their
// identity; a counter, not configuration.
var cacheIDs atomic.Uint64

// NewCache wraps in in a new cache.
func NewCache(in Node) *Cache { return &Cache{Input: in, ID: cacheIDs.Add(1)} }

func (c *Cache) Schema() *arrow.Schema { return c.Input.Schema() }
func (c *Cache) Children() []Node      { return []Node{c.Input} }
func (c *Cache) WithChildren(children ...Node) (Node, error) {
	if len(children) != 1 {
		return nil, fmt.Errorf("%w: cache takes one input, got %d", errs.ErrInternal, len(children))
	}
	return &Cache{Input: children[0], ID: c.ID}, nil
}
func (c *Cache) String() string { return fmt.Sprintf("Cache #%d", c.ID) }
