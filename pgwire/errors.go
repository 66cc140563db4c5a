package pgwire

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"

	"lakeframe/errs"
)

// SQLStateError is an error that knows its SQLSTATE code; the sql
// package's errors are.
type SQLStateError interface {
	error
	SQLState() string
}

// PositionError is an error that knows where in the statement text it
// lies: a 1-based character position, 0 when unknown.
type PositionError interface {
	error
	Position() int
}

// SQLSTATE codes the server itself raises.
const (
	codeProtocolViolation   = "08P01"
	codeInvalidPassword     = "28P01"
	codeInvalidAuthSpec     = "28000"
	codeQueryCanceled       = "57014"
	codeInvalidSQLStatement = "26000" // invalid_sql_statement_name
	codeInvalidCursor       = "34000" // invalid_cursor_name
	codeFeatureUnsupported  = "0A000"
	codeInternal            = "XX000"
	codeDataException       = "22000"
	codeSyntaxOrAccess      = "42000"
	codeOutOfMemory         = "53200"
	codeTooManyConnections  = "53300"
)

// errorResponse turns err into the ErrorResponse a client sees: the error's
// own SQLSTATE when it has one, otherwise one derived from lakeframe's
// error kinds.
func errorResponse(err error) *pgproto3.ErrorResponse {
	resp := &pgproto3.ErrorResponse{Severity: "ERROR", SeverityUnlocalized: "ERROR", Code: codeOf(err), Message: err.Error()}
	var pe PositionError
	if errors.As(err, &pe) && pe.Position() > 0 {
		resp.Position = int32(pe.Position())
	}
	return resp
}

func codeOf(err error) string {
	var se SQLStateError
	switch {
	case errors.As(err, &se):
		return se.SQLState()
	case errors.Is(err, context.Canceled):
		return codeQueryCanceled
	case errors.Is(err, errs.ErrNotImplemented):
		return codeFeatureUnsupported
	case errors.Is(err, errs.ErrPlan):
		return codeSyntaxOrAccess
	case errors.Is(err, errs.ErrResourcesExhausted):
		return codeOutOfMemory
	case errors.Is(err, errs.ErrExec):
		return codeDataException
	}
	return codeInternal
}
