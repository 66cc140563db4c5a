package expr

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// resolveString types the string functions added to the first ones
// (trim, pad, reverse, replace, split, concat and the regular expression
// functions). Their arguments after the string are constants.
func (r *resolver) resolveString(c *Call, args []Node, types []arrow.DataType) (Node, arrow.DataType, error) {
	if c.Fn == FnConcat {
		return r.resolveConcat(c, args, types)
	}
	if len(args) == 0 || !isString(types[0]) {
		got := "nothing"
		if len(args) > 0 {
			got = types[0].String()
		}
		return nil, nil, planErr(c, "%s needs a string, got %s", c.Fn, got)
	}
	want := map[ScalarFunc][]arrow.Type{
		FnPadStart: {arrow.INT64, arrow.STRING}, FnPadEnd: {arrow.INT64, arrow.STRING},
		FnReplace: {arrow.STRING, arrow.STRING}, FnSplit: {arrow.STRING},
		FnRegexMatch: {arrow.STRING}, FnRegexExtract: {arrow.STRING, arrow.INT64}, FnRegexReplace: {arrow.STRING, arrow.STRING},
	}[c.Fn]
	if len(args)-1 != len(want) {
		return nil, nil, planErr(c, "%s takes %d arguments after the string, got %d", c.Fn, len(want), len(args)-1)
	}
	for i, id := range want {
		lit, ok := args[i+1].(*Literal)
		if !ok || !lit.Value.IsValid() || !(id == arrow.STRING && isString(types[i+1]) || id == arrow.INT64 && isInteger(types[i+1])) {
			kind := "a string"
			if id == arrow.INT64 {
				kind = "an integer"
			}
			return nil, nil, planErr(c, "argument %d of %s must be %s constant, got %s", i+2, c.Fn, kind, args[i+1])
		}
	}
	call, err := NewCall(c.Fn, args)
	if err != nil {
		return nil, nil, err
	}
	switch c.Fn {
	case FnPadStart, FnPadEnd:
		if literalText(args[2]) == "" {
			return nil, nil, planErr(c, "the fill of %s must not be empty", c.Fn)
		}
	case FnRegexExtract:
		group, _ := args[2].(*Literal).Value.CastTo(arrow.PrimitiveTypes.Int64)
		g, groups := group.(*scalar.Int64).Value, call.Regexp().NumSubexp()
		if g < 0 || g > int64(groups) {
			return nil, nil, planErr(c, "pattern %q has %d capture groups, so group %d does not exist", call.Regexp().String(), groups, g)
		}
	case FnRegexMatch:
		return call, arrow.FixedWidthTypes.Boolean, nil
	case FnSplit:
		return call, arrow.ListOf(types[0]), nil
	}
	return call, types[0], nil
}

// resolveConcat casts every argument to text and wraps it in a COALESCE
// with "", so that NULL arguments are skipped as DuckDB's concat skips
// them; the kernel then joins non-null strings.
func (r *resolver) resolveConcat(c *Call, args []Node, types []arrow.DataType) (Node, arrow.DataType, error) {
	if len(args) == 0 {
		return nil, nil, planErr(c, "concat needs at least one argument")
	}
	var out arrow.DataType = arrow.BinaryTypes.String
	for _, t := range types {
		if t.ID() == arrow.LARGE_STRING {
			out = arrow.BinaryTypes.LargeString
		}
	}
	empty := scalar.Scalar(scalar.NewStringScalar(""))
	if out.ID() == arrow.LARGE_STRING {
		empty = scalar.NewLargeStringScalar("")
	}
	for i := range args {
		if types[i].ID() == arrow.NULL {
			args[i] = &Literal{Value: empty}
			continue
		}
		var err error
		if args[i], err = coerceTo(args[i], types[i], out); err != nil {
			return nil, nil, planErr(c, "argument %d: %v", i+1, err)
		}
		if _, ok := args[i].(*Literal); ok && args[i].(*Literal).Value.IsValid() {
			continue
		}
		if co, ok := args[i].(*Call); ok && co.Fn == FnCoalesce && len(co.Args) == 2 && !IsNullLiteral(co.Args[1]) {
			if _, isLit := co.Args[1].(*Literal); isLit {
				continue // resolved before: never NULL already
			}
		}
		args[i] = &Call{Fn: FnCoalesce, Args: []Node{args[i], &Literal{Value: empty}}}
	}
	return &Call{Fn: FnConcat, Args: args}, out, nil
}

// literalText is the text of a string constant.
func literalText(n Node) string {
	switch v := n.(*Literal).Value.(type) {
	case *scalar.String:
		return string(v.Data())
	case *scalar.LargeString:
		return string(v.Data())
	}
	return ""
}
