package sorting

// runHeap is a binary min-heap over sorted runs of rows, keyed by each
// run's current row; ties go to the earlier run, which keeps a merge
// stable.
type runHeap struct {
	pos  []int // next row of each run
	end  []int // end of each run
	heap []int // run numbers
	less func(a, b int) bool
}

// newRunHeap builds the heap for the runs [ends[i-1], ends[i]); less
// compares two rows.
func newRunHeap(ends []int, less func(a, b int) bool) *runHeap {
	h := &runHeap{pos: make([]int, len(ends)), end: ends, less: less}
	start := 0
	for i, e := range ends {
		h.pos[i] = start
		if e > start {
			h.heap = append(h.heap, i)
		}
		start = e
	}
	for i := len(h.heap)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
	return h
}

func (h *runHeap) before(x, y int) bool {
	a, b := h.pos[x], h.pos[y]
	if h.less(a, b) {
		return true
	}
	return x < y && !h.less(b, a)
}

func (h *runHeap) down(i int) {
	n := len(h.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		m := l
		if r := l + 1; r < n && h.before(h.heap[r], h.heap[l]) {
			m = r
		}
		if !h.before(h.heap[m], h.heap[i]) {
			return
		}
		h.heap[i], h.heap[m] = h.heap[m], h.heap[i]
		i = m
	}
}

// drain pops all n rows in merged order.
func (h *runHeap) drain(n int) []uint32 {
	perm := make([]uint32, 0, n)
	for len(h.heap) > 0 {
		r := h.heap[0]
		perm = append(perm, uint32(h.pos[r]))
		h.pos[r]++
		if h.pos[r] == h.end[r] {
			last := len(h.heap) - 1
			h.heap[0] = h.heap[last]
			h.heap = h.heap[:last]
		}
		h.down(0)
	}
	return perm
}
