package csv

import (
	"strconv"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/exec/internal/textparse"
)

// guess tracks which types every non-null value of a column seen so far
// parses as.
type guess struct {
	seen                                   bool
	isBool, isInt, isFloat, isDate, isTime bool
	zoned                                  bool
}

func newGuess() guess {
	return guess{isBool: true, isInt: true, isFloat: true, isDate: true, isTime: true}
}

func (g *guess) add(b []byte) {
	g.seen = true
	if g.isBool {
		_, g.isBool = textparse.ParseBool(b)
	}
	if g.isInt {
		_, g.isInt = textparse.ParseInt(b)
	}
	if g.isFloat && !g.isInt {
		g.isFloat = parseFloat(b)
	}
	if g.isDate {
		_, g.isDate = textparse.ParseDate(b)
	}
	if g.isTime {
		if _, ok := textparse.ParseDate(b); !ok {
			_, zoned, ok := textparse.ParseTimestamp(b)
			g.isTime = ok
			g.zoned = g.zoned || zoned
		}
	}
}

// timestampType is the type of inferred timestamp columns: microseconds,
// in UTC when the values carry zones.
func timestampType(zoned bool) arrow.DataType {
	if zoned {
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	}
	return &arrow.TimestampType{Unit: arrow.Microsecond}
}

// typ picks the narrowest type: a column of ints and floats is float64, a
// column of dates and timestamps is a timestamp, a column with no values
// is a string.
func (g *guess) typ() arrow.DataType {
	switch {
	case !g.seen:
		return arrow.BinaryTypes.String
	case g.isBool:
		return arrow.FixedWidthTypes.Boolean
	case g.isInt:
		return arrow.PrimitiveTypes.Int64
	case g.isFloat:
		return arrow.PrimitiveTypes.Float64
	case g.isDate:
		return arrow.FixedWidthTypes.Date32
	case g.isTime:
		return timestampType(g.zoned)
	}
	return arrow.BinaryTypes.String
}

func parseFloat(b []byte) bool {
	_, err := strconv.ParseFloat(unsafeString(b), 64)
	return err == nil
}

// unsafeString views bytes as a string without copying; the string must
// not outlive the bytes.
func unsafeString(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}
