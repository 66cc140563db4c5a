package ducklake

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// writeTarget is the table a write goes to, existing or to be created.
type writeTarget struct {
	c          *Catalog
	schemaName string
	tableName  string
	schemaID   int64
	table      *Table // nil: the write creates the table
	cols       []Column
	dir        string // the table directory
	source     []int  // per table column, the written column that feeds it
	inSchema   *arrow.Schema
	outSchema  *arrow.Schema // the table's columns as Arrow types
	// spec is the table's partitioning (nil: none); for a new table, the
	// one WriteOptions.PartitionBy asks for, its id given at commit.
	spec *partitionSpec
}

// writeTarget resolves name at the latest snapshot, or plans a new table
// with the columns of schema.
func (c *Catalog) writeTarget(ctx context.Context, name string, schema *arrow.Schema, partitionBy []PartitionKey) (*writeTarget, error) {
	t, err := c.Table(ctx, name)
	if err == nil {
		spec, err := t.partitioning(ctx, t.Snapshot.ID)
		if err != nil {
			return nil, err
		}
		if len(partitionBy) > 0 {
			want, err := newPartitionSpec(t.QualifiedName(), t.Columns, partitionBy)
			if err != nil {
				return nil, err
			}
			if !want.sameKeys(spec) {
				return nil, fmt.Errorf("%w: ducklake table %s exists, partitioned by %s, not %s; lakeframe does not change a table's partitioning",
					errs.ErrPlan, t.QualifiedName(), spec, want)
			}
		}
		tgt := &writeTarget{c: c, schemaName: t.Schema, tableName: t.Name, table: t, cols: t.Columns, dir: t.Path, inSchema: schema, spec: spec}
		if hasScheme(t.Path) {
			return nil, fmt.Errorf("%w: table %s lives at %s: lakeframe writes ducklake data files to local directories only",
				errs.ErrNotImplemented, t.QualifiedName(), t.Path)
		}
		if tgt.source, err = matchColumns(t.QualifiedName(), t.Columns, schema); err != nil {
			return nil, err
		}
		return tgt, nil
	}
	if !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "does not exist") {
		return nil, err
	}
	schemaName, tableName, ok := strings.Cut(name, ".")
	if !ok {
		schemaName, tableName = "main", name
	}
	if tableName == "" || strings.ContainsAny(tableName, `/\`) {
		return nil, fmt.Errorf("%w: %q is not a table name to create", errs.ErrPlan, name)
	}
	snap, err := c.snapshot(ctx, nil)
	if err != nil {
		return nil, err
	}
	schemas, err := c.schemas(ctx, snap.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(schemas, func(s schemaRow) bool { return s.name == schemaName })
	if i < 0 {
		names, _ := c.Schemas(ctx, AtSnapshot(snap.ID))
		return nil, fmt.Errorf("%w: cannot create ducklake table %s.%s: schema %q does not exist at snapshot %d; schemas: %s",
			errs.ErrPlan, schemaName, tableName, schemaName, snap.ID, strings.Join(names, ", "))
	}
	s := schemas[i]
	cols, err := newColumns(schemaName+"."+tableName, schema)
	if err != nil {
		return nil, err
	}
	spec, err := newPartitionSpec(schemaName+"."+tableName, cols, partitionBy)
	if err != nil {
		return nil, err
	}
	dir := joinPath(joinPath(c.dataPath, s.path, s.relative), tableName+"/", true)
	tgt := &writeTarget{c: c, schemaName: schemaName, tableName: tableName, schemaID: s.id, cols: cols, dir: dir, inSchema: schema, spec: spec}
	tgt.source = make([]int, len(cols))
	for k := range tgt.source {
		tgt.source[k] = k
	}
	return tgt, nil
}

// newColumns are the columns of a new table: the written columns in
// order, with column ids from 1 in pre-order, as DuckDB numbers them.
func newColumns(table string, schema *arrow.Schema) ([]Column, error) {
	if schema.NumFields() == 0 {
		return nil, fmt.Errorf("%w: cannot create ducklake table %s without columns", errs.ErrPlan, table)
	}
	seen := map[string]bool{}
	cols := make([]Column, schema.NumFields())
	next := int64(1)
	for i, f := range schema.Fields() {
		if seen[strings.ToLower(f.Name)] {
			return nil, fmt.Errorf("%w: cannot create ducklake table %s: column name %q appears twice", errs.ErrPlan, table, f.Name)
		}
		seen[strings.ToLower(f.Name)] = true
		c, err := newColumn(f.Name, f.Type, &next)
		if err != nil {
			return nil, err
		}
		c.Position = i
		cols[i] = c
	}
	return cols, nil
}

// matchColumns finds, for each table column, the written column of the
// same name (exactly, else ignoring case as DuckDB does).
func matchColumns(table string, cols []Column, schema *arrow.Schema) ([]int, error) {
	source := make([]int, len(cols))
	used := make([]bool, schema.NumFields())
	var missing []string
	for i, c := range cols {
		source[i] = -1
		for k, f := range schema.Fields() {
			if f.Name == c.Name {
				source[i] = k
				break
			}
		}
		if source[i] < 0 {
			for k, f := range schema.Fields() {
				if strings.EqualFold(f.Name, c.Name) {
					source[i] = k
					break
				}
			}
		}
		if source[i] < 0 {
			missing = append(missing, c.Name)
			continue
		}
		used[source[i]] = true
	}
	var extra []string
	for k, u := range used {
		if !u {
			extra = append(extra, schema.Field(k).Name)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		names := make([]string, len(cols))
		for i, c := range cols {
			names[i] = c.Name
		}
		var why []string
		if len(missing) > 0 {
			why = append(why, "missing "+strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			why = append(why, "not in the table: "+strings.Join(extra, ", "))
		}
		return nil, fmt.Errorf("%w: the written columns do not match ducklake table %s (columns %s): %s",
			errs.ErrPlan, table, strings.Join(names, ", "), strings.Join(why, "; "))
	}
	return source, nil
}

// prepare checks, at the latest snapshot base, that the table the files
// were written for is still there with the same columns, or creates it.
// It returns the table id.
func (tgt *writeTarget) prepare(ctx context.Context, tx *catalogTx, base Snapshot, next *snapshotState) (int64, error) {
	qualified := tgt.schemaName + "." + tgt.tableName
	all, err := tgt.c.tables(ctx, base.ID)
	if err != nil {
		return 0, err
	}
	row, err := findTable(all, qualified, base.ID)
	if err == nil {
		// The table exists: the one written for, or one a concurrent
		// writer created; either way its columns must be those the
		// files hold.
		if tgt.table != nil && row.id != tgt.table.ID {
			return 0, fmt.Errorf("%w: ducklake table %s was dropped and created again while writing", errs.ErrPlan, qualified)
		}
		cols, err := tgt.c.columns(ctx, row.id, base.ID)
		if err != nil {
			return 0, err
		}
		if !sameColumns(cols, tgt.cols) {
			return 0, fmt.Errorf("%w: the columns of ducklake table %s changed while writing (now %s, written %s)",
				errs.ErrPlan, qualified, describeColumns(cols), describeColumns(tgt.cols))
		}
		t := &Table{ID: row.id, Schema: tgt.schemaName, Name: tgt.tableName, Columns: cols, cat: tgt.c}
		spec, err := t.partitioning(ctx, base.ID)
		if err != nil {
			return 0, err
		}
		if !spec.sameKeys(tgt.spec) {
			return 0, fmt.Errorf("%w: the partitioning of ducklake table %s changed while writing (now %s, written %s)",
				errs.ErrPlan, qualified, spec, tgt.spec)
		}
		if spec != nil {
			tgt.spec.id = spec.id
		}
		return row.id, nil
	}
	if tgt.table != nil {
		return 0, fmt.Errorf("%w: ducklake table %s was dropped while writing", errs.ErrPlan, qualified)
	}
	return tx.createTable(ctx, tgt, next)
}

// sameColumns reports whether two column lists have the same ids, names
// and types in the same order.
func sameColumns(a, b []Column) bool {
	return slices.EqualFunc(a, b, func(x, y Column) bool { return x.ID == y.ID && x.Name == y.Name && x.Type == y.Type })
}

func describeColumns(cols []Column) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = fmt.Sprintf("%s %s", c.Name, c.Type)
	}
	return "(" + strings.Join(parts, ", ") + ")"
}
