package ducklake

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"lakeframe/errs"
)

// Table is a table's definition at one snapshot.
type Table struct {
	ID       int64
	Schema   string
	Name     string
	Snapshot Snapshot
	// Path is the resolved directory relative file paths start from; it
	// ends in "/".
	Path string
	// Columns are the top-level columns in table order.
	Columns []Column

	cat *Catalog
}

// QualifiedName is schema.table.
func (t *Table) QualifiedName() string { return t.Schema + "." + t.Name }

// Column is a table column at a snapshot. It is plain data, carried in
// scan tasks.
type Column struct {
	// ID is the column_id, which is the Parquet field id in data files.
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Type is the DuckLake type name: int64, varchar, decimal(18,3),
	// timestamptz, struct, list, map, ...
	Type string `json:"type"`
	// InitialDefault is the value, as text, of the column in rows written
	// before it was added; nil means NULL.
	InitialDefault *string `json:"initial_default,omitempty"`
	Nullable       bool    `json:"nullable"`
	// Added is the first snapshot that had this column id: files that
	// began before it cannot hold the column.
	Added int64 `json:"added"`
	// Position is the column's place among the table's top-level columns,
	// which locates it in files without field ids or name mapping.
	Position int      `json:"position"`
	Children []Column `json:"children,omitempty"`
}

// schemaRow and tableRow are live catalog entries at a snapshot.
type schemaRow struct {
	id       int64
	name     string
	path     string
	relative bool
}

// Schemas lists the schema names at the latest snapshot, or the one opts
// select, sorted.
func (c *Catalog) Schemas(ctx context.Context, opts ...ReadOption) ([]string, error) {
	snap, err := c.snapshot(ctx, opts)
	if err != nil {
		return nil, err
	}
	schemas, err := c.schemas(ctx, snap.ID)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(schemas))
	for i, s := range schemas {
		out[i] = s.name
	}
	slices.Sort(out)
	return out, nil
}

