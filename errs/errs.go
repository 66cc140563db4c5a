// Package errs holds the sentinel error kinds shared by every lakeframe
// package. Errors are wrapped once, where the failing step is known, and
// tested with errors.Is.
package errs

import "errors"

var (
	// ErrPlan marks a user mistake found while building or optimizing a
	// plan: an unknown column, a type mismatch, a bad argument.
	ErrPlan = errors.New("plan error")
	// ErrExec marks bad data or failed I/O while executing.
	ErrExec = errors.New("execution error")
	// ErrInternal marks a lakeframe bug, including recovered panics.
	ErrInternal = errors.New("internal error")
	// ErrNotImplemented marks a feature lakeframe does not support yet.
	ErrNotImplemented = errors.New("not implemented")
	// ErrResourcesExhausted marks a memory or other limit that was hit.
	ErrResourcesExhausted = errors.New("resources exhausted")
)
