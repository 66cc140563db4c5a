package iceberg

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	iceio "github.com/apache/iceberg-go/io"
	icebergs3 "github.com/apache/iceberg-go/io/gocloud/s3"
	"github.com/apache/iceberg-go/utils"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"lakeframe/exec/source/files"
)

// iceberg-go's S3 FileIO reports failures by object key alone ("blob (key
// \"wh/t/metadata/x.json\"): ... 403 ... SignatureDoesNotMatch"), which
// leaves a user with several stores or catalogs guessing which bucket and
// endpoint refused. FileIO instances are made by a per-scheme registry
// that catalogs call internally, so the registry is the one place to
// reach every table's IO: init replaces the s3:// factory with one that
// builds iceberg-go's own IO (through the s3a:// alias, which the same
// backend serves) and wraps it to name the bucket and endpoint in every
// error. Nothing else changes: paths, configuration and behavior are
// iceberg-go's.
func init() { wrapS3Scheme() }

// wrapS3Scheme installs the wrapping s3:// factory, unless the S3 backend
// is not linked in.
func wrapS3Scheme() {
	reg := iceio.GetRegisteredSchemes()
	if !slices.Contains(reg, "s3") || !slices.Contains(reg, "s3a") {
		return
	}
	iceio.Unregister("s3")
	iceio.Register("s3", func(ctx context.Context, parsed *url.URL, props map[string]string) (iceio.IO, error) {
		alias := *parsed
		alias.Scheme = "s3a"
		where := s3Where(parsed.Host, props)
		inner, err := iceio.LoadFS(boundedS3(ctx, props), props, alias.String())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		full, ok := inner.(fullIO)
		if !ok {
			return inner, nil
		}
		return &s3NamedIO{fullIO: full, where: where}, nil
	})
}

// PropS3FirstByteTimeout bounds the wait for an S3 response's headers
// once a request is sent (seconds or a Go duration; default
// files.DefaultS3FirstByteTimeout). iceberg-go bounds connecting
// (s3.connect-timeout) but not this, so an endpoint that accepts
// connections and never answers would hang until the caller's deadline.
const PropS3FirstByteTimeout = "s3.first-byte-timeout"

// boundedS3 hands iceberg-go an AWS config whose HTTP client gives up on
// silent endpoints, unless the caller put a config in ctx already. The
// config is iceberg-go's own reading of props; iceberg-go still applies
// the endpoint, region and keys from props on top of it.
func boundedS3(ctx context.Context, props map[string]string) context.Context {
	if utils.GetAwsConfig(ctx) != nil {
		return ctx
	}
	wait := files.DefaultS3FirstByteTimeout
	if v, ok := props[PropS3FirstByteTimeout]; ok {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			wait = d
		} else if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
			wait = time.Duration(secs * float64(time.Second))
		}
	}
	cfg, err := icebergs3.ParseAWSConfig(ctx, props)
	if err != nil {
		return ctx // iceberg-go reports the same error itself
	}
	client, ok := cfg.HTTPClient.(*awshttp.BuildableClient)
	if cfg.HTTPClient != nil && !ok {
		return ctx
	}
	if client == nil {
		client = awshttp.NewBuildableClient()
		if _, set := props[iceio.S3ConnectTimeout]; !set {
			client = client.WithDialerOptions(func(d *net.Dialer) { d.Timeout = files.DefaultS3ConnectTimeout })
		}
	}
	cfg.HTTPClient = client.WithTransportOptions(func(t *http.Transport) {
		t.ResponseHeaderTimeout = wait
		t.MaxIdleConnsPerHost = 256
	})
	return utils.WithAwsConfig(ctx, cfg)
}

// s3Where names a bucket and its endpoint, never the credentials.
func s3Where(bucket string, props map[string]string) string {
	ep := props[iceio.S3EndpointURL]
	if ep == "" {
		ep = "aws s3"
		if r := props[iceio.S3Region]; r != "" {
			ep += " (" + r + ")"
		}
	} else if u, err := url.Parse(ep); err == nil {
		ep = u.Redacted()
	}
	return "s3 bucket " + bucket + " at " + ep
}

