package pgwire_test

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"

	"lakeframe/errs"
	"lakeframe/pgwire"
)

// fakeHandler serves a few fixed statements, enough to drive every part
// of the protocol:
//
//	nums N      N rows of (i int64, s text with NULLs), 1000 per batch
//	types       one row of each type the server encodes, then a NULL row
//	echo        $1 int8, $2 text, $3 float8, $4 date, $5 numeric back
//	sleep       rows that never come, until cancelled
//	fail        an error with SQLSTATE 42703 at position 3
//	BEGIN, COMMIT, ROLLBACK, SET …   tags, and the transaction state
type fakeHandler struct {
	mem      memory.Allocator
	sessions atomic.Int64
	// extra, when set, serves "extra NAME" with the batch it returns.
	extra func(name string) (arrow.RecordBatch, bool)
}

func (h *fakeHandler) NewSession(ctx context.Context, user, database string, params map[string]string) (pgwire.Session, error) {
	if database == "nope" {
		return nil, fmt.Errorf("%w: database %q does not exist", errs.ErrPlan, database)
	}
	h.sessions.Add(1)
	return &fakeSession{h: h, tx: 'I'}, nil
}

type fakeSession struct {
	h  *fakeHandler
	tx byte
}

func (s *fakeSession) Split(q string) ([]string, error) {
	var out []string
	for part := range strings.SplitSeq(q, ";") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *fakeSession) TxStatus() byte { return s.tx }
func (s *fakeSession) Close() error {
	s.h.sessions.Add(-1)
	return nil
}

type sqlError struct {
	code string
	pos  int
	msg  string
}

func (e *sqlError) Error() string    { return e.msg }
func (e *sqlError) SQLState() string { return e.code }
func (e *sqlError) Position() int    { return e.pos }

func (s *fakeSession) Prepare(ctx context.Context, q string, paramTypes []uint32) (pgwire.Statement, error) {
	word, arg, _ := strings.Cut(strings.TrimSpace(q), " ")
	switch strings.ToUpper(word) {
	case "NUMS":
		n, err := strconv.Atoi(arg)
		if err != nil {
			return nil, &sqlError{code: "42601", pos: 6, msg: "nums wants a count"}
		}
		return &numsStmt{mem: s.h.mem, n: n}, nil
	case "TYPES":
		return &tableStmt{build: func() arrow.RecordBatch { return typesBatch(s.h.mem) }}, nil
	case "ECHO":
		return &echoStmt{mem: s.h.mem}, nil
	case "EXTRA":
		if s.h.extra != nil {
			if b, ok := s.h.extra(arg); ok {
				b.Release()
				return &tableStmt{build: func() arrow.RecordBatch { b, _ := s.h.extra(arg); return b }}, nil
			}
		}
	case "SLEEP":
		return &sleepStmt{}, nil
	case "FAIL":
		return nil, &sqlError{code: "42703", pos: 3, msg: `column "nope" does not exist`}
	case "BEGIN":
		return &tagStmt{tag: "BEGIN", then: func() { s.tx = 'T' }}, nil
	case "COMMIT", "ROLLBACK":
		return &tagStmt{tag: strings.ToUpper(word), then: func() { s.tx = 'I' }}, nil
	case "SET":
		return &tagStmt{tag: "SET"}, nil
	}
	return nil, &sqlError{code: "42601", pos: 1, msg: fmt.Sprintf("syntax error at or near %q", word)}
}

type tagStmt struct {
	tag  string
	then func()
}

func (t *tagStmt) ParamTypes() []uint32   { return nil }
func (t *tagStmt) Columns() *arrow.Schema { return nil }
func (t *tagStmt) Run(context.Context, []any) (pgwire.Result, error) {
	if t.then != nil {
		t.then()
	}
	return pgwire.Result{Tag: t.tag}, nil
}

var numsSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int64},
	{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

type numsStmt struct {
	mem memory.Allocator
	n   int
}

func (n *numsStmt) ParamTypes() []uint32   { return nil }
func (n *numsStmt) Columns() *arrow.Schema { return numsSchema }
func (n *numsStmt) Run(context.Context, []any) (pgwire.Result, error) {
	return pgwire.Result{Rows: &numsRows{mem: n.mem, n: n.n}}, nil
}

type numsRows struct {
	mem     memory.Allocator
	n, next int
	closed  bool
}

func (r *numsRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if r.next >= r.n {
		return nil, io.EOF
	}
	b := array.NewRecordBuilder(r.mem, numsSchema)
	defer b.Release()
	end := min(r.n, r.next+1000)
	for i := r.next; i < end; i++ {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		if i%7 == 3 {
			b.Field(1).AppendNull()
		} else {
			b.Field(1).(*array.StringBuilder).Append("v" + strconv.Itoa(i))
		}
	}
	r.next = end
	return b.NewRecordBatch(), nil
}

func (r *numsRows) Close() error { r.closed = true; return nil }

type tableStmt struct{ build func() arrow.RecordBatch }

func (t *tableStmt) ParamTypes() []uint32 { return nil }
func (t *tableStmt) Columns() *arrow.Schema {
	b := t.build()
	defer b.Release()
	return b.Schema()
}
func (t *tableStmt) Run(context.Context, []any) (pgwire.Result, error) {
	return pgwire.Result{Rows: &onceRows{b: t.build()}}, nil
}

type onceRows struct{ b arrow.RecordBatch }

func (o *onceRows) Next(context.Context) (arrow.RecordBatch, error) {
	if o.b == nil {
		return nil, io.EOF
	}
	b := o.b
	o.b = nil
	return b, nil
}

func (o *onceRows) Close() error {
	if o.b != nil {
		o.b.Release()
		o.b = nil
	}
	return nil
}

type echoStmt struct{ mem memory.Allocator }

var echoSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "t", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "f", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "n", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

func (e *echoStmt) ParamTypes() []uint32 {
	return []uint32{pgtype.Int8OID, pgtype.TextOID, pgtype.Float8OID, pgtype.DateOID, pgtype.NumericOID}
}
func (e *echoStmt) Columns() *arrow.Schema { return echoSchema }
func (e *echoStmt) Run(_ context.Context, params []any) (pgwire.Result, error) {
	b := array.NewRecordBuilder(e.mem, echoSchema)
	defer b.Release()
	for i, p := range params {
		if p == nil {
			b.Field(i).AppendNull()
			continue
		}
		switch x := p.(type) {
		case int64:
			b.Field(i).(*array.Int64Builder).Append(x)
		case string:
			b.Field(i).(*array.StringBuilder).Append(x)
		case float64:
			b.Field(i).(*array.Float64Builder).Append(x)
		case interface{ Time() (any, error) }:
		default:
			switch i {
			case 3:
				t, ok := p.(interface{ Unix() int64 })
				if !ok {
					return pgwire.Result{}, fmt.Errorf("param %d: %T", i+1, p)
				}
				b.Field(i).(*array.Date32Builder).Append(arrow.Date32(t.Unix() / 86400))
			case 4:
				n, ok := p.(pgtype.Numeric)
				if !ok {
					return pgwire.Result{}, fmt.Errorf("param %d: %T", i+1, p)
				}
				v, _ := n.Value()
				b.Field(i).(*array.StringBuilder).Append(fmt.Sprint(v))
			default:
				return pgwire.Result{}, fmt.Errorf("param %d: unexpected %T", i+1, p)
			}
		}
	}
	return pgwire.Result{Rows: &onceRows{b: b.NewRecordBatch()}}, nil
}

type sleepStmt struct{}

func (sleepStmt) ParamTypes() []uint32   { return nil }
func (sleepStmt) Columns() *arrow.Schema { return numsSchema }
func (sleepStmt) Run(context.Context, []any) (pgwire.Result, error) {
	return pgwire.Result{Rows: sleepRows{}}, nil
}

type sleepRows struct{}

func (sleepRows) Next(ctx context.Context) (arrow.RecordBatch, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}
func (sleepRows) Close() error { return nil }
