package kernel

import (
	"math"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Substr returns length characters of each string starting at character
// start (1-based), with DuckDB's rules for the edge cases:
//
//   - start >= 1 counts from the first character; start 0 stands for the
//     position just before it, so Substr(s, 0, 2) is the first character
//     only (as in both DuckDB and PostgreSQL);
//   - start < 0 counts from the end: -1 is the last character, so
//     Substr("hello", -3, 2) is "ll" (PostgreSQL would give "");
//   - length < 0 takes the characters before start instead:
//     Substr("hello", 4, -3) is "hel" (PostgreSQL raises an error);
//   - the part of the range outside the string is dropped, so a range
//     entirely outside gives "".
//
// Null rows give null. Characters are Unicode code points.
func Substr(mem memory.Allocator, in arrow.Array, start, length int64) (arrow.Array, error) {
	return substr(mem, in, start, length, true)
}

// SubstrFrom returns the characters of each string from start to the end,
// with Substr's rules for start.
func SubstrFrom(mem memory.Allocator, in arrow.Array, start int64) (arrow.Array, error) {
	return substr(mem, in, start, 0, false)
}

func substr(mem memory.Allocator, in arrow.Array, start, length int64, hasLength bool) (arrow.Array, error) {
	src, err := stringInput(mem, "substr", in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	r := substrRange{start: start, length: length, hasLength: hasLength}
	if src.DataType().ID() == arrow.STRING {
		return substrRows(mem, layoutOf[int32](src), src, r)
	}
	return substrRows(mem, layoutOf[int64](src), src, r)
}

func substrRows[O offsetT](mem memory.Allocator, l varBinary[O], src arrow.Array, r substrRange) (arrow.Array, error) {
	n := src.Len()
	// A substring is never longer than its string, so the input size is an
	// upper bound and the data buffer never grows.
	b := newStringBuilder[O](mem, n, l.size())
	for i := range n {
		s := l.data[l.offs[i]:l.offs[i+1]]
		lo, hi := r.bytes(s)
		b.append(s[lo:hi])
		if err := b.endRow(i); err != nil {
			b.release()
			return nil, err
		}
	}
	validity, nulls := validityOf(mem, src)
	return b.finish(n, validity, nulls), nil
}

// substrRange is the character window of Substr.
type substrRange struct {
	start, length int64
	hasLength     bool
}

// chars returns the window [lo, hi) in characters of a string of nchars
// characters (nchars is only needed when start < 0), not yet clipped to
// the string.
func (r substrRange) chars(nchars int64) (lo, hi int64) {
	first := r.start - 1 // 0-based; start 0 becomes -1
	if r.start < 0 {
		first = nchars + r.start
	}
	switch {
	case !r.hasLength:
		return first, math.MaxInt64
	case r.length >= 0:
		return first, satAdd(first, r.length)
	default:
		return satAdd(first, r.length), first
	}
}

// bytes returns the byte range of the window within s. Counting from the
// start, only the bytes up to the window's end are looked at.
func (r substrRange) bytes(s []byte) (int, int) {
	size := int64(len(s))
	if r.start >= 0 {
		lo, hi := r.chars(0)
		lo = max(lo, 0)
		// A character is at least one byte, so lo >= len(s) is past the end.
		if hi <= lo || lo >= size {
			return 0, 0
		}
		end := int(min(hi, size))
		if isASCII(s[:end]) {
			return int(lo), end
		}
		b0 := skipChars(s, 0, lo)
		return b0, skipChars(s, b0, hi-lo)
	}
	ascii := isASCII(s)
	nchars := size
	if !ascii {
		nchars = int64(utf8.RuneCount(s))
	}
	lo, hi := r.chars(nchars)
	lo = max(lo, 0)
	if hi <= lo {
		return 0, 0
	}
	if ascii {
		return int(min(lo, size)), int(min(hi, size))
	}
	b0 := skipChars(s, 0, lo)
	return b0, skipChars(s, b0, hi-lo)
}

// skipChars returns the byte position k characters after byte p, or
// len(s) when the string ends first.
func skipChars(s []byte, p int, k int64) int {
	for ; k > 0 && p < len(s); k-- {
		if s[p] < utf8.RuneSelf {
			p++
			continue
		}
		_, size := utf8.DecodeRune(s[p:])
		p += size
	}
	return p
}

// satAdd adds without wrapping around.
func satAdd(a, b int64) int64 {
	c := a + b
	switch {
	case a > 0 && b > 0 && c < 0:
		return math.MaxInt64
	case a < 0 && b < 0 && c >= 0:
		return math.MinInt64
	}
	return c
}
