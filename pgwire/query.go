package pgwire

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"
)

// prepared is a statement of the extended protocol.
type prepared struct {
	stmt Statement
	// declared are the parameter types the client gave in Parse (0 where
	// it left one open); its parameters arrive encoded as those.
	declared []uint32
}

// portal is a bound statement, maybe part-way through its rows.
type portal struct {
	stmt    Statement
	params  []any
	formats []int16 // per result column
	rows    *rowWriter
	done    bool
	// ctx is what the portal's statement runs under: its rows may be read
	// over several Executes (a row limit each), so it lives until the
	// portal finishes or is closed, not for one Execute.
	ctx    context.Context
	cancel context.CancelFunc
}

// finish ends the portal's statement.
func (p *portal) finish() {
	if p.rows != nil {
		p.rows.close()
		p.rows = nil
	}
	if p.cancel != nil {
		p.cancel()
	}
	p.done = true
}

// loop serves messages until Terminate or a broken connection.
func (c *conn) loop() error {
	for {
		msg, err := c.be.Receive()
		if err != nil {
			return err
		}
		if c.failed {
			switch msg.(type) {
			case *pgproto3.Sync:
				c.failed = false
			case *pgproto3.Terminate:
				return nil
			default:
				continue
			}
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			c.simpleQuery(m.String)
		case *pgproto3.Parse:
			c.extended(c.parse(m))
		case *pgproto3.Bind:
			c.extended(c.bind(m))
		case *pgproto3.Describe:
			c.extended(c.describe(m))
		case *pgproto3.Execute:
			c.extended(c.execute(m))
		case *pgproto3.Close:
			c.extended(c.closeObject(m))
		case *pgproto3.Sync:
			c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.session.TxStatus()})
		case *pgproto3.Flush:
		case *pgproto3.Terminate:
			return nil
		default:
			return c.fatal(codeProtocolViolation, fmt.Sprintf("unexpected message %T", msg))
		}
		switch msg.(type) {
		case *pgproto3.Query, *pgproto3.Sync, *pgproto3.Flush:
			if err := c.be.Flush(); err != nil {
				return err
			}
		}
	}
}

// extended reports an extended-protocol error and skips to the next Sync.
func (c *conn) extended(err error) {
	if err != nil {
		c.be.Send(errorResponse(err))
		c.failed = true
	}
}

// simpleQuery runs each statement of a Query message in turn, stopping at
// the first error.
func (c *conn) simpleQuery(text string) {
	defer func() { c.be.Send(&pgproto3.ReadyForQuery{TxStatus: c.session.TxStatus()}) }()
	stmts, err := c.session.Split(text)
	if err != nil {
		c.be.Send(errorResponse(err))
		return
	}
	if len(stmts) == 0 {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	// The unnamed statement and portal are gone after a simple query.
	c.dropPortal("")
	delete(c.stmts, "")
	for _, s := range stmts {
		if err := c.runSimple(s); err != nil {
			c.be.Send(errorResponse(err))
			return
		}
	}
}

func (c *conn) runSimple(text string) error {
	ctx, done := c.queryContext()
	defer done()
	stmt, err := c.session.Prepare(ctx, text, nil)
	if err != nil {
		return err
	}
	if len(stmt.ParamTypes()) > 0 {
		return &protocolError{code: codeProtocolViolation, msg: fmt.Sprintf("statement has %d parameters, and a simple query gives none", len(stmt.ParamTypes()))}
	}
	if cols := stmt.Columns(); cols != nil {
		c.be.Send(rowDescription(cols, nil))
	}
	res, err := stmt.Run(ctx, nil)
	if err != nil {
		return err
	}
	c.deallocate(res)
	if res.Rows == nil {
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag)})
		return nil
	}
	w := newRowWriter(c, res.Rows, nil)
	defer w.close()
	if _, err := w.send(ctx, 0); err != nil {
		return err
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(w.tag(res.Tag))})
	return nil
}

// protocolError is an error of the client's use of the protocol.
type protocolError struct {
	code, msg string
}

func (e *protocolError) Error() string    { return e.msg }
func (e *protocolError) SQLState() string { return e.code }

