package remote

import (
	"strings"
	"testing"

	"lakeframe/plan"
	"lakeframe/plan/physical"
)

// TestBroadcastableJoinTypes checks which joins may run per probe
// partition with the build side whole: those whose output for a probe row
// depends on that row alone.
func TestBroadcastableJoinTypes(t *testing.T) {
	build := &physical.Scan{Plan: &plan.ScanPlan{Stats: plan.ScanStats{BytesToRead: 1000}}}
	cases := []struct {
		typ       plan.JoinType
		buildLeft bool
		ok        bool
	}{
		{plan.InnerJoin, false, true},
		{plan.InnerJoin, true, true},
		{plan.LeftJoin, false, true},
		{plan.LeftJoin, true, false}, // unmatched left rows are build rows
		{plan.RightJoin, false, false},
		{plan.RightJoin, true, true},
		{plan.FullJoin, false, false},
		{plan.FullJoin, true, false},
		{plan.SemiJoin, false, true},
		{plan.SemiJoin, true, false}, // marks build rows, emits them at the end
		{plan.AntiJoin, false, true},
		{plan.AntiJoin, true, false},
		{plan.CrossJoin, false, true},
	}
	for _, c := range cases {
		j := &physical.HashJoin{Build: build, BuildIsLeft: c.buildLeft, Logical: &plan.Join{Type: c.typ}}
		why := broadcastable(j, 64<<20)
		if (why == "") != c.ok {
			t.Errorf("%s build left %v: broadcastable %q, want ok=%v", c.typ, c.buildLeft, why, c.ok)
		}
	}
	j := &physical.HashJoin{Build: build, Logical: &plan.Join{Type: plan.InnerJoin}}
	if why := broadcastable(j, 1000); !strings.Contains(why, "about 1000 bytes") {
		t.Errorf("build side at the limit: %q", why)
	}
	j.Build = &physical.HashAggregate{Input: &physical.Scan{Plan: &plan.ScanPlan{Stats: plan.ScanStats{BytesToRead: 100 << 20}}}, Mode: physical.AggFinal}
	if why := broadcastable(j, 64<<20); !strings.Contains(why, "reading about") {
		t.Errorf("small aggregate of a large input: %q", why)
	}
	j.Build = &physical.Limit{Input: build, N: 10}
	if why := broadcastable(j, 64<<20); !strings.Contains(why, "might see differently") {
		t.Errorf("limit on the build side: %q", why)
	}
	j.Build = &physical.Shared{Input: build}
	if why := broadcastable(j, 64<<20); !strings.Contains(why, "shared") {
		t.Errorf("shared build side: %q", why)
	}
	var o ShuffleOptions
	o.BroadcastBytes = -1
	if _, why := o.matchBroadcast(j); why == "" {
		t.Errorf("negative BroadcastBytes still broadcasts")
	}
}
