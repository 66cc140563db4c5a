package postgres

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/expr"
	"lakeframe/plan"
)

// Options tune how a source reads.
type Options struct {
	// Parallelism is how many tasks, each with its own connection, a scan
	// is split into at most; 0 means GOMAXPROCS. Plain tables split by
	// pages; queries, views and partitioned tables only by SplitColumn.
	// Scans with a limit are read by one task.
	Parallelism int
	// SplitColumn, when set, names an integer column (smallint, integer,
	// bigint) whose range, between its smallest and largest value among
	// the rows the filters keep, is split among the tasks instead of
	// pages: for queries, views, partitioned and distributed (Citus)
	// tables. Finding the range costs one min/max query when planning.
	SplitColumn string
	// PagesPerTask is the fewest 8 KiB pages a task reads when a table
	// is split: smaller tables make fewer tasks. 0 means 1024 (8 MiB).
	PagesPerTask int64
	// SnapshotHold bounds how long the connection that exported a scan's
	// snapshot waits for the scan's tasks to import it. It closes as soon
	// as every task has; a task that starts later fails, as it could no
	// longer read the same snapshot. 0 means 10 minutes.
	SnapshotHold time.Duration
}

const (
	defaultPagesPerTask = 1024
	defaultSnapshotHold = 10 * time.Minute
	closeTimeout        = 5 * time.Second
	// defaultConnectTimeout applies when the DSN sets no connect_timeout.
	defaultConnectTimeout = 15 * time.Second
)

// Source reads one PostgreSQL table or query. Its schema is fixed when it
// is built, from the server's description of the statement.
type Source struct {
	srv *server
	// relation is the quoted, schema-qualified table name; empty for a
	// query.
	relation string
	// relOID and relKind describe the table ('r' table, 'v' view, 'm'
	// materialized view, 'p' partitioned table, 'f' foreign table).
	relOID  uint32
	relKind byte
	query   string
	columns []column
	byName  map[string]*column
	schema  *arrow.Schema
	opts    Options
}

var _ exec.Scanner = (*Source)(nil)

// NewSource describes a table or a query. tableOrQuery is a query when
// it starts with SELECT, WITH, VALUES or TABLE (in any case); otherwise
// it is a table, view or materialized view name, resolved by the server
// as it would resolve it in SQL (search_path, schema.table, quoted
// names). The DSN is a libpq connection string or URL.
func NewSource(ctx context.Context, dsn, tableOrQuery string, opts Options) (*Source, error) {
	srv, err := parseDSN(dsn)
	if err != nil {
		return nil, err
	}
	conn, err := srv.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer closeConn(conn)
	s := &Source{srv: srv, opts: opts}
	stmt := tableOrQuery
	if isQuery(tableOrQuery) {
		s.query = strings.TrimRight(strings.TrimSpace(tableOrQuery), "; \t\n")
		stmt = s.query
	} else {
		if err := s.resolveTable(ctx, conn, tableOrQuery); err != nil {
			return nil, err
		}
		stmt = "SELECT * FROM " + s.relation
	}
	desc, err := conn.Prepare(ctx, "", stmt, nil)
	if err != nil {
		return nil, srv.wrap(errs.ErrPlan, "describe "+s.String(), err)
	}
	if err := s.setColumns(desc.Fields); err != nil {
		return nil, err
	}
	if err := s.checkSplitColumn(); err != nil {
		return nil, err
	}
	return s, nil
}

// isQuery tells a query from a table name by its first word.
func isQuery(s string) bool {
	s = strings.TrimLeft(s, " \t\r\n(")
	word := s
	if i := strings.IndexAny(s, " \t\r\n("); i >= 0 {
		word = s[:i]
	}
	switch strings.ToLower(word) {
	case "select", "with", "values", "table":
		return true
	}
	return false
}

// resolveTable finds the table the way the server resolves a name in
// SQL, and lists what exists when it is not there.
func (s *Source) resolveTable(ctx context.Context, conn *pgconn.PgConn, name string) error {
	res := conn.ExecParams(ctx, `SELECT c.oid, n.nspname, c.relname, c.relkind
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.oid = to_regclass($1)`, [][]byte{[]byte(name)}, nil, nil, nil).Read()
	if res.Err != nil {
		return s.srv.wrap(errs.ErrPlan, fmt.Sprintf("table %q", name), res.Err)
	}
	if len(res.Rows) == 0 {
		return s.unknownTable(ctx, conn, name)
	}
	row := res.Rows[0]
	var oid uint64
	if _, err := fmt.Sscan(string(row[0]), &oid); err != nil {
		return fmt.Errorf("%w: postgres %s: table %q has oid %q", errs.ErrInternal, s.srv.addr, name, row[0])
	}
	s.relOID = uint32(oid)
	s.relation = pgx.Identifier{string(row[1]), string(row[2])}.Sanitize()
	if len(row[3]) == 1 {
		s.relKind = row[3][0]
	}
	return nil
}

