package kernel

import (
	"context"
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/compute/exec"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// offsetT is the offset type of String (int32) and LargeString (int64).
type offsetT interface{ int32 | int64 }

// varBinary is the raw layout of a String or LargeString array: offs holds
// len+1 offsets into data, which is the whole values buffer, so row i is
// data[offs[i]:offs[i+1]] whatever the array's offset.
type varBinary[O offsetT] struct {
	offs []O
	data []byte
}

func layoutOf[O offsetT](in arrow.Array) varBinary[O] {
	d := in.Data()
	var l varBinary[O]
	if b := d.Buffers()[1]; b != nil && b.Len() > 0 {
		l.offs = viewAs[O](b.Bytes())[d.Offset() : d.Offset()+d.Len()+1]
	}
	if b := d.Buffers()[2]; b != nil {
		l.data = b.Bytes()
	}
	return l
}

// size is the number of value bytes the rows span.
func (l varBinary[O]) size() int {
	if len(l.offs) == 0 {
		return 0
	}
	return int(l.offs[len(l.offs)-1] - l.offs[0])
}

// stringInput returns in as a String or LargeString array that the caller
// releases: the same array retained, or a String copy of a StringView.
func stringInput(mem memory.Allocator, fn string, in arrow.Array) (arrow.Array, error) {
	switch in.DataType().ID() {
	case arrow.STRING, arrow.LARGE_STRING:
		in.Retain()
		return in, nil
	case arrow.STRING_VIEW:
		ctx := exec.WithAllocator(context.Background(), mem)
		out, err := compute.CastArray(ctx, in, compute.UnsafeCastOptions(arrow.BinaryTypes.String))
		if err != nil {
			return nil, fmt.Errorf("%s: string_view to string: %w", fn, err)
		}
		return out, nil
	}
	return nil, errUnsupported(fn, in.DataType())
}

// Contains reports, per row, whether the string contains substr. Null rows
// give null.
func Contains(mem memory.Allocator, in arrow.Array, substr string) (arrow.Array, error) {
	return literalPattern(likeContains, substr).eval(mem, "contains", in)
}

// StartsWith reports, per row, whether the string begins with prefix.
func StartsWith(mem memory.Allocator, in arrow.Array, prefix string) (arrow.Array, error) {
	return literalPattern(likePrefix, prefix).eval(mem, "starts_with", in)
}

// EndsWith reports, per row, whether the string ends with suffix.
func EndsWith(mem memory.Allocator, in arrow.Array, suffix string) (arrow.Array, error) {
	return literalPattern(likeSuffix, suffix).eval(mem, "ends_with", in)
}

// Length returns the number of characters (Unicode code points, as
// DuckDB's length) of each string as Int64. Invalid UTF-8 bytes count as
// one character each.
func Length(mem memory.Allocator, in arrow.Array) (arrow.Array, error) {
	src, err := stringInput(mem, "length", in)
	if err != nil {
		return nil, err
	}
	defer src.Release()
	n := src.Len()
	validity, nulls := validityOf(mem, src)
	out := allocBuffer(mem, n*8)
	dst := viewAs[int64](out.Bytes())[:n]
	if src.DataType().ID() == arrow.STRING {
		lengthRows(layoutOf[int32](src), dst)
	} else {
		lengthRows(layoutOf[int64](src), dst)
	}
	return makeArray(arrow.PrimitiveTypes.Int64, n, []*memory.Buffer{validity, out}, nulls), nil
}

func lengthRows[O offsetT](l varBinary[O], dst []int64) {
	for i := range dst {
		s := l.data[l.offs[i]:l.offs[i+1]]
		if isASCII(s) {
			dst[i] = int64(len(s))
		} else {
			dst[i] = int64(utf8.RuneCount(s))
		}
	}
}

// isASCII reports whether s holds only bytes below 0x80, eight at a time.
func isASCII(s []byte) bool {
	for len(s) >= 8 {
		if binary.LittleEndian.Uint64(s)&0x8080808080808080 != 0 {
			return false
		}
		s = s[8:]
	}
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// stringType returns the String or LargeString type for offsets O.
func stringType[O offsetT]() arrow.DataType {
	var o O
	if any(o) == any(int32(0)) {
		return arrow.BinaryTypes.String
	}
	return arrow.BinaryTypes.LargeString
}

// stringBuilder writes a String or LargeString array straight into Arrow
// buffers: offsets are fixed-size, the data buffer grows as needed.
type stringBuilder[O offsetT] struct {
	offsets *memory.Buffer
	data    *memory.Buffer
	offs    []O
	buf     []byte // data.Buf(), re-read after growth
	n       int    // bytes written
}

func newStringBuilder[O offsetT](mem memory.Allocator, rows, capBytes int) *stringBuilder[O] {
	b := &stringBuilder[O]{
		offsets: allocBuffer(mem, (rows+1)*sizeOf[O]()),
		data:    memory.NewResizableBuffer(mem),
	}
	b.offs = viewAs[O](b.offsets.Bytes())[:rows+1]
	b.offs[0] = 0
	b.data.Reserve(max(capBytes, 1))
	b.buf = b.data.Buf()
	return b
}

// reserve makes room for k more bytes.
func (b *stringBuilder[O]) reserve(k int) {
	if b.n+k <= len(b.buf) {
		return
	}
	b.data.Reserve(max(b.n+k, 2*len(b.buf)))
	b.buf = b.data.Buf()
}

// tail returns the writable bytes after the last row, at least k long.
func (b *stringBuilder[O]) tail(k int) []byte {
	b.reserve(k)
	return b.buf[b.n:]
}

// append writes s as the next bytes of the current row.
func (b *stringBuilder[O]) append(s []byte) {
	b.reserve(len(s))
	b.n += copy(b.buf[b.n:], s)
}

// endRow closes row i after its bytes were written.
func (b *stringBuilder[O]) endRow(i int) error {
	if O(b.n) < 0 || int(O(b.n)) != b.n {
		return fmt.Errorf("string result exceeds %d bytes; use large_string: %w", b.n, errs.ErrResourcesExhausted)
	}
	b.offs[i+1] = O(b.n)
	return nil
}

// finish builds the array; validity may be nil. It shrinks the data buffer
// when most of it went unused.
func (b *stringBuilder[O]) finish(rows int, validity *memory.Buffer, nulls int) arrow.Array {
	if b.n < len(b.buf)/2 {
		b.data.Resize(b.n)
	} else {
		b.data.ResizeNoShrink(b.n)
	}
	return makeArray(stringType[O](), rows, []*memory.Buffer{validity, b.offsets, b.data}, nulls)
}

// release frees the buffers of an unfinished builder.
func (b *stringBuilder[O]) release() {
	releaseBuffers(b.offsets, b.data)
}
