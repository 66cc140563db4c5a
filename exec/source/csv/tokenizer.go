package csv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// tokenizer splits CSV text into records. It collects the fields of a
// batch of records in one byte slice, so that columns can afterwards be
// parsed with one typed loop each. Quoted fields may hold delimiters,
// doubled quotes and line breaks.
type tokenizer struct {
	r     *bufio.Reader
	delim byte
	quote byte
	// eol ends lines: '\n' (also for "\r\n"), or '\r' in files that
	// end lines with a bare carriage return, as old Mac tools write.
	eol  byte
	line int64 // lines read so far
	long []byte

	data   []byte  // field contents of the batch, back to back
	ends   []int   // ends[k] is where field k of the batch ends in data
	quoted []bool  // quoted[k] says field k was quoted
	lines  []int64 // lines[r] is the line record r starts on
}

func newTokenizer(r io.Reader, delim, quote byte) *tokenizer {
	return &tokenizer{r: bufio.NewReaderSize(r, 1<<20), delim: delim, quote: quote, eol: '\n'}
}

// reset forgets the batch.
func (t *tokenizer) reset() {
	t.data, t.ends, t.quoted, t.lines = t.data[:0], t.ends[:0], t.quoted[:0], t.lines[:0]
}

// field returns field k of the batch.
func (t *tokenizer) field(k int) []byte {
	start := 0
	if k > 0 {
		start = t.ends[k-1]
	}
	return t.data[start:t.ends[k]]
}

// readLine returns the next line with its line break, valid until the
// next call; it is empty at the end of the input.
func (t *tokenizer) readLine() ([]byte, error) {
	line, err := t.r.ReadSlice(t.eol)
	if !errors.Is(err, bufio.ErrBufferFull) {
		if errors.Is(err, io.EOF) {
			err = nil
		}
		return line, err
	}
	t.long = append(t.long[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = t.r.ReadSlice(t.eol)
		t.long = append(t.long, line...)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return t.long, err
}

func (t *tokenizer) trimEOL(b []byte) []byte {
	if t.eol == '\r' {
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
		return b
	}
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
		if n := len(b); n > 0 && b[n-1] == '\r' {
			b = b[:n-1]
		}
	}
	return b
}

// skipBOM drops a UTF-8 byte order mark at the start of the input, and
// finds how lines end: with a bare carriage return when the first 64 KiB
// hold one and no line feed.
func (t *tokenizer) skipBOM() error {
	b, err := t.r.Peek(3)
	if err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		if _, err = t.r.Discard(3); err != nil {
			return err
		}
	}
	head, err := t.r.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return err
	}
	if bytes.IndexByte(head, '\n') < 0 && bytes.IndexByte(head, '\r') >= 0 {
		t.eol = '\r'
	}
	return nil
}

// next appends one record to the batch and returns its number of fields,
// or io.EOF at the end of the input. Blank lines are skipped.
func (t *tokenizer) next() (int, error) {
	var line []byte
	for {
		var err error
		if line, err = t.readLine(); err != nil {
			return 0, err
		}
		if len(line) == 0 {
			return 0, io.EOF
		}
		t.line++
		if len(t.trimEOL(line)) > 0 {
			break
		}
	}
	start := t.line
	t.lines = append(t.lines, start)
	fields := 0
	i := 0
	for {
		quoted := false
		if i < len(line) && line[i] == t.quote {
			quoted = true
			i++
			for {
				j := bytes.IndexByte(line[i:], t.quote)
				if j < 0 {
					// The field goes on past this line.
					t.data = append(t.data, line[i:]...)
					var err error
					if line, err = t.readLine(); err != nil {
						return 0, err
					}
					if len(line) == 0 {
						return 0, fmt.Errorf("line %d: quoted field is not closed", start)
					}
					t.line++
					i = 0
					continue
				}
				t.data = append(t.data, line[i:i+j]...)
				i += j + 1
				if i < len(line) && line[i] == t.quote {
					t.data = append(t.data, t.quote)
					i++
					continue
				}
				break
			}
		}
		// Up to the delimiter or the end of the line. Text after a closing
		// quote is kept, as most readers do.
		rest := line[i:]
		j := bytes.IndexByte(rest, t.delim)
		if j < 0 {
			t.data = append(t.data, t.trimEOL(rest)...)
			t.ends = append(t.ends, len(t.data))
			t.quoted = append(t.quoted, quoted)
			return fields + 1, nil
		}
		t.data = append(t.data, rest[:j]...)
		t.ends = append(t.ends, len(t.data))
		t.quoted = append(t.quoted, quoted)
		fields++
		i += j + 1
	}
}
