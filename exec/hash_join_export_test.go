package exec

// SetJoinSpill sets the hash join memory budget, spill fanout and levels
// for a test, and returns a function that restores them.
func SetJoinSpill(budget int64, fanout, levels int) (restore func()) {
	oldBudget, oldFanout, oldLevels := joinMemoryBudget, joinSpillFanout, joinSpillLevels
	joinMemoryBudget, joinSpillFanout, joinSpillLevels = budget, fanout, levels
	return func() { joinMemoryBudget, joinSpillFanout, joinSpillLevels = oldBudget, oldFanout, oldLevels }
}
