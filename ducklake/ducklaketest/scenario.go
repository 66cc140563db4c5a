package ducklaketest

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
)

// Lake is the catalog BuildLake writes, with reference models of its
// tables.
type Lake struct {
	Events *Model
	Sales  *Model
	Small  *Model
	// Latest is the last snapshot.
	Latest int64
}

// Snapshots of the lake BuildLake writes.
const (
	SnapCreated   = 1  // main.events(id int64, name varchar, old int32, amount int32)
	SnapFileA     = 2  // file A: ids 0..99
	SnapFileB     = 3  // file B: ids 100..199
	SnapDeleteA   = 4  // delete ids divisible by 10 from A
	SnapEvolved   = 5  // drop old, rename name to label, amount to int64, add extra (default 'none')
	SnapFileC     = 6  // file C: ids 200..249 with label, amount, extra
	SnapDeleteMix = 7  // A's delete file replaced (also ids 1..3), ids 100..104 deleted from B
	SnapSales     = 8  // main.sales(region varchar, day date, amount int64) by (identity(region), year(day))
	SnapSalesData = 9  // three sales files without column statistics
	SnapInlineDel = 10 // id 150 deleted from B, kept in the catalog (deletion inlining)
	SnapSmall     = 11 // main.small with three rows inlined in the catalog
	SnapSmallMore = 12 // small: v renamed w, n int32 added (default 5), a row deleted, a row added
)