// Tables lists the table names of a schema at the latest snapshot, or the
// one opts select, sorted.
func (c *Catalog) Tables(ctx context.Context, schema string, opts ...ReadOption) ([]string, error) {
	snap, err := c.snapshot(ctx, opts)
	if err != nil {
		return nil, err
	}
	all, err := c.tables(ctx, snap.ID)
	if err != nil {
		return nil, err
	}
	var out []string
	found := false
	for _, t := range all {
		if t.schema.name == schema {
			found = true
			if t.name != "" {
				out = append(out, t.name)
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("%w: ducklake schema %q does not exist at snapshot %d", errs.ErrPlan, schema, snap.ID)
	}
	slices.Sort(out)
	return out, nil
}

func (c *Catalog) schemas(ctx context.Context, snap int64) ([]schemaRow, error) {
	rows, err := c.query(ctx, "SELECT schema_id, schema_name, path, path_is_relative FROM "+c.table("ducklake_schema")+
		" WHERE begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?)", snap, snap)
	if err != nil {
		return nil, fmt.Errorf("%w: list ducklake schemas: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	var out []schemaRow
	for rows.Next() {
		var s schemaRow
		var name, path sql.NullString
		var rel sql.NullBool
		if err := rows.Scan(&s.id, &name, &path, &rel); err != nil {
			return nil, fmt.Errorf("%w: list ducklake schemas: %w", errs.ErrExec, err)
		}
		s.name, s.path, s.relative = name.String, path.String, !rel.Valid || rel.Bool
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: list ducklake schemas: %w", errs.ErrExec, err)
	}
	return out, nil
}

// tableRow is a live table; a schema without tables appears once with an
// empty name so that Tables can tell an empty schema from a missing one.
type tableRow struct {
	id       int64
	name     string
	path     string
	relative bool
	schema   schemaRow
}

func (c *Catalog) tables(ctx context.Context, snap int64) ([]tableRow, error) {
	schemas, err := c.schemas(ctx, snap)
	if err != nil {
		return nil, err
	}
	rows, err := c.query(ctx, "SELECT table_id, schema_id, table_name, path, path_is_relative FROM "+c.table("ducklake_table")+
		" WHERE begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?)", snap, snap)
	if err != nil {
		return nil, fmt.Errorf("%w: list ducklake tables: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	bySchema := map[int64][]tableRow{}
	for rows.Next() {
		var t tableRow
		var schemaID int64
		var name, path sql.NullString
		var rel sql.NullBool
		if err := rows.Scan(&t.id, &schemaID, &name, &path, &rel); err != nil {
			return nil, fmt.Errorf("%w: list ducklake tables: %w", errs.ErrExec, err)
		}
		t.name, t.path, t.relative = name.String, path.String, !rel.Valid || rel.Bool
		bySchema[schemaID] = append(bySchema[schemaID], t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: list ducklake tables: %w", errs.ErrExec, err)
	}
	var out []tableRow
	for _, s := range schemas {
		ts := bySchema[s.id]
		if len(ts) == 0 {
			out = append(out, tableRow{schema: s})
		}
		for _, t := range ts {
			t.schema = s
			out = append(out, t)
		}
	}
	return out, nil
}

// Table looks up a table at the latest snapshot, or the one opts select.
// name is "schema.table", or a table name alone, which means the table in
// schema "main" or else the only schema that has it.
func (c *Catalog) Table(ctx context.Context, name string, opts ...ReadOption) (*Table, error) {
	snap, err := c.snapshot(ctx, opts)
	if err != nil {
		return nil, err
	}
	all, err := c.tables(ctx, snap.ID)
	if err != nil {
		return nil, err
	}
	row, err := findTable(all, name, snap.ID)
	if err != nil {
		return nil, err
	}
	t := &Table{ID: row.id, Schema: row.schema.name, Name: row.name, Snapshot: snap, cat: c}
	t.Path = joinPath(joinPath(c.dataPath, row.schema.path, row.schema.relative), row.path, row.relative)
	if t.Columns, err = c.columns(ctx, row.id, snap.ID); err != nil {
		return nil, fmt.Errorf("ducklake table %s: %w", t.QualifiedName(), err)
	}
	if len(t.Columns) == 0 {
		return nil, fmt.Errorf("%w: ducklake table %s has no columns at snapshot %d", errs.ErrExec, t.QualifiedName(), snap.ID)
	}
	return t, nil
}

// findTable resolves a table name against the live tables, and names the
// existing tables when it fails.
func findTable(all []tableRow, name string, snap int64) (tableRow, error) {
	var candidates []tableRow
	for _, t := range all {
		if t.name == "" {
			continue
		}
		if t.schema.name+"."+t.name == name {
			return t, nil
		}
		if t.name == name {
			candidates = append(candidates, t)
		}
	}
	for _, t := range candidates {
		if t.schema.name == "main" {
			return t, nil
		}
	}
	if len(candidates) == 1 {
		return candidates[0], nil
	}
	var names []string
	for _, t := range all {
		if t.name != "" {
			names = append(names, t.schema.name+"."+t.name)
		}
	}
	slices.Sort(names)
	if len(candidates) > 1 {
		return tableRow{}, fmt.Errorf("%w: ducklake table name %q is ambiguous at snapshot %d; qualify it: %s",
			errs.ErrPlan, name, snap, strings.Join(names, ", "))
	}
	list := "none"
	if len(names) > 0 {
		list = strings.Join(names, ", ")
	}
	return tableRow{}, fmt.Errorf("%w: ducklake table %q does not exist at snapshot %d; tables: %s",
		errs.ErrPlan, name, snap, list)
}

// joinPath appends a catalog path to a base directory: relative paths are
// concatenated, as the specification says, and absolute ones replace it.
// Directories end in "/".
func joinPath(base, p string, relative bool) string {
	if !relative {
		return dirPath(strings.TrimPrefix(p, "file://"))
	}
	if p == "" {
		return base
	}
	return dirPath(base + p)
}

func dirPath(p string) string {
	if p != "" && !strings.HasSuffix(p, "/") {
		return p + "/"
	}
	return p
}

// filePath resolves a data or delete file's path against the table path.
func filePath(tablePath, p string, relative bool) string {
	if !relative {
		return strings.TrimPrefix(p, "file://")
	}
	return tablePath + p
}

// columns reads the table's columns at a snapshot as a tree.
func (c *Catalog) columns(ctx context.Context, tableID, snap int64) ([]Column, error) {
	added, err := c.columnsAdded(ctx, tableID)
	if err != nil {
		return nil, err
	}
	rows, err := c.query(ctx, "SELECT column_id, column_order, column_name, column_type, initial_default, nulls_allowed, parent_column FROM "+
		c.table("ducklake_column")+" WHERE table_id = ? AND begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?)",
		tableID, snap, snap)
	if err != nil {
		return nil, fmt.Errorf("%w: read ducklake_column: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	type node struct {
		col    Column
		order  int64
		parent int64
		hasPar bool
	}
	var nodes []node
	for rows.Next() {
		var n node
		var order, parent sql.NullInt64
		var name, typ, def sql.NullString
		var nulls sql.NullBool
		if err := rows.Scan(&n.col.ID, &order, &name, &typ, &def, &nulls, &parent); err != nil {
			return nil, fmt.Errorf("%w: read ducklake_column: %w", errs.ErrExec, err)
		}
		n.order, n.parent, n.hasPar = order.Int64, parent.Int64, parent.Valid
		n.col.Name, n.col.Type = name.String, strings.ToLower(strings.TrimSpace(typ.String))
		n.col.Nullable = !nulls.Valid || nulls.Bool
		if def.Valid {
			n.col.InitialDefault = &def.String
		}
		n.col.Added = added[n.col.ID]
		nodes = append(nodes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: read ducklake_column: %w", errs.ErrExec, err)
	}
	slices.SortStableFunc(nodes, func(a, b node) int {
		if a.order != b.order {
			return cmp.Compare(a.order, b.order)
		}
		return cmp.Compare(a.col.ID, b.col.ID)
	})
	children := map[int64][]int{}
	for i, n := range nodes {
		if n.hasPar {
			children[n.parent] = append(children[n.parent], i)
		}
	}
	var build func(i int, depth int) (Column, error)
	build = func(i int, depth int) (Column, error) {
		if depth > 64 {
			return Column{}, fmt.Errorf("%w: column %d nests too deep (a parent_column cycle?)", errs.ErrExec, nodes[i].col.ID)
		}
		col := nodes[i].col
		for _, k := range children[col.ID] {
			child, err := build(k, depth+1)
			if err != nil {
				return Column{}, err
			}
			col.Children = append(col.Children, child)
		}
		return col, nil
	}
	var out []Column
	for i, n := range nodes {
		if n.hasPar {
			continue
		}
		col, err := build(i, 0)
		if err != nil {
			return nil, err
		}
		col.Position = len(out)
		out = append(out, col)
	}
	return out, nil
}

// columnsAdded maps each column id of the table to the first snapshot
// that had it.
func (c *Catalog) columnsAdded(ctx context.Context, tableID int64) (map[int64]int64, error) {
	rows, err := c.query(ctx, "SELECT column_id, MIN(begin_snapshot) FROM "+c.table("ducklake_column")+
		" WHERE table_id = ? GROUP BY column_id", tableID)
	if err != nil {
		return nil, fmt.Errorf("%w: read ducklake_column: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id int64
		var begin sql.NullInt64
		if err := rows.Scan(&id, &begin); err != nil {
			return nil, fmt.Errorf("%w: read ducklake_column: %w", errs.ErrExec, err)
		}
		out[id] = begin.Int64
	}
	return out, rows.Err()
}
