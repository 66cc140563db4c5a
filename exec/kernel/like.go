package kernel

import (
	"bytes"
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// likeKind picks the loop a pattern runs with. Patterns whose only
// wildcards are a leading and/or trailing % reduce to one byte comparison
// per row; everything else goes through the general matcher.
type likeKind uint8

const (
	likeGeneral  likeKind = iota
	likeAll               // "%": every non-null string
	likeExact             // "abc"
	likePrefix            // "abc%"
	likeSuffix            // "%abc"
	likeContains          // "%abc%"
)

// LikePattern is a compiled SQL LIKE or ILIKE pattern: % matches any
// sequence of characters, _ exactly one character (UTF-8 aware), and the
// escape character, when set, makes the next pattern character literal.
// Compile a pattern once and evaluate it on many arrays.
type LikePattern struct {
	kind likeKind
	fold bool   // ILIKE: literals are lower case and rows are lowered before matching
	lit  []byte // the literal of the fast-path kinds

	// General matcher: prefix % mids[0] % ... % suffix. Without any %, the
	// whole pattern is prefix and must match the whole string.
	percent bool
	prefix  likeSegment
	mids    []likeSegment
	suffix  likeSegment

	// needle is a literal every match contains, searched for across the
	// whole values buffer to skip rows without it: the literal of
	// likeContains, or the longest literal of a general pattern.
	needle []byte
}

// likeSegment is the part of a pattern between two %: literal runs and
// runs of _.
type likeSegment []likePiece

// likePiece is a literal (anyN == 0) or anyN consecutive _ wildcards.
type likePiece struct {
	lit  []byte
	anyN int
}

// CompileLike compiles a LIKE pattern. escape 0 means no escape character,
// as in DuckDB (PostgreSQL's default is backslash: pass '\\' for it). A
// pattern ending in the escape character is an error, as in PostgreSQL
// (DuckDB matches nothing with it).
func CompileLike(pattern string, escape rune) (*LikePattern, error) {
	return compileLike(pattern, escape, false)
}

// CompileILike compiles a case-insensitive ILIKE pattern. Letters compare
// after Unicode simple lower-casing of both sides.
func CompileILike(pattern string, escape rune) (*LikePattern, error) {
	return compileLike(pattern, escape, true)
}

// Like evaluates in LIKE pattern; null rows give null.
func Like(mem memory.Allocator, in arrow.Array, pattern string, escape rune) (arrow.Array, error) {
	p, err := CompileLike(pattern, escape)
	if err != nil {
		return nil, err
	}
	return p.Eval(mem, in)
}

// ILike evaluates in ILIKE pattern; null rows give null.
func ILike(mem memory.Allocator, in arrow.Array, pattern string, escape rune) (arrow.Array, error) {
	p, err := CompileILike(pattern, escape)
	if err != nil {
		return nil, err
	}
	return p.Eval(mem, in)
}

func compileLike(pattern string, escape rune, fold bool) (*LikePattern, error) {
	segs, err := parseLike(pattern, escape)
	if err != nil {
		return nil, err
	}
	p := &LikePattern{fold: fold, percent: len(segs) > 1}
	if fold {
		for _, seg := range segs {
			for i := range seg {
				if seg[i].lit != nil {
					seg[i].lit = appendLower(nil, seg[i].lit)
				}
			}
		}
	}
	p.prefix = segs[0]
	if p.percent {
		p.suffix = segs[len(segs)-1]
		for _, s := range segs[1 : len(segs)-1] {
			if len(s) > 0 {
				p.mids = append(p.mids, s)
			}
		}
	}
	p.kind = p.classify()
	switch p.kind {
	case likeContains:
		p.needle = p.lit
	case likeGeneral:
		for _, seg := range segs {
			for _, pc := range seg {
				if len(pc.lit) > len(p.needle) {
					p.needle = pc.lit
				}
			}
		}
	}
	return p, nil
}

// parseLike splits a pattern at each run of % into segments.
func parseLike(pattern string, escape rune) ([]likeSegment, error) {
	segs := []likeSegment{nil}
	cur := func() *likeSegment { return &segs[len(segs)-1] }
	addLit := func(r rune) {
		s := cur()
		if n := len(*s); n > 0 && (*s)[n-1].anyN == 0 {
			(*s)[n-1].lit = utf8.AppendRune((*s)[n-1].lit, r)
			return
		}
		*s = append(*s, likePiece{lit: utf8.AppendRune(nil, r)})
	}
	escaped := false
	for _, r := range pattern {
		switch {
		case escaped:
			addLit(r)
			escaped = false
		case escape != 0 && r == escape:
			escaped = true
		case r == '%':
			if len(segs) == 1 || len(*cur()) > 0 {
				segs = append(segs, nil)
			}
		case r == '_':
			s := cur()
			if n := len(*s); n > 0 && (*s)[n-1].anyN > 0 {
				(*s)[n-1].anyN++
			} else {
				*s = append(*s, likePiece{anyN: 1})
			}
		default:
			addLit(r)
		}
	}
	if escaped {
		return nil, fmt.Errorf("like pattern %q ends with the escape character: %w", pattern, errs.ErrPlan)
	}
	return segs, nil
}

func (p *LikePattern) classify() likeKind {
	literal := func(s likeSegment) ([]byte, bool) {
		switch {
		case len(s) == 0:
			return nil, true
		case len(s) == 1 && s[0].anyN == 0:
			return s[0].lit, true
		}
		return nil, false
	}
	pre, ok1 := literal(p.prefix)
	suf, ok2 := literal(p.suffix)
	if !ok1 || !ok2 {
		return likeGeneral
	}
	if !p.percent {
		p.lit = pre
		return likeExact
	}
	switch {
	case len(p.mids) == 0 && pre == nil && suf == nil:
		return likeAll
	case len(p.mids) == 0 && suf == nil:
		p.lit = pre
		return likePrefix
	case len(p.mids) == 0 && pre == nil:
		p.lit = suf
		return likeSuffix
	case len(p.mids) == 1 && pre == nil && suf == nil:
		if mid, ok := literal(p.mids[0]); ok {
			p.lit = mid
			return likeContains
		}
	}
	return likeGeneral
}

// literalPattern builds the pattern of Contains, StartsWith and EndsWith,
// whose argument is taken literally.
func literalPattern(kind likeKind, s string) *LikePattern {
	if s == "" {
		kind = likeAll
	}
	p := &LikePattern{kind: kind, lit: []byte(s), percent: true}
	if kind == likeContains {
		p.needle = p.lit
	}
	return p
}

// Match reports whether s matches the pattern.
func (p *LikePattern) Match(s string) bool {
	b := []byte(s)
	if p.fold {
		b = appendLower(nil, b)
	}
	return p.match(b)
}

// match runs the pattern on an (already lowered, for ILIKE) string.
func (p *LikePattern) match(s []byte) bool {
	switch p.kind {
	case likeAll:
		return true
	case likeExact:
		return bytes.Equal(s, p.lit)
	case likePrefix:
		return bytes.HasPrefix(s, p.lit)
	case likeSuffix:
		return bytes.HasSuffix(s, p.lit)
	case likeContains:
		return bytes.Contains(s, p.lit)
	}
	return p.matchGeneral(s)
}

func (p *LikePattern) matchGeneral(s []byte) bool {
	if !p.percent {
		end, ok := p.prefix.matchAt(s, 0, len(s))
		return ok && end == len(s)
	}
	pos := 0
	if len(p.prefix) > 0 {
		end, ok := p.prefix.matchAt(s, 0, len(s))
		if !ok {
			return false
		}
		pos = end
	}
	limit := len(s)
	if len(p.suffix) > 0 {
		start, ok := p.suffix.matchBefore(s, len(s))
		if !ok || start < pos {
			return false
		}
		limit = start
	}
	// Each middle segment matches a fixed number of characters, so taking
	// its leftmost match never rules out a match of the segments after it.
	for _, m := range p.mids {
		end, ok := m.find(s, pos, limit)
		if !ok {
			return false
		}
		pos = end
	}
	return true
}

// matchAt matches the segment at byte position p of s[:limit] and returns
// where the match ends.
func (seg likeSegment) matchAt(s []byte, p, limit int) (int, bool) {
	for _, pc := range seg {
		if pc.anyN > 0 {
			for range pc.anyN {
				if p >= limit {
					return 0, false
				}
				if s[p] < utf8.RuneSelf {
					p++
				} else {
					_, size := utf8.DecodeRune(s[p:limit])
					p += size
				}
			}
			continue
		}
		if limit-p < len(pc.lit) || !bytes.Equal(s[p:p+len(pc.lit)], pc.lit) {
			return 0, false
		}
		p += len(pc.lit)
	}
	return p, true
}

// matchBefore matches the segment so that it ends exactly at byte end and
// returns where the match starts.
func (seg likeSegment) matchBefore(s []byte, end int) (int, bool) {
	for i := len(seg) - 1; i >= 0; i-- {
		pc := seg[i]
		if pc.anyN > 0 {
			for range pc.anyN {
				if end <= 0 {
					return 0, false
				}
				if s[end-1] < utf8.RuneSelf {
					end--
				} else {
					_, size := utf8.DecodeLastRune(s[:end])
					end -= size
				}
			}
			continue
		}
		if !bytes.HasSuffix(s[:end], pc.lit) {
			return 0, false
		}
		end -= len(pc.lit)
	}
	return end, true
}

// find returns the end of the leftmost match of the segment that starts at
// or after from and ends at or before limit.
func (seg likeSegment) find(s []byte, from, limit int) (int, bool) {
	if first := seg[0]; first.anyN == 0 {
		// Jump between occurrences of the leading literal. In valid UTF-8 a
		// literal match always starts on a character boundary.
		for p := from; p <= limit-len(first.lit); p++ {
			i := bytes.Index(s[p:limit], first.lit)
			if i < 0 {
				return 0, false
			}
			p += i
			if end, ok := seg.matchAt(s, p, limit); ok {
				return end, true
			}
		}
		return 0, false
	}
	for p := from; p < limit; {
		if end, ok := seg.matchAt(s, p, limit); ok {
			return end, true
		}
		if s[p] < utf8.RuneSelf {
			p++
		} else {
			_, size := utf8.DecodeRune(s[p:limit])
			p += size
		}
	}
	return 0, false
}

// Eval evaluates the pattern on every row of a string array and returns a
// Boolean array; null rows give null.
func (p *LikePattern) Eval(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	return p.eval(mem, "like", in)
}

func (p *LikePattern) eval(mem memory.Allocator, fn string, in arrow.Array) (arrow.Array, error) {
	src, err := stringInput(mem, fn, in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	n := src.Len()
	validity, nulls := validityOf(mem, src)
	out := allocBitmap(mem, n)
	bits := out.Bytes()
	if src.DataType().ID() == arrow.STRING {
		likeRowsOf(p, layoutOf[int32](src), n, bits)
	} else {
		likeRowsOf(p, layoutOf[int64](src), n, bits)
	}
	if validity != nil {
		clearNullBits(bits, validity.Bytes(), n)
	}
	return makeArray(arrow.FixedWidthTypes.Boolean, n, []*memory.Buffer{validity, out}, nulls), nil
}

// likeRowsOf evaluates p on the n rows of l. For ILIKE on ASCII data it
// lowers the rows' bytes once, which keeps every offset valid, and runs the
// case-sensitive loops on the copy; other ILIKE input is lowered row by
// row.
func likeRowsOf[O offsetT](p *LikePattern, l varBinary[O], n int, bits []byte) {
	if !p.fold {
		likeRows(p, l, n, bits)
		return
	}
	if n == 0 {
		return
	}
	first, last := l.offs[0], l.offs[n]
	if !isASCII(l.data[first:last]) {
		var lower []byte
		for i := range n {
			lower = appendLower(lower[:0], l.data[l.offs[i]:l.offs[i+1]])
			setBit(bits, i, p.match(lower))
		}
		return
	}
	lowered := varBinary[O]{offs: make([]O, n+1), data: appendLower(nil, l.data[first:last])}
	for i, o := range l.offs {
		lowered.offs[i] = o - first
	}
	exact := *p
	exact.fold = false
	likeRows(&exact, lowered, n, bits)
}

// likeRows sets bit i of bits when row i matches. The kind switch sits
// outside the row loops so each fast path is a tight loop of one call.
func likeRows[O offsetT](p *LikePattern, l varBinary[O], n int, bits []byte) {
	offs, data, lit := l.offs, l.data, p.lit
	if p.needle != nil && n > 0 {
		searchRows(p, l, n, bits)
		return
	}
	switch p.kind {
	case likeAll:
		for i := range bits {
			bits[i] = 0xff
		}
		if n%8 != 0 && len(bits) > 0 {
			bits[len(bits)-1] = byte(1)<<(n%8) - 1
		}
	case likeExact:
		for i := range n {
			setBit(bits, i, bytes.Equal(data[offs[i]:offs[i+1]], lit))
		}
	case likePrefix:
		for i := range n {
			setBit(bits, i, bytes.HasPrefix(data[offs[i]:offs[i+1]], lit))
		}
	case likeSuffix:
		for i := range n {
			setBit(bits, i, bytes.HasSuffix(data[offs[i]:offs[i+1]], lit))
		}
	default:
		for i := range n {
			setBit(bits, i, p.matchGeneral(data[offs[i]:offs[i+1]]))
		}
	}
}

// searchRows finds p.needle with one search over the values buffer
// instead of one per row: rows between two occurrences cost nothing. A row
// that contains the needle matches a likeContains pattern and is checked
// by the general matcher otherwise.
func searchRows[O offsetT](p *LikePattern, l varBinary[O], n int, bits []byte) {
	offs, data, needle := l.offs, l.data, p.needle
	general := p.kind != likeContains
	pos, end := int(offs[0]), int(offs[n])
	row := 0
	for pos < end {
		k := bytes.Index(data[pos:end], needle)
		if k < 0 {
			return
		}
		m := pos + k
		for int(offs[row+1]) <= m {
			row++
		}
		rowEnd := int(offs[row+1])
		if m+len(needle) > rowEnd { // spans two rows
			pos = m + 1
			continue
		}
		if !general || p.matchGeneral(data[offs[row]:rowEnd]) {
			setBit(bits, row, true)
		}
		pos = rowEnd
		row++
	}
}

// setBit ORs v into bit i of a zeroed bitmap, without a branch.
func setBit(bits []byte, i int, v bool) {
	var b byte
	if v {
		b = 1
	}
	bits[i>>3] |= b << (uint(i) & 7)
}
