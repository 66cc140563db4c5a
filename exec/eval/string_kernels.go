package eval

import (
	"fmt"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
	"lakeframe/exec/kernel"
	"lakeframe/expr"
)

// stringKernel binds the constant arguments of a string function (Resolve
// checked they are non-null constants of the right types) to its kernel.
func stringKernel(c *expr.Call) (func(memory.Allocator, arrow.Array) (arrow.Array, error), error) {
	type kernelFunc = func(memory.Allocator, arrow.Array) (arrow.Array, error)
	str := func(i int) (string, error) {
		s, ok, err := stringArg(c, i)
		if err == nil && !ok {
			err = fmt.Errorf("evaluate %s: %w: argument %d is NULL", c, errs.ErrInternal, i+1)
		}
		return s, err
	}
	num := func(i int) (int64, error) {
		v, ok, err := intArg(c, i)
		if err == nil && !ok {
			err = fmt.Errorf("evaluate %s: %w: argument %d is NULL", c, errs.ErrInternal, i+1)
		}
		return v, err
	}
	switch c.Fn {
	case expr.FnTrim:
		return kernel.Trim, nil
	case expr.FnLTrim:
		return kernel.LTrim, nil
	case expr.FnRTrim:
		return kernel.RTrim, nil
	case expr.FnReverse:
		return kernel.Reverse, nil
	case expr.FnPadStart, expr.FnPadEnd:
		length, err := num(1)
		if err != nil {
			return nil, err
		}
		fill, err := str(2)
		if err != nil {
			return nil, err
		}
		left := c.Fn == expr.FnPadStart
		return func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
			return kernel.Pad(mem, in, length, fill, left)
		}, nil
	case expr.FnReplace:
		old, err := str(1)
		if err != nil {
			return nil, err
		}
		nw, err := str(2)
		if err != nil {
			return nil, err
		}
		return func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
			return kernel.Replace(mem, in, old, nw)
		}, nil
	case expr.FnSplit:
		sep, err := str(1)
		if err != nil {
			return nil, err
		}
		return func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) { return kernel.Split(mem, in, sep) }, nil
	}
	// The regular expression functions use the pattern NewCall compiled
	// once for the expression.
	re := c.Regexp()
	if re == nil {
		pattern, err := str(1)
		if err != nil {
			return nil, err
		}
		if re, err = regexp.Compile(pattern); err != nil {
			return nil, fmt.Errorf("evaluate %s: %w: invalid regular expression %q: %v", c, errs.ErrPlan, pattern, err)
		}
	}
	var fn kernelFunc
	switch c.Fn {
	case expr.FnRegexMatch:
		fn = func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) { return kernel.RegexMatch(mem, in, re) }
	case expr.FnRegexExtract:
		group, err := num(2)
		if err != nil {
			return nil, err
		}
		fn = func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
			return kernel.RegexExtract(mem, in, re, int(group))
		}
	case expr.FnRegexReplace:
		repl, err := str(2)
		if err != nil {
			return nil, err
		}
		fn = func(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
			return kernel.RegexReplace(mem, in, re, repl)
		}
	default:
		return nil, fmt.Errorf("evaluate %s: %w: unknown string function %d", c, errs.ErrInternal, c.Fn)
	}
	return fn, nil
}