// unknownTable is the error for a table that does not exist, naming the
// tables that do (the first few, in schemas other than the system's).
func (s *Source) unknownTable(ctx context.Context, conn *pgconn.PgConn, name string) error {
	const shown = 20
	res := conn.ExecParams(ctx, `SELECT n.nspname || '.' || c.relname
		FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'v', 'm', 'p', 'f')
			AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
		ORDER BY 1 LIMIT 21`, nil, nil, nil, nil).Read()
	var names []string
	if res.Err == nil {
		for _, r := range res.Rows {
			names = append(names, string(r[0]))
		}
	}
	exist := "no tables exist outside the system schemas"
	switch {
	case len(names) > shown:
		exist = "tables include " + strings.Join(names[:shown], ", ") + ", ..."
	case len(names) > 0:
		exist = "tables are " + strings.Join(names, ", ")
	}
	return fmt.Errorf("%w: postgres %s: table %q does not exist (database %s; %s)", errs.ErrPlan, s.srv.addr, name, s.srv.cfg.Database, exist)
}

func (s *Source) setColumns(fields []pgconn.FieldDescription) error {
	s.columns = make([]column, len(fields))
	s.byName = make(map[string]*column, len(fields))
	arrowFields := make([]arrow.Field, len(fields))
	for i, f := range fields {
		s.columns[i] = newColumn(f.Name, f.DataTypeOID, f.TypeModifier)
		t, err := s.columns[i].arrowType()
		if err != nil {
			return fmt.Errorf("%w: postgres %s: %s: %w", errs.ErrPlan, s.srv.addr, s.String(), err)
		}
		arrowFields[i] = arrow.Field{Name: f.Name, Type: t, Nullable: true}
		s.byName[f.Name] = &s.columns[i]
	}
	s.schema = arrow.NewSchema(arrowFields, nil)
	return nil
}

// checkSplitColumn makes sure the split column exists and is an integer.
func (s *Source) checkSplitColumn() error {
	name := s.opts.SplitColumn
	if name == "" {
		return nil
	}
	var ints []string
	for _, c := range s.columns {
		if k := c.kind(); !c.Text && (k == kindInt2 || k == kindInt4 || k == kindInt8) {
			ints = append(ints, c.Name)
		}
	}
	c, ok := s.byName[name]
	if ok && slices.Contains(ints, c.Name) {
		return nil
	}
	what := "does not exist"
	if ok {
		what = "is not an integer column"
	}
	return fmt.Errorf("%w: postgres %s: %s: split column %q %s (integer columns: %s)", errs.ErrPlan, s.srv.addr, s.String(), name, what, strings.Join(ints, ", "))
}

// Kind is "postgres".
func (s *Source) Kind() string { return "postgres" }

// Schema is the table's or query's columns.
func (s *Source) Schema() *arrow.Schema { return s.schema }

// String names the server and the table, or the query.
func (s *Source) String() string {
	if s.relation != "" {
		return s.srv.addr + "/" + s.srv.cfg.Database + " " + s.relation
	}
	return s.srv.addr + "/" + s.srv.cfg.Database + " query " + strings.Join(strings.Fields(s.query), " ")
}

// SupportsFilter: predicates the server evaluates exactly as lakeframe
// does (see filterSQL) are exact and leave the plan; others stay above.
func (s *Source) SupportsFilter(pred expr.Node) plan.FilterSupport {
	var w sqlWriter
	if (filterSQL{cols: s.byName}).write(&w, pred) {
		return plan.FilterExact
	}
	return plan.FilterUnsupported
}

func (s *Source) parallelism() int {
	if s.opts.Parallelism > 0 {
		return s.opts.Parallelism
	}
	return runtime.GOMAXPROCS(0)
}

func (s *Source) pagesPerTask() int64 {
	if s.opts.PagesPerTask > 0 {
		return s.opts.PagesPerTask
	}
	return defaultPagesPerTask
}

func (s *Source) snapshotHold() time.Duration {
	if s.opts.SnapshotHold > 0 {
		return s.opts.SnapshotHold
	}
	return defaultSnapshotHold
}
