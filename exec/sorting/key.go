package sorting

import "strings"

// Key is the direction of one sort key. The zero value sorts ascending with
// nulls last; a descending key also puts nulls last unless NullsFirst is set.
type Key struct {
	Desc       bool
	NullsFirst bool
}

// String formats k as in SQL, e.g. "DESC NULLS FIRST".
func (k Key) String() string {
	var b strings.Builder
	if k.Desc {
		b.WriteString("DESC")
	} else {
		b.WriteString("ASC")
	}
	if k.NullsFirst {
		b.WriteString(" NULLS FIRST")
	} else {
		b.WriteString(" NULLS LAST")
	}
	return b.String()
}

// Null markers lead each key's normalized bytes. A valid value always uses
// markerValid; a null sorts before it with markerNullFirst or after it with
// markerNullLast, whatever the direction.
const (
	markerNullFirst byte = 0x00
	markerValid     byte = 0x01
	markerNullLast  byte = 0x02
)

func (k Key) nullMarker() byte {
	if k.NullsFirst {
		return markerNullFirst
	}
	return markerNullLast
}
