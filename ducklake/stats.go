package ducklake

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec/source/prune"
	"lakeframe/expr"
)

// pruner decides, before any file is opened, which files the pushed
// filters may match, from ducklake_file_column_stats and partition values.
type pruner struct {
	preds  []*prune.Predicate
	schema *arrow.Schema
	cols   []Column
	// stats[file][col] are the catalog statistics of a schema column.
	stats map[int64]map[int]fileStat
	// part[file][col] bound a column from the file's partition values.
	part map[int64]map[int]prune.Stats
}

type fileStat struct {
	nulls    sql.NullInt64
	min, max sql.NullString
	nan      sql.NullBool
}

// newPruner compiles the filters and loads the statistics of the columns
// they use. It returns nil when no filter can prune.
func (t *Table) newPruner(ctx context.Context, schema *arrow.Schema, filters []expr.Node, files []*dataFile) (*pruner, error) {
	p := &pruner{schema: schema, cols: t.Columns}
	used := map[int]bool{}
	for _, f := range filters {
		pred := prune.Compile(f, schema)
		if !pred.CanPrune(func(col int) bool { return prune.Prunable(schema.Field(col).Type) }) {
			continue
		}
		p.preds = append(p.preds, pred)
		for _, col := range pred.Columns() {
			used[col] = true
		}
	}
	if len(p.preds) == 0 {
		return nil, nil
	}
	byID := map[int64]int{}
	for col := range used {
		byID[t.Columns[col].ID] = col
	}
	var err error
	if p.stats, err = t.loadStats(ctx, byID); err != nil {
		return nil, err
	}
	if p.part, err = t.loadPartitionStats(ctx, schema, byID, files); err != nil {
		return nil, err
	}
	return p, nil
}

// keep reports whether some pushed filter may be true for a row of f.
func (p *pruner) keep(f *dataFile) bool {
	if p == nil {
		return true
	}
	fromStats := func(col int) (prune.Stats, bool) { return p.columnStats(f, col) }
	fromParts := func(col int) (prune.Stats, bool) {
		s, ok := p.part[f.id][col]
		return s, ok
	}
	for _, pred := range p.preds {
		if !pred.MayMatch(fromStats) || !pred.MayMatch(fromParts) {
			return false
		}
	}
	return true
}

// columnStats summarises a column over a file. A file without statistics
// for a column that did not exist when the file was written holds the
// column's initial default (or NULL) in every row.
func (p *pruner) columnStats(f *dataFile, col int) (prune.Stats, bool) {
	typ := p.schema.Field(col).Type
	st, ok := p.stats[f.id][col]
	if !ok {
		c := &p.cols[col]
		if f.begin >= c.Added {
			return prune.Stats{}, false
		}
		if c.InitialDefault == nil {
			return prune.Constant(prune.Value{}, true, f.rows), true
		}
		v, ok := textValue(*c.InitialDefault, typ)
		if !ok {
			return prune.Stats{}, false
		}
		return prune.Constant(v, false, f.rows), true
	}
	out := prune.Stats{Rows: f.rows, Nulls: -1}
	if st.nulls.Valid {
		out.Nulls = st.nulls.Int64
	}
	if !st.min.Valid || !st.max.Valid {
		return out, true
	}
	// Bounds of a float column say nothing about NaN rows unless the
	// catalog says there are none.
	if (typ.ID() == arrow.FLOAT32 || typ.ID() == arrow.FLOAT64) && (!st.nan.Valid || st.nan.Bool) {
		return out, true
	}
	lo, ok1 := textValue(st.min.String, typ)
	hi, ok2 := textValue(st.max.String, typ)
	if ok1 && ok2 {
		// Float columns get here only when the catalog says no NaN.
		out.Min, out.Max, out.HasBounds, out.NoNaN = lo, hi, true, true
		// A writer may store a truncated upper bound of long strings.
		out.MaxIsPrefix = typ.ID() == arrow.STRING
	}
	return out, true
}

