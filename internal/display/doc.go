// Package display shows query results and progress to people: text tables
// of the first rows of a result (DataFrame.Show) and live per-operator
// progress lines on a terminal while a query runs.
package display
