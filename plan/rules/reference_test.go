package rules_test

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"

	"lakeframe/expr"
	"lakeframe/plan"
)

// This file is a deliberately naive, row-at-a-time interpreter of logical
// plans over int64, float64, string and bool values (nil is NULL). It
// exists so the property test can check that optimized plans return what
// the original plans return. It evaluates resolved expressions only.

type row = []any

// refData holds each source's rows, all columns in schema order.
type refData map[plan.Source][]row

// run evaluates a plan. Its sources apply exact filters to every row and
// inexact ones only to even rows, as a source that prunes some row groups
// and not others would; a limit truncates after filtering.
func (d refData) run(n plan.Node) ([]row, error) {
	switch x := n.(type) {
	case *plan.Scan:
		src := x.Source.Schema()
		var out []row
		for i, r := range d[x.Source] {
			keep := true
			for _, f := range x.Filters {
				switch x.Source.SupportsFilter(f) {
				case plan.FilterUnsupported:
					continue
				case plan.FilterInexact:
					if i%2 == 1 {
						continue
					}
				}
				v, err := eval(f, src.Fields(), r)
				if err != nil {
					return nil, err
				}
				if v != true {
					keep = false
					break
				}
			}
			if !keep {
				continue
			}
			if x.Limit >= 0 && int64(len(out)) >= x.Limit {
				break
			}
			proj := make(row, 0, x.Schema().NumFields())
			for _, f := range x.Schema().Fields() {
				proj = append(proj, r[src.FieldIndices(f.Name)[0]])
			}
			out = append(out, proj)
		}
		return out, nil
	case *plan.Filter:
		in, err := d.run(x.Input)
		if err != nil {
			return nil, err
		}
		var out []row
		for _, r := range in {
			v, err := eval(x.Pred, x.Input.Schema().Fields(), r)
			if err != nil {
				return nil, err
			}
			if v == true {
				out = append(out, r)
			}
		}
		return out, nil
	case *plan.Project:
		in, err := d.run(x.Input)
		if err != nil {
			return nil, err
		}
		out := make([]row, len(in))
		for i, r := range in {
			out[i] = make(row, len(x.Exprs))
			for j, e := range x.Exprs {
				if out[i][j], err = eval(e, x.Input.Schema().Fields(), r); err != nil {
					return nil, err
				}
			}
		}
		return out, nil
	case *plan.Limit:
		in, err := d.run(x.Input)
		if err != nil {
			return nil, err
		}
		lo := min(x.Offset, int64(len(in)))
		hi := min(lo+x.N, int64(len(in)))
		return in[lo:hi], nil
	case *plan.Distinct:
		in, err := d.run(x.Input)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		var out []row
		for _, r := range in {
			if k := rowKey(r); !seen[k] {
				seen[k] = true
				out = append(out, r)
			}
		}
		return out, nil
	case *plan.Sort:
		in, err := d.run(x.Input)
		if err != nil {
			return nil, err
		}
		keys := make([][]any, len(in))
		for i, r := range in {
			keys[i] = make([]any, len(x.Keys))
			for j, k := range x.Keys {
				if keys[i][j], err = eval(k.In, x.Input.Schema().Fields(), r); err != nil {
					return nil, err
				}
			}
		}
		idx := make([]int, len(in))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(p, q int) int {
			for j, k := range x.Keys {
				if c := sortCompare(keys[p][j], keys[q][j], k.Desc, k.NullsFirst); c != 0 {
					return c
				}
			}
			return 0
		})
		out := make([]row, len(in))
		for i, j := range idx {
			out[i] = in[j]
		}
		return out, nil
	case *plan.Aggregate:
		return d.aggregate(x)
	case *plan.Join:
		return d.join(x)
	}
	return nil, fmt.Errorf("reference: unknown node %T", n)
}

