//go:build cgo

package sql

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// sltRecord is one record of a sqllogictest file: a statement, or a query
// with its expected output.
type sltRecord struct {
	line      int // 1-based line of the record's first line
	kind      string
	expectErr bool     // statement error
	types     string   // query: one letter a column, I, R or T
	sortMode  string   // nosort, rowsort, valuesort
	label     string   // query label, for reporting
	sql       string   // the statement text
	expected  []string // the lines after ----
	skip      string   // why the record does not run for engine postgresql, or ""
	threshold int      // hash-threshold in force
}

// readSLT reads a sqllogictest file, applying skipif/onlyif for the
// engine "postgresql" and tracking hash-threshold.
func readSLT(path string) ([]sltRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		lines = append(lines, strings.TrimRight(sc.Text(), "\r"))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var out []sltRecord
	threshold := 0
	skip := ""
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		switch fields[0] {
		case "hash-threshold":
			if len(fields) > 1 {
				threshold, _ = strconv.Atoi(fields[1])
			}
			continue
		case "halt":
			if skip == "" {
				return out, nil
			}
			skip = ""
			continue
		case "skipif":
			if len(fields) > 1 && fields[1] == "postgresql" {
				skip = "skipif postgresql"
			}
			continue
		case "onlyif":
			if len(fields) > 1 && fields[1] != "postgresql" {
				skip = "onlyif " + fields[1]
			}
			continue
		case "statement", "query":
		default:
			return nil, fmt.Errorf("%s:%d: unknown record %q", path, i+1, line)
		}
		rec := sltRecord{line: i + 1, kind: fields[0], skip: skip, threshold: threshold}
		skip = ""
		if rec.kind == "statement" {
			rec.expectErr = len(fields) > 1 && fields[1] == "error"
		} else {
			if len(fields) < 2 {
				return nil, fmt.Errorf("%s:%d: query without types", path, i+1)
			}
			rec.types, rec.sortMode = fields[1], "nosort"
			if len(fields) > 2 {
				rec.sortMode = fields[2]
			}
			if len(fields) > 3 {
				rec.label = fields[3]
			}
		}
		var sqlLines []string
		i++
		for ; i < len(lines) && strings.TrimSpace(lines[i]) != "" && lines[i] != "----"; i++ {
			sqlLines = append(sqlLines, lines[i])
		}
		rec.sql = strings.Join(sqlLines, "\n")
		if i < len(lines) && lines[i] == "----" {
			for i++; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
				rec.expected = append(rec.expected, lines[i])
			}
		}
		out = append(out, rec)
	}
	return out, nil
}
