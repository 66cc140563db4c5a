package ducklaketest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Model is a plain reference of a table: its column versions, the rows
// of each data file and the delete files, each with the snapshots they
// live in. It answers what a reader must return at a snapshot without
// reading any catalog or Parquet file.
type Model struct {
	cols    []modelCol
	files   []modelFile
	deletes []modelDelete
}

type modelCol struct {
	id, order  int64
	begin, end int64 // end 0: still live
	name       string
	def        *string
}

type modelFile struct {
	id, begin int64
	rows      []map[int64]any
}

type modelDelete struct {
	id, file   int64
	begin, end int64
	pos        []int64
}

func live(begin, end, snap int64) bool { return begin <= snap && (end == 0 || end > snap) }

func (m *Model) addColumn(id, snap, order int64, name, def string) {
	c := modelCol{id: id, order: order, begin: snap, name: name}
	if def != "" {
		c.def = &def
	}
	m.cols = append(m.cols, c)
}

func (m *Model) endColumn(id, snap int64) {
	for i := range m.cols {
		if m.cols[i].id == id && m.cols[i].end == 0 {
			m.cols[i].end = snap
		}
	}
}

func (m *Model) endDelete(id, snap int64) {
	for i := range m.deletes {
		if m.deletes[i].id == id {
			m.deletes[i].end = snap
		}
	}
}

// columns are the live columns at snap in table order.
func (m *Model) columns(snap int64) []modelCol {
	var out []modelCol
	for _, c := range m.cols {
		if live(c.begin, c.end, snap) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b modelCol) int { return int(a.order - b.order) })
	return out
}

// Columns names the table's columns at snap.
func (m *Model) Columns(snap int64) []string {
	var out []string
	for _, c := range m.columns(snap) {
		out = append(out, c.name)
	}
	return out
}

// Rows are the rows at snap, each a map from column name to its value as
// text ("NULL" for null), in no set order.
func (m *Model) Rows(snap int64) []map[string]string {
	cols := m.columns(snap)
	var out []map[string]string
	for _, f := range m.files {
		if f.begin > snap {
			continue
		}
		deleted := map[int64]bool{}
		for _, d := range m.deletes {
			if d.file == f.id && live(d.begin, d.end, snap) {
				for _, p := range d.pos {
					deleted[p] = true
				}
			}
		}
		for pos, r := range f.rows {
			if deleted[int64(pos)] {
				continue
			}
			row := map[string]string{}
			for _, c := range cols {
				v, ok := r[c.id]
				switch {
				case ok:
					row[c.name] = Text(v)
				case c.def != nil:
					row[c.name] = *c.def
				default:
					row[c.name] = "NULL"
				}
			}
			out = append(out, row)
		}
	}
	return out
}

// Lines formats rows as "a|b|c" lines of the named columns, sorted, for
// comparing result sets.
func Lines(rows []map[string]string, cols []string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		parts := make([]string, len(cols))
		for j, c := range cols {
			parts[j] = r[c]
		}
		out[i] = strings.Join(parts, "|")
	}
	slices.Sort(out)
	return out
}

// Text formats a Go value as a reader's output is formatted in tests.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case int32:
		return strconv.FormatInt(int64(x), 10)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return x
	case arrow.Date32:
		return x.FormattedString()
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		// A timestamp without time zone, as Arrow prints it.
		return x.UTC().Format("2006-01-02T15:04:05.999999999")
	}
	return fmt.Sprint(v)
}
