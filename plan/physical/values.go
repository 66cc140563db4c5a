package physical

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// Values produces one row of constants, known at planning time, such as a
// count(*) a source answered from its metadata.
type Values struct {
	Row    []scalar.Scalar
	Out    *arrow.Schema
	Reason string // why the row is known, for EXPLAIN
}

func (v *Values) Schema() *arrow.Schema { return v.Out }
func (v *Values) Children() []Node      { return nil }
func (v *Values) Partitions() int       { return 1 }
func (v *Values) String() string {
	vals := make([]string, len(v.Row))
	for i, s := range v.Row {
		vals[i] = s.String()
	}
	return fmt.Sprintf("ValuesExec %v (%s)", vals, v.Reason)
}

func (v *Values) WithChildren(children ...Node) (Node, error) {
	if err := checkChildren("values", 0, children); err != nil {
		return nil, err
	}
	return v, nil
}
