package ducklake

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"lakeframe/errs"
)

// errConflict marks a commit that lost to another writer: the catalog
// changed between reading the latest snapshot and committing the next.
// Nothing of the attempt was kept, so it is tried again.
var errConflict = errors.New("another writer committed first")

// snapshotState is the latest snapshot's row as a commit sees it, then
// the new snapshot's as the commit fills it in: ids are handed out from
// nextCatalogID (schemas, tables) and nextFileID (data and delete files).
type snapshotState struct {
	id, schemaVersion, nextCatalogID, nextFileID int64
	schemaChanged                                bool
	schemaTable                                  int64 // the table whose schema changed, or -1
	changes                                      []string
}

// schemaChange notes that the snapshot changes table's schema.
func (s *snapshotState) schemaChange(table int64) {
	s.schemaChanged, s.schemaTable = true, table
}

// fileID hands out the next data or delete file id.
func (s *snapshotState) fileID() int64 {
	id := s.nextFileID
	s.nextFileID++
	return id
}

// catalogID hands out the next schema or table id.
func (s *snapshotState) catalogID() int64 {
	id := s.nextCatalogID
	s.nextCatalogID++
	return id
}

// changed records an entry of ducklake_snapshot_changes, once.
func (s *snapshotState) changed(entry string) {
	for _, e := range s.changes {
		if e == entry {
			return
		}
	}
	s.changes = append(s.changes, entry)
}

// catalogTx is one transaction on the catalog database.
type catalogTx struct {
	c    *Catalog
	tx   *sql.Tx
	conn *sql.Conn // SQLite: the connection holding BEGIN IMMEDIATE
}

// begin starts a write transaction. SQLite takes the write lock at once
// (BEGIN IMMEDIATE), so that concurrent writers wait for each other
// (busy_timeout) instead of failing when a read lock cannot be upgraded.
// PostgreSQL and DuckDB detect conflicts at the new snapshot's primary
// key.
func (c *Catalog) begin(ctx context.Context) (*catalogTx, error) {
	if c.dialect == SQLite {
		conn, err := c.db.Conn(ctx)
		if err != nil {
			return nil, err
		}
		if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			conn.Close()
			return nil, err
		}
		return &catalogTx{c: c, conn: conn}, nil
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &catalogTx{c: c, tx: tx}, nil
}

func (t *catalogTx) exec(ctx context.Context, q string, args ...any) error {
	var err error
	if t.conn != nil {
		_, err = t.conn.ExecContext(ctx, t.c.bind(q), args...)
	} else {
		_, err = t.tx.ExecContext(ctx, t.c.bind(q), args...)
	}
	return err
}

func (t *catalogTx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if t.conn != nil {
		return t.conn.QueryContext(ctx, t.c.bind(q), args...)
	}
	return t.tx.QueryContext(ctx, t.c.bind(q), args...)
}

func (t *catalogTx) commit(ctx context.Context) error {
	if t.conn != nil {
		defer t.conn.Close()
		_, err := t.conn.ExecContext(ctx, "COMMIT")
		if err != nil {
			_, _ = t.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		}
		return err
	}
	return t.tx.Commit()
}

func (t *catalogTx) rollback(ctx context.Context) {
	if t.conn != nil {
		_, _ = t.conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK")
		t.conn.Close()
		return
	}
	_ = t.tx.Rollback()
}

// columnsOf lists the columns a catalog table has, which differ between
// catalog versions (author and commit_message in snapshot changes,
// table_id in schema versions, ...).
func (t *catalogTx) columnsOf(ctx context.Context, table string) (map[string]bool, error) {
	rows, err := t.query(ctx, "SELECT * FROM "+t.c.table(table)+" WHERE 1 = 0")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[strings.ToLower(n)] = true
	}
	return out, rows.Err()
}

// latest reads the latest snapshot's row inside the transaction.
func (t *catalogTx) latest(ctx context.Context) (snapshotState, error) {
	rows, err := t.query(ctx, "SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM "+t.c.table("ducklake_snapshot")+
		" WHERE snapshot_id = (SELECT MAX(snapshot_id) FROM "+t.c.table("ducklake_snapshot")+")")
	if err != nil {
		return snapshotState{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return snapshotState{}, err
		}
		return snapshotState{}, fmt.Errorf("%w: the catalog has no snapshots", errs.ErrExec)
	}
	var s snapshotState
	var sv, nc, nf sql.NullInt64
	if err := rows.Scan(&s.id, &sv, &nc, &nf); err != nil {
		return snapshotState{}, err
	}
	s.schemaVersion, s.nextCatalogID, s.nextFileID = sv.Int64, nc.Int64, nf.Int64
	return s, rows.Err()
}

// commitAttempt adds a change's catalog rows in tx on top of the latest
// snapshot base, handing out ids from and recording changes in next.
type commitAttempt func(ctx context.Context, tx *catalogTx, base Snapshot, next *snapshotState) error

