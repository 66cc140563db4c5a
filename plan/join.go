package plan

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/expr"
)

// JoinType says which rows a join keeps.
type JoinType int

// Join types. Semi and anti joins keep left rows that have (or lack) a
// match, and only the left columns.
const (
	InnerJoin JoinType = iota
	LeftJoin
	RightJoin
	FullJoin
	SemiJoin
	AntiJoin
	CrossJoin
)

var joinTypeNames = [...]string{"inner", "left", "right", "full", "semi", "anti", "cross"}

func (t JoinType) String() string { return joinTypeNames[t] }

// Join combines rows of Left and Right whose keys are equal (NULL keys
// never match) and for which Filter, if any, is true. The output has the
// left columns, then the right columns (none for semi and anti joins);
// RightNames gives the right columns' output names.
type Join struct {
	Left, Right Node
	Type        JoinType
	// LeftKeys[i] = RightKeys[i], resolved against each side's schema.
	LeftKeys, RightKeys []expr.Node
	// Filter is an extra condition on the joined row, resolved against the
	// output schema (for semi/anti joins: the left columns followed by the
	// right columns); nil means none.
	Filter expr.Node
	// RightNames are the output names of the right columns.
	RightNames []string
	// DropRightKeys leaves out right key columns that equal a left key
	// column of the same name (joins on shared column names).
	DropRight []bool
	// Spec is what the join was built from; WithChildren rebuilds from it.
	Spec     JoinSpec
	schema   *arrow.Schema
	combined *arrow.Schema // left + right, for the filter
}

var _ Node = (*Join)(nil)

// JoinSpec describes a join to NewJoin.
type JoinSpec struct {
	Type                JoinType
	LeftKeys, RightKeys []expr.Node
	Filter              expr.Node
	// Suffix is appended to right column names that clash with left ones;
	// empty means "_right".
	Suffix string
	// CoalesceKeys drops right key columns that are plain columns named
	// like their left key column, as joining on shared names does; only
	// for inner, left, semi and anti joins, where they equal the left key.
	CoalesceKeys bool
}

// NewJoin resolves keys and filter and builds the output schema.
func NewJoin(left, right Node, spec JoinSpec) (*Join, error) {
	if len(spec.LeftKeys) != len(spec.RightKeys) {
		return nil, fmt.Errorf("%w: join: %d left keys but %d right keys", errs.ErrPlan, len(spec.LeftKeys), len(spec.RightKeys))
	}
	if spec.Type == CrossJoin && len(spec.LeftKeys) > 0 {
		return nil, fmt.Errorf("%w: cross join takes no keys", errs.ErrPlan)
	}
	if spec.Type != CrossJoin && len(spec.LeftKeys) == 0 && spec.Filter == nil {
		return nil, fmt.Errorf("%w: %s join needs keys or a condition (use a cross join for every pair)", errs.ErrPlan, spec.Type)
	}
	j := &Join{Left: left, Right: right, Type: spec.Type, Spec: spec,
		LeftKeys: make([]expr.Node, len(spec.LeftKeys)), RightKeys: make([]expr.Node, len(spec.RightKeys))}
	for i := range spec.LeftKeys {
		l, err := expr.Resolve(spec.LeftKeys[i], left.Schema())
		if err != nil {
			return nil, fmt.Errorf("join left key: %w", err)
		}
		r, err := expr.Resolve(spec.RightKeys[i], right.Schema())
		if err != nil {
			return nil, fmt.Errorf("join right key: %w", err)
		}
		lt, _ := expr.TypeOf(l, left.Schema())
		rt, _ := expr.TypeOf(r, right.Schema())
		lc, rc, _, err := expr.Unify(l, lt, r, rt)
		if err != nil {
			return nil, fmt.Errorf("%w: join key %s = %s: %v", errs.ErrPlan, l, r, err)
		}
		j.LeftKeys[i], j.RightKeys[i] = lc, rc
	}

	suffix := spec.Suffix
	if suffix == "" {
		suffix = "_right"
	}
	leftNames := map[string]bool{}
	fields := append([]arrow.Field(nil), left.Schema().Fields()...)
	for _, f := range fields {
		leftNames[f.Name] = true
	}
	coalesce := spec.CoalesceKeys && (spec.Type == InnerJoin || spec.Type == LeftJoin || spec.Type == SemiJoin || spec.Type == AntiJoin)
	j.DropRight = make([]bool, right.Schema().NumFields())
	j.RightNames = make([]string, right.Schema().NumFields())
	combined := append([]arrow.Field(nil), fields...)
	for i, f := range right.Schema().Fields() {
		name := f.Name
		if coalesce && sharedKey(spec.LeftKeys, spec.RightKeys, name) {
			j.DropRight[i] = true
		}
		for leftNames[name] && !j.DropRight[i] {
			name += suffix
		}
		j.RightNames[i] = name
		f.Name = name
		f.Nullable = true
		if !j.DropRight[i] {
			combined = append(combined, f)
			if spec.Type != SemiJoin && spec.Type != AntiJoin {
				fields = append(fields, f)
			}
		}
	}
	if spec.Type == RightJoin || spec.Type == FullJoin {
		for i := range left.Schema().NumFields() {
			fields[i].Nullable = true
		}
	}
	j.schema = arrow.NewSchema(fields, nil)
	j.combined = arrow.NewSchema(combined, nil)
	if spec.Filter != nil {
		f, err := expr.Resolve(spec.Filter, j.combined)
		if err != nil {
			return nil, fmt.Errorf("join condition: %w", err)
		}
		if t, _ := expr.TypeOf(f, j.combined); t.ID() != arrow.BOOL {
			return nil, fmt.Errorf("%w: join condition %s is %s, not boolean", errs.ErrPlan, spec.Filter, t)
		}
		j.Filter = f
	}
	return j, nil
}

// sharedKey reports whether name is a key given as the same plain column on
// both sides.
func sharedKey(lk, rk []expr.Node, name string) bool {
	for i := range lk {
		l, lok := lk[i].(*expr.Column)
		r, rok := rk[i].(*expr.Column)
		if lok && rok && l.Name == name && r.Name == name {
			return true
		}
	}
	return false
}

// CombinedSchema is the schema the join's Filter is resolved against: the
// left columns, then the kept right columns under their output names.
func (j *Join) CombinedSchema() *arrow.Schema { return j.combined }

func (j *Join) Schema() *arrow.Schema { return j.schema }
func (j *Join) Children() []Node      { return []Node{j.Left, j.Right} }

// WithChildren rebuilds the join over new inputs from its spec.
func (j *Join) WithChildren(children ...Node) (Node, error) {
	if len(children) != 2 {
		return nil, fmt.Errorf("%w: join takes two inputs, got %d", errs.ErrInternal, len(children))
	}
	return NewJoin(children[0], children[1], j.Spec)
}

func (j *Join) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Join %s", j.Type)
	if len(j.LeftKeys) > 0 {
		parts := make([]string, len(j.LeftKeys))
		for i := range j.LeftKeys {
			parts[i] = j.LeftKeys[i].String() + " = " + j.RightKeys[i].String()
		}
		fmt.Fprintf(&sb, " on=[%s]", strings.Join(parts, ", "))
	}
	if j.Filter != nil {
		fmt.Fprintf(&sb, " filter=%s", j.Filter)
	}
	return sb.String()
}
