package kernel

import (
	"bytes"
	"regexp"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// RegexMatch reports, per row, whether re matches somewhere in the string.
// Null rows give null.
func RegexMatch(mem memory.Allocator, in arrow.Array, re *regexp.Regexp) (arrow.Array, error) {
	src, err := stringInput(mem, "regexp_matches", in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	n := src.Len()
	out := allocBitmap(mem, n)
	bits := out.Bytes()
	match := func(s []byte, i int) {
		if re.Match(s) {
			bitutil.SetBit(bits, i)
		}
	}
	if src.DataType().ID() == arrow.STRING {
		eachString(layoutOf[int32](src), src, match)
	} else {
		eachString(layoutOf[int64](src), src, match)
	}
	validity, nulls := validityOf(mem, src)
	return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validity, out}, nulls), nil
}

// eachString calls f with every non-null string of src and its row.
func eachString[O offsetT](l varBinary[O], src arrow.Array, f func(s []byte, i int)) {
	bits, off := nullBitmap(src), src.Data().Offset()
	for i := range src.Len() {
		if isValid(bits, off, i) {
			f(l.data[l.offs[i]:l.offs[i+1]], i)
		}
	}
}

// Split splits each string at every sep into a list of strings of the
// input's type, as DuckDB's string_split: "" gives [""] and an empty sep
// splits into characters. Null rows give null lists.
func Split(mem memory.Allocator, in arrow.Array, sep string) (arrow.Array, error) {
	src, err := stringInput(mem, "string_split", in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	lb := array.NewListBuilder(mem, src.DataType())
	defer lb.Release()
	lb.Reserve(src.Len())
	s := []byte(sep)
	var add func(v []byte)
	switch vb := lb.ValueBuilder().(type) {
	case *array.StringBuilder:
		add = func(v []byte) { vb.BinaryBuilder.Append(v) }
	case *array.LargeStringBuilder:
		add = func(v []byte) { vb.BinaryBuilder.Append(v) }
	}
	split := func(v []byte, _ int) {
		lb.Append(true)
		switch {
		case len(v) == 0:
			add(v)
		case len(s) == 0:
			for len(v) > 0 {
				_, size := utf8.DecodeRune(v)
				add(v[:size])
				v = v[size:]
			}
		default:
			for {
				i := bytes.Index(v, s)
				if i < 0 {
					add(v)
					break
				}
				add(v[:i])
				v = v[i+len(s):]
			}
		}
	}
	bits, off := nullBitmap(src), src.Data().Offset()
	appendNull := func(i int) {
		if !isValid(bits, off, i) {
			lb.AppendNull()
		}
	}
	if src.DataType().ID() == arrow.STRING {
		splitRows(layoutOf[int32](src), src.Len(), bits, off, split, appendNull)
	} else {
		splitRows(layoutOf[int64](src), src.Len(), bits, off, split, appendNull)
	}
	return lb.NewArray(), nil
}

func splitRows[O offsetT](l varBinary[O], n int, bits []byte, off int, split func([]byte, int), null func(int)) {
	for i := range n {
		if isValid(bits, off, i) {
			split(l.data[l.offs[i]:l.offs[i+1]], i)
		} else {
			null(i)
		}
	}
}