func (d refData) aggregate(a *plan.Aggregate) ([]row, error) {
	in, err := d.run(a.Input)
	if err != nil {
		return nil, err
	}
	fields := a.Input.Schema().Fields()
	type group struct {
		keys row
		rows []row
	}
	var groups []*group
	byKey := map[string]*group{}
	for _, r := range in {
		keys := make(row, len(a.Keys))
		for i, k := range a.Keys {
			if keys[i], err = eval(k, fields, r); err != nil {
				return nil, err
			}
		}
		g := byKey[rowKey(keys)]
		if g == nil {
			g = &group{keys: keys}
			byKey[rowKey(keys)] = g
			groups = append(groups, g)
		}
		g.rows = append(g.rows, r)
	}
	if len(a.Keys) == 0 && len(groups) == 0 {
		groups = append(groups, &group{})
	}
	out := make([]row, len(groups))
	for i, g := range groups {
		out[i] = append(row{}, g.keys...)
		for _, e := range a.Aggs {
			v, err := evalAgg(expr.Unalias(e).(*expr.Agg), fields, g.rows)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], v)
		}
	}
	return out, nil
}

// join is a nested loop: for each left row, its matches in right order;
// then, for right and full joins, the right rows that matched nothing.
func (d refData) join(j *plan.Join) ([]row, error) {
	left, err := d.run(j.Left)
	if err != nil {
		return nil, err
	}
	right, err := d.run(j.Right)
	if err != nil {
		return nil, err
	}
	lf, rf, cf := j.Left.Schema().Fields(), j.Right.Schema().Fields(), j.CombinedSchema().Fields()
	combine := func(l, r row) row {
		out := append(row{}, l...)
		for i := range rf {
			if !j.DropRight[i] {
				out = append(out, r[i])
			}
		}
		return out
	}
	nullLeft, nullRight := make(row, len(lf)), make(row, len(rf))
	match := func(l, r row) (bool, error) {
		for i := range j.LeftKeys {
			lv, err := eval(j.LeftKeys[i], lf, l)
			if err != nil {
				return false, err
			}
			rv, err := eval(j.RightKeys[i], rf, r)
			if err != nil || lv == nil || rv == nil {
				return false, err
			}
			if eq, err := compareValues(expr.OpEq, lv, rv); err != nil || !eq {
				return false, err
			}
		}
		if j.Filter == nil {
			return true, nil
		}
		v, err := eval(j.Filter, cf, combine(l, r))
		return v == true, err
	}
	var out []row
	matchedRight := make([]bool, len(right))
	for _, l := range left {
		matched := false
		for ri, r := range right {
			ok, err := match(l, r)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
			matched, matchedRight[ri] = true, true
			switch j.Type {
			case plan.SemiJoin, plan.AntiJoin:
			default:
				out = append(out, combine(l, r))
			}
		}
		switch {
		case j.Type == plan.SemiJoin && matched, j.Type == plan.AntiJoin && !matched:
			out = append(out, l)
		case !matched && (j.Type == plan.LeftJoin || j.Type == plan.FullJoin):
			out = append(out, combine(l, nullRight))
		}
	}
	if j.Type == plan.RightJoin || j.Type == plan.FullJoin {
		for ri, r := range right {
			if !matchedRight[ri] {
				out = append(out, combine(nullLeft, r))
			}
		}
	}
	return out, nil
}

func evalAgg(a *expr.Agg, fields fieldList, rows []row) (any, error) {
	if a.Fn == expr.AggCountAll {
		return int64(len(rows)), nil
	}
	var vals []any
	for _, r := range rows {
		v, err := eval(a.In, fields, r)
		if err != nil {
			return nil, err
		}
		if v != nil {
			vals = append(vals, v)
		}
	}
	switch a.Fn {
	case expr.AggCount:
		return int64(len(vals)), nil
	case expr.AggCountDistinct:
		seen := map[string]bool{}
		for _, v := range vals {
			seen[rowKey(row{v})] = true
		}
		return int64(len(seen)), nil
	}
	if len(vals) == 0 {
		return nil, nil
	}
	switch a.Fn {
	case expr.AggSum, expr.AggMean:
		var si int64
		var sf float64
		isInt := true
		for _, v := range vals {
			switch x := v.(type) {
			case int64:
				si += x
				sf += float64(x)
			case float64:
				isInt = false
				sf += x
			}
		}
		if a.Fn == expr.AggMean {
			return sf / float64(len(vals)), nil
		}
		if isInt {
			return si, nil
		}
		return sf, nil
	case expr.AggMin, expr.AggMax:
		best := vals[0]
		for _, v := range vals[1:] {
			c := sortCompare(v, best, false, false)
			if a.Fn == expr.AggMin && c < 0 || a.Fn == expr.AggMax && c > 0 {
				best = v
			}
		}
		return best, nil
	}
	return nil, fmt.Errorf("reference: aggregate %s", a.Fn)
}

