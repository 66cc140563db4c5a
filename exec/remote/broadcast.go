package remote

import (
	"encoding/json"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec"
	"lakeframe/plan/physical"
)

// broadcast is a join subtree below a Coalesce that runs on executors one
// scan partition at a time. Its spine, followed from the top through
// filters, projections, a partial aggregate at the top and the probe side
// of hash joins, ends at one partitioned scan; the joins' build sides are
// small and go whole with every fragment. An executor reads a build side
// from storage itself and builds its hash table per fragment, so only the
// fragments' results cross the wire.
type broadcast struct {
	// root is the encoded subtree; its spine scan holds every partition.
	root *nodeJSON
	// depth is the number of nodes above the spine scan.
	depth int
	scan  *physical.Scan
	out   *arrow.Schema
}

// broadcastBytes is the largest estimated build side shipped whole, or
// -1 for none.
func (o *ShuffleOptions) broadcastBytes() int64 { return threshold(o.BroadcastBytes, 64<<20) }

// matchBroadcast recognizes a broadcast join subtree, or says why n is not
// one. Only joins whose output for a probe partition depends on that
// partition alone qualify: a join that emits unmatched build rows (right
// or full outer building on the outer side, semi or anti building on
// their left) would emit them once per fragment.
func (o *ShuffleOptions) matchBroadcast(n physical.Node) (*broadcast, string) {
	limit := o.broadcastBytes()
	if limit < 0 {
		return nil, "broadcast joins are off"
	}
	depth, joins := 0, 0
	cur := n
spine:
	for {
		switch x := cur.(type) {
		case *physical.Filter:
			cur = x.Input
		case *physical.Project:
			cur = x.Input
		case *physical.HashAggregate:
			if x.Mode != physical.AggPartial || depth > 0 {
				return nil, "aggregate that is not a partial aggregate at the top"
			}
			cur = x.Input
		case *physical.HashJoin:
			if why := broadcastable(x, limit); why != "" {
				return nil, why
			}
			joins++
			cur = x.Probe
		case *physical.Scan:
			break spine
		default:
			return nil, fmt.Sprintf("%T on the probe side", cur)
		}
		depth++
	}
	if joins == 0 {
		return nil, "no join"
	}
	scan := cur.(*physical.Scan)
	root, err := encodeNode(n)
	if err != nil {
		return nil, err.Error()
	}
	spineScan := root
	for range depth {
		spineScan = spineScan.Kids[0]
	}
	if spineScan.Kind != "scan" || (len(scan.Groups) > 0 && len(spineScan.Groups) != len(scan.Groups)) {
		return nil, fmt.Sprintf("internal: the encoded probe side ends at %q with %d partitions", spineScan.Kind, len(spineScan.Groups))
	}
	// Built, not run, for the output schema, as for scan chains.
	op, err := exec.Build(n)
	if err != nil {
		return nil, err.Error()
	}
	return &broadcast{root: root, depth: depth, scan: scan, out: op.Schema()}, ""
}

// broadcastable says why join j cannot be run per probe partition with
// its build side whole, or "" when it can.
func broadcastable(j *physical.HashJoin, limit int64) string {
	if j.NeedsAllProbeRows() {
		return fmt.Sprintf("%s emits rows of its build side once every probe row is seen", j)
	}
	if hasShared(j.Build) {
		return fmt.Sprintf("%s builds on a shared input", j)
	}
	if n := nondeterministic(j.Build); n != nil {
		return fmt.Sprintf("%s builds on %s, which fragments might see differently", j, n)
	}
	b, ok := physical.EstimateBytes(j.Build)
	if !ok {
		return fmt.Sprintf("%s has a build side of unknown size", j)
	}
	if b >= limit {
		return fmt.Sprintf("%s has a build side of about %d bytes, broadcast limit %d", j, b, limit)
	}
	// Every fragment reads the build side's inputs again: a small result
	// of a large aggregation is not worth recomputing per partition.
	if r := scannedBytes(j.Build); r >= limit {
		return fmt.Sprintf("%s has a build side reading about %d bytes, broadcast limit %d", j, r, limit)
	}
	return ""
}

// nondeterministic returns a node under n whose rows may differ from one
// run to the next (a limit picks whichever rows come first, a top-k
// whichever of tied rows), or nil.
func nondeterministic(n physical.Node) physical.Node {
	switch n.(type) {
	case *physical.Limit, *physical.TopK:
		return n
	}
	for _, c := range n.Children() {
		if x := nondeterministic(c); x != nil {
			return x
		}
	}
	return nil
}

// scannedBytes is what the scans under n are estimated to read.
func scannedBytes(n physical.Node) int64 {
	if s, ok := n.(*physical.Scan); ok && s.Plan != nil {
		return s.Plan.Stats.BytesToRead
	}
	var b int64
	for _, c := range n.Children() {
		b += scannedBytes(c)
	}
	return b
}

// encode returns the fragment for partition i of the spine scan: the
// subtree with that scan restricted to the partition.
func (b *broadcast) encode(i int, batchSize int, compression string) ([]byte, error) {
	f := fragment{Plan: restrictSpine(b.root, b.depth, i), BatchSize: batchSize, Compression: compression}
	return json.Marshal(&f)
}

// restrictSpine copies the nodes from j down depth first children, the
// last of which, a scan, keeps only partition i.
func restrictSpine(j *nodeJSON, depth, i int) *nodeJSON {
	c := *j
	if depth == 0 {
		c.Groups = []json.RawMessage{j.Groups[i]}
		return &c
	}
	c.Kids = append([]*nodeJSON{restrictSpine(j.Kids[0], depth-1, i)}, j.Kids[1:]...)
	return &c
}
