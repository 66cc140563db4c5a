//go:build cgo

package sql

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgtype"
	pg "github.com/pganalyze/pg_query_go/v6"

	"lakeframe/frame"
	"lakeframe/pgwire"
)

// SQLState is the error's SQLSTATE code, for the wire protocol server.
func (e *Error) SQLState() string { return e.Code }

// ErrorPosition is the 1-based character position the error points at,
// for the wire protocol server.
func (e *Error) ErrorPosition() int { return e.Position }

// WireHandler serves a Session to PostgreSQL clients through pgwire: every
// connection shares the session's tables, as the connections of one
// database do, and keeps its own settings and transaction state.
// Statements with parameters ($1, $2, …) are run with the parameters'
// values written into the text as constants.
type WireHandler struct {
	sess *Session
	opts []frame.Option
}

var _ pgwire.Handler = (*WireHandler)(nil)

// NewWireHandler serves sess; opts apply to every query it runs.
func NewWireHandler(sess *Session, opts ...frame.Option) *WireHandler {
	return &WireHandler{sess: sess, opts: opts}
}

// NewSession starts a connection's session.
func (h *WireHandler) NewSession(_ context.Context, user, database string, params map[string]string) (pgwire.Session, error) {
	ws := &wireSession{h: h, tx: 'I', cursors: map[string]*cursor{}, settings: map[string]string{
		"server_version": "15.0", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"datestyle": "ISO, MDY", "intervalstyle": "postgres", "timezone": "UTC",
		"standard_conforming_strings": "on", "integer_datetimes": "on",
		"transaction_isolation": "read committed", "search_path": `"$user", public`,
		"application_name": params["application_name"], "session_authorization": user,
		"extra_float_digits": "1",
	}}
	return ws, nil
}

// wireSession is one connection's state.
type wireSession struct {
	h        *WireHandler
	mu       sync.Mutex
	tx       byte
	settings map[string]string
	cursors  map[string]*cursor
}

func (s *wireSession) Split(query string) ([]string, error) {
	if strings.TrimSpace(query) == "" {
		return nil, nil
	}
	parts, err := pg.SplitWithParser(query, true)
	if err != nil {
		if _, perr := parse(query); perr != nil {
			return nil, perr
		}
		return nil, &Error{Code: CodeSyntaxError, Message: err.Error()}
	}
	out := parts[:0]
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *wireSession) TxStatus() byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tx
}

func (s *wireSession) Close() error {
	s.closeCursors()
	return nil
}

// Prepare sorts a statement into what the connection answers itself
// (transactions, SET, SHOW), queries with rows, and other statements.
func (s *wireSession) Prepare(ctx context.Context, text string, paramTypes []uint32) (pgwire.Statement, error) {
	stmts, err := parse(text)
	if err != nil {
		return nil, err
	}
	if len(stmts) != 1 {
		return nil, &Error{Code: CodeSyntaxError, Message: fmt.Sprintf("a prepared statement holds one statement, not %d", len(stmts))}
	}
	params, err := paramLocations(text)
	if err != nil {
		return nil, err
	}
	// Parameters keep the types the client declared; the others stay
	// open (0), and their text is read as a number when it is one.
	types := make([]uint32, params.count)
	copy(types, paramTypes)
	n := stmts[0].GetStmt()
	switch {
	case n.GetTransactionStmt() != nil:
		return s.transaction(n.GetTransactionStmt()), nil
	case n.GetVariableSetStmt() != nil:
		return s.set(n.GetVariableSetStmt()), nil
	case n.GetVariableShowStmt() != nil:
		return s.show(n.GetVariableShowStmt().Name), nil
	case n.GetDeclareCursorStmt() != nil:
		return s.declare(ctx, text, n.GetDeclareCursorStmt())
	case n.GetFetchStmt() != nil:
		return s.fetch(n.GetFetchStmt())
	case n.GetClosePortalStmt() != nil:
		return s.closeCursor(n.GetClosePortalStmt()), nil
	case n.GetDeallocateStmt() != nil:
		d := n.GetDeallocateStmt()
		return &wireResult{res: pgwire.Result{Tag: "DEALLOCATE", Deallocate: d.Name, AllStatements: d.Isall}}, nil
	case n.GetSelectStmt() != nil:
		// The result's columns come from binding the query with NULL in
		// place of each parameter.
		df := s.h.sess.Query(ctx, params.substitute(text, nil))
		schema, err := df.Schema()
		if err != nil {
			return nil, err
		}
		return &wireQuery{s: s, text: text, params: params, types: types, schema: schema}, nil
	}
	tag := commandTag(n)
	return &wireExec{s: s, text: text, params: params, types: types, tag: tag}, nil
}

