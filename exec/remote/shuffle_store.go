package remote

import (
	"fmt"
	"os"
	"sync"

	"lakeframe/errs"
)

// shuffleStore keeps, on the coordinator, the map outputs of one exchange:
// for each partition, one Arrow IPC stream (compressed as it came over the
// wire) per map task. Bytes stay in memory up to the budget; past it new
// chunks are appended to a spill file in dir and read back when their
// partition is sent to its reduce task. A map task's chunks count only
// once it has succeeded, so a map task that failed halfway runs again
// from scratch without its partial output reaching a reducer.
type shuffleStore struct {
	budget int64
	dir    string
	stats  *Stats

	mu      sync.Mutex
	held    int64 // bytes in memory
	file    *os.File
	size    int64 // bytes written to file
	parts   [][]*shuffleStream
	removed bool
}

// shuffleStream is one map task's IPC stream for one partition.
type shuffleStream struct {
	segs  []segment
	bytes int64
}

// segment is a chunk of a stream, in memory or at off in the spill file.
type segment struct {
	mem    []byte
	off, n int64
}

func newShuffleStore(parts int, budget int64, dir string, stats *Stats) *shuffleStore {
	if budget <= 0 {
		budget = 1 << 30
	}
	return &shuffleStore{budget: budget, dir: dir, stats: stats, parts: make([][]*shuffleStream, parts)}
}

// storeAttempt collects one map task attempt's output.
type storeAttempt struct {
	s       *shuffleStore
	streams map[int]*shuffleStream
}

func (s *shuffleStore) begin() *storeAttempt {
	return &storeAttempt{s: s, streams: map[int]*shuffleStream{}}
}

// add appends a copy of b to partition p's stream.
func (a *storeAttempt) add(p int, b []byte) error {
	s := a.s
	if p < 0 || p >= len(s.parts) {
		return fmt.Errorf("%w: map output for partition %d of %d", errs.ErrExec, p, len(s.parts))
	}
	st := a.streams[p]
	if st == nil {
		st = &shuffleStream{}
		a.streams[p] = st
	}
	n := int64(len(b))
	st.bytes += n
	s.stats.shuffledBytes.Add(n)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.removed {
		return fmt.Errorf("%w: exchange closed", errs.ErrExec)
	}
	if s.held+n <= s.budget {
		s.held += n
		st.segs = append(st.segs, segment{mem: append([]byte(nil), b...), n: n})
		return nil
	}
	if s.file == nil {
		f, err := os.CreateTemp(s.dir, "lakeframe-shuffle-*.arrows")
		if err != nil {
			return fmt.Errorf("%w: exchange spill: %w", errs.ErrExec, err)
		}
		s.file = f
	}
	if _, err := s.file.WriteAt(b, s.size); err != nil {
		return fmt.Errorf("%w: exchange spill to %s: %w", errs.ErrExec, s.file.Name(), err)
	}
	st.segs = append(st.segs, segment{off: s.size, n: n})
	s.size += n
	s.stats.spilledBytes.Add(n)
	return nil
}

// commit makes the attempt's streams visible to reducers.
func (a *storeAttempt) commit() {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, st := range a.streams {
		s.parts[p] = append(s.parts[p], st)
	}
	a.streams = nil
}

// discard drops the output of a failed attempt. Spilled chunks stay in the
// file, unread, until the store is closed.
func (a *storeAttempt) discard() {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range a.streams {
		s.held -= st.memBytes()
	}
	a.streams = nil
}

func (st *shuffleStream) memBytes() int64 {
	var n int64
	for _, g := range st.segs {
		if g.mem != nil {
			n += g.n
		}
	}
	return n
}

// streams are partition p's committed streams.
func (s *shuffleStore) streams(p int) []*shuffleStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.parts[p]
}

// read calls fn with each chunk of st in order; fn must not keep them.
func (s *shuffleStore) read(st *shuffleStream, fn func([]byte) error) error {
	var buf []byte
	for _, g := range st.segs {
		if g.mem != nil {
			if err := fn(g.mem); err != nil {
				return err
			}
			continue
		}
		s.mu.Lock()
		f := s.file
		s.mu.Unlock()
		if f == nil {
			return fmt.Errorf("%w: exchange closed", errs.ErrExec)
		}
		if int64(cap(buf)) < g.n {
			buf = make([]byte, g.n)
		}
		b := buf[:g.n]
		if _, err := f.ReadAt(b, g.off); err != nil {
			return fmt.Errorf("%w: read exchange spill %s: %w", errs.ErrExec, f.Name(), err)
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// release frees partition p once its reduce task has succeeded.
func (s *shuffleStore) release(p int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.parts[p] {
		s.held -= st.memBytes()
	}
	s.parts[p] = nil
}

// close frees everything and removes the spill file.
func (s *shuffleStore) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.parts = make([][]*shuffleStream, len(s.parts))
	s.held, s.removed = 0, true
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := s.file.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	s.file = nil
	if err != nil {
		return fmt.Errorf("%w: remove exchange spill %s: %w", errs.ErrExec, name, err)
	}
	return nil
}
