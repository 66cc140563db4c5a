package exec

import (
	"sync"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
)

// Metrics counts rows and bytes per operator while a query runs. It is safe
// for concurrent use.
type Metrics struct {
	mu  sync.Mutex
	ops []*OpMetrics
}

// OpMetrics are one operator's counters.
type OpMetrics struct {
	Name      string
	RowsOut   atomic.Int64
	BytesOut  atomic.Int64
	BatchesIn atomic.Int64
}

// Register adds an operator's counters.
func (m *Metrics) Register(name string) *OpMetrics {
	op := &OpMetrics{Name: name}
	if m == nil {
		return op
	}
	m.mu.Lock()
	m.ops = append(m.ops, op)
	m.mu.Unlock()
	return op
}

// OpSnapshot is a copy of one operator's counters at a moment.
type OpSnapshot struct {
	Name     string
	RowsOut  int64
	BytesOut int64
}

// Snapshot copies every operator's counters.
func (m *Metrics) Snapshot() []OpSnapshot {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]OpSnapshot, len(m.ops))
	for i, op := range m.ops {
		out[i] = OpSnapshot{Name: op.Name, RowsOut: op.RowsOut.Load(), BytesOut: op.BytesOut.Load()}
	}
	return out
}

// countOut adds a batch to an operator's output counters.
func countOut(m *OpMetrics, rec arrow.RecordBatch) {
	m.RowsOut.Add(rec.NumRows())
	var bytes int64
	for _, col := range rec.Columns() {
		for _, buf := range col.Data().Buffers() {
			if buf != nil {
				bytes += int64(buf.Len())
			}
		}
	}
	m.BytesOut.Add(bytes)
}