// BuildLake writes a catalog with schema main and two tables through b,
// with data files under the data path, and returns reference models.
//
// main.events exercises snapshots, deletes (a delete file later replaced
// by a cumulative one, as writers do) and schema evolution by column id:
// a dropped column, a renamed column, a promoted type and a column added
// with an initial default, which files written before read. Its files have
// column statistics. main.sales is partitioned by region and year(day) and
// has no column statistics, so only partition values can prune it.
func BuildLake(b *Builder) *Lake {
	b.t.Helper()
	ev, sales := &Model{}, &Model{}
	const events, salesID = 1, 2
	const evDir = "main/events/"
	b.Snapshot(0, 0, `created_schema:"main"`)
	b.Schema(0, 0, "main", "main/")

	b.Snapshot(SnapCreated, 1, `created_table:"main"."events"`)
	b.Table(events, 0, SnapCreated, "events", "events/")
	for _, c := range []struct {
		id        int64
		name, typ string
	}{{1, "id", "int64"}, {2, "name", "varchar"}, {3, "old", "int32"}, {4, "amount", "int32"}} {
		b.Column(events, c.id, SnapCreated, c.id, c.name, c.typ, "")
		ev.addColumn(c.id, SnapCreated, c.id, c.name, "")
	}

	// Files A and B: name is NULL when i%25 == 7.
	writeAB := func(snap, lo int64, prefix string) int64 {
		n := 100
		ids, names, olds, amounts := make([]any, n), make([]any, n), make([]any, n), make([]any, n)
		rows := make([]map[int64]any, n)
		for k := range n {
			i := lo + int64(k)
			ids[k], olds[k], amounts[k] = i, int32(i*2), int32(i)
			if i%25 != 7 {
				names[k] = fmt.Sprintf("%s%03d", prefix, i)
			}
			rows[k] = map[int64]any{1: ids[k], 2: names[k], 3: olds[k], 4: amounts[k]}
		}
		nameMin, nameMax := fmt.Sprintf("%s%03d", prefix, lo), fmt.Sprintf("%s%03d", prefix, lo+99)
		id := b.DataFile(events, snap, evDir, []FileCol{
			{ID: 1, Name: "id", Type: arrow.PrimitiveTypes.Int64, Vals: ids},
			{ID: 2, Name: "name", Type: arrow.BinaryTypes.String, Vals: names},
			{ID: 3, Name: "old", Type: arrow.PrimitiveTypes.Int32, Vals: olds},
			{ID: 4, Name: "amount", Type: arrow.PrimitiveTypes.Int32, Vals: amounts},
		}, []Stat{
			{ID: 1, Min: fmt.Sprint(lo), Max: fmt.Sprint(lo + 99)},
			{ID: 2, Min: nameMin, Max: nameMax, Nulls: 4},
			{ID: 3, Min: fmt.Sprint(lo * 2), Max: fmt.Sprint((lo + 99) * 2)},
			{ID: 4, Min: fmt.Sprint(lo), Max: fmt.Sprint(lo + 99)},
		}, nil)
		ev.files = append(ev.files, modelFile{id: id, begin: snap, rows: rows})
		return id
	}
	b.Snapshot(SnapFileA, 1, "inserted_into_table:1")
	fileA := writeAB(SnapFileA, 0, "a")
	b.Snapshot(SnapFileB, 1, "inserted_into_table:1")
	fileB := writeAB(SnapFileB, 100, "b")

	b.Snapshot(SnapDeleteA, 1, "deleted_from_table:1")
	var tens []int64
	for p := int64(0); p < 100; p += 10 {
		tens = append(tens, p)
	}
	delA := b.DeleteFile(events, SnapDeleteA, fileA, evDir, tens)
	ev.deletes = append(ev.deletes, modelDelete{id: delA, file: fileA, begin: SnapDeleteA, pos: tens})

	b.Snapshot(SnapEvolved, 2, "altered_table:1")
	b.EndColumn(events, 3, SnapEvolved)
	ev.endColumn(3, SnapEvolved)
	b.EndColumn(events, 2, SnapEvolved)
	ev.endColumn(2, SnapEvolved)
	b.Column(events, 2, SnapEvolved, 2, "label", "varchar", "")
	ev.addColumn(2, SnapEvolved, 2, "label", "")
	b.EndColumn(events, 4, SnapEvolved)
	ev.endColumn(4, SnapEvolved)
	b.Column(events, 4, SnapEvolved, 4, "amount", "int64", "")
	ev.addColumn(4, SnapEvolved, 4, "amount", "")
	b.Column(events, 5, SnapEvolved, 5, "extra", "varchar", "none")
	ev.addColumn(5, SnapEvolved, 5, "extra", "none")

	b.Snapshot(SnapFileC, 2, "inserted_into_table:1")
	{
		n := 50
		ids, labels, amounts, extras := make([]any, n), make([]any, n), make([]any, n), make([]any, n)
		rows := make([]map[int64]any, n)
		for k := range n {
			i := int64(200 + k)
			ids[k], labels[k], amounts[k], extras[k] = i, fmt.Sprintf("c%03d", i), i*3, fmt.Sprintf("x%03d", i)
			rows[k] = map[int64]any{1: ids[k], 2: labels[k], 4: amounts[k], 5: extras[k]}
		}
		// Columns in another order than the table's: matching is by id.
		id := b.DataFile(events, SnapFileC, evDir, []FileCol{
			{ID: 5, Name: "extra", Type: arrow.BinaryTypes.String, Vals: extras},
			{ID: 1, Name: "id", Type: arrow.PrimitiveTypes.Int64, Vals: ids},
			{ID: 4, Name: "amount", Type: arrow.PrimitiveTypes.Int64, Vals: amounts},
			{ID: 2, Name: "label", Type: arrow.BinaryTypes.String, Vals: labels},
		}, []Stat{
			{ID: 1, Min: "200", Max: "249"},
			{ID: 2, Min: "c200", Max: "c249"},
			{ID: 4, Min: "600", Max: "747"},
			{ID: 5, Min: "x200", Max: "x249"},
		}, nil)
		ev.files = append(ev.files, modelFile{id: id, begin: SnapFileC, rows: rows})
	}

	b.Snapshot(SnapDeleteMix, 2, "deleted_from_table:1")
	b.EndDeleteFile(delA, SnapDeleteMix)
	ev.endDelete(delA, SnapDeleteMix)
	cumulative := append([]int64{1, 2, 3}, tens...)
	delA2 := b.DeleteFile(events, SnapDeleteMix, fileA, evDir, cumulative)
	ev.deletes = append(ev.deletes, modelDelete{id: delA2, file: fileA, begin: SnapDeleteMix, pos: cumulative})
	firstB := []int64{0, 1, 2, 3, 4}
	delB := b.DeleteFile(events, SnapDeleteMix, fileB, evDir, firstB)
	ev.deletes = append(ev.deletes, modelDelete{id: delB, file: fileB, begin: SnapDeleteMix, pos: firstB})

	// main.sales, partitioned, without statistics.
	const salesDir = "main/sales/"
	b.Snapshot(SnapSales, 3, `created_table:"main"."sales"`)
	b.Table(salesID, 0, SnapSales, "sales", "sales/")
	for _, c := range []struct {
		id        int64
		name, typ string
	}{{1, "region", "varchar"}, {2, "day", "date"}, {3, "amount", "int64"}} {
		b.Column(salesID, c.id, SnapSales, c.id, c.name, c.typ, "")
		sales.addColumn(c.id, SnapSales, c.id, c.name, "")
	}
	b.Partitioning(1, salesID, SnapSales, PartitionKey{Column: 1, Transform: "identity"}, PartitionKey{Column: 2, Transform: "year"})
	b.Snapshot(SnapSalesData, 3, "inserted_into_table:2")
	for k, p := range []struct {
		region string
		year   int
	}{{"EU", 2023}, {"EU", 2024}, {"US", 2024}} {
		n := 10
		regions, days, amounts := make([]any, n), make([]any, n), make([]any, n)
		rows := make([]map[int64]any, n)
		for i := range n {
			// Days spread over the year: Jan 5, Feb 10, ...
			day := arrow.Date32FromTime(dateOf(p.year, i%12+1, 5*(i%5+1)))
			regions[i], days[i], amounts[i] = p.region, day, int64(100*k+i)
			rows[i] = map[int64]any{1: p.region, 2: day, 3: amounts[i]}
		}
		id := b.DataFile(salesID, SnapSalesData, salesDir, []FileCol{
			{ID: 1, Name: "region", Type: arrow.BinaryTypes.String, Vals: regions},
			{ID: 2, Name: "day", Type: arrow.FixedWidthTypes.Date32, Vals: days},
			{ID: 3, Name: "amount", Type: arrow.PrimitiveTypes.Int64, Vals: amounts},
		}, nil, 1)
		b.PartitionValues(salesID, id, p.region, fmt.Sprint(p.year))
		sales.files = append(sales.files, modelFile{id: id, begin: SnapSalesData, rows: rows})
	}

	// Deletion inlining: a position of file B kept in the catalog.
	b.Snapshot(SnapInlineDel, 3, "deleted_from_table:1")
	b.Exec(`CREATE TABLE ducklake_inlined_delete_1 (file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`)
	b.Exec(`INSERT INTO ducklake_inlined_delete_1 VALUES (?, 50, ?)`, fileB, SnapInlineDel)
	ev.deletes = append(ev.deletes, modelDelete{id: -1, file: fileB, begin: SnapInlineDel, pos: []int64{50}})

	small := buildSmall(b)
	return &Lake{Events: ev, Sales: sales, Small: small, Latest: SnapSmallMore}
}

