//go:build cgo

package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Answers are printed one row per line, cells separated by "|", numbers in
// full precision, so that the two engines' answers can be compared.

func tableText(tbl arrow.Table) string {
	rows := make([][]string, tbl.NumRows())
	for c := range int(tbl.NumCols()) {
		r := 0
		for _, chunk := range tbl.Column(c).Data().Chunks() {
			for i := range chunk.Len() {
				rows[r] = append(rows[r], arrowCell(chunk, i))
				r++
			}
		}
	}
	var sb strings.Builder
	for _, r := range rows {
		sb.WriteString(strings.Join(r, "|") + "\n")
	}
	return sb.String()
}

func arrowCell(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return "NULL"
	}
	switch x := a.(type) {
	case *array.Float64:
		return strconv.FormatFloat(x.Value(i), 'g', -1, 64)
	case *array.Date32:
		return x.Value(i).FormattedString()
	}
	return a.ValueStr(i)
}

func sqlText(ctx context.Context, db *sql.DB, q string) (string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		cells := make([]string, len(cols))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				cells[i] = "NULL"
			case float64:
				cells[i] = strconv.FormatFloat(x, 'g', -1, 64)
			case time.Time:
				cells[i] = x.Format("2006-01-02")
			case *big.Int:
				cells[i] = x.String()
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		sb.WriteString(strings.Join(cells, "|") + "\n")
	}
	return sb.String(), rows.Err()
}
