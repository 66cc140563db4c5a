package postgres

import (
	"context"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/jackc/pgx/v5/pgconn"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/plan"
)

// Open connects, joins the scan's snapshot when it has one, and sends
// the task's statement; Next decodes the rows as they arrive.
func (s *Source) Open(ctx context.Context, tc *exec.TaskContext, task plan.Task) (exec.Stream, error) {
	t, ok := task.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: postgres source got a %T task", errs.ErrInternal, task)
	}
	fields := make([]arrow.Field, len(t.Columns))
	formats := make([]int16, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		typ, err := c.arrowType()
		if err != nil {
			return nil, fmt.Errorf("%w: postgres %s: %w", errs.ErrPlan, s.srv.addr, err)
		}
		fields[i] = arrow.Field{Name: c.Name, Type: typ, Nullable: true}
		if !c.Text {
			formats[i] = 1 // binary
		}
	}
	st := &stream{src: s, task: t, schema: arrow.NewSchema(fields, nil), mem: memory.DefaultAllocator, batchSize: exec.DefaultBatchSize}
	if tc != nil && tc.Mem != nil {
		st.mem = tc.Mem
	}
	if tc != nil && tc.BatchSize > 0 {
		st.batchSize = tc.BatchSize
	}
	conn, err := s.srv.connect(ctx)
	if err != nil {
		if t.snapshot != nil {
			t.snapshot.imported(false)
		}
		return nil, err
	}
	st.conn = conn
	if t.snapshot != nil {
		if err := t.snapshot.begin(ctx, conn); err != nil {
			st.Close()
			return nil, err
		}
		st.snapshot = t.snapshot
	}
	params := make([][]byte, len(t.Params))
	for i, p := range t.Params {
		params[i] = []byte(p)
	}
	st.rr = conn.ExecParams(ctx, t.SQL, params, nil, nil, formats)
	if err := st.checkFields(); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

type stream struct {
	src       *Source
	task      *Task
	schema    *arrow.Schema
	mem       memory.Allocator
	batchSize int
	conn      *pgconn.PgConn
	rr        *pgconn.ResultReader
	done      bool // every row was read and the result closed
	// snapshot is the scan's shared snapshot this task imported, told
	// when the task ends.
	snapshot *sharedSnapshot
}

func (st *stream) Schema() *arrow.Schema { return st.schema }

// checkFields makes sure the server sends the columns the frame was
// planned with: the table may have changed since.
func (st *stream) checkFields() error {
	fds := st.rr.FieldDescriptions()
	if fds == nil {
		// No row description: the statement failed; Close has the error.
		_, err := st.rr.Close()
		st.done = true
		if err == nil {
			err = fmt.Errorf("the statement returned no rows description")
		}
		return st.src.srv.wrap(errs.ErrExec, st.task.Source+": "+st.task.SQL, err)
	}
	if len(fds) != len(st.task.Columns) {
		return fmt.Errorf("%w: postgres %s: %s returns %d columns, the frame was planned with %d; the table changed since", errs.ErrExec, st.src.srv.addr, st.task.Source, len(fds), len(st.task.Columns))
	}
	for i, fd := range fds {
		c := &st.task.Columns[i]
		if fd.DataTypeOID != c.OID || fd.Name != c.Name {
			return fmt.Errorf("%w: postgres %s: %s: column %d is now %s of type oid %d, the frame was planned with %s of type oid %d; the table changed since", errs.ErrExec, st.src.srv.addr, st.task.Source, i+1, fd.Name, fd.DataTypeOID, c.Name, c.OID)
		}
	}
	return nil
}

func (st *stream) Next(ctx context.Context) (arrow.RecordBatch, error) {
	if st.done {
		return nil, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	bld := array.NewRecordBuilder(st.mem, st.schema)
	defer bld.Release()
	apps := make([]appender, len(st.task.Columns))
	for i := range apps {
		a, err := newAppender(&st.task.Columns[i], bld.Field(i))
		if err != nil {
			return nil, fmt.Errorf("%w: postgres %s: %s: %w", errs.ErrInternal, st.src.srv.addr, st.task.Source, err)
		}
		apps[i] = a
	}
	rows := 0
	for rows < st.batchSize && st.rr.NextRow() {
		vals := st.rr.Values()
		for i, v := range vals {
			if v == nil {
				apps[i].appendNull()
				continue
			}
			if err := apps[i].appendValue(v); err != nil {
				return nil, fmt.Errorf("%w: postgres %s: %s: column %s: %w", errs.ErrExec, st.src.srv.addr, st.task.Source, st.task.Columns[i].Name, err)
			}
		}
		rows++
	}
	if rows < st.batchSize {
		_, err := st.rr.Close()
		st.done = true
		if err != nil {
			return nil, st.src.srv.wrap(errs.ErrExec, st.task.Source, err)
		}
		if rows == 0 {
			return nil, io.EOF
		}
	}
	if len(st.task.Columns) == 0 {
		return array.NewRecordBatch(st.schema, nil, int64(rows)), nil
	}
	return bld.NewRecordBatch(), nil
}

// Close ends the task. A statement still running is not drained: its
// connection is closed, which stops it on the server.
func (st *stream) Close() error {
	if st.conn != nil {
		closeConn(st.conn)
		st.conn = nil
	}
	if st.snapshot != nil {
		st.snapshot.finished()
		st.snapshot = nil
	}
	return nil
}
