package sorting

import (
	"encoding/binary"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/bitutil"
)

// prefilter lets TopK skip most pushed rows without encoding all their
// keys. It computes the first 8 bytes of each row's normalized first key,
// zero-padded, straight from the column. As no key's bytes are a prefix of
// another's, a row whose 8 bytes are greater than the threshold's sorts
// after it whatever the other keys hold; only the other rows are encoded.
type prefilter struct {
	prefix func(arr arrow.Array, k Key, out []uint64, p *prefilter)
	enc    colEncoder // encoder of the first key, to find its length
	key    Key
	vals   []uint64
	norm   fixedNorm
	w      int
}

// newPrefilter returns the prefilter for a first key of type dt, or nil
// when it has none.
func newPrefilter(dt arrow.DataType, k Key, enc colEncoder) *prefilter {
	p := &prefilter{key: k, enc: enc}
	if norm, w, ok := fixedNormFor(dt); ok {
		p.prefix, p.norm, p.w = fixedPrefix, norm, w
		return p
	}
	switch dt.ID() {
	case arrow.STRING, arrow.BINARY:
		p.prefix = varPrefix[int32]
	case arrow.LARGE_STRING, arrow.LARGE_BINARY:
		p.prefix = varPrefix[int64]
	default:
		return nil
	}
	return p
}

// appendNotAfter appends to out the rows of arr whose first key may sort
// before or with the threshold row thr (its normalized bytes, all keys).
func (p *prefilter) appendNotAfter(arr arrow.Array, thr []byte, out []uint32) []uint32 {
	var buf [8]byte
	copy(buf[:], thr[:min(8, p.enc.keyLen(thr, p.key))])
	limit := binary.BigEndian.Uint64(buf[:])
	vals := resize(&p.vals, arr.Len())
	p.prefix(arr, p.key, vals, p)
	for i, v := range vals {
		if v <= limit {
			out = append(out, uint32(i))
		}
	}
	return out
}

func fixedPrefix(arr arrow.Array, k Key, out []uint64, p *prefilter) {
	if len(out) == 0 {
		return
	}
	p.norm(arr, out)
	shift := uint(64 - 8*p.w)
	var flip uint64
	if k.Desc {
		flip = ^uint64(0) >> shift
	}
	valid := uint64(markerValid) << 56
	for i, v := range out {
		out[i] = valid | (v^flip)<<shift>>8
	}
	if bits, off := validity(arr); bits != nil {
		null := uint64(k.nullMarker()) << 56
		for i := range out {
			if !bitutil.BitIsSet(bits, off+i) {
				out[i] = null
			}
		}
	}
}

func varPrefix[O int32 | int64](arr arrow.Array, k Key, out []uint64, _ *prefilter) {
	offs, vals, _ := varValues[O](arr)
	bits, off := validity(arr)
	null := uint64(k.nullMarker()) << 56
	for i := range out {
		if bits != nil && !bitutil.BitIsSet(bits, off+i) {
			out[i] = null
			continue
		}
		out[i] = stringPrefix(vals[offs[i]:offs[i+1]], k.Desc)
	}
}

// stringPrefix returns the first 8 bytes of v's normalized bytes as
// varEncoder writes them, zero-padded.
func stringPrefix(v []byte, desc bool) uint64 {
	const lows, highs = 0x0101010101010101, 0x8080808080808080
	if len(v) >= 8 {
		// The marker and the first 7 bytes, when none of them is 0x00.
		x := binary.BigEndian.Uint64(v)>>8 | 0xff<<56
		if (x-lows)&^x&highs == 0 {
			p := x&(1<<56-1) | uint64(markerValid)<<56
			if desc {
				p ^= 1<<56 - 1
			}
			return p
		}
	}
	var b [8]byte
	b[0] = markerValid
	n := 1
	for _, c := range v {
		if n == 8 {
			break
		}
		b[n] = c
		n++
		if c == 0 && n < 8 {
			b[n] = 0xff
			n++
		}
	}
	n = min(n+2, 8) // the 0x00 0x00 terminator
	if desc {
		for i := 1; i < n; i++ {
			b[i] = ^b[i]
		}
	}
	return binary.BigEndian.Uint64(b[:])
}
