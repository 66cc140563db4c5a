//go:build cgo

package sql

import (
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// column is a column a query can name. Every column gets a unique id that
// is its name in the plan, so that t1.a and x.a of a self-join, or a
// subquery's a and the outer a, never clash; the SQL names live only here.
type column struct {
	table  string // the qualifier: table name or alias; "" for none
	name   string
	id     string
	typ    arrow.DataType
	hidden bool // a USING column's sides, reachable only qualified
}

// scope is the set of columns visible in one query block, with the block
// around it for correlated references.
type scope struct {
	cols   []column
	parent *scope
}

// lookup finds a column by optional qualifier and name in this block only.
// It returns the matches; more than one is ambiguous.
func (s *scope) lookup(qual, name string) []column {
	var out []column
	for _, c := range s.cols {
		if c.name != name {
			continue
		}
		if qual == "" && c.hidden {
			continue
		}
		if qual != "" && c.table != qual {
			continue
		}
		out = append(out, c)
	}
	return out
}

// hasTable reports whether a qualifier names a table of this block.
func (s *scope) hasTable(qual string) bool {
	for _, c := range s.cols {
		if c.table == qual {
			return true
		}
	}
	return false
}

// describe lists the columns of the block, for error messages.
func (s *scope) describe() string {
	var names []string
	for _, c := range s.cols {
		if c.hidden {
			continue
		}
		if c.table != "" {
			names = append(names, c.table+"."+c.name)
		} else {
			names = append(names, c.name)
		}
	}
	if len(names) == 0 {
		return "no columns"
	}
	return "columns: " + strings.Join(names, ", ")
}

// idNames returns the plan names of the columns, in order.
func idsOf(cols []column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.id
	}
	return out
}

// fieldType returns the type of a plan column, or nil.
func fieldType(schema *arrow.Schema, name string) arrow.DataType {
	if idx := schema.FieldIndices(name); len(idx) == 1 {
		return schema.Field(idx[0]).Type
	}
	return nil
}

// typeOfID returns the type of the block's column with a plan id, or nil.
func (s *scope) typeOfID(id string) arrow.DataType {
	for _, c := range s.cols {
		if c.id == id {
			return c.typ
		}
	}
	return nil
}
