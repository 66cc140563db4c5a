// Package aggregate holds the building blocks of hash aggregation: a
// GroupTable that maps key tuples to dense group ids, and Accumulators that
// fold argument columns into one value per group.
//
// Aggregation runs in two phases. A partial phase, once per partition, calls
// Accumulator.Update with raw rows and emits GroupTable.Keys next to
// Accumulator.States. A final phase inserts those keys into a fresh
// GroupTable, calls Accumulator.Merge with the state columns, and emits
// GroupTable.Keys next to Accumulator.Finish. States are plain Arrow arrays,
// so they can travel between processes as Arrow IPC.
//
// Both parts work batch at a time: a type switch picks a typed loop once per
// batch, and the loops read Arrow buffers directly.
package aggregate