// commandTag is the tag a statement without rows completes with.
func commandTag(n *pg.Node) string {
	switch {
	case n.GetCreateStmt() != nil:
		return "CREATE TABLE"
	case n.GetDropStmt() != nil:
		return "DROP TABLE"
	case n.GetIndexStmt() != nil:
		return "CREATE INDEX"
	case n.GetInsertStmt() != nil:
		rows := 0
		if sel := n.GetInsertStmt().GetSelectStmt().GetSelectStmt(); sel != nil {
			rows = len(sel.ValuesLists)
		}
		return "INSERT 0 " + strconv.Itoa(rows)
	}
	return statementName(n)
}

// paramSites are the places of $n in a statement's text.
type paramSites struct {
	ranges [][2]int // byte ranges of each $n, by position in the text
	index  []int    // n - 1 of each range
	count  int      // the highest n
}

func paramLocations(text string) (paramSites, error) {
	var p paramSites
	res, err := pg.Scan(text)
	if err != nil {
		return p, &Error{Code: CodeSyntaxError, Message: err.Error()}
	}
	for _, t := range res.Tokens {
		if t.Token != pg.Token_PARAM {
			continue
		}
		n, err := strconv.Atoi(text[t.Start+1 : t.End])
		if err != nil || n < 1 {
			return p, &Error{Code: CodeSyntaxError, Message: fmt.Sprintf("bad parameter %s", text[t.Start:t.End]), Position: int(t.Start) + 1}
		}
		p.ranges = append(p.ranges, [2]int{int(t.Start), int(t.End)})
		p.index = append(p.index, n-1)
		p.count = max(p.count, n)
	}
	return p, nil
}

// substitute writes the parameters into the text as constants; nil values
// (or no values at all) become NULL.
func (p paramSites) substitute(text string, values []string) string {
	if len(p.ranges) == 0 {
		return text
	}
	var b strings.Builder
	last := 0
	for i, r := range p.ranges {
		b.WriteString(text[last:r[0]])
		v := "NULL"
		if k := p.index[i]; k < len(values) {
			v = values[k]
		}
		b.WriteString(v)
		last = r[1]
	}
	b.WriteString(text[last:])
	return b.String()
}

// sqlConstant spells a decoded parameter as a SQL constant.
func sqlConstant(v any) (string, error) {
	quote := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return quote(x), nil
	case bool:
		if x {
			return "TRUE", nil
		}
		return "FALSE", nil
	case int16:
		return strconv.FormatInt(int64(x), 10), nil
	case int32:
		return strconv.FormatInt(int64(x), 10), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float32:
		return floatConstant(float64(x)), nil
	case float64:
		return floatConstant(x), nil
	case time.Time:
		t := x.UTC()
		if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
			return "DATE " + quote(t.Format(time.DateOnly)), nil
		}
		return "TIMESTAMPTZ " + quote(t.Format("2006-01-02 15:04:05.999999")+"+00"), nil
	case pgtype.Numeric:
		if !x.Valid {
			return "NULL", nil
		}
		if x.NaN || x.InfinityModifier != pgtype.Finite {
			return "", fmt.Errorf("numeric parameter %v is not a finite number", x)
		}
		r := new(big.Rat).SetInt(x.Int)
		if x.Exp > 0 {
			r.Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(x.Exp)), nil)))
		} else if x.Exp < 0 {
			r.Quo(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-x.Exp)), nil)))
		}
		return r.FloatString(int(max(-x.Exp, 0))), nil
	}
	return "", fmt.Errorf("parameters of Go type %T are not supported", v)
}

