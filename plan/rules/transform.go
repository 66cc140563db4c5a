package rules

import "lakeframe/plan"

// transformUp rewrites a plan bottom up: inputs first, then fn on the node
// rebuilt from its new inputs. Nodes are rebuilt only when an input changed,
// so untouched subtrees are shared.
func transformUp(n plan.Node, fn func(plan.Node) (plan.Node, bool, error)) (plan.Node, bool, error) {
	children := n.Children()
	changed := false
	if len(children) > 0 {
		next := make([]plan.Node, len(children))
		for i, c := range children {
			nc, ch, err := transformUp(c, fn)
			if err != nil {
				return nil, false, err
			}
			next[i] = nc
			changed = changed || ch
		}
		if changed {
			var err error
			if n, err = n.WithChildren(next...); err != nil {
				return nil, false, err
			}
		}
	}
	out, ch, err := fn(n)
	if err != nil {
		return nil, false, err
	}
	return out, changed || ch, nil
}
