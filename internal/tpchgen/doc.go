// Package tpchgen writes the eight TPC-H tables as Parquet files, for
// benchmarks and tests.
//
// Rows come from github.com/pingcap/go-tpc's port of the official dbgen 2.4.0,
// so the data are the reference data set: the same rows, in the same order,
// as the TPC's own generator. That port shapes what this package can offer:
//
//   - Scale factors are integers, 1 or more. dbgen's shrinking of the base
//     row counts for fractional scale factors is not reachable through the
//     port's API, so SF 0.01 or 0.1 data sets cannot be produced.
//   - The port keeps its state in package globals and its initialization is
//     not repeatable: a second InitDbGen in one process appends every word
//     distribution again and changes all later draws. A process therefore
//     initializes it once, for one scale factor, and can generate each table
//     once. Generate reports anything else as errs.ErrNotImplemented, and
//     reuses a complete directory without generating anything.
//   - Initialization builds a 300 MiB text pool, which takes several seconds
//     and stays in memory for the life of the process.
//   - dbgen produces rows on one goroutine and prints a line to standard
//     output as each table starts and ends. The Parquet encoding runs on
//     other goroutines, one per table being written.
//
// The layout is <dir>/<table>/part-N.parquet with lowercase TPC-H column
// names, and a <dir>/_SUCCESS marker once every requested table is complete.
package tpchgen
