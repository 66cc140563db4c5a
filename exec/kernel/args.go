package kernel

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
)

// errUnsupported reports an input type a kernel has no loop for.
func errUnsupported(fn string, dt arrow.DataType) error {
	return fmt.Errorf("%s: unsupported input type %s: %w", fn, dt, errs.ErrNotImplemented)
}

// checkLengths returns the common length of args, which must all have it
// except for arrays of length 1, which stand for a constant.
func checkLengths(fn string, args ...arrow.Array) (int, error) {
	n := 1
	for _, a := range args {
		if a.Len() != 1 {
			n = a.Len()
			break
		}
	}
	for _, a := range args {
		if a.Len() != n && a.Len() != 1 {
			return 0, fmt.Errorf("%s: argument lengths %d and %d differ: %w", fn, n, a.Len(), errs.ErrInternal)
		}
	}
	return n, nil
}

// stride is 0 for a length-1 argument broadcast over n rows, 1 otherwise.
func stride(a arrow.Array, n int) int {
	if a.Len() == 1 && n != 1 {
		return 0
	}
	return 1
}
