package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Plan writes the statement the pushdown asks for and, for a plain table
// read without a limit, splits it into ranges of pages (ctid ranges),
// as many as Options.Parallelism allows and the table's size warrants.
func (s *Source) Plan(ctx context.Context, p plan.Pushdown) (*plan.ScanPlan, error) {
	cols, err := s.project(p.Columns)
	if err != nil {
		return nil, err
	}
	var w sqlWriter
	for i, f := range p.Filters {
		if i > 0 {
			w.sb.WriteString(" AND ")
		}
		if !(filterSQL{cols: s.byName}).write(&w, f) {
			return nil, fmt.Errorf("%w: postgres source was handed the filter %s, which it cannot translate", errs.ErrInternal, f)
		}
	}
	where := w.sb.String()
	var sb strings.Builder
	sb.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(quote(c.Name))
	}
	if s.relation != "" {
		sb.WriteString(" FROM " + s.relation)
	} else {
		sb.WriteString(" FROM (" + s.query + ") AS q")
	}
	selectFrom := sb.String()

	var stats plan.ScanStats
	pages := int64(0)
	if s.relation != "" {
		size, err := s.relationSize(ctx)
		if err != nil {
			return nil, err
		}
		pages = size.pages
		stats.BytesToRead = size.pages * size.blockSize
		if size.tuples >= 0 {
			stats.RowsEstimate = size.tuples
		}
	}
	n := s.taskCount(pages, p.Limit)
	tasks := make([]*Task, n)
	for i := range tasks {
		first, end := int64(0), int64(-1)
		if n > 1 {
			first = pages * int64(i) / int64(n)
			if i < n-1 {
				end = pages * int64(i+1) / int64(n)
			}
		}
		stmt := selectFrom
		conds := where
		if r := ctidRange(first, end); r != "" {
			if conds != "" {
				conds += " AND "
			}
			conds += r
		}
		if conds != "" {
			stmt += " WHERE " + conds
		}
		if p.Limit >= 0 {
			stmt += " LIMIT " + strconv.FormatInt(p.Limit, 10)
		}
		t := &Task{Source: s.String(), SQL: stmt, Params: w.params, Columns: cols, FirstPage: first, EndPage: end}
		if n > 1 {
			t.Bytes = stats.BytesToRead / int64(n)
		} else {
			t.Bytes = stats.BytesToRead
		}
		tasks[i] = t
	}
	if p.Limit >= 0 && (stats.RowsEstimate == 0 || stats.RowsEstimate > p.Limit) {
		stats.RowsEstimate = p.Limit
	}
	stats.Details = s.details(tasks, selectFrom, where, p.Limit, w.params)
	if n > 1 {
		snap := &sharedSnapshot{srv: s.srv, pending: n, hold: s.snapshotHold()}
		for _, t := range tasks {
			t.snapshot = snap
		}
	}
	out := &plan.ScanPlan{Tasks: make([]plan.Task, n), Stats: stats}
	for i, t := range tasks {
		out.Tasks[i] = t
	}
	return out, nil
}

// project returns the columns the pushdown asks for, in its order.
func (s *Source) project(names []string) ([]column, error) {
	if names == nil {
		return s.columns, nil
	}
	out := make([]column, len(names))
	for i, n := range names {
		c, ok := s.byName[n]
		if !ok {
			return nil, expr.UnknownColumnError(n, s.schema)
		}
		out[i] = *c
	}
	return out, nil
}

// taskCount is how many page ranges a scan is split into: one for
// queries, views and partitioned tables (ctid is per partition), and
// for scans with a limit, which one connection satisfies soonest.
func (s *Source) taskCount(pages, limit int64) int {
	if (s.relKind != 'r' && s.relKind != 'm') || limit >= 0 {
		return 1
	}
	n := int64(s.parallelism())
	if most := pages / s.pagesPerTask(); most < n {
		n = most
	}
	return int(max(n, 1))
}

// ctidRange is the condition that keeps the rows stored in pages
// [first, end); PostgreSQL 14 and later scan such ranges directly
// (TID Range Scan). The first task has no lower bound and the last no
// upper one, so rows on pages added since planning are not lost.
func ctidRange(first, end int64) string {
	var parts []string
	if first > 0 {
		parts = append(parts, fmt.Sprintf("ctid >= '(%d,0)'::tid", first))
	}
	if end >= 0 {
		parts = append(parts, fmt.Sprintf("ctid < '(%d,0)'::tid", end))
	}
	return strings.Join(parts, " AND ")
}

// details are the figures EXPLAIN shows: the statement sent, with its
// parameters, and how the table was split.
func (s *Source) details(tasks []*Task, selectFrom, where string, limit int64, params []string) []string {
	stmt := tasks[0].SQL
	if len(tasks) > 1 {
		stmt = selectFrom + " WHERE "
		if where != "" {
			stmt += where + " AND "
		}
		stmt += "<ctid range>"
	}
	out := []string{"sql=" + strconv.Quote(stmt)}
	if len(params) > 0 {
		quoted := make([]string, len(params))
		for i, p := range params {
			quoted[i] = fmt.Sprintf("$%d=%s", i+1, strconv.Quote(p))
		}
		out = append(out, "params=["+strings.Join(quoted, " ")+"]")
	}
	if len(tasks) > 1 {
		out = append(out, fmt.Sprintf("split=ctid tasks=%d snapshot=shared", len(tasks)))
	}
	return out
}

// relationSize is what the catalog says of a table's size.
type relationSize struct {
	pages, blockSize, tuples int64
}

func (s *Source) relationSize(ctx context.Context) (relationSize, error) {
	conn, err := s.srv.connect(ctx)
	if err != nil {
		return relationSize{}, err
	}
	defer closeConn(conn)
	oid := []byte(strconv.FormatUint(uint64(s.relOID), 10))
	res := conn.ExecParams(ctx, `SELECT pg_relation_size(c.oid), current_setting('block_size')::int8, c.reltuples::int8
		FROM pg_class c WHERE c.oid = $1::oid`, [][]byte{oid}, nil, nil, nil).Read()
	if res.Err != nil {
		return relationSize{}, s.srv.wrap(errs.ErrExec, "size of "+s.relation, res.Err)
	}
	if len(res.Rows) == 0 {
		return relationSize{}, fmt.Errorf("%w: postgres %s: table %s was dropped since the frame was built", errs.ErrExec, s.srv.addr, s.relation)
	}
	var out relationSize
	vals := []*int64{new(int64), &out.blockSize, &out.tuples}
	for i, v := range vals {
		n, err := strconv.ParseInt(string(res.Rows[0][i]), 10, 64)
		if err != nil {
			return relationSize{}, fmt.Errorf("%w: postgres %s: size of %s: %q", errs.ErrInternal, s.srv.addr, s.relation, res.Rows[0][i])
		}
		*v = n
	}
	if out.blockSize > 0 {
		out.pages = (*vals[0] + out.blockSize - 1) / out.blockSize
	}
	return out, nil
}
