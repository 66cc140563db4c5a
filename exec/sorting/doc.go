// Package sorting holds the ordering building blocks of lakeframe's sort
// operators: a full stable sort of many record batches, a bounded top-k
// and a merge of already sorted runs.
//
// Callers evaluate the sort-key expressions themselves and pass the key
// columns next to each batch. Rows are ordered through normalized keys: each
// row's keys are encoded into bytes whose unsigned lexicographic order is the
// requested order (a null marker per key, sign-flipped big-endian integers,
// floats with NaN above every number and -0 equal to 0, strings escaped and
// terminated so a prefix sorts first, every byte inverted for a descending
// key). A single fixed-width key skips the byte encoding and sorts 64-bit
// normalized values directly. Sorting is a radix sort over 8-byte chunks of
// the normalized keys, which is stable, so equal keys keep arrival order.
package sorting
