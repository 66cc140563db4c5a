package jsonl

import (
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// scanner reads JSON values from one line. Strings are unescaped into a
// reused buffer, so reading does not allocate per value.
type scanner struct {
	buf     []byte
	pos     int
	scratch []byte
	// unknownKey, when set, checks a key with a value that the decoders
	// lack: nil skips it (a column not read), an error fails the line
	// (a key the inferred schema missed, whose values would be lost).
	unknownKey func(key string) error
}

func (s *scanner) reset(line []byte) { s.buf, s.pos = line, 0 }

func (s *scanner) skipSpace() {
	for s.pos < len(s.buf) {
		switch s.buf[s.pos] {
		case ' ', '\t', '\r', '\n':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.pos < len(s.buf) {
		return s.buf[s.pos]
	}
	return 0
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("column %d: %s", s.pos+1, fmt.Sprintf(format, args...))
}

// expect consumes byte c after optional space.
func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("expected %q", c)
	}
	s.pos++
	return nil
}

// literal consumes true, false or null.
func (s *scanner) literal(word string) error {
	if len(s.buf)-s.pos < len(word) || string(s.buf[s.pos:s.pos+len(word)]) != word {
		return s.errorf("invalid JSON")
	}
	s.pos += len(word)
	return nil
}

// number returns the text of a number and whether it is an integer.
func (s *scanner) number() ([]byte, bool, error) {
	start := s.pos
	isInt := true
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c >= '0' && c <= '9', c == '-' && s.pos == start:
		case c == '.' || c == 'e' || c == 'E' || (c == '+' || c == '-') && s.pos > start:
			isInt = false
		default:
			goto done
		}
		s.pos++
	}
done:
	if s.pos == start || (s.pos == start+1 && s.buf[start] == '-') {
		return nil, false, s.errorf("invalid number")
	}
	return s.buf[start:s.pos], isInt, nil
}

// str reads a string (the opening quote is next) and returns its
// unescaped bytes, valid until the next call.
func (s *scanner) str() ([]byte, error) {
	s.pos++ // opening quote
	start := s.pos
	for s.pos < len(s.buf) {
		switch c := s.buf[s.pos]; {
		case c == '"':
			out := s.buf[start:s.pos]
			s.pos++
			return out, nil
		case c == '\\':
			s.scratch = append(s.scratch[:0], s.buf[start:s.pos]...)
			return s.escaped()
		case c < 0x20:
			return nil, s.errorf("control character in string")
		}
		s.pos++
	}
	return nil, s.errorf("unterminated string")
}

func (s *scanner) escaped() ([]byte, error) {
	for s.pos < len(s.buf) {
		c := s.buf[s.pos]
		switch {
		case c == '"':
			s.pos++
			return s.scratch, nil
		case c < 0x20:
			return nil, s.errorf("control character in string")
		case c != '\\':
			s.scratch = append(s.scratch, c)
			s.pos++
			continue
		}
		if s.pos+1 >= len(s.buf) {
			break
		}
		e := s.buf[s.pos+1]
		s.pos += 2
		switch e {
		case '"', '\\', '/':
			s.scratch = append(s.scratch, e)
		case 'b':
			s.scratch = append(s.scratch, '\b')
		case 'f':
			s.scratch = append(s.scratch, '\f')
		case 'n':
			s.scratch = append(s.scratch, '\n')
		case 'r':
			s.scratch = append(s.scratch, '\r')
		case 't':
			s.scratch = append(s.scratch, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				return nil, s.errorf("bad \\u escape")
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if s.pos+1 < len(s.buf) && s.buf[s.pos] == '\\' && s.buf[s.pos+1] == 'u' {
					s.pos += 2
					if lo, ok := s.hex4(); ok {
						r2 = lo
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			s.scratch = utf8.AppendRune(s.scratch, r)
		default:
			return nil, s.errorf("bad escape \\%c", e)
		}
	}
	return nil, s.errorf("unterminated string")
}

func (s *scanner) hex4() (rune, bool) {
	if s.pos+4 > len(s.buf) {
		return 0, false
	}
	var r rune
	for _, c := range s.buf[s.pos : s.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	s.pos += 4
	return r, true
}

// skip consumes any value.
func (s *scanner) skip() error {
	switch c := s.peek(); c {
	case '"':
		_, err := s.str()
		return err
	case '{':
		s.pos++
		if s.peek() == '}' {
			s.pos++
			return nil
		}
		for {
			if s.peek() != '"' {
				return s.errorf("expected a key")
			}
			if _, err := s.str(); err != nil {
				return err
			}
			if err := s.expect(':'); err != nil {
				return err
			}
			if err := s.skip(); err != nil {
				return err
			}
			if done, err := s.endOf('}'); done || err != nil {
				return err
			}
		}
	case '[':
		s.pos++
		if s.peek() == ']' {
			s.pos++
			return nil
		}
		for {
			if err := s.skip(); err != nil {
				return err
			}
			if done, err := s.endOf(']'); done || err != nil {
				return err
			}
		}
	case 't':
		return s.literal("true")
	case 'f':
		return s.literal("false")
	case 'n':
		return s.literal("null")
	default:
		_, _, err := s.number()
		return err
	}
}

// endOf consumes a comma (false) or the closing byte (true).
func (s *scanner) endOf(closing byte) (bool, error) {
	switch s.peek() {
	case ',':
		s.pos++
		return false, nil
	case closing:
		s.pos++
		return true, nil
	}
	return false, s.errorf("expected ',' or %q", closing)
}
