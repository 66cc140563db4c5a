package kernel

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

func TestLike(t *testing.T) {
	const in = `["hello", "héllo wörld", "", null, "🦆🦆x", "a%b", "a_b", "abc\\d", "HeLLo"]`
	cases := []struct {
		pattern string
		escape  rune
		want    string
	}{
		{"hello", 0, `[true, false, false, null, false, false, false, false, false]`},
		{"", 0, `[false, false, true, null, false, false, false, false, false]`},
		{"%", 0, `[true, true, true, null, true, true, true, true, true]`},
		{"%%", 0, `[true, true, true, null, true, true, true, true, true]`},
		{"h%", 0, `[true, true, false, null, false, false, false, false, false]`},
		{"%lo", 0, `[true, false, false, null, false, false, false, false, false]`},
		{"%ll%", 0, `[true, true, false, null, false, false, false, false, false]`},
		{"%ö%", 0, `[false, true, false, null, false, false, false, false, false]`},
		{"h%o", 0, `[true, false, false, null, false, false, false, false, false]`},
		{"h%d", 0, `[false, true, false, null, false, false, false, false, false]`},
		{"_", 0, `[false, false, false, null, false, false, false, false, false]`},
		{"_____", 0, `[true, false, false, null, false, false, false, true, true]`},
		{"h_llo", 0, `[true, false, false, null, false, false, false, false, false]`},
		{"h_llo%", 0, `[true, true, false, null, false, false, false, false, false]`}, // _ is one character, é two bytes
		{"%w_rld", 0, `[false, true, false, null, false, false, false, false, false]`},
		{"___", 0, `[false, false, false, null, true, true, true, false, false]`},
		{"_🦆_", 0, `[false, false, false, null, true, false, false, false, false]`},
		{"%_", 0, `[true, true, false, null, true, true, true, true, true]`},
		{"_%_%_", 0, `[true, true, false, null, true, true, true, true, true]`},
		{"%l%l%", 0, `[true, true, false, null, false, false, false, false, false]`},
		{"%l_o%", 0, `[true, true, false, null, false, false, false, false, false]`},
		{"%o%o%", 0, `[false, false, false, null, false, false, false, false, false]`}, // ö is not o
		{"%l%o%l%", 0, `[false, true, false, null, false, false, false, false, false]`},
		{"%🦆%🦆%", 0, `[false, false, false, null, true, false, false, false, false]`},
		{"h%l%l%o", 0, `[true, false, false, null, false, false, false, false, false]`},
		{"hel%llo", 0, `[false, false, false, null, false, false, false, false, false]`}, // prefix and suffix must not overlap
		// Without an escape character a backslash is literal (DuckDB).
		{`abc\d`, 0, `[false, false, false, null, false, false, false, true, false]`},
		{`a\%b`, '\\', `[false, false, false, null, false, true, false, false, false]`},
		{`a\_b`, '\\', `[false, false, false, null, false, false, true, false, false]`},
		{`a!%%`, '!', `[false, false, false, null, false, true, false, false, false]`},
		{`abc\\d`, '\\', `[false, false, false, null, false, false, false, true, false]`},
		{`%\%%`, '\\', `[false, false, false, null, false, true, false, false, false]`},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			runStringKernel(t, in, c.want, boolOut, func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return Like(mem, a, c.pattern, c.escape)
			})
			p, err := CompileLike(c.pattern, c.escape)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range []string{"hello", "héllo wörld", ""} {
				if got, want := p.Match(s), strings.Contains(strings.Split(c.want, ",")[i], "true"); got != want {
					t.Errorf("Match(%q) = %v", s, got)
				}
			}
		})
	}
}

func TestILike(t *testing.T) {
	const in = `["Hello", "ÉCOLE", "", null, "straSSe", "İx", "K"]`
	cases := []struct {
		pattern string
		want    string
	}{
		{"hello", `[true, false, false, null, false, false, false]`},
		{"HE%", `[true, false, false, null, false, false, false]`},
		{"%cole", `[false, true, false, null, false, false, false]`},
		{"é%", `[false, true, false, null, false, false, false]`},
		{"%ss%", `[false, false, false, null, true, false, false]`},
		{"_x", `[false, false, false, null, false, true, false]`}, // İ lowers to one character
		{"k", `[false, false, false, null, false, false, true]`},  // Kelvin sign lowers to k
		{"%L_O", `[true, false, false, null, false, false, false]`},
	}
	for _, c := range cases {
		t.Run(c.pattern, func(t *testing.T) {
			runStringKernel(t, in, c.want, boolOut, func(mem memory.Allocator, a arrow.Array) (arrow.Array, error) {
				return ILike(mem, a, c.pattern, 0)
			})
		})
	}
}

func TestLikePatternErrors(t *testing.T) {
	for _, p := range []string{`abc\`, `\`, `%\`} {
		if _, err := CompileLike(p, '\\'); !errors.Is(err, errs.ErrPlan) {
			t.Errorf("CompileLike(%q): got %v, want ErrPlan", p, err)
		}
	}
}

// likeReference is an independent LIKE: plain backtracking over runes.
func likeReference(s, pattern []rune, escape rune, fold bool) bool {
	if len(pattern) == 0 {
		return len(s) == 0
	}
	c := pattern[0]
	switch {
	case escape != 0 && c == escape:
		return len(s) > 0 && len(pattern) > 1 && runeEq(s[0], pattern[1], fold) && likeReference(s[1:], pattern[2:], escape, fold)
	case c == '%':
		for i := 0; i <= len(s); i++ {
			if likeReference(s[i:], pattern[1:], escape, fold) {
				return true
			}
		}
		return false
	case c == '_':
		return len(s) > 0 && likeReference(s[1:], pattern[1:], escape, fold)
	}
	return len(s) > 0 && runeEq(s[0], c, fold) && likeReference(s[1:], pattern[1:], escape, fold)
}

func runeEq(a, b rune, fold bool) bool {
	if fold {
		return unicode.ToLower(a) == unicode.ToLower(b)
	}
	return a == b
}

// TestLikeRandom compares Like and ILike with likeReference on random
// strings and patterns over a small alphabet, so that matches are common.
func TestLikeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []rune("abAB%_é🦆\\")
	randString := func(max int, chars []rune) string {
		n := rng.IntN(max + 1)
		r := make([]rune, n)
		for i := range r {
			r[i] = chars[rng.IntN(len(chars))]
		}
		return string(r)
	}
	mem := checkedMem(t)
	b := array.NewStringBuilder(mem)
	var rows []string
	for range 300 {
		s := randString(8, alphabet)
		rows = append(rows, s)
		b.Append(s)
	}
	in := b.NewArray()
	defer in.Release()
	b.Release()
	for range 400 {
		pattern := randString(6, alphabet)
		for _, fold := range []bool{false, true} {
			compile := CompileLike
			if fold {
				compile = CompileILike
			}
			p, err := compile(pattern, '\\')
			if err != nil {
				// Only a pattern ending in an odd run of escapes is bad.
				if trailing := len(pattern) - len(strings.TrimRight(pattern, `\`)); trailing%2 == 0 {
					t.Fatalf("%q: %v", pattern, err)
				}
				continue
			}
			got, err := p.Eval(mem, in)
			if err != nil {
				t.Fatal(err)
			}
			res := got.(*array.Boolean)
			for i, s := range rows {
				if want := likeReference([]rune(s), []rune(pattern), '\\', fold); res.Value(i) != want {
					t.Fatalf("%q LIKE %q (fold %v): got %v, want %v", s, pattern, fold, res.Value(i), want)
				}
			}
			got.Release()
		}
	}
}