type fieldList = []arrow.Field

func eval(n expr.Node, fields fieldList, r row) (any, error) {
	switch x := n.(type) {
	case *expr.Column:
		for i, f := range fields {
			if f.Name == x.Name {
				return r[i], nil
			}
		}
		return nil, fmt.Errorf("reference: no column %s", x.Name)
	case *expr.Literal:
		return literalValue(x.Value)
	case *expr.Alias:
		return eval(x.In, fields, r)
	case *expr.Cast:
		v, err := eval(x.In, fields, r)
		if err != nil || v == nil {
			return nil, err
		}
		if i, ok := v.(int64); ok && x.To.ID() == arrow.FLOAT64 {
			return float64(i), nil
		}
		return nil, fmt.Errorf("reference: cast %T to %s", v, x.To)
	case *expr.Unary:
		v, err := eval(x.In, fields, r)
		if err != nil {
			return nil, err
		}
		switch x.Op {
		case expr.OpIsNull:
			return v == nil, nil
		case expr.OpIsNotNull:
			return v != nil, nil
		case expr.OpNot:
			if v == nil {
				return nil, nil
			}
			return !v.(bool), nil
		case expr.OpNeg:
			switch y := v.(type) {
			case int64:
				return -y, nil
			case float64:
				return -y, nil
			}
			return nil, nil
		}
	case *expr.Binary:
		return evalBinary(x, fields, r)
	case *expr.IsIn:
		v, err := eval(x.In, fields, r)
		if err != nil || v == nil {
			return nil, err
		}
		sawNull := false
		for _, item := range x.List {
			w, err := eval(item, fields, r)
			if err != nil {
				return nil, err
			}
			if w == nil {
				sawNull = true
			} else if eq, _ := compareValues(expr.OpEq, v, w); eq {
				return true, nil
			}
		}
		if sawNull {
			return nil, nil
		}
		return false, nil
	case *expr.Case:
		for i, w := range x.Whens {
			c, err := eval(w, fields, r)
			if err != nil {
				return nil, err
			}
			if c == true {
				return eval(x.Thens[i], fields, r)
			}
		}
		if x.Else == nil {
			return nil, nil
		}
		return eval(x.Else, fields, r)
	case *expr.Call:
		return evalCall(x, fields, r)
	}
	return nil, fmt.Errorf("reference: cannot evaluate %s", n)
}

func evalBinary(b *expr.Binary, fields fieldList, r row) (any, error) {
	l, err := eval(b.Left, fields, r)
	if err != nil {
		return nil, err
	}
	rv, err := eval(b.Right, fields, r)
	if err != nil {
		return nil, err
	}
	switch b.Op {
	case expr.OpAnd:
		if l == false || rv == false {
			return false, nil
		}
		if l == nil || rv == nil {
			return nil, nil
		}
		return true, nil
	case expr.OpOr:
		if l == true || rv == true {
			return true, nil
		}
		if l == nil || rv == nil {
			return nil, nil
		}
		return false, nil
	}
	if l == nil || rv == nil {
		return nil, nil
	}
	if b.Op.IsComparison() {
		v, err := compareValues(b.Op, l, rv)
		return v, err
	}
	switch x := l.(type) {
	case int64:
		y := rv.(int64)
		switch b.Op {
		case expr.OpAdd:
			return x + y, nil
		case expr.OpSub:
			return x - y, nil
		case expr.OpMul:
			return x * y, nil
		case expr.OpMod:
			if y == 0 {
				return nil, nil
			}
			return x % y, nil
		}
	case float64:
		y := rv.(float64)
		switch b.Op {
		case expr.OpAdd:
			return x + y, nil
		case expr.OpSub:
			return x - y, nil
		case expr.OpMul:
			return x * y, nil
		case expr.OpDiv:
			return x / y, nil
		case expr.OpMod:
			return math.Mod(x, y), nil
		}
	}
	return nil, fmt.Errorf("reference: %s on %T", b.Op, l)
}