// buildSmall writes main.small, whose rows all live in inlined data
// tables of the catalog.
func buildSmall(b *Builder) *Model {
	m := &Model{}
	const table = 3
	b.Snapshot(SnapSmall, 4, `created_table:"main"."small"`)
	b.Table(table, 0, SnapSmall, "small", "small/")
	for _, c := range []struct {
		id        int64
		name, typ string
	}{{1, "k", "int64"}, {2, "ts", "timestamp"}, {3, "d", "date"}, {4, "v", "varchar"}, {5, "f", "float64"}, {6, "b", "boolean"}} {
		b.Column(table, c.id, SnapSmall, c.id, c.name, c.typ, "")
		m.addColumn(c.id, SnapSmall, c.id, c.name, "")
	}
	b.Exec(`CREATE TABLE ducklake_inlined_data_3_4 (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT,
		k BIGINT, ts TIMESTAMP, d DATE, v VARCHAR, f DOUBLE PRECISION, b BOOLEAN)`)
	b.Exec(`INSERT INTO ducklake_inlined_data_tables VALUES (3, 'ducklake_inlined_data_3_4', 4)`)
	b.Exec(`INSERT INTO ducklake_inlined_data_3_4 VALUES
		(0, 11, NULL, 1, '2024-01-02 03:04:05', '2024-01-02', 'x', 1.5, true),
		(1, 11, NULL, 2, NULL, NULL, NULL, NULL, NULL),
		(2, 11, NULL, 3, '1999-12-31 23:59:59.5', '1999-12-31', 'z', 2.25, false)`)
	ts := func(s string) time.Time {
		t, err := time.Parse("2006-01-02 15:04:05.999", s)
		if err != nil {
			panic(err)
		}
		return t
	}
	day := func(y, mo, d int) arrow.Date32 { return arrow.Date32FromTime(dateOf(y, mo, d)) }
	m.files = append(m.files, modelFile{id: -4, begin: SnapSmall, rows: []map[int64]any{
		{1: int64(1), 2: ts("2024-01-02 03:04:05"), 3: day(2024, 1, 2), 4: "x", 5: 1.5, 6: true},
		{1: int64(2), 2: nil, 3: nil, 4: nil, 5: nil, 6: nil},
		{1: int64(3), 2: ts("1999-12-31 23:59:59.5"), 3: day(1999, 12, 31), 4: "z", 5: 2.25, 6: false},
	}})

	b.Snapshot(SnapSmallMore, 5, "altered_table:3,inserted_into_table:3,deleted_from_table:3")
	b.EndColumn(table, 4, SnapSmallMore)
	m.endColumn(4, SnapSmallMore)
	b.Column(table, 4, SnapSmallMore, 4, "w", "varchar", "")
	m.addColumn(4, SnapSmallMore, 4, "w", "")
	b.Column(table, 7, SnapSmallMore, 7, "n", "int32", "5")
	m.addColumn(7, SnapSmallMore, 7, "n", "5")
	b.Exec(`UPDATE ducklake_inlined_data_3_4 SET end_snapshot = ? WHERE row_id = 1`, SnapSmallMore)
	m.deletes = append(m.deletes, modelDelete{id: -2, file: -4, begin: SnapSmallMore, pos: []int64{1}})
	b.Exec(`CREATE TABLE ducklake_inlined_data_3_5 (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT,
		k BIGINT, ts TIMESTAMP, d DATE, w VARCHAR, f DOUBLE PRECISION, b BOOLEAN, n INTEGER)`)
	b.Exec(`INSERT INTO ducklake_inlined_data_tables VALUES (3, 'ducklake_inlined_data_3_5', 5)`)
	b.Exec(`INSERT INTO ducklake_inlined_data_3_5 VALUES (3, 12, NULL, 4, '2000-02-29 12:00:00', '2000-02-29', 'new', -1, true, 9)`)
	m.files = append(m.files, modelFile{id: -5, begin: SnapSmallMore, rows: []map[int64]any{
		{1: int64(4), 2: ts("2000-02-29 12:00:00"), 3: day(2000, 2, 29), 4: "new", 5: -1.0, 6: true, 7: int32(9)},
	}})
	return m
}

func dateOf(year, month, day int) time.Time {
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
}
