package ducklake

import (
	"context"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
)

// Data inlining keeps small changes in the catalog database instead of
// Parquet files: inserted rows in ducklake_inlined_data_<table>_<version>
// tables (row_id, begin_snapshot, end_snapshot, then the table's columns
// by name as of that schema version), and deleted positions of data files
// in ducklake_inlined_delete_<table> (file_id, row_id, begin_snapshot).

// InlinedRows are rows a table keeps in the catalog, read when the scan
// is planned (there are few by design) and carried as text so that the
// task stays plain data.
type InlinedRows struct {
	// Source names the catalog table the rows come from.
	Source string `json:"source"`
	// Values[r][c] is the text of row r, output column c; nil is NULL.
	Values [][]*string `json:"values"`
}

// inlinedSystemColumns are the leading columns of inlined data tables,
// under their names before and after version 1.1.
var inlinedSystemColumns = map[string]bool{
	"row_id": true, "begin_snapshot": true, "end_snapshot": true,
	"_ducklake_internal_row_id": true, "_ducklake_internal_begin_snapshot": true, "_ducklake_internal_end_snapshot": true,
}

// tableExists reports whether a catalog table exists; inlining tables are
// created on first use.
func (c *Catalog) tableExists(ctx context.Context, name string) (bool, error) {
	var q string
	args := []any{name}
	switch c.dialect {
	case SQLite:
		q = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?"
	default:
		q = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
		if c.prefix != "" {
			q += " AND table_schema = ?"
			args = append(args, strings.Trim(strings.TrimSuffix(c.prefix, "."), `"`))
		}
	}
	var n int64
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("%w: look up catalog table %s: %w", errs.ErrExec, name, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return false, fmt.Errorf("%w: look up catalog table %s: %w", errs.ErrExec, name, err)
		}
	}
	return n > 0, rows.Err()
}

// inlinedDeletes reads the positions deleted by the snapshot or before
// that the catalog keeps inline, by data file.
func (t *Table) inlinedDeletes(ctx context.Context) (map[int64][]int64, error) {
	name := fmt.Sprintf("ducklake_inlined_delete_%d", t.ID)
	ok, err := t.cat.tableExists(ctx, name)
	if err != nil || !ok {
		return nil, err
	}
	rows, err := t.cat.query(ctx, "SELECT file_id, row_id FROM "+t.cat.table(name)+" WHERE begin_snapshot <= ?", t.Snapshot.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: read %s: %w", errs.ErrExec, name, err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var file, pos int64
		if err := rows.Scan(&file, &pos); err != nil {
			return nil, fmt.Errorf("%w: read %s: %w", errs.ErrExec, name, err)
		}
		out[file] = append(out[file], pos)
	}
	return out, rows.Err()
}

// inlinedRows reads the rows live at the snapshot from the table's inlined
// data tables, as text in the order of cols. A column is found by the id
// that had the inlined table's column name, preferring the column live at
// the snapshot; columns added later read their initial default.
func (t *Table) inlinedRows(ctx context.Context, cols []Column) ([]InlinedRows, error) {
	c := t.cat
	ok, err := c.tableExists(ctx, "ducklake_inlined_data_tables")
	if err != nil || !ok {
		return nil, err
	}
	rows, err := c.query(ctx, "SELECT table_name FROM "+c.table("ducklake_inlined_data_tables")+" WHERE table_id = ?", t.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: read ducklake_inlined_data_tables: %w", errs.ErrExec, err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%w: read ducklake_inlined_data_tables: %w", errs.ErrExec, err)
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: read ducklake_inlined_data_tables: %w", errs.ErrExec, err)
	}
	if len(names) == 0 {
		return nil, nil
	}
	history, err := t.columnNames(ctx)
	if err != nil {
		return nil, err
	}
	var out []InlinedRows
	for _, name := range names {
		ir, err := t.readInlined(ctx, name, cols, history)
		if err != nil {
			return nil, fmt.Errorf("inlined data %s: %w", name, err)
		}
		if len(ir.Values) > 0 {
			out = append(out, ir)
		}
	}
	return out, nil
}