// textValue parses catalog text as a value pruning compares.
func textValue(s string, t arrow.DataType) (prune.Value, bool) {
	sc, err := parseScalar(s, t)
	if err != nil {
		return prune.Value{}, false
	}
	return pruneValue(sc)
}

// loadStats reads the file statistics of the columns byID names.
func (t *Table) loadStats(ctx context.Context, byID map[int64]int) (map[int64]map[int]fileStat, error) {
	c := t.cat
	ids := make([]any, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	ph := strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")
	rows, err := c.query(ctx, "SELECT data_file_id, column_id, null_count, min_value, max_value, contains_nan FROM "+c.statsTable()+
		" WHERE table_id = ? AND column_id IN ("+ph+")", append([]any{t.ID}, ids...)...)
	if err != nil {
		return nil, fmt.Errorf("%w: read file column statistics of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	defer rows.Close()
	out := map[int64]map[int]fileStat{}
	for rows.Next() {
		var file, colID int64
		var st fileStat
		if err := rows.Scan(&file, &colID, &st.nulls, &st.min, &st.max, &st.nan); err != nil {
			return nil, fmt.Errorf("%w: read file column statistics of %s: %w", errs.ErrExec, t.QualifiedName(), err)
		}
		if out[file] == nil {
			out[file] = map[int]fileStat{}
		}
		out[file][byID[colID]] = st
	}
	return out, rows.Err()
}

// partKey is one key of a partitioning: a column and its transform.
type partKey struct {
	column    int64
	transform string
}

// loadPartitionStats bounds the columns byID names in each partitioned
// file, from its partition values. Identity keys give the column's value;
// year, month, day and hour keys of a date or timestamp column give a
// range once the coarser keys are known too (month is the month of the
// year, so it bounds nothing without the year).
func (t *Table) loadPartitionStats(ctx context.Context, schema *arrow.Schema, byID map[int64]int, live []*dataFile) (map[int64]map[int]prune.Stats, error) {
	c := t.cat
	rows, err := c.query(ctx, "SELECT partition_id, partition_key_index, column_id, transform FROM "+
		c.table("ducklake_partition_column")+" WHERE table_id = ?", t.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: read partitioning of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	specs := map[int64]map[int64]partKey{}
	relevant := false
	for rows.Next() {
		var spec, key, col int64
		var tr sql.NullString
		if err := rows.Scan(&spec, &key, &col, &tr); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%w: read partitioning of %s: %w", errs.ErrExec, t.QualifiedName(), err)
		}
		if specs[spec] == nil {
			specs[spec] = map[int64]partKey{}
		}
		specs[spec][key] = partKey{column: col, transform: strings.ToLower(strings.TrimSpace(tr.String))}
		if _, ok := byID[col]; ok {
			relevant = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: read partitioning of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	if !relevant {
		return nil, nil
	}
	files := map[int64]*dataFile{}
	for _, f := range live {
		if f.partitionID.Valid {
			files[f.id] = f
		}
	}
	values := map[int64]map[int64]sql.NullString{}
	rows, err = c.query(ctx, "SELECT data_file_id, partition_key_index, partition_value FROM "+
		c.table("ducklake_file_partition_value")+" WHERE table_id = ?", t.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: read partition values of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	defer rows.Close()
	for rows.Next() {
		var file, key int64
		var v sql.NullString
		if err := rows.Scan(&file, &key, &v); err != nil {
			return nil, fmt.Errorf("%w: read partition values of %s: %w", errs.ErrExec, t.QualifiedName(), err)
		}
		if values[file] == nil {
			values[file] = map[int64]sql.NullString{}
		}
		values[file][key] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: read partition values of %s: %w", errs.ErrExec, t.QualifiedName(), err)
	}
	out := map[int64]map[int]prune.Stats{}
	for file, fv := range values {
		f, ok := files[file]
		if !ok {
			continue
		}
		keys := specs[f.partitionID.Int64]
		// Gather, per column, the value of each transform.
		perCol := map[int64]map[string]sql.NullString{}
		for idx, v := range fv {
			k, ok := keys[idx]
			if !ok {
				continue
			}
			if _, ok := byID[k.column]; !ok {
				continue
			}
			if perCol[k.column] == nil {
				perCol[k.column] = map[string]sql.NullString{}
			}
			perCol[k.column][k.transform] = v
		}
		for colID, tv := range perCol {
			col := byID[colID]
			if st, ok := partitionStats(tv, schema.Field(col).Type, f.rows); ok {
				if out[file] == nil {
					out[file] = map[int]prune.Stats{}
				}
				out[file][col] = st
			}
		}
	}
	return out, nil
}

// partitionStats summarises a column from its partition values by
// transform.
func partitionStats(tv map[string]sql.NullString, typ arrow.DataType, rows int64) (prune.Stats, bool) {
	if v, ok := tv["identity"]; ok {
		return identityStats(v, typ, rows)
	}
	if v, ok := tv[""]; ok {
		return identityStats(v, typ, rows)
	}
	if _, ok := tv["year"]; !ok {
		return prune.Stats{}, false
	}
	for _, v := range tv {
		if !v.Valid {
			// A NULL date has NULL parts.
			return prune.Stats{Rows: rows, Nulls: rows}, true
		}
	}
	parts := []string{"year", "month", "day", "hour"}
	vals := make([]int, 0, len(parts))
	for _, p := range parts {
		v, ok := tv[p]
		if !ok {
			break
		}
		n, err := strconv.Atoi(strings.TrimSpace(v.String))
		if err != nil {
			return prune.Stats{}, false
		}
		vals = append(vals, n)
	}
	lo, hi, ok := calendarRange(vals)
	if !ok {
		return prune.Stats{}, false
	}
	var lov, hiv prune.Value
	switch tt := typ.(type) {
	case *arrow.Date32Type:
		lov, hiv = prune.Int(lo.Unix()/86400), prune.Int(hi.Unix()/86400-1)
		if len(vals) > 3 {
			// An hour within one day bounds a date to that day.
			lov, hiv = prune.Int(lo.Unix()/86400), prune.Int(lo.Unix()/86400)
		}
	case *arrow.TimestampType:
		// year() of a zoned timestamp depends on the writer's time zone.
		if tt.TimeZone != "" {
			return prune.Stats{}, false
		}
		l, ok1 := timestampIn(lo, tt.Unit)
		h, ok2 := timestampIn(hi, tt.Unit)
		if !ok1 || !ok2 {
			return prune.Stats{}, false
		}
		lov, hiv = prune.Int(l), prune.Int(h-1)
	default:
		return prune.Stats{}, false
	}
	return prune.Stats{Rows: rows, Nulls: -1, Min: lov, Max: hiv, HasBounds: true}, true
}

// calendarRange is the half-open UTC interval [lo, hi) of the calendar
// unit that year, month, day and hour (a prefix of them) name.
func calendarRange(v []int) (lo, hi time.Time, ok bool) {
	if len(v) > 1 && (v[1] < 1 || v[1] > 12) || len(v) > 2 && (v[2] < 1 || v[2] > 31) || len(v) > 3 && (v[3] < 0 || v[3] > 23) {
		return lo, hi, false
	}
	switch len(v) {
	case 1:
		lo = time.Date(v[0], 1, 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(1, 0, 0), true
	case 2:
		lo = time.Date(v[0], time.Month(v[1]), 1, 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 1, 0), true
	case 3:
		lo = time.Date(v[0], time.Month(v[1]), v[2], 0, 0, 0, 0, time.UTC)
		return lo, lo.AddDate(0, 0, 1), true
	}
	lo = time.Date(v[0], time.Month(v[1]), v[2], v[3], 0, 0, 0, time.UTC)
	return lo, lo.Add(time.Hour), true
}

func identityStats(v sql.NullString, typ arrow.DataType, rows int64) (prune.Stats, bool) {
	if !v.Valid {
		return prune.Constant(prune.Value{}, true, rows), true
	}
	pv, ok := textValue(v.String, typ)
	if !ok {
		return prune.Stats{}, false
	}
	return prune.Constant(pv, false, rows), true
}
