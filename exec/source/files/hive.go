package files

import (
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec/internal/textparse"
)

// DefaultPartition is the directory value hive writes for a NULL (or
// empty) partition value.
const DefaultPartition = "__HIVE_DEFAULT_PARTITION__"

// PartitionValue is one file's value of one partition column. It is plain
// data so that scan tasks carrying it can be serialized.
type PartitionValue struct {
	Text string `json:"text,omitempty"` // unescaped directory value
	Null bool   `json:"null,omitempty"`
}

// Entry is one file of a scan and its partition values, one per partition
// column.
type Entry struct {
	Path      string           `json:"path"`
	Size      int64            `json:"size"`
	Partition []PartitionValue `json:"partition,omitempty"`
}

// Partitions reads hive-style key=value directory names out of the paths
// of files, as written (relative paths stay relative). Every file must have
// the same keys in the same order. Partition columns are typed int64 when
// every value parses as one, else date32 when every value is YYYY-MM-DD,
// else string; NULL values do not count. It returns the files with their
// values and the partition columns (empty when there are none).
func Partitions(infos []Info) ([]Entry, []arrow.Field, error) {
	out := make([]Entry, len(infos))
	var keys []string
	for i, info := range infos {
		k, vals, err := parseHivePath(info.Path)
		if err != nil {
			return nil, nil, err
		}
		if i == 0 {
			keys = k
		} else if !slices.Equal(keys, k) {
			return nil, nil, fmt.Errorf("%w: files have different partition directories: %s has keys [%s], %s has keys [%s]",
				errs.ErrPlan, infos[0].Path, strings.Join(keys, ", "), info.Path, strings.Join(k, ", "))
		}
		out[i] = Entry{Path: info.Path, Size: info.Size, Partition: vals}
	}
	fields := make([]arrow.Field, len(keys))
	for j, key := range keys {
		fields[j] = arrow.Field{Name: key, Type: inferPartitionType(out, j), Nullable: true}
	}
	return out, fields, nil
}

func parseHivePath(p string) ([]string, []PartitionValue, error) {
	dirs := strings.Split(p, "/")
	dirs = dirs[:len(dirs)-1]
	var keys []string
	var vals []PartitionValue
	for _, d := range dirs {
		key, raw, ok := strings.Cut(d, "=")
		if !ok || key == "" {
			continue
		}
		key = Unescape(key)
		for _, k := range keys {
			if k == key {
				return nil, nil, fmt.Errorf("%w: partition key %q appears twice in %s", errs.ErrPlan, key, p)
			}
		}
		keys = append(keys, key)
		if raw == DefaultPartition || raw == "" {
			vals = append(vals, PartitionValue{Null: true})
		} else {
			vals = append(vals, PartitionValue{Text: Unescape(raw)})
		}
	}
	return keys, vals, nil
}

func inferPartitionType(fs []Entry, j int) arrow.DataType {
	isInt, isDate, any := true, true, false
	for _, f := range fs {
		v := f.Partition[j]
		if v.Null {
			continue
		}
		any = true
		b := []byte(v.Text)
		if isInt {
			_, isInt = textparse.ParseInt(b)
		}
		if isDate {
			_, isDate = textparse.ParseDate(b)
		}
	}
	switch {
	case !any:
		return arrow.BinaryTypes.String
	case isInt:
		return arrow.PrimitiveTypes.Int64
	case isDate:
		return arrow.FixedWidthTypes.Date32
	}
	return arrow.BinaryTypes.String
}

// hiveEscaped lists the bytes hive percent-encodes in partition directory
// names.
var hiveEscaped = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	for _, c := range "\"#%'*/:=?\\\x7f{[]^" {
		t[c] = true
	}
	return t
}()

// Escape percent-encodes a partition key or value as hive does, so that it
// is one safe path segment.
func Escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if hiveEscaped[s[i]] {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hex = "0123456789ABCDEF"
	var sb strings.Builder
	sb.Grow(len(s) + 2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if hiveEscaped[c] {
			sb.WriteByte('%')
			sb.WriteByte(hex[c>>4])
			sb.WriteByte(hex[c&15])
		} else {
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// Unescape decodes %XX sequences; malformed ones stay as they are.
func Unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			hi, ok1 := unhex(s[i+1])
			lo, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				sb.WriteByte(hi<<4 | lo)
				i += 2
				continue
			}
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
