package expr

// Walk calls fn for n and then for each of its descendants, depth first,
// until fn returns false.
func Walk(n Node, fn func(Node) bool) {
	if !fn(n) {
		return
	}
	for _, c := range n.Children() {
		Walk(c, fn)
	}
}

// Transform rewrites a tree bottom up: children first, then fn on the node
// rebuilt from its new children. Subtrees fn leaves alone are shared.
func Transform(n Node, fn func(Node) (Node, error)) (Node, error) {
	children := n.Children()
	if len(children) > 0 {
		changed := false
		next := make([]Node, len(children))
		for i, c := range children {
			nc, err := Transform(c, fn)
			if err != nil {
				return nil, err
			}
			next[i] = nc
			changed = changed || nc != c
		}
		if changed {
			var err error
			if n, err = n.WithChildren(next); err != nil {
				return nil, err
			}
		}
	}
	return fn(n)
}

// Columns returns the names of the columns n references, each once, in
// order of first appearance.
func Columns(n Node) []string {
	var out []string
	seen := map[string]bool{}
	Walk(n, func(x Node) bool {
		if c, ok := x.(*Column); ok && !seen[c.Name] {
			seen[c.Name] = true
			out = append(out, c.Name)
		}
		return true
	})
	return out
}

// HasAgg reports whether n contains an aggregate.
func HasAgg(n Node) bool {
	found := false
	Walk(n, func(x Node) bool {
		if _, ok := x.(*Agg); ok {
			found = true
		}
		return !found
	})
	return found
}

// OutputName is the column name an expression produces: its alias, else the
// first column it references (as Daft and Polars name columns), else
// "literal". count(*) is named "count".
func OutputName(n Node) string {
	switch x := n.(type) {
	case *Alias:
		return x.Name
	case *Agg:
		if x.In == nil {
			return "count"
		}
	}
	if cols := Columns(n); len(cols) > 0 {
		return cols[0]
	}
	return "literal"
}

// Conjuncts splits a predicate into the terms of its top-level ANDs.
func Conjuncts(n Node) []Node {
	if b, ok := n.(*Binary); ok && b.Op == OpAnd {
		return append(Conjuncts(b.Left), Conjuncts(b.Right)...)
	}
	return []Node{n}
}

// And joins predicates with AND; it returns nil for none.
func And(preds ...Node) Node {
	var out Node
	for _, p := range preds {
		if out == nil {
			out = p
		} else {
			out = &Binary{Op: OpAnd, Left: out, Right: p}
		}
	}
	return out
}

// Unalias strips a top-level Alias.
func Unalias(n Node) Node {
	if a, ok := n.(*Alias); ok {
		return a.In
	}
	return n
}