// columnNames maps each name a top-level column ever had to its column
// ids, the id live at the table's snapshot first.
func (t *Table) columnNames(ctx context.Context) (map[string][]int64, error) {
	rows, err := t.cat.query(ctx, "SELECT column_id, column_name, begin_snapshot, end_snapshot FROM "+t.cat.table("ducklake_column")+
		" WHERE table_id = ? AND parent_column IS NULL", t.ID)
	if err != nil {
		return nil, fmt.Errorf("%w: read ducklake_column: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	out := map[string][]int64{}
	for rows.Next() {
		var id int64
		var name sql.NullString
		var begin, end sql.NullInt64
		if err := rows.Scan(&id, &name, &begin, &end); err != nil {
			return nil, fmt.Errorf("%w: read ducklake_column: %w", errs.ErrExec, err)
		}
		snap := t.Snapshot.ID
		if begin.Int64 <= snap && (!end.Valid || end.Int64 > snap) {
			out[name.String] = append([]int64{id}, out[name.String]...)
		} else {
			out[name.String] = append(out[name.String], id)
		}
	}
	return out, rows.Err()
}

func (t *Table) readInlined(ctx context.Context, name string, cols []Column, history map[string][]int64) (InlinedRows, error) {
	c := t.cat
	ir := InlinedRows{Source: name}
	probe, err := c.query(ctx, "SELECT * FROM "+c.table(quoteIdent(name))+" LIMIT 0")
	if err != nil {
		return ir, fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	fileCols, err := probe.Columns()
	probe.Close()
	if err != nil {
		return ir, fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	byID := map[int64]string{}
	beginCol, endCol := "begin_snapshot", "end_snapshot"
	for _, fc := range fileCols {
		switch {
		case fc == "_ducklake_internal_begin_snapshot":
			beginCol = fc
		case fc == "_ducklake_internal_end_snapshot":
			endCol = fc
		case inlinedSystemColumns[fc]:
		default:
			ids := history[fc]
			for _, id := range ids {
				if _, taken := byID[id]; !taken {
					byID[id] = fc
					break
				}
			}
		}
	}
	// Output column i reads select position pos[i], or its default.
	var sel []string
	pos := make([]int, len(cols))
	for i := range cols {
		pos[i] = -1
		if fc, ok := byID[cols[i].ID]; ok {
			if len(cols[i].Children) > 0 {
				return ir, fmt.Errorf("%w: nested column %s", errs.ErrNotImplemented, cols[i].Name)
			}
			pos[i] = len(sel)
			sel = append(sel, quoteIdent(fc))
		}
	}
	list := strings.Join(sel, ", ")
	if list == "" {
		list = "1"
	}
	rows, err := c.query(ctx, "SELECT "+list+" FROM "+c.table(quoteIdent(name))+
		" WHERE "+beginCol+" <= ? AND ("+endCol+" IS NULL OR "+endCol+" > ?)", t.Snapshot.ID, t.Snapshot.ID)
	if err != nil {
		return ir, fmt.Errorf("%w: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	types := make([]arrow.DataType, len(cols))
	for i := range cols {
		if types[i], err = arrowType(&cols[i]); err != nil {
			return ir, err
		}
	}
	raw := make([]any, max(len(sel), 1))
	ptrs := make([]any, len(raw))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return ir, fmt.Errorf("%w: %w", errs.ErrExec, err)
		}
		row := make([]*string, len(cols))
		for i := range cols {
			if pos[i] < 0 {
				row[i] = cols[i].InitialDefault
				continue
			}
			s, ok := sqlText(raw[pos[i]], types[i])
			if ok {
				row[i] = &s
			}
		}
		ir.Values = append(ir.Values, row)
	}
	return ir, rows.Err()
}

// sqlText turns a value a database driver returned into the text
// parseScalar reads for type t; ok is false for NULL.
func sqlText(v any, t arrow.DataType) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []byte:
		if ft, ok := t.(*arrow.FixedSizeBinaryType); ok && len(x) == ft.ByteWidth {
			return hex.EncodeToString(x), true
		}
		return string(x), true
	case [16]byte:
		return hex.EncodeToString(x[:]), true
	case bool:
		return strconv.FormatBool(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int32:
		return strconv.FormatInt(int64(x), 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case float32:
		return strconv.FormatFloat(float64(x), 'g', -1, 32), true
	case *big.Int:
		return x.String(), true
	case time.Time:
		switch t.ID() {
		case arrow.DATE32:
			return x.Format("2006-01-02"), true
		case arrow.TIME64:
			return x.Format("15:04:05.999999"), true
		}
		return x.Format("2006-01-02 15:04:05.999999999Z07:00"), true
	case fmt.Stringer:
		return x.String(), true
	}
	return fmt.Sprint(v), true
}

// inlinedBatch builds a batch from inlined rows.
func inlinedBatch(mem memory.Allocator, schema *arrow.Schema, ir *InlinedRows) (arrow.RecordBatch, error) {
	builders := make([]array.Builder, schema.NumFields())
	for i, f := range schema.Fields() {
		builders[i] = array.NewBuilder(mem, f.Type)
		builders[i].Reserve(len(ir.Values))
	}
	arrs := make([]arrow.Array, len(builders))
	defer func() {
		for i, b := range builders {
			b.Release()
			if arrs[i] != nil {
				arrs[i].Release()
			}
		}
	}()
	for _, row := range ir.Values {
		if len(row) != len(builders) {
			return nil, fmt.Errorf("%w: inlined row of %d values for %d columns", errs.ErrInternal, len(row), len(builders))
		}
		for i, v := range row {
			if v == nil {
				builders[i].AppendNull()
				continue
			}
			if err := appendText(builders[i], *v, schema.Field(i).Type); err != nil {
				return nil, fmt.Errorf("%w: inlined data %s, column %s: %w", errs.ErrExec, ir.Source, schema.Field(i).Name, err)
			}
		}
	}
	for i, b := range builders {
		arrs[i] = b.NewArray()
	}
	return array.NewRecordBatch(schema, arrs, int64(len(ir.Values))), nil
}

// appendText appends a value given as catalog text.
func appendText(b array.Builder, s string, t arrow.DataType) error {
	switch x := b.(type) {
	case *array.StringBuilder:
		x.Append(s)
		return nil
	case *array.BinaryBuilder:
		x.Append([]byte(s))
		return nil
	}
	sc, err := parseScalar(s, t)
	if err != nil {
		return err
	}
	switch x := b.(type) {
	case *array.BooleanBuilder:
		x.Append(sc.(*scalar.Boolean).Value)
	case *array.Int8Builder:
		x.Append(sc.(*scalar.Int8).Value)
	case *array.Int16Builder:
		x.Append(sc.(*scalar.Int16).Value)
	case *array.Int32Builder:
		x.Append(sc.(*scalar.Int32).Value)
	case *array.Int64Builder:
		x.Append(sc.(*scalar.Int64).Value)
	case *array.Uint8Builder:
		x.Append(sc.(*scalar.Uint8).Value)
	case *array.Uint16Builder:
		x.Append(sc.(*scalar.Uint16).Value)
	case *array.Uint32Builder:
		x.Append(sc.(*scalar.Uint32).Value)
	case *array.Uint64Builder:
		x.Append(sc.(*scalar.Uint64).Value)
	case *array.Float32Builder:
		x.Append(sc.(*scalar.Float32).Value)
	case *array.Float64Builder:
		x.Append(sc.(*scalar.Float64).Value)
	case *array.Decimal128Builder:
		x.Append(sc.(*scalar.Decimal128).Value)
	case *array.Date32Builder:
		x.Append(sc.(*scalar.Date32).Value)
	case *array.Time64Builder:
		x.Append(sc.(*scalar.Time64).Value)
	case *array.TimestampBuilder:
		x.Append(sc.(*scalar.Timestamp).Value)
	case *array.FixedSizeBinaryBuilder:
		x.Append(sc.(*scalar.FixedSizeBinary).Data())
	default:
		return fmt.Errorf("%w: inlined values of type %s", errs.ErrNotImplemented, t)
	}
	return nil
}
