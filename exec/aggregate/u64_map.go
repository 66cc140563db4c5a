package aggregate

// u64Map is an open-addressing hash table with linear probing from uint64
// keys to uint32 ids chosen by the caller. Keys live inline in the slots so a
// hit costs one memory access.
type u64Map struct {
	slots []u64Slot
	shift uint   // 64 - log2(len(slots)): hashes keep their top bits
	mask  uint64 // len(slots) - 1
	n     int    // occupied slots
}

type u64Slot struct {
	key uint64
	id  uint32 // id+1, so that the zero slot is empty
}

// minSlots keeps tiny tables (a handful of groups) inside one cache line or
// two, which is what low-cardinality group-bys hit on every row.
const minSlots = 8

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
