//go:build cgo

package sql

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/scalar"
)

// sltValues formats a result as sqllogictest prints it: row by row, one
// string a value; integers %d, reals %.3f, NULL as NULL, the empty string
// as (empty), and characters outside printable ASCII as @.
func sltValues(tbl arrow.Table, types string) ([]string, error) {
	if int(tbl.NumCols()) != len(types) {
		return nil, fmt.Errorf("query gives %d columns, the record expects %d (%s)", tbl.NumCols(), len(types), types)
	}
	rows := int(tbl.NumRows())
	out := make([]string, rows*len(types))
	for c := 0; c < int(tbl.NumCols()); c++ {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := 0; i < chunk.Len(); i++ {
				v, err := sltValue(chunk, i, types[c])
				if err != nil {
					return nil, err
				}
				out[r*len(types)+c] = v
				r++
			}
		}
	}
	return out, nil
}

func sltValue(a arrow.Array, i int, typ byte) (string, error) {
	if a.IsNull(i) {
		return "NULL", nil
	}
	s, err := scalar.GetScalar(a, i)
	if err != nil {
		return "", err
	}
	var text string
	var f float64
	isNum := true
	switch v := s.(type) {
	case *scalar.Int8:
		f, text = float64(v.Value), strconv.FormatInt(int64(v.Value), 10)
	case *scalar.Int16:
		f, text = float64(v.Value), strconv.FormatInt(int64(v.Value), 10)
	case *scalar.Int32:
		f, text = float64(v.Value), strconv.FormatInt(int64(v.Value), 10)
	case *scalar.Int64:
		f, text = float64(v.Value), strconv.FormatInt(v.Value, 10)
	case *scalar.Float32:
		f, text = float64(v.Value), strconv.FormatFloat(float64(v.Value), 'g', -1, 64)
	case *scalar.Float64:
		f, text = v.Value, strconv.FormatFloat(v.Value, 'g', -1, 64)
	case *scalar.Boolean:
		// Booleans print as 1 and 0, as SQLite's integers do.
		text = map[bool]string{true: "1", false: "0"}[v.Value]
		if v.Value {
			f = 1
		}
	default:
		isNum = false
		text = s.String()
		if str, ok := a.(*array.String); ok {
			text = str.Value(i)
		}
	}
	switch typ {
	case 'I':
		// A fraction here means integer arithmetic gave a float, as
		// lakeframe's / does and PostgreSQL's does not: it is not
		// truncated away.
		if _, isFloat := s.(*scalar.Float64); isFloat && f != math.Trunc(f) {
			return "", fmt.Errorf("integer column holds the fraction %v", f)
		}
		if isNum {
			return strconv.FormatInt(int64(math.Trunc(f)), 10), nil
		}
		return "0", nil
	case 'R':
		if isNum {
			return fmt.Sprintf("%.3f", f), nil
		}
		return "0.000", nil
	}
	if text == "" {
		return "(empty)", nil
	}
	b := []byte(text)
	for j, c := range b {
		if c < ' ' || c > '~' {
			b[j] = '@'
		}
	}
	return string(b), nil
}

// sltSort applies a record's sort mode: rowsort orders rows, valuesort
// orders all values, both by byte comparison of the formatted values.
func sltSort(values []string, width int, mode string) {
	switch mode {
	case "rowsort":
		rows := make([][]string, 0, len(values)/max(width, 1))
		for i := 0; i+width <= len(values); i += width {
			rows = append(rows, values[i:i+width:i+width])
		}
		sort.SliceStable(rows, func(a, b int) bool {
			for k := range rows[a] {
				if rows[a][k] != rows[b][k] {
					return rows[a][k] < rows[b][k]
				}
			}
			return false
		})
		sorted := make([]string, 0, len(values))
		for _, r := range rows {
			sorted = append(sorted, r...)
		}
		copy(values, sorted)
	case "valuesort":
		sort.Strings(values)
	}
}

var hashLine = regexp.MustCompile(`^(\d+) values hashing to ([0-9a-f]{32})$`)

// sltCompare checks formatted, sorted values against a record's expected
// lines: the values themselves, or their count and MD5 hash (of each value
// followed by a newline).
func sltCompare(values []string, expected []string) error {
	if len(expected) == 1 {
		if m := hashLine.FindStringSubmatch(expected[0]); m != nil {
			h := md5.New()
			for _, v := range values {
				h.Write([]byte(v))
				h.Write([]byte("\n"))
			}
			got := fmt.Sprintf("%d values hashing to %s", len(values), hex.EncodeToString(h.Sum(nil)))
			if got != expected[0] {
				return fmt.Errorf("got %s, want %s", got, expected[0])
			}
			return nil
		}
	}
	if len(values) != len(expected) {
		return fmt.Errorf("got %d values, want %d (first got %v)", len(values), len(expected), head(values))
	}
	for i := range values {
		if values[i] != expected[i] {
			return fmt.Errorf("value %d: got %q, want %q", i+1, values[i], expected[i])
		}
	}
	return nil
}

func head(vs []string) []string {
	if len(vs) > 6 {
		return vs[:6]
	}
	return vs
}
