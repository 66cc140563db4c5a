package kernel

import (
	"database/sql"
	"fmt"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

func TestExploreDuck(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"select cast(2.5 as integer), cast(3.5 as integer), cast(-2.5 as integer), cast(2.5::double as integer), cast(-2.5::double as bigint)",
		"select substring('hello', 0, 2), substring('hello', -3, 2), substring('hello', -10, 3), substring('hello', 2, -1), substring('hello', 0, 0), substring('hello',3)",
		"select substring('hello', -10, 7), substring('hello', 6, 2), substring('hello', 4, -3), substring('hello', -2, -2)",
		"select date '2024-01-31' + interval 1 month, typeof(date '2024-01-31' + interval 1 month)",
		"select 'a%' like 'a\\%', 'a%' like 'a\\%' escape '\\', 'abc' ilike 'A_C'",
		"select lower('İSTANBUL'), upper('straße'), length('straße'), length('🦆x')",
		"select cast('1e20' as double)::varchar, cast(0.1 as double)::varchar, 1.5::double::varchar, (1e20)::double::varchar",
		"select cast(timestamp '1969-12-31 23:00:00' as date)",
	} {
		rows, err := db.Query(q)
		if err != nil {
			fmt.Println(q, "ERR", err)
			continue
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Printf("%s\n  -> %#v\n", q, vals)
		}
		rows.Close()
	}
}
