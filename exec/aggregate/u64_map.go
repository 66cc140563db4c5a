package aggregate

// u64Map is an open-addressing hash table with linear probing from uint64
// keys to uint32 ids chosen by the caller. Keys live inline in the slots so a
// hit costs one memory access.
type u64Map struct {
	slots []u64Slot
	shift uint   // 64 - log2(len(slots)): hashes keep their top bits
	mask  uint64 // len(slots) - 1
	n     int    // occupied slots
	sink  uint32 // keeps touch's loads alive
}

type u64Slot struct {
	key uint64
	id  uint32 // id+1, so that the zero slot is empty
}

// minSlots is the smallest table: 4 KiB stay in L1, and among a handful of
// keys collisions are rare, so low-cardinality group-bys find almost every
// row's key in its home slot.
const minSlots = 256

// hashMul is 2^64 divided by the golden ratio: multiplying by it and keeping
// the top bits spreads consecutive keys across the table (Fibonacci hashing).
const hashMul = 0x9E3779B97F4A7C15

// hash64 mixes the high half into the low half first, so keys that differ
// only in their top bits still land in different slots.
func hash64(k uint64) uint64 {
	return (k ^ k>>32) * hashMul
}

func (m *u64Map) init() {
	m.resize(minSlots)
}

// hit returns id+1 when key sits in its home slot, and 0 otherwise. It is
// the common case of a lookup, small enough to be inlined into the callers'
// loops; they fall back to getOrInsert on 0. (An empty home slot holds key 0
// and id 0, so a zero key there correctly misses.)
func (m *u64Map) hit(key uint64) uint32 {
	s := &m.slots[hash64(key)>>m.shift]
	if s.key == key {
		return s.id
	}
	return 0
}

// hits sets out[j] to the id of keys[j] for j = from, from+1, ... as long as
// the key sits in its home slot, and returns the index where it stopped:
// the first miss, or len(keys). Callers handle the miss and resume after
// it. Kept apart from the misses, the loop stays tight.
func (m *u64Map) hits(keys []uint64, out []uint32, from int) int {
	out = out[:len(keys)]
	slots, shift := m.slots, m.shift
	for j := from; j < len(keys); j++ {
		k := keys[j]
		s := &slots[hash64(k)>>shift]
		if s.key != k || s.id == 0 {
			return j
		}
		out[j] = s.id - 1
	}
	return len(keys)
}

// touchSlots is the table size from which touch pays: 2^16 slots are 1 MiB,
// about what the caches of one core hold.
const touchSlots = 1 << 16

// touch loads the home slot of every key of a big table, in a loop without
// branches, so that their cache misses overlap instead of stalling the
// lookups one at a time.
func (m *u64Map) touch(keys []uint64) {
	if len(m.slots) < touchSlots {
		return
	}
	slots, shift := m.slots, m.shift
	var x uint32
	for _, k := range keys {
		x += slots[hash64(k)>>shift].id
	}
	m.sink += x
}

// getOrInsert returns the id of key, and false. When key is absent it stores
// key with id next and returns next, true.
func (m *u64Map) getOrInsert(key uint64, next uint32) (uint32, bool) {
	i := hash64(key) >> m.shift
	for {
		s := &m.slots[i]
		if s.id == 0 {
			s.key, s.id = key, next+1
			m.n++
			if 2*m.n > len(m.slots) {
				m.resize(2 * len(m.slots))
			}
			return next, true
		}
		if s.key == key {
			return s.id - 1, false
		}
		i = (i + 1) & m.mask
	}
}

// resize rehashes every entry into a table of size slots (a power of two).
func (m *u64Map) resize(size int) {
	old := m.slots
	m.slots = make([]u64Slot, size)
	m.mask = uint64(size - 1)
	m.shift = 64 - uint(log2(size))
	for _, s := range old {
		if s.id == 0 {
			continue
		}
		i := hash64(s.key) >> m.shift
		for m.slots[i].id != 0 {
			i = (i + 1) & m.mask
		}
		m.slots[i] = s
	}
}

func (m *u64Map) sizeBytes() int { return 16 * len(m.slots) }

// log2 returns the base-2 logarithm of a power of two.
func log2(n int) int {
	l := 0
	for n > 1 {
		n >>= 1
		l++
	}
	return l
}
