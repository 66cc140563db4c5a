package physical_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"lakeframe/errs"
	"lakeframe/plan/physical"
)

// TestWithChildren checks that every node kind copies itself onto new
// inputs, keeps its other fields, leaves the original alone and refuses a
// wrong number of inputs.
func TestWithChildren(t *testing.T) {
	oldA, oldB := &physical.Values{Reason: "old a"}, &physical.Values{Reason: "old b"}
	newA, newB := &physical.Values{Reason: "new a"}, &physical.Values{Reason: "new b"}
	scan := &physical.Scan{}
	cases := []struct {
		name string
		node physical.Node
		in   []physical.Node
		want physical.Node
	}{
		{"scan", scan, nil, scan},
		{"values", oldA, nil, oldA},
		{"filter", &physical.Filter{Input: oldA}, []physical.Node{newA}, &physical.Filter{Input: newA}},
		{"project", &physical.Project{Input: oldA}, []physical.Node{newA}, &physical.Project{Input: newA}},
		{"hash aggregate", &physical.HashAggregate{Input: oldA, Mode: physical.AggFinal, Names: []string{"k"}},
			[]physical.Node{newA}, &physical.HashAggregate{Input: newA, Mode: physical.AggFinal, Names: []string{"k"}}},
		{"coalesce", &physical.Coalesce{Input: oldA}, []physical.Node{newA}, &physical.Coalesce{Input: newA}},
		{"sort", &physical.Sort{Input: oldA}, []physical.Node{newA}, &physical.Sort{Input: newA}},
		{"top k", &physical.TopK{Input: oldA, K: 3}, []physical.Node{newA}, &physical.TopK{Input: newA, K: 3}},
		{"limit", &physical.Limit{Input: oldA, Offset: 2, N: 7}, []physical.Node{newA}, &physical.Limit{Input: newA, Offset: 2, N: 7}},
		{"shared", &physical.Shared{Input: oldA, ID: 9, Consumers: 2}, []physical.Node{newA}, &physical.Shared{Input: newA, ID: 9, Consumers: 2}},
		{"hash join", &physical.HashJoin{Probe: oldA, Build: oldB, BuildIsLeft: true},
			[]physical.Node{newA, newB}, &physical.HashJoin{Probe: newA, Build: newB, BuildIsLeft: true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := c.node.Children()
			got, err := c.node.WithChildren(c.in...)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %#v, want %#v", got, c.want)
			}
			if len(c.in) > 0 && got == c.node {
				t.Error("returned the node itself, want a copy")
			}
			if !reflect.DeepEqual(c.node.Children(), before) {
				t.Errorf("original's inputs changed to %v, want %v", c.node.Children(), before)
			}
			// One input too many and, where there are any, one too few.
			wrongs := [][]physical.Node{append(slices.Clone(c.in), newB)}
			if len(c.in) > 0 {
				wrongs = append(wrongs, c.in[1:])
			}
			for _, wrong := range wrongs {
				if _, err := c.node.WithChildren(wrong...); !errors.Is(err, errs.ErrInternal) {
					t.Errorf("%d inputs: err %v, want ErrInternal", len(wrong), err)
				}
			}
		})
	}
}
