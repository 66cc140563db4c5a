package physical

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/expr"
	"lakeframe/plan"
)

// Scan reads the tasks of a planned source; each partition reads its own
// group of tasks, balanced by estimated size.
type Scan struct {
	Source plan.Source
	// Logical is the optimized scan, with its pushdowns.
	Logical *plan.Scan
	Plan    *plan.ScanPlan
	// Groups[i] are the tasks of partition i.
	Groups [][]plan.Task
}

func (s *Scan) Schema() *arrow.Schema { return s.Logical.Schema() }
func (s *Scan) Children() []Node      { return nil }
func (s *Scan) Partitions() int       { return max(len(s.Groups), 1) }
func (s *Scan) String() string {
	out := strings.Replace(s.Logical.String(), "Scan ", "ScanExec ", 1)
	out += fmt.Sprintf(" tasks=%d partitions=%d", len(s.Plan.Tasks), s.Partitions())
	if st := s.Plan.Stats.String(); st != "" {
		out += " " + st
	}
	return out
}

func (s *Scan) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("scan", 0, children); err != nil {
		return nil, err
	}
	return s, nil
}

// Filter keeps the rows where Pred is true, per partition.
type Filter struct {
	Input Node
	Pred  expr.Node
}

func (f *Filter) Schema() *arrow.Schema { return f.Input.Schema() }
func (f *Filter) Children() []Node      { return []Node{f.Input} }
func (f *Filter) Partitions() int       { return f.Input.Partitions() }
func (f *Filter) String() string        { return "FilterExec " + f.Pred.String() }

func (f *Filter) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("filter", 1, children); err != nil {
		return nil, err
	}
	c := *f
	c.Input = children[0]
	return &c, nil
}

// Project computes expressions per partition.
type Project struct {
	Input   Node
	Exprs   []expr.Node
	OutType *arrow.Schema
}

func (p *Project) Schema() *arrow.Schema { return p.OutType }
func (p *Project) Children() []Node      { return []Node{p.Input} }
func (p *Project) Partitions() int       { return p.Input.Partitions() }
func (p *Project) String() string        { return "ProjectExec " + joinExprs(p.Exprs) }

func (p *Project) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("project", 1, children); err != nil {
		return nil, err
	}
	c := *p
	c.Input = children[0]
	return &c, nil
}

// AggMode says which half of a two-phase aggregation a node computes.
type AggMode int

const (
	// AggSingle aggregates raw rows to final values in one step.
	AggSingle AggMode = iota
	// AggPartial aggregates raw rows to partial states, per partition.
	AggPartial
	// AggFinal merges partial states into final values.
	AggFinal
)

var aggModeNames = [...]string{"single", "partial", "final"}

func (m AggMode) String() string { return aggModeNames[m] }

// HashAggregate groups rows by key. In AggPartial mode the output is the
// keys followed by each aggregate's state columns; AggFinal reads that
// layout (its Keys and Aggs are still written against the original input,
// InputSchema) and produces the keys followed by the aggregates.
type HashAggregate struct {
	Input Node
	Mode  AggMode
	Keys  []expr.Node
	Aggs  []*expr.Agg
	// Names are the output names of the keys and aggregates.
	Names []string
	// InputSchema is the schema Keys and Aggs are resolved against.
	InputSchema *arrow.Schema
	OutType     *arrow.Schema
}

func (a *HashAggregate) Schema() *arrow.Schema { return a.OutType }
func (a *HashAggregate) Children() []Node      { return []Node{a.Input} }
func (a *HashAggregate) Partitions() int {
	if a.Mode == AggPartial {
		return a.Input.Partitions()
	}
	return 1
}
func (a *HashAggregate) String() string {
	aggs := make([]string, len(a.Aggs))
	for i, x := range a.Aggs {
		aggs[i] = x.String()
		if name := a.Names[len(a.Keys)+i]; name != expr.OutputName(x) {
			aggs[i] += " AS " + name
		}
	}
	return fmt.Sprintf("HashAggregateExec mode=%s keys=[%s] aggs=[%s]", a.Mode, joinExprs(a.Keys), strings.Join(aggs, ", "))
}

func (a *HashAggregate) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("hash aggregate", 1, children); err != nil {
		return nil, err
	}
	c := *a
	c.Input = children[0]
	return &c, nil
}

// Coalesce merges the partitions of its input into one stream.
type Coalesce struct {
	Input Node
}

func (c *Coalesce) Schema() *arrow.Schema { return c.Input.Schema() }
func (c *Coalesce) Children() []Node      { return []Node{c.Input} }
func (c *Coalesce) Partitions() int       { return 1 }
func (c *Coalesce) String() string {
	return fmt.Sprintf("CoalesceExec partitions=%d", c.Input.Partitions())
}

func (c *Coalesce) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("coalesce", 1, children); err != nil {
		return nil, err
	}
	out := *c
	out.Input = children[0]
	return &out, nil
}

// Sort sorts its single input partition.
type Sort struct {
	Input Node
	Keys  []*expr.SortKey
}

func (s *Sort) Schema() *arrow.Schema { return s.Input.Schema() }
func (s *Sort) Children() []Node      { return []Node{s.Input} }
func (s *Sort) Partitions() int       { return 1 }
func (s *Sort) String() string        { return "SortExec " + joinSortKeys(s.Keys) }

func (s *Sort) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("sort", 1, children); err != nil {
		return nil, err
	}
	c := *s
	c.Input = children[0]
	return &c, nil
}

// TopK keeps the first K rows in sort order, per partition; a TopK over a
// Coalesce of TopKs gives the global answer.
type TopK struct {
	Input Node
	Keys  []*expr.SortKey
	K     int64
}

func (t *TopK) Schema() *arrow.Schema { return t.Input.Schema() }
func (t *TopK) Children() []Node      { return []Node{t.Input} }
func (t *TopK) Partitions() int       { return t.Input.Partitions() }
func (t *TopK) String() string        { return fmt.Sprintf("TopKExec k=%d %s", t.K, joinSortKeys(t.Keys)) }

func (t *TopK) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("top k", 1, children); err != nil {
		return nil, err
	}
	c := *t
	c.Input = children[0]
	return &c, nil
}

// Limit skips Offset rows and passes N, over a single partition; with
// several partitions each passes Offset+N rows and a Coalesce plus a
// single-partition Limit above finishes the job.
type Limit struct {
	Input     Node
	Offset, N int64
}

func (l *Limit) Schema() *arrow.Schema { return l.Input.Schema() }
func (l *Limit) Children() []Node      { return []Node{l.Input} }
func (l *Limit) Partitions() int       { return l.Input.Partitions() }
func (l *Limit) String() string {
	if l.Offset > 0 {
		return fmt.Sprintf("LimitExec %d offset=%d", l.N, l.Offset)
	}
	return fmt.Sprintf("LimitExec %d", l.N)
}

func (l *Limit) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("limit", 1, children); err != nil {
		return nil, err
	}
	c := *l
	c.Input = children[0]
	return &c, nil
}

func joinExprs(es []expr.Node) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

func joinSortKeys(ks []*expr.SortKey) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = k.String()
	}
	return strings.Join(parts, ", ")
}
