//go:build cgo

package sql

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/apache/iceberg-go/catalog"
	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"

	"lakeframe/errs"
	"lakeframe/frame"
)

// Session holds the tables SQL statements can name: frames registered by
// the caller and in-memory tables made with CREATE TABLE. Its methods are
// safe for concurrent use; statements run one at a time.
type Session struct {
	mu      sync.Mutex
	tables  map[string]*table
	catalog catalog.Catalog // attached Iceberg catalog, or nil
	opts    []frame.Option
}

// NewSession makes a session with no tables. The options apply whenever
// the session itself runs a query: uncorrelated subqueries, INSERT.
func NewSession(opts ...frame.Option) *Session {
	return &Session{tables: map[string]*table{}, opts: opts}
}

// Register makes a frame queryable under a table name, replacing any
// table of that name. The frame's columns are the table's columns.
func (s *Session) Register(name string, df *frame.DataFrame) error {
	if name == "" {
		return fmt.Errorf("register: %w: empty table name", errs.ErrPlan)
	}
	schema, err := df.Schema()
	if err != nil {
		return fmt.Errorf("register %s: %w", name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tables[name] = &table{name: name, frame: df, schema: schema}
	return nil
}

// Tables lists the session's table names, sorted.
func (s *Session) Tables() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.tables))
	for n := range s.tables {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Query runs the statements of text and returns the result of the last,
// which must be a SELECT, as a lazy frame: it runs when collected, and can
// be refined with frame methods first. Statements before it (CREATE,
// INSERT, ...) run at once. A mistake is the frame's error (see Err); it
// is an *Error with a SQLSTATE.
func (s *Session) Query(ctx context.Context, text string) (df *frame.DataFrame) {
	defer func() {
		if r := recover(); r != nil {
			df = frame.Failed(internalError(text, r))
		}
	}()
	stmts, err := parse(text)
	if err != nil {
		return frame.Failed(err)
	}
	if len(stmts) == 0 {
		return frame.Failed(newError(text, -1, CodeSyntaxError, "no statement to run"))
	}
	last := stmts[len(stmts)-1]
	sel := last.GetStmt().GetSelectStmt()
	if sel == nil {
		return frame.Failed(newError(text, last.StmtLocation, CodeSyntaxError, "the last statement of a query must be a SELECT"))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range stmts[:len(stmts)-1] {
		if err := s.execStmt(ctx, text, st); err != nil {
			return frame.Failed(err)
		}
	}
	out, err := s.selectFrame(ctx, text, sel)
	if err != nil {
		return frame.Failed(err)
	}
	return out
}

// Exec runs statements that return no rows: CREATE TABLE, INSERT, DROP
// TABLE, CREATE INDEX (accepted and ignored: lakeframe tables have no
// indexes). A SELECT among them is an error; use Query.
func (s *Session) Exec(ctx context.Context, text string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = internalError(text, r)
		}
	}()
	stmts, err := parse(text)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range stmts {
		if err := s.execStmt(ctx, text, st); err != nil {
			return err
		}
	}
	return nil
}

// Run runs the statements of text. When the last is a SELECT, its result
// comes back as a lazy frame (as from Query); otherwise the frame is nil.
func (s *Session) Run(ctx context.Context, text string) (*frame.DataFrame, error) {
	stmts, err := parse(text)
	if err != nil {
		return nil, err
	}
	if n := len(stmts); n > 0 && stmts[n-1].GetStmt().GetSelectStmt() != nil {
		df := s.Query(ctx, text)
		return df, df.Err()
	}
	return nil, s.Exec(ctx, text)
}

// parse runs PostgreSQL's parser; a syntax error keeps its position.
func parse(text string) ([]*pg.RawStmt, error) {
	tree, err := pg.Parse(text)
	if err != nil {
		var pe *parser.Error
		if errors.As(err, &pe) {
			return nil, &Error{Code: CodeSyntaxError, Message: pe.Message, Position: pe.Cursorpos}
		}
		return nil, &Error{Code: CodeSyntaxError, Message: err.Error()}
	}
	return tree.Stmts, nil
}

func (s *Session) execStmt(ctx context.Context, text string, st *pg.RawStmt) error {
	n := st.GetStmt()
	switch {
	case n.GetCreateStmt() != nil:
		return s.createTable(text, n.GetCreateStmt())
	case n.GetInsertStmt() != nil:
		return s.insert(ctx, text, n.GetInsertStmt())
	case n.GetDropStmt() != nil:
		return s.drop(text, n.GetDropStmt(), st.StmtLocation)
	case n.GetIndexStmt() != nil:
		_, err := s.lookup(ctx, text, n.GetIndexStmt().Relation)
		return err
	case n.GetSelectStmt() != nil:
		return newError(text, st.StmtLocation, CodeSyntaxError, "SELECT returns rows: run it with Query")
	}
	return newError(text, st.StmtLocation, CodeFeatureNotSupported, "statement %s is not supported", statementName(n))
}

// statementName names a statement's kind for messages: "UpdateStmt" → "UPDATE".
func statementName(n *pg.Node) string {
	name := fmt.Sprintf("%T", n.GetNode())
	name = strings.TrimPrefix(name, "*pg_query.Node_")
	return strings.ToUpper(strings.TrimSuffix(name, "Stmt"))
}

// selectFrame binds a SELECT to a frame whose columns carry the SQL names.
func (s *Session) selectFrame(ctx context.Context, text string, sel *pg.SelectStmt) (*frame.DataFrame, error) {
	b := &binder{sess: s, text: text}
	rel, err := b.query(ctx, sel, nil)
	if err != nil {
		return nil, err
	}
	return frame.FromPlan(rel.node).Select(outputColumns(rel.cols)...), nil
}

// lookup finds a table named in a statement. PostgreSQL folds unquoted
// names to lower case; a registered name in other case is found too when
// it is the only one that matches.
func (s *Session) lookup(ctx context.Context, text string, rv *pg.RangeVar) (*table, error) {
	if t, found, err := s.catalogTable(ctx, text, rv); found || err != nil {
		return t, err
	}
	if rv.Schemaname != "" && rv.Schemaname != "public" {
		return nil, newError(text, rv.Location, CodeUndefinedTable, "schema %q does not exist (tables: %s)", rv.Schemaname, s.tableList())
	}
	if t, ok := s.tables[rv.Relname]; ok {
		return t, nil
	}
	var found *table
	for name, t := range s.tables {
		if strings.EqualFold(name, rv.Relname) {
			if found != nil {
				found = nil
				break
			}
			found = t
		}
	}
	if found != nil {
		return found, nil
	}
	return nil, newError(text, rv.Location, CodeUndefinedTable, "relation %q does not exist (tables: %s)", rv.Relname, s.tableList())
}

func (s *Session) tableList() string {
	if len(s.tables) == 0 {
		return "none"
	}
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
