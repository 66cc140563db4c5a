package postgres

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"lakeframe/errs"
)

// part is one task's share of the rows: a SQL condition (empty for all
// rows) and its description.
type part struct {
	cond, desc string
}

// pageParts splits pages [0, pages) into n ranges of ctid; PostgreSQL 14
// and later scan such ranges directly (TID Range Scan). The first part
// has no lower bound and the last no upper one, so no row escapes,
// wherever it is stored.
func pageParts(pages int64, n int) []part {
	out := make([]part, n)
	for i := range out {
		first := pages * int64(i) / int64(n)
		end := pages * int64(i+1) / int64(n)
		var conds []string
		if i > 0 {
			conds = append(conds, fmt.Sprintf("ctid >= '(%d,0)'::tid", first))
		}
		if i < n-1 {
			conds = append(conds, fmt.Sprintf("ctid < '(%d,0)'::tid", end))
			out[i].desc = fmt.Sprintf("pages [%d, %d)", first, end)
		} else {
			out[i].desc = fmt.Sprintf("pages [%d, end)", first)
		}
		out[i].cond = strings.Join(conds, " AND ")
	}
	return out
}

// keyParts splits the values [lo, hi] of an integer column into at most
// n ranges. The first part also takes the NULL keys and everything below
// lo, the last everything above hi, so every row is read exactly once.
func keyParts(col string, lo, hi int64, n int) []part {
	span := new(big.Int).Sub(big.NewInt(hi), big.NewInt(lo))
	span.Add(span, big.NewInt(1))
	if span.IsInt64() && span.Int64() < int64(n) {
		n = int(span.Int64())
	}
	bound := func(i int) int64 {
		b := new(big.Int).Mul(span, big.NewInt(int64(i)))
		b.Quo(b, big.NewInt(int64(n)))
		return b.Add(b, big.NewInt(lo)).Int64()
	}
	q := quote(col)
	out := make([]part, n)
	for i := range out {
		if n == 1 {
			break
		}
		from, to := bound(i), bound(i+1)
		switch i {
		case 0:
			out[i] = part{fmt.Sprintf("(%s < %d::int8 OR %s IS NULL)", q, to, q), fmt.Sprintf("%s < %d or null", col, to)}
		case n - 1:
			out[i] = part{fmt.Sprintf("%s >= %d::int8", q, from), fmt.Sprintf("%s >= %d", col, from)}
		default:
			out[i] = part{fmt.Sprintf("%s >= %d::int8 AND %s < %d::int8", q, from, q, to), fmt.Sprintf("%s in [%d, %d)", col, from, to)}
		}
	}
	return out
}

// keyBounds returns the smallest and largest value of the split column
// among the rows the filters keep; ok is false when there is none.
func (s *Source) keyBounds(ctx context.Context, from, where string, params []string) (lo, hi int64, ok bool, err error) {
	conn, err := s.srv.connect(ctx)
	if err != nil {
		return 0, 0, false, err
	}
	defer closeConn(conn)
	q := quote(s.opts.SplitColumn)
	stmt := "SELECT min(" + q + ")::int8, max(" + q + ")::int8 FROM " + from
	if where != "" {
		stmt += " WHERE " + where
	}
	vals := make([][]byte, len(params))
	for i, p := range params {
		vals[i] = []byte(p)
	}
	res := conn.ExecParams(ctx, stmt, vals, nil, nil, nil).Read()
	if res.Err != nil {
		return 0, 0, false, s.srv.wrap(errs.ErrExec, "range of split column "+s.opts.SplitColumn+" of "+s.String(), res.Err)
	}
	if len(res.Rows) != 1 || res.Rows[0][0] == nil {
		return 0, 0, false, nil
	}
	if lo, err = strconv.ParseInt(string(res.Rows[0][0]), 10, 64); err == nil {
		hi, err = strconv.ParseInt(string(res.Rows[0][1]), 10, 64)
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("%w: postgres %s: range of %s: %w", errs.ErrInternal, s.srv.addr, s.opts.SplitColumn, err)
	}
	return lo, hi, true, nil
}
