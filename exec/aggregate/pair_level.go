package aggregate

// pairLevel gives dense ids to pairs (left id, right id) of column-local or
// prefix ids. While both sides have few distinct ids it indexes a dense
// table by left<<rbits | right, one load per row with no hashing; once that
// table would pass maxDirectCells it moves to a u64Map for good.
type pairLevel struct {
	direct []uint32 // id+1 by left<<rbits | right, 0 when unseen
	rbits  uint
	useMap bool
	m      u64Map
	pairs  []uint64 // by id: left<<32 | right
}

// maxDirectCells bounds the dense table to 64 KiB.
const maxDirectCells = 1 << 14

// combine replaces left[i] by the id of the pair (left[i], right[i]). The
// left ids are below nLeft and the right ids below nRight.
func (p *pairLevel) combine(left, right []uint32, nLeft, nRight int) {
	right = right[:len(left)]
	if !p.useMap {
		if p.fitDirect(nLeft, nRight) {
			p.combineDirect(left, right)
			return
		}
		p.useMap = true
		p.direct = nil
		p.m.init()
		for id, key := range p.pairs {
			p.m.getOrInsert(key, uint32(id))
		}
	}
	p.combineMap(left, right)
}

// fitDirect makes the dense table cover nLeft x nRight cells and reports
// whether that stays within maxDirectCells.
func (p *pairLevel) fitDirect(nLeft, nRight int) bool {
	rbits := p.rbits
	for 1<<rbits < nRight {
		rbits++
	}
	need := nLeft << rbits
	if need > maxDirectCells {
		return false
	}
	if rbits == p.rbits && need <= len(p.direct) {
		return true
	}
	// Grow, re-laying out the cells when the right side needs more bits.
	p.rbits = rbits
	p.direct = make([]uint32, max(need, min(2*len(p.direct), maxDirectCells)))
	for id, key := range p.pairs {
		p.direct[(key>>32)<<rbits|key&0xffffffff] = uint32(id) + 1
	}
	return true
}

func (p *pairLevel) combineDirect(left, right []uint32) {
	direct, rbits := p.direct, p.rbits
	for i, l := range left {
		cell := uint(l)<<rbits | uint(right[i])
		e := direct[cell]
		if e == 0 {
			p.pairs = append(p.pairs, uint64(l)<<32|uint64(right[i]))
			e = uint32(len(p.pairs))
			direct[cell] = e
		}
		left[i] = e - 1
	}
}

func (p *pairLevel) combineMap(left, right []uint32) {
	var buf [lookupChunk]uint64
	for base := 0; base < len(left); base += lookupChunk {
		ids := left[base:min(base+lookupChunk, len(left))]
		keys := buf[:len(ids)]
		for j, l := range ids {
			keys[j] = uint64(l)<<32 | uint64(right[base+j])
		}
		p.m.touch(keys)
		for j := p.m.hits(keys, ids, 0); j < len(keys); j = p.m.hits(keys, ids, j+1) {
			id, added := p.m.getOrInsert(keys[j], uint32(len(p.pairs)))
			if added {
				p.pairs = append(p.pairs, keys[j])
			}
			ids[j] = id
		}
	}
}

func (p *pairLevel) sizeBytes() int {
	return 4*cap(p.direct) + p.m.sizeBytes() + 8*cap(p.pairs)
}
