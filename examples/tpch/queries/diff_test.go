//go:build cgo

package queries_test

import (
	"math"
	"strings"
	"testing"
)

// The comparison the DuckDB test relies on, checked on hand-made answers.
func TestDiff(t *testing.T) {
	tests := []struct {
		name      string
		got, want answer
		orderBy   []int
		differ    string // a fragment of the explanation; "" for the same answer
	}{
		{"same", answer{{int64(1), "a", 2.5}}, answer{{int64(1), "a", 2.5}}, nil, ""},
		{"float within tolerance", answer{{1e12 + 1e-4}}, answer{{1e12}}, nil, ""},
		{"float beyond tolerance", answer{{1.0 + 1e-8}}, answer{{1.0}}, nil, "column 0"},
		{"zero against tiny", answer{{0.0}}, answer{{1e-300}}, nil, "column 0"},
		{"NaN equals NaN", answer{{math.NaN()}}, answer{{math.NaN()}}, nil, ""},
		{"int is not float", answer{{int64(3)}}, answer{{3.0}}, nil, "column 0"},
		{"nulls", answer{{nil, int64(1)}}, answer{{nil, int64(1)}}, nil, ""},
		{"null against value", answer{{nil}}, answer{{int64(0)}}, nil, "column 0"},
		{"row count", answer{{int64(1)}}, answer{{int64(1)}, {int64(2)}}, nil, "1 rows, want 2"},
		{"column count", answer{{int64(1)}}, answer{{int64(1), int64(2)}}, nil, "columns"},
		{"unordered query in any order",
			answer{{"b", int64(2)}, {"a", int64(1)}}, answer{{"a", int64(1)}, {"b", int64(2)}}, nil, ""},
		{"wrong order on the order key",
			answer{{"b", int64(2)}, {"a", int64(1)}}, answer{{"a", int64(1)}, {"b", int64(2)}}, []int{0}, "order key"},
		{"ties on the order key in any order",
			answer{{int64(5), "y"}, {int64(5), "x"}, {int64(4), "z"}},
			answer{{int64(5), "x"}, {int64(5), "y"}, {int64(4), "z"}}, []int{0}, ""},
		{"ties with a wrong row",
			answer{{int64(5), "y"}, {int64(5), "w"}}, answer{{int64(5), "x"}, {int64(5), "y"}}, []int{0}, "column 1"},
		{"float order key within tolerance",
			answer{{1.0 + 1e-12, "a"}, {0.5, "b"}}, answer{{1.0, "a"}, {0.5, "b"}}, []int{0}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := diff(tt.got, tt.want, tt.orderBy)
			switch {
			case tt.differ == "" && d != "":
				t.Errorf("want the same answer, got %q", d)
			case tt.differ != "" && !strings.Contains(d, tt.differ):
				t.Errorf("want a difference mentioning %q, got %q", tt.differ, d)
			}
		})
	}
}
