package tpchgen

import (
	"errors"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// errStopped is returned to dbgen when a table's writer has failed or the
// context ended; Generate reports the real cause instead.
var errStopped = errors.New("tpchgen: generation stopped")

// batch is one record batch on its way to a table's file writer.
type batch struct {
	rec arrow.RecordBatch
	// lastInFile closes the current file after rec.
	lastInFile bool
}

// sink gathers one table's rows into record batches on the generator's
// goroutine and hands them to the table's file writer. Batches are cut at
// file boundaries, so a file holds whole batches.
type sink struct {
	rb        *array.RecordBuilder
	batchSize int
	perFile   int64
	n         int   // rows in the open batch
	limit     int   // n at which the open batch is cut
	inFile    int64 // rows already handed over for the current file
	out       chan batch
	closed    bool
	stop      <-chan struct{}
	// err is the first error handed to dbgen, which keeps only its text.
	err error
	// strs and strBytes are the string columns' builders and the bytes
	// each held in the last batch, reserved up front for the next one.
	strs     []*array.StringBuilder
	strBytes []int
	prevRows int
}

func newSink(mem memory.Allocator, schema *arrow.Schema, batchSize int, perFile int64, stop <-chan struct{}) *sink {
	s := &sink{
		rb:        array.NewRecordBuilder(mem, schema),
		batchSize: batchSize,
		perFile:   perFile,
		// Two batches in flight let the generator run ahead of a writer
		// while it compresses, without holding much of a table in memory.
		out:  make(chan batch, 2),
		stop: stop,
	}
	for _, f := range s.rb.Fields() {
		if b, ok := f.(*array.StringBuilder); ok {
			s.strs = append(s.strs, b)
		}
	}
	s.strBytes = make([]int, len(s.strs))
	s.startBatch()
	return s
}

func (s *sink) startBatch() {
	s.limit = int(min(int64(s.batchSize), s.perFile-s.inFile))
	s.rb.Reserve(s.limit)
	for i, b := range s.strs {
		// Scale by the batch length, and leave some slack so that a
		// batch of longer strings rarely grows the buffer.
		b.ReserveData(s.strBytes[i] * s.limit / max(s.prevRows, 1) * 9 / 8)
	}
}

// rowDone counts a row appended to the builders and hands the batch over
// when it is full.
func (s *sink) rowDone() error {
	s.n++
	if s.n < s.limit {
		return nil
	}
	return s.flush(false)
}

// flush hands the open batch over; last marks the table's final batch.
func (s *sink) flush(last bool) error {
	if s.n == 0 {
		return nil
	}
	for i, b := range s.strs {
		s.strBytes[i] = b.DataLen()
	}
	s.prevRows = s.n
	rec := s.rb.NewRecordBatch()
	s.inFile += int64(s.n)
	s.n = 0
	b := batch{rec: rec, lastInFile: last || s.inFile >= s.perFile}
	if b.lastInFile {
		s.inFile = 0
	}
	select {
	case s.out <- b:
	case <-s.stop:
		rec.Release()
		return s.fail(errStopped)
	}
	if !last {
		s.startBatch()
	}
	return nil
}

// fail records err as the sink's first error and returns it.
func (s *sink) fail(err error) error {
	if s.err == nil {
		s.err = err
	}
	return err
}

// done tells the writer there are no more batches.
func (s *sink) done() {
	if !s.closed {
		s.closed = true
		close(s.out)
	}
}

// release frees the builders and any batch the writer never took. It runs
// after the writer has returned.
func (s *sink) release() {
	s.done()
	for b := range s.out {
		b.rec.Release()
	}
	s.rb.Release()
}
