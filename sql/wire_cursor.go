//go:build cgo

package sql

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/pgwire"
)

// cursor is a query declared with DECLARE, read a piece at a time by
// FETCH (as postgres_fdw reads remote tables) until CLOSE. It runs under a
// context of its own, since it outlives the statement that declared it.
type cursor struct {
	schema *arrow.Schema
	rows   pgwire.Rows
	cancel context.CancelFunc
	batch  arrow.RecordBatch // rows read but not fetched yet, from next
	next   int64
	done   bool
}

func (c *cursor) close() {
	if c.batch != nil {
		c.batch.Release()
		c.batch = nil
	}
	c.rows.Close()
	c.cancel()
}

// declare prepares DECLARE name CURSOR FOR query. Scrolling and holding
// cursors past the transaction are refused.
func (s *wireSession) declare(ctx context.Context, text string, d *pg.DeclareCursorStmt) (pgwire.Statement, error) {
	const scroll, hold = 0x0002, 0x0020 // CURSOR_OPT_SCROLL, CURSOR_OPT_HOLD
	if d.Options&scroll != 0 {
		return nil, &Error{Code: CodeFeatureNotSupported, Message: "scrollable cursors are not supported"}
	}
	if d.Options&hold != 0 {
		return nil, &Error{Code: CodeFeatureNotSupported, Message: "WITH HOLD cursors are not supported"}
	}
	tree, err := pg.Parse(text)
	if err != nil {
		return nil, &Error{Code: CodeSyntaxError, Message: err.Error()}
	}
	tree.Stmts = []*pg.RawStmt{{Stmt: d.Query}}
	query, err := pg.Deparse(tree)
	if err != nil {
		return nil, &Error{Code: CodeSyntaxError, Message: err.Error()}
	}
	params, err := paramLocations(query)
	if err != nil {
		return nil, err
	}
	if df := s.h.sess.Query(ctx, params.substitute(query, nil)); df.Err() != nil {
		return nil, df.Err()
	}
	types := make([]uint32, params.count)
	return &wireDeclare{s: s, name: d.Portalname, query: query, params: params, types: types}, nil
}

type wireDeclare struct {
	s      *wireSession
	name   string
	query  string
	params paramSites
	types  []uint32
}

func (d *wireDeclare) ParamTypes() []uint32   { return d.types }
func (d *wireDeclare) Columns() *arrow.Schema { return nil }

func (d *wireDeclare) Run(_ context.Context, params []any) (pgwire.Result, error) {
	values, err := constants(params, d.types)
	if err != nil {
		return pgwire.Result{}, err
	}
	s := d.s
	s.mu.Lock()
	_, exists := s.cursors[d.name]
	s.mu.Unlock()
	if exists {
		return pgwire.Result{}, &Error{Code: "42P03", Message: fmt.Sprintf("cursor %q already exists", d.name)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	df := s.h.sess.Query(ctx, d.params.substitute(d.query, values))
	schema, err := df.Schema()
	if err != nil {
		cancel()
		return pgwire.Result{}, err
	}
	st, err := df.Stream(ctx, s.h.opts...)
	if err != nil {
		cancel()
		return pgwire.Result{}, err
	}
	s.mu.Lock()
	s.cursors[d.name] = &cursor{schema: schema, rows: st, cancel: cancel}
	s.mu.Unlock()
	return pgwire.Result{Tag: "DECLARE CURSOR"}, nil
}

// fetch prepares FETCH [FORWARD] n|ALL FROM name.
func (s *wireSession) fetch(f *pg.FetchStmt) (pgwire.Statement, error) {
	if f.Ismove {
		return nil, &Error{Code: CodeFeatureNotSupported, Message: "MOVE is not supported"}
	}
	if f.Direction != pg.FetchDirection_FETCH_FORWARD {
		return nil, &Error{Code: CodeFeatureNotSupported, Message: "only forward fetches are supported"}
	}
	s.mu.Lock()
	c, ok := s.cursors[f.Portalname]
	s.mu.Unlock()
	if !ok {
		return nil, &Error{Code: "34000", Message: fmt.Sprintf("cursor %q does not exist", f.Portalname)}
	}
	n := f.HowMany
	if n <= 0 || n == math.MaxInt64 {
		n = math.MaxInt64
	}
	return &wireFetch{c: c, n: n}, nil
}

type wireFetch struct {
	c *cursor
	n int64
}

func (f *wireFetch) ParamTypes() []uint32   { return nil }
func (f *wireFetch) Columns() *arrow.Schema { return f.c.schema }
func (f *wireFetch) Run(context.Context, []any) (pgwire.Result, error) {
	return pgwire.Result{Rows: &fetchRows{c: f.c, left: f.n}, Tag: "FETCH"}, nil
}

// fetchRows passes at most left rows of a cursor, keeping the rest of a
// batch for the next FETCH.
type fetchRows struct {
	c    *cursor
	left int64
}

func (r *fetchRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	c := r.c
	for r.left > 0 && !c.done {
		if c.batch == nil {
			b, err := c.rows.Next(ctx)
			if errors.Is(err, io.EOF) {
				c.done = true
				break
			}
			if err != nil {
				return nil, err
			}
			c.batch, c.next = b, 0
		}
		avail := c.batch.NumRows() - c.next
		if avail <= 0 {
			c.batch.Release()
			c.batch = nil
			continue
		}
		take := min(avail, r.left)
		out := c.batch.NewSlice(c.next, c.next+take)
		c.next += take
		r.left -= take
		if c.next >= c.batch.NumRows() {
			c.batch.Release()
			c.batch = nil
		}
		return out, nil
	}
	return nil, io.EOF
}

// Close leaves the cursor open for the next FETCH.
func (r *fetchRows) Close() error { return nil }

// closeCursor prepares CLOSE name (or CLOSE ALL, an empty name).
func (s *wireSession) closeCursor(c *pg.ClosePortalStmt) pgwire.Statement {
	return &wireTagged{tag: "CLOSE CURSOR", then: func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for name, cur := range s.cursors {
			if c.Portalname == "" || strings.EqualFold(name, c.Portalname) {
				cur.close()
				delete(s.cursors, name)
			}
		}
	}}
}

// closeCursors ends every cursor, at COMMIT, ROLLBACK or disconnection.
func (s *wireSession) closeCursors() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, cur := range s.cursors {
		cur.close()
		delete(s.cursors, name)
	}
}
