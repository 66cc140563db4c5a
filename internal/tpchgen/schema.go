package tpchgen

import (
	"fmt"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// column is one TPC-H column as written to Parquet.
type column struct {
	name string
	typ  arrow.DataType
	// dict turns on dictionary encoding. Only columns with few distinct
	// values get it: for the others the writer would build a dictionary,
	// overflow it and fall back to plain encoding, which costs time.
	dict bool
}

var (
	int64T   = arrow.PrimitiveTypes.Int64
	float64T = arrow.PrimitiveTypes.Float64
	dateT    = arrow.FixedWidthTypes.Date32
	stringT  = arrow.BinaryTypes.String
)

// tableColumns lists each table's columns in TPC-H specification order.
var tableColumns = map[string][]column{
	"region": {
		{"r_regionkey", int64T, false},
		{"r_name", stringT, false},
		{"r_comment", stringT, false},
	},
	"nation": {
		{"n_nationkey", int64T, false},
		{"n_name", stringT, false},
		{"n_regionkey", int64T, true},
		{"n_comment", stringT, false},
	},
	"supplier": {
		{"s_suppkey", int64T, false},
		{"s_name", stringT, false},
		{"s_address", stringT, false},
		{"s_nationkey", int64T, true},
		{"s_phone", stringT, false},
		{"s_acctbal", float64T, false},
		{"s_comment", stringT, false},
	},
	"customer": {
		{"c_custkey", int64T, false},
		{"c_name", stringT, false},
		{"c_address", stringT, false},
		{"c_nationkey", int64T, true},
		{"c_phone", stringT, false},
		{"c_acctbal", float64T, false},
		{"c_mktsegment", stringT, true},
		{"c_comment", stringT, false},
	},
	"part": {
		{"p_partkey", int64T, false},
		{"p_name", stringT, false},
		{"p_mfgr", stringT, true},
		{"p_brand", stringT, true},
		{"p_type", stringT, true},
		{"p_size", int64T, true},
		{"p_container", stringT, true},
		{"p_retailprice", float64T, false},
		{"p_comment", stringT, false},
	},
	"partsupp": {
		{"ps_partkey", int64T, false},
		{"ps_suppkey", int64T, false},
		{"ps_availqty", int64T, false},
		{"ps_supplycost", float64T, false},
		{"ps_comment", stringT, false},
	},
	"orders": {
		{"o_orderkey", int64T, false},
		{"o_custkey", int64T, false},
		{"o_orderstatus", stringT, true},
		{"o_totalprice", float64T, false},
		{"o_orderdate", dateT, true},
		{"o_orderpriority", stringT, true},
		{"o_clerk", stringT, true},
		{"o_shippriority", int64T, true},
		{"o_comment", stringT, false},
	},
	"lineitem": {
		{"l_orderkey", int64T, false},
		{"l_partkey", int64T, false},
		{"l_suppkey", int64T, false},
		{"l_linenumber", int64T, true},
		{"l_quantity", float64T, true},
		{"l_extendedprice", float64T, false},
		{"l_discount", float64T, true},
		{"l_tax", float64T, true},
		{"l_returnflag", stringT, true},
		{"l_linestatus", stringT, true},
		{"l_shipdate", dateT, true},
		{"l_commitdate", dateT, true},
		{"l_receiptdate", dateT, true},
		{"l_shipinstruct", stringT, true},
		{"l_shipmode", stringT, true},
		{"l_comment", stringT, false},
	},
}

// Tables returns the names of the eight TPC-H tables, sorted.
func Tables() []string {
	names := make([]string, 0, len(tableColumns))
	for name := range tableColumns {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Schema returns the Arrow schema of table's Parquet files. TPC-H columns
// are all NOT NULL, so every field is non-nullable (REQUIRED in Parquet).
func Schema(table string) (*arrow.Schema, error) {
	cols, ok := tableColumns[table]
	if !ok {
		return nil, unknownTable(table)
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.name, Type: c.typ}
	}
	return arrow.NewSchema(fields, nil), nil
}

func unknownTable(table string) error {
	return fmt.Errorf("%w: unknown tpc-h table %q (want one of %v)", errs.ErrPlan, table, Tables())
}
