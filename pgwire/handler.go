package pgwire

import (
	"context"

	"github.com/apache/arrow-go/v18/arrow"
)

// Handler opens a Session for each authenticated connection.
type Handler interface {
	// NewSession starts a session for user on database, with the run-time
	// parameters the client sent at startup (application_name, TimeZone,
	// …).
	NewSession(ctx context.Context, user, database string, params map[string]string) (Session, error)
}

// Session is one connection's state: its prepared statements live in the
// server, its transaction and settings here. A session is used by one
// goroutine at a time.
type Session interface {
	// Split cuts the text of a simple Query message into statements; an
	// empty text gives none.
	Split(query string) ([]string, error)
	// Prepare parses and plans one statement. paramTypes are the
	// parameter type OIDs the client declared, 0 where it left one open.
	Prepare(ctx context.Context, query string, paramTypes []uint32) (Statement, error)
	// TxStatus is the transaction state for ReadyForQuery: 'I' idle, 'T' in
	// a transaction block, 'E' in a failed one.
	TxStatus() byte
	// Close ends the session when the connection closes.
	Close() error
}

// Statement is a prepared statement.
type Statement interface {
	// ParamTypes are the OIDs of $1, $2, …; each a real type (text where
	// nothing says otherwise).
	ParamTypes() []uint32
	// Columns is the schema of the rows the statement returns, nil when it
	// returns none.
	Columns() *arrow.Schema
	// Run executes the statement. params hold the parameters decoded to Go
	// values by their OIDs (nil for NULL).
	Run(ctx context.Context, params []any) (Result, error)
}

// Result is what running a statement gave.
type Result struct {
	// Rows streams the rows of a statement that has Columns; nil
	// otherwise. The server closes it.
	Rows Rows
	// Tag is the command tag ("INSERT 0 3", "CREATE TABLE", "BEGIN"); for
	// rows left empty, the server sends "SELECT n" with the rows it sent.
	Tag string
	// Deallocate names a prepared statement of the connection to drop
	// (SQL's DEALLOCATE name), AllStatements all of them.
	Deallocate    string
	AllStatements bool
}

// Rows is a stream of record batches; exec.Stream satisfies it.
type Rows interface {
	// Next returns the next batch, or io.EOF after the last.
	Next(ctx context.Context) (arrow.RecordBatch, error)
	Close() error
}
