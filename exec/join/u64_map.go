package join

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/errs"
)

// u64Map is an open-addressing hash table with linear probing from uint64
// keys to dense ids, given in order of first insertion. Keys live inline in
// the slots, so a lookup that hits its home slot costs one memory access.
// Lookups may run concurrently; inserts may not.
type u64Map struct {
	slots vec[u64Slot]
	shift uint   // 64 - log2(len(slots)): hashes keep their top bits
	mask  uint64 // len(slots) - 1
	n     int
}

type u64Slot struct {
	key uint64
	id  uint32 // id+1; 0 marks an empty slot
}

// minSlots is the smallest table.
const minSlots = 256

// hashMul is 2^64 divided by the golden ratio: multiplying by it and keeping
// the top bits spreads consecutive keys over the table (Fibonacci hashing).
const hashMul = 0x9E3779B97F4A7C15

// slotHash mixes the high half into the low half first, so that keys that
// differ only in their top bits still land apart.
func slotHash(k uint64) uint64 { return (k ^ k>>32) * hashMul }

// newU64Map returns a map sized for about n keys.
func newU64Map(mem memory.Allocator, n int) *u64Map {
	m := &u64Map{}
	m.rehash(mem, max(minSlots, 1<<bits.Len(uint(2*n))))
	return m
}

// insert returns the id of key, adding it with the next id if absent.
func (m *u64Map) insert(key uint64) (uint32, error) {
	slots := m.slots.s
	i := slotHash(key) >> m.shift
	for {
		s := &slots[i]
		if s.id == 0 {
			if err := checkIDs(m.n, 1); err != nil {
				return 0, err
			}
			id := uint32(m.n)
			s.key, s.id = key, id+1
			m.n++
			if 2*m.n > len(slots) {
				m.rehash(m.slots.mem, 2*len(slots))
			}
			return id, nil
		}
		if s.key == key {
			return s.id - 1, nil
		}
		i = (i + 1) & m.mask
	}
}

// get returns id+1 of key, or 0 when it is absent.
func (m *u64Map) get(key uint64) uint32 {
	slots := m.slots.s
	i := slotHash(key) >> m.shift
	for {
		s := &slots[i]
		if s.key == key || s.id == 0 {
			return s.id
		}
		i = (i + 1) & m.mask
	}
}

// touch loads the home slot of every key and returns a sum of what it
// read, which the caller keeps so that the loads are not optimized away.
func (m *u64Map) touch(keys []uint64) uint32 {
	slots, shift := m.slots.s, m.shift
	var x uint32
	for _, k := range keys {
		x += slots[slotHash(k)>>shift].id
	}
	return x
}

// rehash moves every key into a table of size slots (a power of two).
func (m *u64Map) rehash(mem memory.Allocator, size int) {
	old := m.slots
	m.slots = newVec[u64Slot](mem, size)
	clear(m.slots.s)
	m.shift = uint(64 - log2(size))
	m.mask = uint64(size - 1)
	for _, s := range old.s {
		if s.id == 0 {
			continue
		}
		i := slotHash(s.key) >> m.shift
		for m.slots.s[i].id != 0 {
			i = (i + 1) & m.mask
		}
		m.slots.s[i] = s
	}
	old.release()
}

func (m *u64Map) sizeBytes() int { return m.slots.bytes() }
func (m *u64Map) release()       { m.slots.release() }

// log2 of a power of two.
func log2(n int) int { return bits.Len(uint(n)) - 1 }

// maxIDs bounds ids, which are uint32 with one value kept for "no key".
const maxIDs = math.MaxUint32 - 1

// checkIDs fails when n more ids would not fit.
func checkIDs(have, n int) error {
	if have+n > maxIDs {
		return fmt.Errorf("more than %d distinct join keys: %w", maxIDs, errs.ErrResourcesExhausted)
	}
	return nil
}
