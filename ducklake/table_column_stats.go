package ducklake

import (
	"context"
	"database/sql"
)

// priorColumnStats is a ducklake_table_column_stats row.
type priorColumnStats struct {
	null, nan sql.NullBool
	lo, hi    sql.NullString
}

// mergeColumnStats folds new files' column statistics into the table's:
// contains_null and contains_nan are or-ed; the bounds widen, and become
// unknown (NULL) once any part of the table has unknown bounds. hadRows
// says whether the table held rows before, whose bounds the existing
// rows describe.
func (tx *catalogTx) mergeColumnStats(ctx context.Context, table int64, cols []Column, files []*writtenFile, hadRows bool) error {
	rows, err := tx.query(ctx, "SELECT column_id, contains_null, contains_nan, min_value, max_value FROM "+
		tx.c.table("ducklake_table_column_stats")+" WHERE table_id = ?", table)
	if err != nil {
		return err
	}
	prior := map[int64]priorColumnStats{}
	for rows.Next() {
		var id int64
		var p priorColumnStats
		if err := rows.Scan(&id, &p.null, &p.nan, &p.lo, &p.hi); err != nil {
			rows.Close()
			return err
		}
		prior[id] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for i, c := range cols {
		if len(c.Children) > 0 {
			continue
		}
		typ := files[0].stats[i].typ
		p, exists := prior[c.ID]
		containsNull := p.null.Bool
		containsNaN := p.nan.Bool
		known, have := true, false
		var lo, hi statValue
		if hadRows {
			switch {
			case !exists || !p.lo.Valid || !p.hi.Valid:
				known = false
			default:
				l, ok1 := statFromText(p.lo.String, typ)
				h, ok2 := statFromText(p.hi.String, typ)
				known, have, lo, hi = ok1 && ok2, ok1 && ok2, l, h
			}
		}
		isFloat := false
		for _, f := range files {
			st := f.stats[i]
			isFloat = st.isFloat()
			containsNull = containsNull || st.nulls > 0
			containsNaN = containsNaN || st.nan
			if !st.bounded {
				known = false
				continue
			}
			if !st.seen {
				continue
			}
			if _, _, ok := st.bounds(); !ok {
				known = false
				continue
			}
			if !have {
				lo, hi, have = st.lo, st.hi, true
				continue
			}
			if compareStat(st.lo, lo, typ) < 0 {
				lo = st.lo
			}
			if compareStat(st.hi, hi, typ) > 0 {
				hi = st.hi
			}
		}
		var loText, hiText, nan any
		if known && have {
			loText, hiText = statText(lo, typ), statText(hi, typ)
		}
		if isFloat {
			nan = containsNaN
		}
		q := "UPDATE " + tx.c.table("ducklake_table_column_stats") +
			" SET contains_null = ?, contains_nan = ?, min_value = ?, max_value = ? WHERE table_id = ? AND column_id = ?"
		if !exists {
			q = "INSERT INTO " + tx.c.table("ducklake_table_column_stats") +
				" (contains_null, contains_nan, min_value, max_value, table_id, column_id) VALUES (?, ?, ?, ?, ?, ?)"
		}
		if err := tx.exec(ctx, q, containsNull, nan, loText, hiText, table, c.ID); err != nil {
			return err
		}
	}
	return nil
}
