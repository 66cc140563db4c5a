package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

// Project computes one output column per expression.
type Project struct {
	Input  Node
	Exprs  []expr.Node
	schema *arrow.Schema
}

var _ Node = (*Project)(nil)

// NewProject resolves the expressions against the input. Output names must
// be unique.
func NewProject(in Node, exprs []expr.Node) (*Project, error) {
	resolved := make([]expr.Node, len(exprs))
	fields := make([]arrow.Field, len(exprs))
	seen := map[string]bool{}
	for i, e := range exprs {
		r, err := expr.Resolve(e, in.Schema())
		if err != nil {
			return nil, err
		}
		if expr.HasAgg(r) {
			return nil, fmt.Errorf("%w: select %s: aggregates need Agg or GroupBy(...).Agg", errs.ErrPlan, e)
		}
		if _, ok := r.(*expr.SortKey); ok {
			return nil, fmt.Errorf("%w: select %s: a sort key is only valid in Sort", errs.ErrPlan, e)
		}
		f, err := expr.Field(r, in.Schema())
		if err != nil {
			return nil, err
		}
		if seen[f.Name] {
			return nil, fmt.Errorf("%w: select: duplicate output column %q (use Alias)", errs.ErrPlan, f.Name)
		}
		seen[f.Name] = true
		resolved[i], fields[i] = r, f
	}
	return &Project{Input: in, Exprs: resolved, schema: arrow.NewSchema(fields, nil)}, nil
}

func (p *Project) Schema() *arrow.Schema { return p.schema }
func (p *Project) Children() []Node      { return []Node{p.Input} }
func (p *Project) WithChildren(children ...Node) (Node, error) {
	if len(children) != 1 {
		return nil, fmt.Errorf("%w: project takes one input, got %d", errs.ErrInternal, len(children))
	}
	return NewProject(children[0], p.Exprs)
}

func (p *Project) String() string { return "Project " + formatExprs(p.Exprs) }

// formatExprs prints expressions, naming the ones whose output name is not
// obvious from the expression itself.
func formatExprs(es []expr.Node) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
