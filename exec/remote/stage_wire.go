package remote

import (
	"encoding/binary"
	"fmt"
)

// mapRequest is a map task: run partition Partition of Plan and split its
// rows by the hash of Keys into Parts partitions (all into partition 0
// when there are no keys).
type mapRequest struct {
	Plan        *nodeJSON   `json:"plan"`
	Partition   int         `json:"partition"`
	Keys        []*exprJSON `json:"keys,omitempty"`
	Parts       int         `json:"parts"`
	BatchSize   int         `json:"batch_size"`
	Compression string      `json:"compression,omitempty"`
	// MemoryBudget is the coordinator's TaskContext.MemoryBudget, which
	// the task's hash joins spill past, as they would there.
	MemoryBudget int64 `json:"memory_budget,omitempty"`
}

// reduceRequest is a reduce task: Plan reads its exchange inputs from the
// IPC streams that follow the request, Inputs[i] giving input i's schema.
// With Parts set the task is also the map task of the next exchange: its
// result is split by Keys into Parts partitions and sent as mapTask
// sends, each message tagged with its partition.
type reduceRequest struct {
	Plan         *nodeJSON   `json:"plan"`
	Inputs       [][]byte    `json:"inputs"`
	Keys         []*exprJSON `json:"keys,omitempty"`
	Parts        int         `json:"parts,omitempty"`
	BatchSize    int         `json:"batch_size"`
	Compression  string      `json:"compression,omitempty"`
	MemoryBudget int64       `json:"memory_budget,omitempty"`
}

// maxChunk bounds a message's payload, well under gRPC's default 4 MiB
// message limit.
const maxChunk = 1 << 20

// sendTagged sends b in pieces of at most maxChunk bytes, each prefixed by
// the tags as uvarints.
func sendTagged(send func([]byte) error, b []byte, tags ...int) error {
	var head [2 * binary.MaxVarintLen64]byte
	n := 0
	for _, t := range tags {
		n += binary.PutUvarint(head[n:], uint64(t))
	}
	msg := make([]byte, 0, n+min(len(b), maxChunk))
	for len(b) > 0 {
		k := min(len(b), maxChunk)
		msg = append(append(msg[:0], head[:n]...), b[:k]...)
		if err := send(msg); err != nil {
			return err
		}
		b = b[k:]
	}
	return nil
}

// untag splits a message made by sendTagged into its tags and payload.
func untag(msg []byte, tags []int) ([]byte, error) {
	for i := range tags {
		v, n := binary.Uvarint(msg)
		if n <= 0 || v > 1<<31 {
			return nil, fmt.Errorf("malformed exchange message (%d bytes)", len(msg))
		}
		tags[i] = int(v)
		msg = msg[n:]
	}
	return msg, nil
}
