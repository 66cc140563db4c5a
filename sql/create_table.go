//go:build cgo

package sql

import (
	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/pganalyze/pg_query_go/v6"
)

// createTable makes an empty in-memory table. Constraints (PRIMARY KEY,
// NOT NULL, ...) are accepted and not enforced.
func (s *Session) createTable(text string, cs *pg.CreateStmt) error {
	rv := cs.Relation
	if rv.Schemaname != "" && rv.Schemaname != "public" {
		return newError(text, rv.Location, "3F000", "schema %q does not exist", rv.Schemaname)
	}
	if _, ok := s.tables[rv.Relname]; ok {
		if cs.IfNotExists {
			return nil
		}
		return newError(text, rv.Location, CodeDuplicateTable, "relation %q already exists", rv.Relname)
	}
	if len(cs.InhRelations) > 0 || cs.Partspec != nil || cs.OfTypename != nil {
		return notSupported(text, rv.Location, "inheritance, partitioning and typed tables")
	}
	var fields []arrow.Field
	seen := map[string]bool{}
	for _, elt := range cs.TableElts {
		cd := elt.GetColumnDef()
		if cd == nil {
			continue // a table constraint
		}
		if seen[cd.Colname] {
			return newError(text, cd.Location, "42701", "column %q specified more than once", cd.Colname)
		}
		seen[cd.Colname] = true
		t, err := arrowType(text, cd.TypeName)
		if err != nil {
			return err
		}
		fields = append(fields, arrow.Field{Name: cd.Colname, Type: t, Nullable: true})
	}
	s.tables[rv.Relname] = &table{name: rv.Relname, schema: arrow.NewSchema(fields, nil)}
	return nil
}

// drop removes tables. DROP INDEX is accepted and does nothing, as CREATE
// INDEX does: in-memory tables have no indexes.
func (s *Session) drop(text string, ds *pg.DropStmt, offset int32) error {
	switch ds.RemoveType {
	case pg.ObjectType_OBJECT_TABLE:
	case pg.ObjectType_OBJECT_INDEX:
		return nil
	default:
		return notSupported(text, offset, "DROP of anything but tables")
	}
	for _, obj := range ds.Objects {
		items := obj.GetList().GetItems()
		name := nameOf(items)
		if _, ok := s.tables[name]; !ok {
			if ds.MissingOk {
				continue
			}
			return newError(text, offset, CodeUndefinedTable, "table %q does not exist (tables: %s)", name, s.tableList())
		}
		delete(s.tables, name)
	}
	return nil
}
