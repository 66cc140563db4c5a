package frame

import (
	"context"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"

	"lakeframe/errs"
	"lakeframe/exec/source/csv"
	"lakeframe/exec/source/jsonl"
	"lakeframe/exec/source/memory"
	"lakeframe/plan"
)

// ReadCSV reads delimited text files (paths, globs, directories, hive
// trees, local or s3:// as ReadParquet describes) with a header row,
// commas and empty fields as NULL, inferring column types from a sample
// of rows.
func ReadCSV(paths ...string) *DataFrame { return ReadCSVWith(csv.Options{}, paths...) }

// ReadCSVWith is ReadCSV with options: delimiter, quote, header, null
// markers, an explicit schema, the inference sample size, the object
// store for s3:// paths.
func ReadCSVWith(opts CSVOptions, paths ...string) *DataFrame {
	src, err := csv.NewSource(context.Background(), paths, opts)
	if err != nil {
		return failed(fmt.Errorf("read_csv %v: %w", paths, err))
	}
	return fromNode(plan.NewScan(src))
}

// ReadJSON reads JSON lines files, local or s3://: one object per line,
// keys as columns, types inferred from a sample of lines.
func ReadJSON(paths ...string) *DataFrame { return ReadJSONWith(jsonl.Options{}, paths...) }

// ReadJSONWith is ReadJSON with options.
func ReadJSONWith(opts JSONOptions, paths ...string) *DataFrame {
	src, err := jsonl.NewSource(context.Background(), paths, opts)
	if err != nil {
		return failed(fmt.Errorf("read_json %v: %w", paths, err))
	}
	return fromNode(plan.NewScan(src))
}

// FromArrow queries an in-memory Arrow table. The frame does not take the
// table over: keep it alive (unreleased) while queries on the frame run.
func FromArrow(tbl arrow.Table) *DataFrame {
	if tbl == nil {
		return failed(fmt.Errorf("from_arrow: %w: the table is nil", errs.ErrPlan))
	}
	return fromNode(plan.NewScan(memory.NewSource(tbl, memory.Options{})))
}