func (c *conn) parse(m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, ok := c.stmts[m.Name]; ok {
			return &protocolError{code: "42P05", msg: fmt.Sprintf("prepared statement %q already exists", m.Name)}
		}
	}
	ctx, done := c.queryContext()
	defer done()
	stmt, err := c.session.Prepare(ctx, m.Query, m.ParameterOIDs)
	if err != nil {
		return err
	}
	c.stmts[m.Name] = &prepared{stmt: stmt, declared: m.ParameterOIDs}
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	p, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return &protocolError{code: codeInvalidSQLStatement, msg: fmt.Sprintf("prepared statement %q does not exist", m.PreparedStatement)}
	}
	types := p.stmt.ParamTypes()
	if len(m.Parameters) != len(types) {
		return &protocolError{code: codeProtocolViolation, msg: fmt.Sprintf("bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), m.PreparedStatement, len(types))}
	}
	formats, err := formatCodes(m.ParameterFormatCodes, len(types), "parameter")
	if err != nil {
		return err
	}
	params := make([]any, len(types))
	for i, raw := range m.Parameters {
		oid := types[i]
		if i < len(p.declared) && p.declared[i] != 0 {
			oid = p.declared[i]
		}
		if params[i], err = decodeParam(c.types, oid, formats[i], raw); err != nil {
			return &protocolError{code: "22P02", msg: fmt.Sprintf("parameter $%d: %v", i+1, err)}
		}
	}
	var resultFormats []int16
	if cols := p.stmt.Columns(); cols != nil {
		if resultFormats, err = formatCodes(m.ResultFormatCodes, cols.NumFields(), "result"); err != nil {
			return err
		}
	}
	if m.DestinationPortal != "" {
		if _, ok := c.portals[m.DestinationPortal]; ok {
			return &protocolError{code: "42P03", msg: fmt.Sprintf("portal %q already exists", m.DestinationPortal)}
		}
	}
	c.dropPortal(m.DestinationPortal)
	c.portals[m.DestinationPortal] = &portal{stmt: p.stmt, params: params, formats: resultFormats}
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

// formatCodes expands a Bind message's format codes: none means text for
// all, one applies to all, otherwise one each.
func formatCodes(codes []int16, n int, what string) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	case n:
		copy(out, codes)
	default:
		return nil, &protocolError{code: codeProtocolViolation, msg: fmt.Sprintf("%d %s format codes for %d values", len(codes), what, n)}
	}
	for _, f := range out {
		if f != textFormat && f != binaryFormat {
			return nil, &protocolError{code: codeProtocolViolation, msg: fmt.Sprintf("unknown %s format code %d", what, f)}
		}
	}
	return out, nil
}

func (c *conn) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		p, ok := c.stmts[m.Name]
		if !ok {
			return &protocolError{code: codeInvalidSQLStatement, msg: fmt.Sprintf("prepared statement %q does not exist", m.Name)}
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: p.stmt.ParamTypes()})
		if cols := p.stmt.Columns(); cols != nil {
			c.be.Send(rowDescription(cols, nil))
		} else {
			c.be.Send(&pgproto3.NoData{})
		}
	case 'P':
		p, ok := c.portals[m.Name]
		if !ok {
			return &protocolError{code: codeInvalidCursor, msg: fmt.Sprintf("portal %q does not exist", m.Name)}
		}
		if cols := p.stmt.Columns(); cols != nil {
			c.be.Send(rowDescription(cols, p.formats))
		} else {
			c.be.Send(&pgproto3.NoData{})
		}
	default:
		return &protocolError{code: codeProtocolViolation, msg: fmt.Sprintf("describe of unknown object type %q", m.ObjectType)}
	}
	return nil
}

func (c *conn) execute(m *pgproto3.Execute) error {
	p, ok := c.portals[m.Portal]
	if !ok {
		return &protocolError{code: codeInvalidCursor, msg: fmt.Sprintf("portal %q does not exist", m.Portal)}
	}
	if p.done {
		// PostgreSQL answers a finished portal with an empty completion.
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(completedTag(p))})
		return nil
	}
	if p.ctx == nil {
		p.ctx, p.cancel = context.WithCancel(c.ctx)
	}
	// A cancel request cancels the portal's statement while it runs.
	defer c.watch(p.cancel)()
	if p.rows == nil {
		res, err := p.stmt.Run(p.ctx, p.params)
		if err != nil {
			p.finish()
			return err
		}
		c.deallocate(res)
		if res.Rows == nil {
			p.finish()
			c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(res.Tag)})
			return nil
		}
		p.rows = newRowWriter(c, res.Rows, p.formats)
		p.rows.baseTag = res.Tag
	}
	more, err := p.rows.send(p.ctx, int64(m.MaxRows))
	if err != nil {
		p.finish()
		return err
	}
	if more {
		c.be.Send(&pgproto3.PortalSuspended{})
		return nil
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(p.rows.tag(p.rows.baseTag))})
	p.finish()
	return nil
}

func completedTag(p *portal) string {
	if p.stmt.Columns() != nil {
		return "SELECT 0"
	}
	return ""
}

func (c *conn) closeObject(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(c.stmts, m.Name)
	case 'P':
		c.dropPortal(m.Name)
	default:
		return &protocolError{code: codeProtocolViolation, msg: fmt.Sprintf("close of unknown object type %q", m.ObjectType)}
	}
	c.be.Send(&pgproto3.CloseComplete{})
	return nil
}