// fullIO is every optional interface iceberg-go's blob IO implements and
// iceberg-go or lakeframe look for; the wrapper keeps them all.
type fullIO interface {
	iceio.ReadFileIO
	iceio.WriteFileIO
	iceio.ListableIO
	iceio.BulkRemovableIO
	iceio.StatIO
	iceio.RenameIO
	iceio.RenameNoReplaceIO
	iceio.RemoveAllIO
	iceio.MkdirAllIO
}

// s3NamedIO adds where to the errors of the IO it wraps.
type s3NamedIO struct {
	fullIO
	where string
}

var _ fullIO = (*s3NamedIO)(nil)

func (s *s3NamedIO) wrap(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return fmt.Errorf("%s: %w", s.where, err)
}

func (s *s3NamedIO) Open(name string) (iceio.File, error) {
	f, err := s.fullIO.Open(name)
	if err != nil {
		return nil, s.wrap(err)
	}
	return &s3NamedFile{File: f, io: s}, nil
}

func (s *s3NamedIO) Remove(name string) error { return s.wrap(s.fullIO.Remove(name)) }

func (s *s3NamedIO) ReadFile(name string) ([]byte, error) {
	b, err := s.fullIO.ReadFile(name)
	return b, s.wrap(err)
}

func (s *s3NamedIO) Create(name string) (iceio.FileWriter, error) {
	w, err := s.fullIO.Create(name)
	if err != nil {
		return nil, s.wrap(err)
	}
	return &s3NamedWriter{FileWriter: w, io: s}, nil
}

func (s *s3NamedIO) WriteFile(name string, p []byte) error {
	return s.wrap(s.fullIO.WriteFile(name, p))
}

func (s *s3NamedIO) WalkDir(root string, fn fs.WalkDirFunc) error {
	return s.wrap(s.fullIO.WalkDir(root, fn))
}

func (s *s3NamedIO) DeleteFiles(ctx context.Context, paths []string) ([]string, error) {
	deleted, err := s.fullIO.DeleteFiles(ctx, paths)
	return deleted, s.wrap(err)
}

func (s *s3NamedIO) Stat(path string) (fs.FileInfo, error) {
	fi, err := s.fullIO.Stat(path)
	return fi, s.wrap(err)
}

func (s *s3NamedIO) Rename(oldpath, newpath string) error {
	return s.wrap(s.fullIO.Rename(oldpath, newpath))
}

func (s *s3NamedIO) RenameNoReplace(oldpath, newpath string) error {
	return s.wrap(s.fullIO.RenameNoReplace(oldpath, newpath))
}

func (s *s3NamedIO) RemoveAll(name string) error { return s.wrap(s.fullIO.RemoveAll(name)) }

func (s *s3NamedIO) MkdirAll(path string) error { return s.wrap(s.fullIO.MkdirAll(path)) }

// Close closes the underlying bucket when it has something to close, as
// callers that cache IOs (vended credentials) expect.
func (s *s3NamedIO) Close() error {
	if c, ok := s.fullIO.(io.Closer); ok {
		return s.wrap(c.Close())
	}
	return nil
}

// s3NamedFile adds the bucket and endpoint to read errors.
type s3NamedFile struct {
	iceio.File
	io *s3NamedIO
}

func (f *s3NamedFile) Read(p []byte) (int, error) {
	n, err := f.File.Read(p)
	return n, f.io.wrap(err)
}

func (f *s3NamedFile) ReadAt(p []byte, off int64) (int, error) {
	n, err := f.File.ReadAt(p, off)
	return n, f.io.wrap(err)
}

func (f *s3NamedFile) Seek(offset int64, whence int) (int64, error) {
	n, err := f.File.Seek(offset, whence)
	return n, f.io.wrap(err)
}

func (f *s3NamedFile) Close() error { return f.io.wrap(f.File.Close()) }

// s3NamedWriter adds the bucket and endpoint to write errors; an upload's
// failure usually shows at Close.
type s3NamedWriter struct {
	iceio.FileWriter
	io *s3NamedIO
}

func (w *s3NamedWriter) Write(p []byte) (int, error) {
	n, err := w.FileWriter.Write(p)
	return n, w.io.wrap(err)
}

func (w *s3NamedWriter) ReadFrom(r io.Reader) (int64, error) {
	n, err := w.FileWriter.ReadFrom(r)
	return n, w.io.wrap(err)
}

func (w *s3NamedWriter) Close() error { return w.io.wrap(w.FileWriter.Close()) }
