package kernel

import (
	"encoding/binary"
	"unicode"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Lower returns each string in lower case (Unicode simple case mapping,
// rune by rune; invalid UTF-8 bytes are kept). Null rows give null.
func Lower(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return mapCase(mem, "lower", in, appendLower)
}

// Upper returns each string in upper case (Unicode simple case mapping, so
// "ß" stays "ß" where DuckDB gives "ẞ"). Null rows give null.
func Upper(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return mapCase(mem, "upper", in, appendUpper)
}

func mapCase(mem memory.Allocator, fn string, in arrow.Array, conv func(dst, s []byte) []byte) (arrow.Array, error) {
	src, err := stringInput(mem, fn, in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	if src.DataType().ID() == arrow.STRING {
		return mapCaseRows(mem, layoutOf[int32](src), src, conv)
	}
	return mapCaseRows(mem, layoutOf[int64](src), src, conv)
}

// mapCaseRows calls conv once per row, not per byte: the per-row function
// value is the price of sharing the loop between Lower and Upper.
func mapCaseRows[O offsetT](mem memory.Allocator, l varBinary[O], src arrow.Array, conv func(dst, s []byte) []byte) (arrow.Array, error) {
	n := src.Len()
	b := newStringBuilder[O](mem, n, l.size())
	for i := range n {
		s := l.data[l.offs[i]:l.offs[i+1]]
		// A changed rune grows by at most half its size (2 bytes to 3), so
		// twice the input always fits and conv never reallocates.
		t := b.tail(2 * len(s))
		b.n += len(conv(t[:0:len(t)], s))
		if err := b.endRow(i); err != nil {
			b.release()
			return nil, err
		}
	}
	validity, nulls := validityOf(mem, src)
	return b.finish(n, validity, nulls), nil
}

// appendLower appends s in lower case to dst.
func appendLower(dst, s []byte) []byte {
	if isASCII(s) {
		start := len(dst)
		dst = append(dst, s...)
		foldASCII(dst[start:], 'A')
		return dst
	}
	return appendRunes(dst, s, unicode.ToLower)
}

// appendUpper appends s in upper case to dst.
func appendUpper(dst, s []byte) []byte {
	if isASCII(s) {
		start := len(dst)
		dst = append(dst, s...)
		foldASCII(dst[start:], 'a')
		return dst
	}
	return appendRunes(dst, s, unicode.ToUpper)
}

// foldASCII flips the case bit (0x20) of the letters from first to
// first+25 in ASCII-only b, eight bytes at a time: adding 0x80-first sets
// a byte's high bit when it is >= first, adding 0x80-(first+26) when it is
// past the range, and no byte below 0x80 carries into its neighbour.
func foldASCII(b []byte, first byte) {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	lo := ones * uint64(0x80-first)
	hi := ones * uint64(0x80-first-26)
	for len(b) >= 8 {
		x := binary.LittleEndian.Uint64(b)
		inRange := (x + lo) &^ (x + hi) & highs
		binary.LittleEndian.PutUint64(b, x^(inRange>>2))
		b = b[8:]
	}
	for i, c := range b {
		if first <= c && c < first+26 {
			b[i] = c ^ 0x20
		}
	}
}

func appendRunes(dst, s []byte, conv func(rune) rune) []byte {
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[0])
		} else {
			dst = utf8.AppendRune(dst, conv(r))
		}
		s = s[size:]
	}
	return dst
}
