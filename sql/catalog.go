//go:build cgo

package sql

import (
	"context"
	"errors"

	"github.com/apache/iceberg-go/catalog"
	icetable "github.com/apache/iceberg-go/table"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/frame"
)

// AttachCatalog lets statements name the tables of an Iceberg catalog as
// namespace.table (db.events reads table events of namespace db). Tables
// load when a statement names them, so each statement reads their current
// snapshot; names the session holds itself come first.
func (s *Session) AttachCatalog(cat catalog.Catalog) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.catalog = cat
}

// catalogTable loads a schema-qualified name from the attached catalog;
// found is false when there is no catalog or no such table.
func (s *Session) catalogTable(ctx context.Context, text string, rv *pg.RangeVar) (t *table, found bool, err error) {
	if s.catalog == nil || rv.Schemaname == "" {
		return nil, false, nil
	}
	ident := icetable.Identifier{rv.Schemaname, rv.Relname}
	if rv.Catalogname != "" {
		ident = append(icetable.Identifier{rv.Catalogname}, ident...)
	}
	tbl, err := s.catalog.LoadTable(ctx, ident)
	if errors.Is(err, catalog.ErrNoSuchTable) || errors.Is(err, catalog.ErrNoSuchNamespace) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, &Error{Code: "58000", Message: "cannot load table " + rv.Schemaname + "." + rv.Relname + " from the catalog: " + err.Error(),
			Position: position(text, rv.Location), cause: err}
	}
	df := frame.ReadIceberg(tbl)
	schema, err := df.Schema()
	if err != nil {
		return nil, false, fromEngine(text, rv.Location, err)
	}
	return &table{name: rv.Schemaname + "." + rv.Relname, frame: df, schema: schema}, true, nil
}
