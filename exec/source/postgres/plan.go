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

// Plan writes the statement the pushdown asks for and, without a limit,
// splits it into parts for as many tasks as Options.Parallelism allows:
// ranges of an integer column when Options.SplitColumn names one, else,
// for a plain table large enough, ranges of pages (ctid).
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
	from := s.relation
	if from == "" {
		from = "(" + s.query + ") AS q"
	}
	var sb strings.Builder
	sb.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(quote(c.Name))
	}
	sb.WriteString(" FROM " + from)
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
	parts, split, err := s.split(ctx, from, where, w.params, pages, p.Limit)
	if err != nil {
		return nil, err
	}
	n := len(parts)
	tasks := make([]*Task, n)
	for i, pt := range parts {
		stmt := selectFrom
		conds := where
		if pt.cond != "" {
			if conds != "" {
				conds += " AND "
			}
			conds += pt.cond
		}
		if conds != "" {
			stmt += " WHERE " + conds
		}
		if p.Limit >= 0 {
			stmt += " LIMIT " + strconv.FormatInt(p.Limit, 10)
		}
		tasks[i] = &Task{Source: s.String(), SQL: stmt, Params: w.params, Columns: cols, Part: pt.desc, Bytes: stats.BytesToRead / int64(n)}
	}
	if p.Limit >= 0 && (stats.RowsEstimate == 0 || stats.RowsEstimate > p.Limit) {
		stats.RowsEstimate = p.Limit
	}
	stats.Details = details(tasks, selectFrom, where, split, w.params)
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

// split divides the rows among tasks. One task reads everything when the
// scan has a limit (one connection meets it soonest), when parallelism
// is 1, and for queries, views and partitioned tables without a split
// column (ctid is per partition, and a view has none). A table splits
// into at most one task per PagesPerTask pages.
func (s *Source) split(ctx context.Context, from, where string, params []string, pages, limit int64) (parts []part, how string, err error) {
	n := s.parallelism()
	whole := []part{{}}
	if limit >= 0 || n <= 1 {
		return whole, "", nil
	}
	if s.opts.SplitColumn != "" {
		lo, hi, ok, err := s.keyBounds(ctx, from, where, params)
		if err != nil || !ok {
			return whole, "", err
		}
		parts = keyParts(s.opts.SplitColumn, lo, hi, n)
		if len(parts) == 1 {
			return whole, "", nil
		}
		return parts, "column " + s.opts.SplitColumn, nil
	}
	if s.relKind != 'r' && s.relKind != 'm' {
		return whole, "", nil
	}
	n = int(min(int64(n), pages/s.pagesPerTask()))
	if n <= 1 {
		return whole, "", nil
	}
	return pageParts(pages, n), "ctid", nil
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

// details are the figures EXPLAIN shows: the statement sent, with its
// parameters, and how the table was split.
func details(tasks []*Task, selectFrom, where, split string, params []string) []string {
	stmt := tasks[0].SQL
	if len(tasks) > 1 {
		stmt = selectFrom + " WHERE "
		if where != "" {
			stmt += where + " AND "
		}
		stmt += "<part>"
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
		out = append(out, fmt.Sprintf("split=%s tasks=%d snapshot=shared", strconv.Quote(split), len(tasks)))
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