func floatConstant(f float64) string {
	switch {
	case math.IsNaN(f):
		return "'NaN'::float8"
	case math.IsInf(f, 1):
		return "'Infinity'::float8"
	case math.IsInf(f, -1):
		return "'-Infinity'::float8"
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0" // a float stays a float, not an integer constant
	}
	return "(" + s + ")::float8"
}

// constants spells the parameters as SQL constants. A parameter whose type
// the client left open arrives as text and becomes a quoted constant,
// which the binder types by what it meets, as PostgreSQL types a literal
// of unknown type.
func constants(params []any, types []uint32) ([]string, error) {
	out := make([]string, len(params))
	for i, p := range params {
		c, err := sqlConstant(p)
		if err != nil {
			return nil, &Error{Code: "22023", Message: fmt.Sprintf("parameter $%d: %v", i+1, err)}
		}
		out[i] = c
	}
	return out, nil
}

// wireQuery is a SELECT.
type wireQuery struct {
	s      *wireSession
	text   string
	params paramSites
	types  []uint32
	schema *arrow.Schema
}

func (q *wireQuery) ParamTypes() []uint32   { return q.types }
func (q *wireQuery) Columns() *arrow.Schema { return q.schema }

func (q *wireQuery) Run(ctx context.Context, params []any) (pgwire.Result, error) {
	values, err := constants(params, q.types)
	if err != nil {
		return pgwire.Result{}, err
	}
	df := q.s.h.sess.Query(ctx, q.params.substitute(q.text, values))
	schema, err := df.Schema()
	if err != nil {
		return pgwire.Result{}, err
	}
	if !sameColumnTypes(schema, q.schema) {
		return pgwire.Result{}, &Error{Code: "0A000", Message: "the parameters change the types of the result's columns; cast them in the query"}
	}
	st, err := df.Stream(ctx, q.s.h.opts...)
	if err != nil {
		return pgwire.Result{}, err
	}
	return pgwire.Result{Rows: st}, nil
}

func sameColumnTypes(a, b *arrow.Schema) bool {
	if a.NumFields() != b.NumFields() {
		return false
	}
	for i := range a.NumFields() {
		if !arrow.TypeEqual(a.Field(i).Type, b.Field(i).Type) && a.Field(i).Type.ID() != arrow.NULL && b.Field(i).Type.ID() != arrow.NULL {
			return false
		}
	}
	return true
}

// wireExec is a statement without rows: CREATE, INSERT, DROP.
type wireExec struct {
	s      *wireSession
	text   string
	params paramSites
	types  []uint32
	tag    string
}

func (e *wireExec) ParamTypes() []uint32   { return e.types }
func (e *wireExec) Columns() *arrow.Schema { return nil }

func (e *wireExec) Run(ctx context.Context, params []any) (pgwire.Result, error) {
	values, err := constants(params, e.types)
	if err != nil {
		return pgwire.Result{}, err
	}
	if err := e.s.h.sess.Exec(ctx, e.params.substitute(e.text, values)); err != nil {
		return pgwire.Result{}, err
	}
	return pgwire.Result{Tag: e.tag}, nil
}

// transaction answers BEGIN, COMMIT and ROLLBACK. Statements are applied
// as they run; a transaction block only changes the state clients see.
func (s *wireSession) transaction(t *pg.TransactionStmt) pgwire.Statement {
	tag, state := "BEGIN", byte('T')
	switch t.Kind {
	case pg.TransactionStmtKind_TRANS_STMT_START:
		tag = "START TRANSACTION"
	case pg.TransactionStmtKind_TRANS_STMT_COMMIT:
		tag, state = "COMMIT", 'I'
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		tag, state = "ROLLBACK", 'I'
	case pg.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		tag, state = "SAVEPOINT", 0
	case pg.TransactionStmtKind_TRANS_STMT_RELEASE:
		tag, state = "RELEASE", 0
	case pg.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		tag, state = "ROLLBACK", 0
	}
	return &wireTagged{tag: tag, then: func() {
		if state == 'I' {
			s.closeCursors() // cursors end with their transaction
		}
		if state != 0 {
			s.mu.Lock()
			s.tx = state
			s.mu.Unlock()
		}
	}}
}

