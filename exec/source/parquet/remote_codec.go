package parquet

import (
	"context"
	"encoding/json"
	"fmt"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/exec/remote"
	"lakeframe/exec/source/files"
	"lakeframe/plan"
)

// Scans of local Parquet files run on executors, which read the files
// themselves: a source is sent as its paths and hive setting, a task as
// its JSON.
func init() { remote.RegisterSourceCodec("parquet", codec{}) }

type codec struct{}

// wireSource is what an executor needs to list the same files again.
type wireSource struct {
	Paths  []string `json:"paths"`
	NoHive bool     `json:"no_hive,omitempty"`
	// S3 carries an explicit object-store config, secret included (see
	// files.S3Config); without it executors read their own environment.
	S3 *files.S3Config `json:"s3,omitempty"`
}

func (codec) EncodeSource(src plan.Source) ([]byte, error) {
	s, ok := src.(*Source)
	if !ok {
		return nil, fmt.Errorf("%w: parquet codec got a %T source", errs.ErrInternal, src)
	}
	if s.opts.FS != nil {
		return nil, fmt.Errorf("%w: parquet files on a custom file system (%T) are read by the coordinator", errs.ErrNotImplemented, s.opts.FS)
	}
	return json.Marshal(wireSource{Paths: s.paths, NoHive: s.opts.NoHivePartitions, S3: s.opts.S3})
}

func (codec) OpenSource(ctx context.Context, desc []byte) (exec.Scanner, error) {
	var w wireSource
	if err := json.Unmarshal(desc, &w); err != nil {
		return nil, fmt.Errorf("%w: decode parquet source: %w", errs.ErrExec, err)
	}
	return NewSource(ctx, w.Paths, Options{NoHivePartitions: w.NoHive, S3: w.S3})
}

func (codec) EncodeTask(_ plan.Source, t plan.Task) ([]byte, error) {
	pt, ok := t.(*Task)
	if !ok {
		return nil, fmt.Errorf("%w: parquet codec got a %T task", errs.ErrInternal, t)
	}
	return json.Marshal(pt)
}

// DecodeTask also reads the footers of the task's files into the
// source's cache, once per executor: the stream then opens each file
// without reading its footer again.
func (codec) DecodeTask(src exec.Scanner, b []byte) (plan.Task, error) {
	s, ok := src.(*Source)
	if !ok {
		return nil, fmt.Errorf("%w: parquet codec got a %T source", errs.ErrInternal, src)
	}
	var t Task
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("%w: decode parquet task: %w", errs.ErrExec, err)
	}
	for _, p := range t.Parts {
		if _, err := s.footer(context.Background(), p.File.Path); err != nil {
			return nil, err
		}
	}
	return &t, nil
}
