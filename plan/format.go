package plan

import (
	"strings"
)

// Format prints a plan as an indented tree, one node per line, inputs below
// their consumer. EXPLAIN and the golden tests both use it.
func Format(n Node) string {
	var sb strings.Builder
	formatInto(&sb, n, 0)
	return sb.String()
}

func formatInto(sb *strings.Builder, n Node, depth int) {
	sb.WriteString(strings.Repeat("  ", depth))
	sb.WriteString(n.String())
	sb.WriteByte('\n')
	for _, c := range n.Children() {
		formatInto(sb, c, depth+1)
	}
}
