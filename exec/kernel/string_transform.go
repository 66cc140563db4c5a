package kernel

import (
	"bytes"
	"fmt"
	"regexp"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// transformStrings builds a string array of in's type whose row i is
// f(scratch, row i of in): f appends its result to the scratch slice it
// is given and returns it. Null rows give null.
func transformStrings(mem memory.Allocator, fn string, in arrow.Array, f func(dst, s []byte) []byte) (arrow.Array, error) {
	src, err := stringInput(mem, fn, in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	if src.DataType().ID() == arrow.STRING {
		return transformRows(mem, layoutOf[int32](src), src, f)
	}
	return transformRows(mem, layoutOf[int64](src), src, f)
}

func transformRows[O offsetT](mem memory.Allocator, l varBinary[O], src arrow.Array, f func(dst, s []byte) []byte) (arrow.Array, error) {
	n := src.Len()
	b := newStringBuilder[O](mem, n, l.size())
	bits, off := nullBitmap(src), src.Data().Offset()
	var scratch []byte
	for i := range n {
		if isValid(bits, off, i) {
			scratch = f(scratch[:0], l.data[l.offs[i]:l.offs[i+1]])
			b.append(scratch)
		}
		if err := b.endRow(i); err != nil {
			b.release()
			return nil, err
		}
	}
	validity, nulls := validityOf(mem, src)
	return b.finish(n, validity, nulls), nil
}

// Trim removes leading and trailing spaces (' ' only, as DuckDB's trim).
func Trim(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return transformStrings(mem, "trim", in, func(dst, s []byte) []byte { return append(dst, bytes.Trim(s, " ")...) })
}

// LTrim removes leading spaces.
func LTrim(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return transformStrings(mem, "ltrim", in, func(dst, s []byte) []byte { return append(dst, bytes.TrimLeft(s, " ")...) })
}

// RTrim removes trailing spaces.
func RTrim(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return transformStrings(mem, "rtrim", in, func(dst, s []byte) []byte { return append(dst, bytes.TrimRight(s, " ")...) })
}

// Reverse reverses the code points of each string; invalid UTF-8 bytes
// move as single characters.
func Reverse(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return transformStrings(mem, "reverse", in, func(dst, s []byte) []byte {
		start := len(dst)
		dst = append(dst, s...)
		out := dst[start:]
		for i := 0; i < len(s); {
			_, size := utf8.DecodeRune(s[i:])
			copy(out[len(s)-i-size:], s[i:i+size])
			i += size
		}
		return dst
	})
}

// Replace replaces every occurrence of old with new; an empty old leaves
// the string as it is, as in DuckDB.
func Replace(mem memory.Allocator, in arrow.Array, old, new string) (arrow.Array, error) {
	o, nw := []byte(old), []byte(new)
	return transformStrings(mem, "replace", in, func(dst, s []byte) []byte {
		if len(o) == 0 {
			return append(dst, s...)
		}
		for {
			i := bytes.Index(s, o)
			if i < 0 {
				return append(dst, s...)
			}
			dst = append(append(dst, s[:i]...), nw...)
			s = s[i+len(o):]
		}
	})
}

// Pad pads each string with fill, repeated from its start, to length
// characters: on the left when left is set (lpad), else on the right
// (rpad). A longer string keeps its first length characters; a length of
// 0 or less gives "". An empty fill is an error where padding is needed.
func Pad(mem memory.Allocator, in arrow.Array, length int64, fill string, left bool) (arrow.Array, error) {
	fn := "rpad"
	if left {
		fn = "lpad"
	}
	f := []byte(fill)
	var bad bool
	out, err := transformStrings(mem, fn, in, func(dst, s []byte) []byte {
		if length <= 0 {
			return dst
		}
		chars := int64(utf8.RuneCount(s))
		if chars >= length {
			return append(dst, s[:skipChars(s, 0, length)]...)
		}
		if len(f) == 0 {
			bad = true
			return dst
		}
		pad := func(dst []byte) []byte {
			for k, p := int64(0), 0; k < length-chars; k++ {
				_, size := utf8.DecodeRune(f[p:])
				dst = append(dst, f[p:p+size]...)
				if p += size; p == len(f) {
					p = 0
				}
			}
			return dst
		}
		if left {
			return append(pad(dst), s...)
		}
		return pad(append(dst, s...))
	})
	if err != nil {
		return nil, err
	}
	if bad {
		out.Release()
		return nil, fmt.Errorf("%s: an empty fill cannot pad a string: %w", fn, errs.ErrExec)
	}
	return out, nil
}

// RegexReplace replaces every match of re with repl, expanded as
// regexp.Expand does ($1, ${name}).
func RegexReplace(mem memory.Allocator, in arrow.Array, re *regexp.Regexp, repl string) (arrow.Array, error) {
	tmpl := []byte(repl)
	return transformStrings(mem, "regexp_replace", in, func(dst, s []byte) []byte {
		last := 0
		for _, m := range re.FindAllSubmatchIndex(s, -1) {
			dst = append(dst, s[last:m[0]]...)
			dst = re.Expand(dst, tmpl, s, m)
			last = m[1]
		}
		return append(dst, s[last:]...)
	})
}

// RegexExtract returns the text of capture group group of the first match
// of re in each string, or "" where it does not match, as DuckDB's
// regexp_extract.
func RegexExtract(mem memory.Allocator, in arrow.Array, re *regexp.Regexp, group int) (arrow.Array, error) {
	if group < 0 || group > re.NumSubexp() {
		return nil, fmt.Errorf("regexp_extract: %q has no group %d: %w", re, group, errs.ErrPlan)
	}
	return transformStrings(mem, "regexp_extract", in, func(dst, s []byte) []byte {
		m := re.FindSubmatchIndex(s)
		if m == nil || m[2*group] < 0 {
			return dst
		}
		return append(dst, s[m[2*group]:m[2*group+1]]...)
	})
}
