package tpchgen

import (
	"fmt"

	"lakeframe/errs"
)

// MaxScale is the largest scale factor Generate accepts, the largest one
// the TPC-H specification defines.
const MaxScale = 100000

// baseRows is each table's row count at scale factor 1; nation and region
// do not scale. Lineitem is absent: each order has 1 to 7 lines, drawn at
// random, so its count has no formula.
var baseRows = map[string]int64{
	"region":   5,
	"nation":   25,
	"supplier": 10_000,
	"customer": 150_000,
	"part":     200_000,
	"partsupp": 800_000,
	"orders":   1_500_000,
}

// lineitemRows holds lineitem's row counts as the reference dbgen produces
// them, for the scale factors where they were counted.
var lineitemRows = map[int]int64{
	1:  6_001_215,
	10: 59_986_052,
}

// RowCount returns the number of rows table has at scale factor sf. It is
// exact for every table except lineitem at scale factors whose count is not
// on record; there exact is false and rows is the specification's estimate
// of 6,000,000 × sf.
func RowCount(table string, sf int) (rows int64, exact bool, err error) {
	if err := checkScale(sf); err != nil {
		return 0, false, err
	}
	if table == "lineitem" {
		if n, ok := lineitemRows[sf]; ok {
			return n, true, nil
		}
		return 6_000_000 * int64(sf), false, nil
	}
	base, ok := baseRows[table]
	if !ok {
		return 0, false, unknownTable(table)
	}
	if table == "nation" || table == "region" {
		return base, true, nil
	}
	return base * int64(sf), true, nil
}

func checkScale(sf int) error {
	if sf < 1 || sf > MaxScale {
		return fmt.Errorf("%w: scale factor %d out of range: go-tpc's dbgen supports integer scale factors 1..%d", errs.ErrPlan, sf, MaxScale)
	}
	return nil
}