// commit runs attempt in a transaction that ends with a new snapshot,
// and tries again (on the then latest snapshot) when another writer
// committed first, up to opts.MaxRetries times with a growing, jittered
// pause. what names the change in errors.
func (c *Catalog) commit(ctx context.Context, opts WriteOptions, what string, attempt commitAttempt) (Snapshot, error) {
	var last error
	for try := 0; try <= opts.maxRetries(); try++ {
		if try > 0 {
			pause := time.Duration(1<<min(try, 7)) * time.Millisecond
			pause += time.Duration(rand.Int64N(int64(pause)))
			select {
			case <-ctx.Done():
				return Snapshot{}, ctx.Err()
			case <-time.After(pause):
			}
		}
		snap, err := c.tryCommit(ctx, opts, attempt)
		if err == nil {
			return snap, nil
		}
		if !errors.Is(err, errConflict) {
			return Snapshot{}, fmt.Errorf("%s: %w", what, err)
		}
		last = err
	}
	return Snapshot{}, fmt.Errorf("%w: %s: gave up after %d attempts: %w", errs.ErrExec, what, opts.maxRetries()+1, last)
}

func (c *Catalog) tryCommit(ctx context.Context, opts WriteOptions, attempt commitAttempt) (Snapshot, error) {
	tx, err := c.begin(ctx)
	if err != nil {
		return Snapshot{}, classify("begin catalog transaction", err)
	}
	done := false
	defer func() {
		if !done {
			tx.rollback(ctx)
		}
	}()
	base, err := tx.latest(ctx)
	if err != nil {
		return Snapshot{}, classify("read the latest snapshot", err)
	}
	next := base
	next.id, next.schemaTable, next.changes = base.id+1, -1, nil
	if err := attempt(ctx, tx, Snapshot{ID: base.id, SchemaVersion: base.schemaVersion}, &next); err != nil {
		return Snapshot{}, classify("write catalog rows", err)
	}
	if next.schemaChanged {
		next.schemaVersion = base.schemaVersion + 1
	}
	// Microseconds: what every catalog database keeps of a timestamp.
	now := time.Now().UTC().Truncate(time.Microsecond)
	if err := tx.insertSnapshot(ctx, &next, now, opts); err != nil {
		return Snapshot{}, classify("add snapshot", err)
	}
	done = true
	if err := tx.commit(ctx); err != nil {
		return Snapshot{}, classify("commit", err)
	}
	return Snapshot{ID: next.id, Time: now, SchemaVersion: next.schemaVersion}, nil
}

// insertSnapshot adds the snapshot row (whose primary key is where two
// writers of the same snapshot id collide), its changes and, when the
// schema changed, its schema version.
func (t *catalogTx) insertSnapshot(ctx context.Context, s *snapshotState, now time.Time, opts WriteOptions) error {
	var ts any = now
	if t.c.dialect == SQLite {
		// SQLite has no timestamp type; DuckDB's extension stores text.
		ts = now.Format("2006-01-02 15:04:05.999999") + "+00"
	}
	if err := t.exec(ctx, "INSERT INTO "+t.c.table("ducklake_snapshot")+
		" (snapshot_id, snapshot_time, schema_version, next_catalog_id, next_file_id) VALUES (?, ?, ?, ?, ?)",
		s.id, ts, s.schemaVersion, s.nextCatalogID, s.nextFileID); err != nil {
		return err
	}
	cols, err := t.columnsOf(ctx, "ducklake_snapshot_changes")
	if err != nil {
		return err
	}
	names, args := []string{"snapshot_id", "changes_made"}, []any{s.id, strings.Join(s.changes, ",")}
	if cols["author"] && opts.Author != "" {
		names, args = append(names, "author"), append(args, opts.Author)
	}
	if cols["commit_message"] && opts.CommitMessage != "" {
		names, args = append(names, "commit_message"), append(args, opts.CommitMessage)
	}
	if err := t.insert(ctx, "ducklake_snapshot_changes", names, args); err != nil {
		return err
	}
	if !s.schemaChanged {
		return nil
	}
	if ok, err := t.c.tableExists(ctx, "ducklake_schema_versions"); err != nil || !ok {
		return err
	}
	cols, err = t.columnsOf(ctx, "ducklake_schema_versions")
	if err != nil {
		return err
	}
	names, args = []string{"begin_snapshot", "schema_version"}, []any{s.id, s.schemaVersion}
	if cols["table_id"] && s.schemaTable >= 0 {
		names, args = append(names, "table_id"), append(args, s.schemaTable)
	}
	return t.insert(ctx, "ducklake_schema_versions", names, args)
}

// insert adds one row of the named columns.
func (t *catalogTx) insert(ctx context.Context, table string, names []string, args []any) error {
	ph := strings.TrimSuffix(strings.Repeat("?, ", len(names)), ", ")
	return t.exec(ctx, "INSERT INTO "+t.c.table(table)+" ("+strings.Join(names, ", ")+") VALUES ("+ph+")", args...)
}

// classify marks the database errors that mean another writer got there
// first (a duplicate snapshot id, a serialization failure, a busy or
// write-write conflict) as errConflict; others pass through.
func classify(step string, err error) error {
	if errors.Is(err, errConflict) || errors.Is(err, errs.ErrPlan) || errors.Is(err, errs.ErrNotImplemented) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := strings.ToLower(err.Error())
	for _, s := range []string{
		"duplicate key", "unique constraint", "primary key", "sqlstate 23505", "sqlstate 40001", "sqlstate 40p01",
		"could not serialize", "deadlock", "conflict", "database is locked", "sqlite_busy",
	} {
		if strings.Contains(msg, s) {
			return fmt.Errorf("%w: %s: %w", errConflict, step, err)
		}
	}
	if errors.Is(err, errs.ErrExec) || errors.Is(err, errs.ErrInternal) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", errs.ErrExec, step, err)
}
