// Package kernel holds lakeframe's scalar and selection kernels: the
// functions the expression evaluator calls on Arrow arrays where arrow-go's
// compute package has no kernel (strings, LIKE, date parts, date arithmetic,
// COALESCE, CASE) or one that is wrong (filtering Boolean columns with
// nulls, see arrowcompute_test.go for what was measured).
//
// Every kernel takes the allocator first and returns a new array that the
// caller releases. Inputs may be slices of larger arrays (non-zero offset).
// A null input row gives a null output row unless SQL says otherwise, and
// the doc comment of each kernel says when it does. Loops are typed over the
// Arrow buffers: no per-row interface calls or allocations.
//
// String kernels accept String and LargeString and keep that type in their
// output; StringView input is first converted to String (one copy).
package kernel