// deallocate drops the prepared statements a result names.
func (c *conn) deallocate(res Result) {
	switch {
	case res.AllStatements:
		clear(c.stmts)
	case res.Deallocate != "":
		delete(c.stmts, res.Deallocate)
	}
}

func (c *conn) dropPortal(name string) {
	if p, ok := c.portals[name]; ok {
		p.finish()
		delete(c.portals, name)
	}
}

func (c *conn) closePortals() {
	for name := range c.portals {
		c.dropPortal(name)
	}
}

// rowDescription describes columns, in formats (nil: all text).
func rowDescription(cols *arrow.Schema, formats []int16) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, cols.NumFields())
	for i, f := range cols.Fields() {
		t := typeOf(f.Type)
		fields[i] = pgproto3.FieldDescription{Name: []byte(f.Name), DataTypeOID: t.oid, DataTypeSize: t.size, TypeModifier: t.typmod}
		if formats != nil {
			fields[i].Format = formats[i]
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// rowWriter sends the rows of a result as DataRow messages, resuming where
// it stopped when a portal's row limit cut it short.
type rowWriter struct {
	c       *conn
	rows    Rows
	formats []int16
	batch   arrow.RecordBatch
	next    int // row of batch to send next
	enc     []cellEncoder
	sent    int64
	baseTag string
	values  [][]byte
	buf     []byte
	ends    []int
}

func newRowWriter(c *conn, rows Rows, formats []int16) *rowWriter {
	return &rowWriter{c: c, rows: rows, formats: formats}
}

// send sends up to limit rows (all when limit is 0); more says rows remain.
func (w *rowWriter) send(ctx context.Context, limit int64) (more bool, err error) {
	var n int64
	for limit == 0 || n < limit {
		if w.batch == nil || w.next >= int(w.batch.NumRows()) {
			if w.batch != nil {
				w.batch.Release()
				w.batch = nil
				// A batch's rows are out: let the client have them.
				if err := w.c.be.Flush(); err != nil {
					return false, err
				}
			}
			b, err := w.rows.Next(ctx)
			if errors.Is(err, io.EOF) {
				return false, nil
			}
			if err != nil {
				return false, err
			}
			w.batch, w.next = b, 0
			w.bind()
		}
		if err := w.row(w.next); err != nil {
			return false, err
		}
		w.next++
		w.sent++
		n++
	}
	return w.peekMore(ctx)
}

// peekMore reports whether rows remain after a full batch, reading ahead
// one batch if needed.
func (w *rowWriter) peekMore(ctx context.Context) (bool, error) {
	if w.batch != nil && w.next < int(w.batch.NumRows()) {
		return true, nil
	}
	for {
		b, err := w.rows.Next(ctx)
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if b.NumRows() == 0 {
			b.Release()
			continue
		}
		if w.batch != nil {
			w.batch.Release()
		}
		w.batch, w.next = b, 0
		w.bind()
		return true, nil
	}
}

func (w *rowWriter) bind() {
	w.enc = w.enc[:0]
	for i, col := range w.batch.Columns() {
		f := textFormat
		if w.formats != nil {
			f = w.formats[i]
		}
		w.enc = append(w.enc, newCellEncoder(col, f, w.c.types))
	}
}

func (w *rowWriter) row(r int) error {
	cols := w.batch.Columns()
	w.buf = w.buf[:0]
	if cap(w.ends) < len(cols) {
		w.ends = make([]int, len(cols))
	}
	ends := w.ends[:len(cols)]
	for i, col := range cols {
		if col.IsNull(r) {
			ends[i] = -1
			continue
		}
		var err error
		if w.buf, err = w.enc[i](w.buf, r); err != nil {
			return fmt.Errorf("column %s: %w", w.batch.ColumnName(i), err)
		}
		ends[i] = len(w.buf)
	}
	w.values = w.values[:0]
	start := 0
	for _, end := range ends {
		if end < 0 {
			w.values = append(w.values, nil)
			continue
		}
		w.values = append(w.values, w.buf[start:end:end])
		start = end
	}
	w.c.be.Send(&pgproto3.DataRow{Values: w.values})
	return nil
}

// tag is the command tag: the statement's own, with the count of rows
// sent added when it has none ("SELECT" or "" gives "SELECT n", "FETCH"
// gives "FETCH n").
func (w *rowWriter) tag(base string) string {
	if base == "" {
		base = "SELECT"
	}
	if strings.ContainsAny(base, "0123456789") {
		return base
	}
	return base + " " + strconv.FormatInt(w.sent, 10)
}

func (w *rowWriter) close() {
	if w.batch != nil {
		w.batch.Release()
		w.batch = nil
	}
	if w.rows != nil {
		w.rows.Close()
		w.rows = nil
	}
}
