package exec

import (
	"fmt"

	"lakeframe/errs"
	"lakeframe/plan/physical"
)

func newHashJoinOp(probe, build Operator, n *physical.HashJoin) (Operator, error) {
	return nil, fmt.Errorf("%w: hash join", errs.ErrNotImplemented)
}
