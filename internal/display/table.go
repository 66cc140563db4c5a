package display

import (
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jedib0t/go-pretty/v6/table"
	"github.com/jedib0t/go-pretty/v6/text"

	"lakeframe/errs"
)

// DefaultMaxColWidth is the widest a cell is by default, in terminal
// columns.
const DefaultMaxColWidth = 32

// TableOptions shape a table printed by WriteTable. AllRows as MaxRows
// prints every row given.
type TableOptions struct {
	// MaxRows is how many rows to show, at most; AllRows (or any negative
	// count) shows every row of the batches, and 0 only the header.
	MaxRows int
	// TotalRows is the number of rows in the whole result, for the footer;
	// -1 if unknown. A count below the rows of the batches is raised to it,
	// so leaving it 0 counts the batches. With an unknown total, pass more
	// rows than MaxRows (one is enough) for the footer to say there are more.
	TotalRows int64
	// MaxColWidth is the widest a cell may be, in terminal columns; longer
	// values are cut and end in "…". 0 means DefaultMaxColWidth, < 0 no limit.
	MaxColWidth int
}

// AllRows as TableOptions.MaxRows shows every row.
const AllRows = -1

// WriteTable writes the first rows of batches as a text table: column
// names with their types underneath, one line per row, and a footer with
// the row counts. Numbers are right-aligned, nulls show as "null", control
// characters in strings are escaped.
func WriteTable(w io.Writer, schema *arrow.Schema, batches []arrow.RecordBatch, opts TableOptions) error {
	if schema == nil {
		return fmt.Errorf("%w: write table: nil schema", errs.ErrInternal)
	}
	fields := schema.Fields()
	var available int64
	for bi, b := range batches {
		if err := checkBatch(fields, b); err != nil {
			return fmt.Errorf("%w: write table: batch %d: %w", errs.ErrInternal, bi, err)
		}
		available += b.NumRows()
	}
	shown := available
	if opts.MaxRows >= 0 {
		shown = min(shown, int64(opts.MaxRows))
	}
	width := opts.MaxColWidth
	if width == 0 {
		width = DefaultMaxColWidth
	}

	var out string
	if len(fields) > 0 {
		out = renderTable(fields, batches, shown, width) + "\n"
	}
	out += footer(shown, available, opts.TotalRows) + "\n"
	if _, err := io.WriteString(w, out); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// checkBatch reports a batch whose columns do not match the schema.
func checkBatch(fields []arrow.Field, b arrow.RecordBatch) error {
	if b == nil {
		return fmt.Errorf("nil batch")
	}
	if int(b.NumCols()) != len(fields) {
		return fmt.Errorf("%d columns, schema has %d", b.NumCols(), len(fields))
	}
	for i, f := range fields {
		if got := b.Column(i).DataType(); !arrow.TypeEqual(got, f.Type) {
			return fmt.Errorf("column %q is %s, schema says %s", f.Name, got, f.Type)
		}
	}
	return nil
}

func renderTable(fields []arrow.Field, batches []arrow.RecordBatch, shown int64, width int) string {
	tw := table.NewWriter()
	tw.SetStyle(tableStyle())

	names := make(table.Row, len(fields))
	types := make(table.Row, len(fields))
	configs := make([]table.ColumnConfig, len(fields))
	for i, f := range fields {
		names[i] = fit(escape(f.Name), width)
		types[i] = fit(typeName(f.Type), width)
		align := text.AlignLeft
		if isNumeric(f.Type) {
			align = text.AlignRight
		}
		configs[i] = table.ColumnConfig{Number: i + 1, Align: align, AlignHeader: align}
	}
	tw.AppendHeader(names)
	tw.AppendHeader(types)
	tw.SetColumnConfigs(configs)

	cf := newCellFormat(width)
	cells := make([]appendFunc, len(fields))
	var buf []byte
	left := shown
	for _, b := range batches {
		if left == 0 {
			break
		}
		for j := range cells {
			cells[j] = cf.appender(b.Column(j), false)
		}
		n := min(b.NumRows(), left)
		for r := range int(n) {
			row := make(table.Row, len(cells))
			for j, cell := range cells {
				buf = cell(buf[:0], r)
				row[j] = fit(string(buf), width)
			}
			tw.AppendRow(row)
		}
		left -= n
	}
	return tw.Render()
}

// tableStyle is a rounded box with names and types as written (go-pretty
// upper-cases headers by default).
func tableStyle() table.Style {
	s := table.StyleRounded
	s.Format.Header = text.FormatDefault
	s.Format.Footer = text.FormatDefault
	s.Format.Row = text.FormatDefault
	return s
}

// fit cuts s to width terminal columns, ending in an ellipsis when cut.
func fit(s string, width int) string {
	if width < 0 {
		return s
	}
	return text.Snip(s, width, ellipsis)
}

// escape is appendEscaped for a whole string.
func escape(s string) string { return string(appendEscaped(nil, s, -1)) }

// isNumeric reports the types whose cells are right-aligned.
func isNumeric(dt arrow.DataType) bool {
	switch dt.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT16, arrow.FLOAT32, arrow.FLOAT64,
		arrow.DECIMAL32, arrow.DECIMAL64, arrow.DECIMAL128, arrow.DECIMAL256:
		return true
	}
	return false
}

// footer says how many rows the table shows and, when it shows fewer than
// there are, how many there are.
func footer(shown, available, total int64) string {
	if total >= 0 && total < available {
		total = available
	}
	switch {
	case total > shown:
		return fmt.Sprintf("(showing first %s of %s rows)", formatGrouped(shown), formatGrouped(total))
	case total < 0 && available > shown:
		return fmt.Sprintf("(showing first %s)", rowCount(shown))
	default:
		return "(" + rowCount(shown) + ")"
	}
}

func rowCount(n int64) string {
	if n == 1 {
		return "1 row"
	}
	return formatGrouped(n) + " rows"
}
