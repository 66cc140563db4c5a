package expr

import (
	"fmt"
	"regexp"

	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/errs"
)

// Trim removes leading and trailing spaces (only ' ', as DuckDB's trim).
func (s StrNamespace) Trim() Expr { return s.call(FnTrim) }

// LTrim removes leading spaces.
func (s StrNamespace) LTrim() Expr { return s.call(FnLTrim) }

// RTrim removes trailing spaces.
func (s StrNamespace) RTrim() Expr { return s.call(FnRTrim) }

// PadStart pads the string on the left with fill, repeated as needed, to
// length characters; a longer string is cut to its first length
// characters, and a length of 0 or less gives "" (DuckDB's lpad). fill
// must not be empty.
func (s StrNamespace) PadStart(length int, fill string) Expr {
	return s.call(FnPadStart, int64(length), fill)
}

// PadEnd pads on the right, as PadStart (DuckDB's rpad).
func (s StrNamespace) PadEnd(length int, fill string) Expr {
	return s.call(FnPadEnd, int64(length), fill)
}

// Reverse reverses the characters (code points) of the string.
func (s StrNamespace) Reverse() Expr { return s.call(FnReverse) }

// Replace replaces every occurrence of old with new; an empty old changes
// nothing.
func (s StrNamespace) Replace(old, new string) Expr { return s.call(FnReplace, old, new) }

// Split splits the string at every sep into a list of strings (DuckDB's
// string_split): "" gives [""], and an empty sep splits into characters.
func (s StrNamespace) Split(sep string) Expr { return s.call(FnSplit, sep) }

// Concat appends others to the string, as expr.Concat does.
func (s StrNamespace) Concat(others ...any) Expr {
	return Concat(append([]any{s.e}, others...)...)
}

// Concat joins the text of its arguments (expressions or Go values) row by
// row. As DuckDB's concat function, and unlike SQL's ||, NULL arguments are
// skipped: the result is never NULL. Numbers and dates are written as
// their casts to string are.
func Concat(args ...any) Expr { return Expr{&Call{Fn: FnConcat, Args: toNodes(args)}} }

// Matches is true where the regular expression pattern matches somewhere
// in the string. Patterns use Go's RE2 syntax (package regexp), as DuckDB
// does; an invalid pattern is a plan error.
func (s StrNamespace) Matches(pattern string) Expr { return s.call(FnRegexMatch, pattern) }

// Extract is the text matched by capture group group (0 for the whole
// match) of the first match of pattern, or "" where nothing matches, as
// DuckDB's regexp_extract. A group the pattern does not have is a plan
// error.
func (s StrNamespace) Extract(pattern string, group int) Expr {
	return s.call(FnRegexExtract, pattern, int64(group))
}

// ReplaceAll replaces every match of pattern with repl, in which $1 or
// ${name} stand for capture groups (Go's regexp.Expand syntax; DuckDB
// writes \1 in regexp_replace(s, pattern, repl, 'g')).
func (s StrNamespace) ReplaceAll(pattern, repl string) Expr {
	return s.call(FnRegexReplace, pattern, repl)
}

// isRegexFunc reports whether argument 1 of fn is a regular expression.
func isRegexFunc(fn ScalarFunc) bool {
	return fn == FnRegexMatch || fn == FnRegexExtract || fn == FnRegexReplace
}

// NewCall builds a call of fn. For a regular expression function whose
// pattern is a constant it compiles the pattern, once, and an invalid one
// is a plan error that quotes it.
func NewCall(fn ScalarFunc, args []Node) (*Call, error) {
	c := &Call{Fn: fn, Args: args}
	if !isRegexFunc(fn) || len(args) < 2 {
		return c, nil
	}
	lit, ok := args[1].(*Literal)
	if !ok || !lit.Value.IsValid() {
		return c, nil
	}
	var pattern string
	switch v := lit.Value.(type) {
	case *scalar.String:
		pattern = string(v.Data())
	case *scalar.LargeString:
		pattern = string(v.Data())
	default:
		return c, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: invalid regular expression %q: %v", errs.ErrPlan, fn, pattern, err)
	}
	c.re = re
	return c, nil
}

// Regexp returns the compiled pattern of a regular expression call built
// by NewCall, or nil.
func (c *Call) Regexp() *regexp.Regexp { return c.re }