// compareValues compares two non-null values of one type; floats follow
// IEEE 754, so every comparison with NaN but != is false.
func compareValues(op expr.BinaryOp, l, r any) (bool, error) {
	var c int
	switch x := l.(type) {
	case float64:
		y := r.(float64)
		switch op {
		case expr.OpEq:
			return x == y, nil
		case expr.OpNe:
			return x != y, nil
		case expr.OpLt:
			return x < y, nil
		case expr.OpLe:
			return x <= y, nil
		case expr.OpGt:
			return x > y, nil
		case expr.OpGe:
			return x >= y, nil
		}
	case int64:
		c = cmp.Compare(x, r.(int64))
	case string:
		c = strings.Compare(x, r.(string))
	case bool:
		c = cmp.Compare(boolRank(x), boolRank(r.(bool)))
	default:
		return false, fmt.Errorf("reference: compare %T", l)
	}
	switch op {
	case expr.OpEq:
		return c == 0, nil
	case expr.OpNe:
		return c != 0, nil
	case expr.OpLt:
		return c < 0, nil
	case expr.OpLe:
		return c <= 0, nil
	case expr.OpGt:
		return c > 0, nil
	}
	return c >= 0, nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func evalCall(c *expr.Call, fields fieldList, r row) (any, error) {
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		var err error
		if args[i], err = eval(a, fields, r); err != nil {
			return nil, err
		}
	}
	if c.Fn == expr.FnCoalesce {
		for _, v := range args {
			if v != nil {
				return v, nil
			}
		}
		return nil, nil
	}
	if slices.Contains(args, nil) {
		return nil, nil
	}
	s := args[0].(string)
	switch c.Fn {
	case expr.FnLength:
		return int64(utf8.RuneCountInString(s)), nil
	case expr.FnLower:
		return strings.ToLower(s), nil
	case expr.FnUpper:
		return strings.ToUpper(s), nil
	case expr.FnContains:
		return strings.Contains(s, args[1].(string)), nil
	case expr.FnStartsWith:
		return strings.HasPrefix(s, args[1].(string)), nil
	case expr.FnEndsWith:
		return strings.HasSuffix(s, args[1].(string)), nil
	}
	return nil, fmt.Errorf("reference: function %s", c.Fn)
}

func literalValue(s scalar.Scalar) (any, error) {
	if !s.IsValid() {
		return nil, nil
	}
	switch v := s.(type) {
	case *scalar.Int64:
		return v.Value, nil
	case *scalar.Float64:
		return v.Value, nil
	case *scalar.Boolean:
		return v.Value, nil
	case *scalar.String:
		return string(v.Data()), nil
	}
	return nil, fmt.Errorf("reference: literal %s of type %s", s, s.DataType())
}

// sortCompare orders values for Sort, min and max: NULLs by nullsFirst,
// NaN above every other float.
func sortCompare(a, b any, desc, nullsFirst bool) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		if nullsFirst {
			return -1
		}
		return 1
	case b == nil:
		if nullsFirst {
			return 1
		}
		return -1
	}
	var c int
	switch x := a.(type) {
	case int64:
		c = cmp.Compare(x, b.(int64))
	case float64:
		y := b.(float64)
		switch {
		case math.IsNaN(x) && math.IsNaN(y):
			c = 0
		case math.IsNaN(x):
			c = 1
		case math.IsNaN(y):
			c = -1
		default:
			c = cmp.Compare(x, y)
		}
	case string:
		c = strings.Compare(x, b.(string))
	case bool:
		c = cmp.Compare(boolRank(x), boolRank(b.(bool)))
	}
	if desc {
		return -c
	}
	return c
}

// rowKey identifies a row for grouping and distinct: NULLs are equal to
// each other, and so are NaNs.
func rowKey(r row) string { return fmt.Sprintf("%#v", r) }
