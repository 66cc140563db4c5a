package postgres

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"lakeframe/errs"
)

// sharedSnapshot lets the tasks of one scan read the table as of one
// moment. The first task to start opens a transaction and exports its
// snapshot (pg_export_snapshot); every task then imports it (SET
// TRANSACTION SNAPSHOT) on its own connection. An exported snapshot
// lives only while its transaction is open, so the exporting connection
// stays open until every task has imported it, or until no task has been
// reading for hold: a task never started (a limit above was met) must
// not keep a transaction open, and with it old row versions, for ever,
// while tasks that run one after another in one partition must find the
// snapshot still there however long the earlier ones read. Nothing is
// exported before a task starts, so planning alone (EXPLAIN) opens no
// transaction.
type sharedSnapshot struct {
	srv  *server
	hold time.Duration

	mu       sync.Mutex
	pending  int // tasks yet to import
	active   int // tasks that imported and are still reading
	exported bool
	closed   bool
	id       string
	err      error
	conn     *pgconn.PgConn
	timer    *time.Timer
}

// begin starts a transaction on conn that reads the shared snapshot,
// exporting it first when conn's task is the first to start.
func (s *sharedSnapshot) begin(ctx context.Context, conn *pgconn.PgConn) error {
	id, err := s.get(ctx)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET TRANSACTION SNAPSHOT '"+id+"'").ReadAll()
	s.imported(err == nil)
	if err != nil {
		return s.srv.wrap(errs.ErrExec, "import the scan's snapshot "+id+" (it was released after "+s.hold.String()+" without a task starting, or its connection was lost)", err)
	}
	return nil
}

func (s *sharedSnapshot) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.exported {
		if s.closed {
			return "", fmt.Errorf("%w: postgres %s: the scan's snapshot was released after no task read for %s, before this task started; raise SnapshotHold", errs.ErrExec, s.srv.addr, s.hold)
		}
		return s.id, s.err
	}
	s.exported = true
	conn, err := s.srv.connect(ctx)
	if err != nil {
		s.err = err
		return "", err
	}
	res, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SELECT pg_export_snapshot()").ReadAll()
	if err != nil || len(res) != 2 || len(res[1].Rows) != 1 {
		closeConn(conn)
		if err == nil {
			err = fmt.Errorf("pg_export_snapshot returned no row")
		}
		s.err = s.srv.wrap(errs.ErrExec, "export a snapshot", err)
		return "", s.err
	}
	s.id = string(res[1].Rows[0][0])
	s.conn = conn
	s.timer = time.AfterFunc(s.hold, s.expire)
	return s.id, nil
}

// imported counts one task's import (or its failure to start), releasing
// the exporter after the last. A task that imported is reading until it
// calls finished.
func (s *sharedSnapshot) imported(reading bool) {
	s.mu.Lock()
	s.pending--
	if reading {
		s.active++
	}
	last := s.pending <= 0
	if !last && s.timer != nil {
		s.timer.Reset(s.hold)
	}
	s.mu.Unlock()
	if last {
		s.release()
	}
}

// finished counts the end of a task that imported the snapshot.
func (s *sharedSnapshot) finished() {
	s.mu.Lock()
	s.active--
	if s.timer != nil && !s.closed {
		s.timer.Reset(s.hold)
	}
	s.mu.Unlock()
}

// expire releases the exporter when no task is reading; otherwise it
// waits another hold.
func (s *sharedSnapshot) expire() {
	s.mu.Lock()
	if s.active > 0 && !s.closed {
		s.timer.Reset(s.hold)
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	s.release()
}

// release ends the exporting transaction.
func (s *sharedSnapshot) release() {
	s.mu.Lock()
	conn := s.conn
	s.conn = nil
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	if conn != nil {
		closeConn(conn)
	}
}
