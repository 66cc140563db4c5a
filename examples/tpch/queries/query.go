package queries

import "lakeframe/frame"

// Query is one TPC-H query: the DataFrame version and the SQL text.
type Query struct {
	Number int    // 1 to 22
	Name   string // "q1" to "q22"
	Title  string // the specification's name for it
	// DataFrame builds the query over the tables in dir.
	DataFrame func(dir string) *frame.DataFrame
	// SQL is the specification's query text over views named like the
	// tables (lineitem, orders, ...), in DuckDB's dialect.
	SQL string
}

// All returns the 22 queries in order; All()[n-1] is query n. Each call
// returns a new slice.
func All() []Query {
	return []Query{
		{1, "q1", "pricing summary report", Q1, q1SQL},
		{2, "q2", "minimum cost supplier", Q2, q2SQL},
		{3, "q3", "shipping priority", Q3, q3SQL},
		{4, "q4", "order priority checking", Q4, q4SQL},
		{5, "q5", "local supplier volume", Q5, q5SQL},
		{6, "q6", "forecasting revenue change", Q6, q6SQL},
		{7, "q7", "volume shipping", Q7, q7SQL},
		{8, "q8", "national market share", Q8, q8SQL},
		{9, "q9", "product type profit measure", Q9, q9SQL},
		{10, "q10", "returned item reporting", Q10, q10SQL},
		{11, "q11", "important stock identification", Q11, q11SQL},
		{12, "q12", "shipping modes and order priority", Q12, q12SQL},
		{13, "q13", "customer distribution", Q13, q13SQL},
		{14, "q14", "promotion effect", Q14, q14SQL},
		{15, "q15", "top supplier", Q15, q15SQL},
		{16, "q16", "parts/supplier relationship", Q16, q16SQL},
		{17, "q17", "small-quantity-order revenue", Q17, q17SQL},
		{18, "q18", "large volume customer", Q18, q18SQL},
		{19, "q19", "discounted revenue", Q19, q19SQL},
		{20, "q20", "potential part promotion", Q20, q20SQL},
		{21, "q21", "suppliers who kept orders waiting", Q21, q21SQL},
		{22, "q22", "global sales opportunity", Q22, q22SQL},
	}
}

// SQL returns the SQL text of query n (1 to 22), or "" for another n.
func SQL(n int) string {
	qs := All()
	if n < 1 || n > len(qs) {
		return ""
	}
	return qs[n-1].SQL
}
