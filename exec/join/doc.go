// Package join holds the kernels of hash joins: a Table that indexes the
// key tuples of a build side and finds the build rows matching each row of
// a probe batch, a gather kernel that assembles output columns from row
// indices, and a row hash that partitions both sides of a join that does
// not fit in memory.
//
// Key columns of any supported type become uint64 codes (integers, dates,
// timestamps and floats directly; strings and wide types through a
// dictionary), and the codes of a key tuple are packed into one uint64
// when their value ranges fit. One lookup per probe row then finds the
// tuple, in a direct-mapped array when the packed keys are dense (as
// surrogate keys are) or in an open-addressing hash table otherwise.
//
// Work is batch at a time: a type switch picks a typed loop once per
// column and batch, so no interface call or allocation happens per row.
// The table's memory comes from the Arrow allocator it is built with.
package join