// set records a setting; lakeframe follows none of them beyond SHOW.
func (s *wireSession) set(v *pg.VariableSetStmt) pgwire.Statement {
	var vals []string
	for _, a := range v.Args {
		if c := a.GetAConst(); c != nil {
			switch {
			case c.GetSval() != nil:
				vals = append(vals, c.GetSval().Sval)
			case c.GetIval() != nil:
				vals = append(vals, strconv.Itoa(int(c.GetIval().Ival)))
			case c.GetFval() != nil:
				vals = append(vals, c.GetFval().Fval)
			}
		}
	}
	name := strings.ToLower(v.Name)
	return &wireTagged{tag: "SET", then: func() {
		if name != "" {
			s.mu.Lock()
			s.settings[name] = strings.Join(vals, ", ")
			s.mu.Unlock()
		}
	}}
}

func (s *wireSession) show(name string) pgwire.Statement {
	name = strings.ToLower(name)
	s.mu.Lock()
	v, ok := s.settings[name]
	s.mu.Unlock()
	if !ok {
		return &wireFailed{err: &Error{Code: "42704", Message: fmt.Sprintf("unrecognized configuration parameter %q", name)}}
	}
	return &wireValue{name: name, value: v}
}

// wireTagged answers with a tag and a change of the connection's state.
type wireTagged struct {
	tag  string
	then func()
}

func (t *wireTagged) ParamTypes() []uint32   { return nil }
func (t *wireTagged) Columns() *arrow.Schema { return nil }
func (t *wireTagged) Run(context.Context, []any) (pgwire.Result, error) {
	t.then()
	return pgwire.Result{Tag: t.tag}, nil
}

// wireResult is a statement whose result is known beforehand.
type wireResult struct{ res pgwire.Result }

func (r *wireResult) ParamTypes() []uint32   { return nil }
func (r *wireResult) Columns() *arrow.Schema { return nil }
func (r *wireResult) Run(context.Context, []any) (pgwire.Result, error) {
	return r.res, nil
}

// wireFailed is a statement whose error shows when it runs.
type wireFailed struct{ err error }

func (f *wireFailed) ParamTypes() []uint32   { return nil }
func (f *wireFailed) Columns() *arrow.Schema { return nil }
func (f *wireFailed) Run(context.Context, []any) (pgwire.Result, error) {
	return pgwire.Result{}, f.err
}

// wireValue is SHOW's one row.
type wireValue struct{ name, value string }

func (v *wireValue) ParamTypes() []uint32 { return nil }
func (v *wireValue) Columns() *arrow.Schema {
	return arrow.NewSchema([]arrow.Field{{Name: v.name, Type: arrow.BinaryTypes.String}}, nil)
}
func (v *wireValue) Run(context.Context, []any) (pgwire.Result, error) {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(v.value)
	col := b.NewArray()
	defer col.Release()
	rec := array.NewRecordBatch(v.Columns(), []arrow.Array{col}, 1)
	return pgwire.Result{Rows: &oneBatch{rec: rec}, Tag: "SHOW"}, nil
}

// oneBatch streams one record batch.
type oneBatch struct{ rec arrow.RecordBatch }

func (o *oneBatch) Next(context.Context) (arrow.RecordBatch, error) {
	if o.rec == nil {
		return nil, io.EOF
	}
	r := o.rec
	o.rec = nil
	return r, nil
}

func (o *oneBatch) Close() error {
	if o.rec != nil {
		o.rec.Release()
		o.rec = nil
	}
	return nil
}
