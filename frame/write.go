package frame

import (
	"context"
	"fmt"

	"lakeframe/exec/sink"
)

// WriteOption tunes WriteParquet, WriteCSV and WriteJSON.
type WriteOption func(*writeConfig)

type writeConfig struct {
	parquet sink.ParquetOptions
	csv     sink.CSVOptions
	json    sink.JSONOptions
	run     []Option
}

// PartitionBy writes Parquet as a hive-style tree, one key=value directory
// per distinct value of the columns, which are taken out of the files.
func PartitionBy(columns ...string) WriteOption {
	return func(c *writeConfig) { c.parquet.PartitionBy = columns }
}

// Compression sets the Parquet codec: "snappy" (default), "zstd", "gzip",
// "lz4", "brotli" or "none".
func Compression(codec string) WriteOption {
	return func(c *writeConfig) { c.parquet.Compression = codec }
}

// RowGroupSize bounds the rows per Parquet row group.
func RowGroupSize(rows int64) WriteOption {
	return func(c *writeConfig) { c.parquet.RowGroupSize = rows }
}

// Overwrite replaces existing output instead of failing.
func Overwrite() WriteOption {
	return func(c *writeConfig) {
		c.parquet.Overwrite = true
		c.csv.Overwrite = true
		c.json.Overwrite = true
	}
}

// CSVDelimiter sets the CSV field separator (default ',').
func CSVDelimiter(d byte) WriteOption { return func(c *writeConfig) { c.csv.Delimiter = d } }

// CSVNoHeader leaves out the header row.
func CSVNoHeader() WriteOption { return func(c *writeConfig) { c.csv.NoHeader = true } }

// CSVNullString is written for NULL (default: an empty field).
func CSVNullString(s string) WriteOption { return func(c *writeConfig) { c.csv.NullString = s } }

// Run passes query options (parallelism, allocator, progress) to the write.
func Run(opts ...Option) WriteOption {
	return func(c *writeConfig) { c.run = append(c.run, opts...) }
}

func newWriteConfig(opts []WriteOption) *writeConfig {
	c := &writeConfig{}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WriteParquet runs the query and writes its rows as Parquet, streaming:
// a path ending in .parquet is one file, any other path a directory. An
// existing path is an error unless Overwrite is given.
// Output is written under temporary names and renamed when complete, so a
// failed write leaves nothing that looks finished.
func (df *DataFrame) WriteParquet(ctx context.Context, path string, opts ...WriteOption) error {
	cfg := newWriteConfig(opts)
	st, err := df.Stream(ctx, cfg.run...)
	if err != nil {
		return err
	}
	defer st.stop()
	if _, err := sink.WriteParquet(ctx, st.st, path, cfg.parquet); err != nil {
		return fmt.Errorf("write_parquet %s: %w", path, err)
	}
	return nil
}

// WriteCSV runs the query and writes its rows to one CSV file, streaming.
// An existing file is an error unless Overwrite is given.
func (df *DataFrame) WriteCSV(ctx context.Context, path string, opts ...WriteOption) error {
	cfg := newWriteConfig(opts)
	st, err := df.Stream(ctx, cfg.run...)
	if err != nil {
		return err
	}
	defer st.stop()
	if _, err := sink.WriteCSV(ctx, st.st, path, cfg.csv); err != nil {
		return fmt.Errorf("write_csv %s: %w", path, err)
	}
	return nil
}

// WriteJSON runs the query and writes its rows to one file as JSON lines
// (one object per row, keys in column order), streaming; ReadJSON reads it
// back. NaN and infinities, which JSON cannot spell, are written as null.
// An existing file is an error unless Overwrite is given.
func (df *DataFrame) WriteJSON(ctx context.Context, path string, opts ...WriteOption) error {
	cfg := newWriteConfig(opts)
	st, err := df.Stream(ctx, cfg.run...)
	if err != nil {
		return err
	}
	defer st.stop()
	if _, err := sink.WriteJSON(ctx, st.st, path, cfg.json); err != nil {
		return fmt.Errorf("write_json %s: %w", path, err)
	}
	return nil
}
