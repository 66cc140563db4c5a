//go:build cgo

package sql

import (
	"errors"
	"fmt"
	"regexp"
	"unicode/utf8"

	"lakeframe/errs"
)

// SQLSTATE codes this package returns, as PostgreSQL defines them.
const (
	CodeSyntaxError          = "42601"
	CodeUndefinedColumn      = "42703"
	CodeUndefinedTable       = "42P01"
	CodeDuplicateTable       = "42P07"
	CodeAmbiguousColumn      = "42702"
	CodeUndefinedFunction    = "42883"
	CodeGroupingError        = "42803"
	CodeDatatypeMismatch     = "42804"
	CodeInvalidColumnRef     = "42P10"
	CodeFeatureNotSupported  = "0A000"
	CodeCardinalityViolation = "21000"
	CodeInvalidParameter     = "22023"
	CodeInternalError        = "XX000"
)

// Error is a SQL error: a PostgreSQL SQLSTATE, a message, and the 1-based
// character position in the query text it points at (0 when unknown).
// errors.Is matches it against the errs kind of its code, and against the
// error it wraps, if any.
type Error struct {
	Code     string
	Message  string
	Position int
	cause    error
}

func (e *Error) Error() string {
	msg := "sql " + e.Code + ": " + e.Message
	if e.Position > 0 {
		msg += fmt.Sprintf(" (at character %d)", e.Position)
	}
	return msg
}

// Unwrap returns the errs kind the code belongs to, and the wrapped cause.
func (e *Error) Unwrap() []error {
	out := []error{kindOf(e.Code)}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// kindOf maps a SQLSTATE class to lakeframe's error kinds.
func kindOf(code string) error {
	switch {
	case code == CodeFeatureNotSupported:
		return errs.ErrNotImplemented
	case code == CodeInternalError:
		return errs.ErrInternal
	case len(code) >= 2 && (code[:2] == "42" || code[:2] == "22" || code[:2] == "21"):
		return errs.ErrPlan
	}
	return errs.ErrExec
}

// position converts a byte offset from the parser (-1 when unknown) to
// PostgreSQL's 1-based character position.
func position(text string, offset int32) int {
	if offset < 0 || int(offset) > len(text) {
		return 0
	}
	return utf8.RuneCountInString(text[:offset]) + 1
}

// newError builds an Error pointing at a byte offset of text.
func newError(text string, offset int32, code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Position: position(text, offset)}
}

// notSupported is the error for SQL that parses but lakeframe cannot run yet.
func notSupported(text string, offset int32, what string) *Error {
	return newError(text, offset, CodeFeatureNotSupported, "%s is not supported", what)
}

// fromEngine wraps an error from the plan or engine layers, keeping its
// kind: a mistake in the query stays errs.ErrPlan, and so on.
func fromEngine(text string, offset int32, err error) error {
	var se *Error
	if errors.As(err, &se) {
		return err
	}
	code := CodeInternalError
	switch {
	case errors.Is(err, errs.ErrPlan):
		code = CodeDatatypeMismatch
	case errors.Is(err, errs.ErrNotImplemented):
		code = CodeFeatureNotSupported
	case errors.Is(err, errs.ErrExec):
		code = "22000"
	case errors.Is(err, errs.ErrResourcesExhausted):
		code = "53000"
	}
	return &Error{Code: code, Message: "cannot plan the query: " + sqlNames(err.Error()), Position: position(text, offset), cause: err}
}

// planColumnID matches the suffix the binder gives column names to make
// them unique in plans (b#2 is column b).
var planColumnID = regexp.MustCompile(`#\d+`)

// sqlNames turns the plan's column names in an engine message back into
// the names the query used.
func sqlNames(msg string) string {
	return planColumnID.ReplaceAllString(msg, "")
}

// internalError turns a panic while binding a statement into an error: a
// lakeframe bug, never a crash of the caller.
func internalError(text string, r any) *Error {
	return &Error{Code: CodeInternalError, Message: fmt.Sprintf("panic while running %.60q: %v", text, r)}
}
