package files

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lakeframe/errs"
)

// S3Scheme starts the paths the S3 file system serves:
// s3://bucket/key.
const S3Scheme = "s3://"

// S3 is an S3-compatible object store as a file system. Paths are
// s3://bucket/key; a "directory" is a key prefix ending in "/" with
// objects below it, and the bucket itself (s3://bucket) is the root
// directory. Listings page through ListObjectsV2, reads are ranged
// GetObject requests, and every request is bounded by the config's
// timeouts and retries.
//
// S3 keeps no credentials of its own: they live in the SDK client, so
// printing an S3 shows only the endpoint.
type S3 struct {
	client   *s3.Client
	endpoint string // for errors
	timeout  time.Duration
	cache    *BlockCache // nil: reads go to the store

	// versions holds the ETag and size of objects this file system listed
	// or described, so that opening one of them can serve its blocks from
	// the cache without asking the store again.
	versions sync.Map // path → ObjectVersion
	// listed holds the listing a Stat of a directory fetched, for the List
	// of it that follows (once).
	listed sync.Map // s3://bucket/prefix/ → []Info

	requests, bytesRead atomic.Int64
}

// S3Stats count the requests an S3 file system made.
type S3Stats struct {
	// Requests counts HEAD, LIST and GET requests; BytesRead the bytes
	// GETs returned.
	Requests, BytesRead int64
	// Cache is the block cache's own count (shared by every file system
	// on the same cache directory), zero without a cache.
	Cache CacheStats
}

// Stats returns the counts so far.
func (f *S3) Stats() S3Stats {
	st := S3Stats{Requests: f.requests.Load(), BytesRead: f.bytesRead.Load()}
	if f.cache != nil {
		st.Cache = f.cache.Stats()
	}
	return st
}

var _ FS = (*S3)(nil)

// NewS3 makes a file system on the store cfg describes, with empty fields
// taken from the environment (S3ConfigFromEnv). Without credentials,
// requests are anonymous: public buckets can be read, others answer 403.
// Nothing is sent until the first call.
func NewS3(cfg S3Config) (*S3, error) {
	cfg = cfg.withEnv()
	o := s3.Options{
		Region:       cfg.region(),
		UsePathStyle: cfg.Endpoint != "" && !cfg.VirtualHosted,
		HTTPClient:   newS3HTTPClient(cfg),
		Retryer: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = cfg.maxAttempts()
			o.MaxBackoff = time.Second
			o.RateLimiter = ratelimit.None
		}),
		// S3-compatible servers do not all send checksums; ranged reads
		// cannot be checked anyway.
		ResponseChecksumValidation:                aws.ResponseChecksumValidationWhenRequired,
		RequestChecksumCalculation:                aws.RequestChecksumCalculationWhenRequired,
		DisableLogOutputChecksumValidationSkipped: true,
	}
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("%w: s3 endpoint %q is not an http:// or https:// URL", errs.ErrPlan, cfg.Endpoint)
		}
		if u.User != nil {
			return nil, fmt.Errorf("%w: s3 endpoint %s carries user information; give credentials as the access key and secret", errs.ErrPlan, u.Redacted())
		}
		o.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	switch {
	case cfg.AccessKeyID != "" && cfg.SecretAccessKey != "":
		o.Credentials = credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)
	case cfg.AccessKeyID != "" || cfg.SecretAccessKey != "":
		return nil, fmt.Errorf("%w: s3 at %s: an access key id needs its secret access key and the other way round", errs.ErrPlan, cfg.endpointName())
	default:
		o.Credentials = aws.AnonymousCredentials{}
	}
	fsys := &S3{client: s3.New(o), endpoint: cfg.endpointName(), timeout: cfg.requestTimeout()}
	if cfg.CacheDir != "" {
		c, err := OpenBlockCache(BlockCacheConfig{Dir: cfg.CacheDir, MaxBytes: cfg.CacheMaxBytes})
		if err != nil {
			return nil, err
		}
		fsys.cache = c
	}
	return fsys, nil
}

// newS3HTTPClient bounds connecting and waiting for the first byte, so
// that a dead or silent endpoint fails in seconds rather than at the
// caller's deadline. Clients with the same bounds share one transport and
// so its idle connections: every read opens a new S3 file system, and
// each with its own pool would leave connections idling per query.
func newS3HTTPClient(cfg S3Config) *http.Client {
	key := [2]time.Duration{cfg.connectTimeout(), cfg.firstByteTimeout()}
	if t, ok := s3Transports.Load(key); ok {
		return &http.Client{Transport: t.(*http.Transport)}
	}
	d := &net.Dialer{Timeout: key[0], KeepAlive: 30 * time.Second}
	t, _ := s3Transports.LoadOrStore(key, &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   key[0],
		ResponseHeaderTimeout: key[1],
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
	})
	return &http.Client{Transport: t.(*http.Transport)}
}

// s3Transports holds the shared transports by [connect, first byte]
// timeout.
var s3Transports sync.Map

// IsS3Path says whether p names an object store path.
func IsS3Path(p string) bool { return strings.HasPrefix(p, S3Scheme) }

// splitS3 splits s3://bucket/key into bucket and key.
func splitS3(p string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(p, S3Scheme)
	if !ok {
		return "", "", fmt.Errorf("%w: %q is not an s3:// path", errs.ErrPlan, p)
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%w: %q names no bucket", errs.ErrPlan, p)
	}
	return bucket, key, nil
}

// op runs one request under the request timeout.
func (f *S3) op(ctx context.Context, name, bucket, key string, do func(context.Context) error) error {
	return f.opTimeout(ctx, name, bucket, key, f.timeout, do)
}

func (f *S3) opTimeout(ctx context.Context, name, bucket, key string, timeout time.Duration, do func(context.Context) error) error {
	f.requests.Add(1)
	octx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := do(octx)
	if err == nil {
		return nil
	}
	timedOut := ctx.Err() == nil && errors.Is(octx.Err(), context.DeadlineExceeded)
	return s3Failure(name, f.endpoint, bucket, key, timedOut, timeout, err)
}

// Stat describes an object, or a prefix with objects below it as a
// directory. A missing bucket is an error naming it, not fs.ErrNotExist.
func (f *S3) Stat(ctx context.Context, p string) (Info, error) {
	bucket, key, err := splitS3(p)
	if err != nil {
		return Info{}, err
	}
	if key != "" && !strings.HasSuffix(key, "/") {
		var out *s3.HeadObjectOutput
		err := f.op(ctx, "HeadObject", bucket, key, func(ctx context.Context) (err error) {
			out, err = f.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
			return err
		})
		if err == nil {
			info := Info{Path: p, Size: aws.ToInt64(out.ContentLength)}
			f.remember(info, aws.ToString(out.ETag))
			return info, nil
		}
		var se *S3Error
		if !errors.As(err, &se) || se.Status != http.StatusNotFound {
			return Info{}, f.explainHead(ctx, bucket, key, err)
		}
		// HEAD answers a bare 404 for a missing bucket too; the listing
		// below tells the two apart.
	}
	prefix := dirPrefix(key)
	var out *s3.ListObjectsV2Output
	err = f.op(ctx, "ListObjectsV2", bucket, prefix, func(ctx context.Context) (err error) {
		out, err = f.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
		return err
	})
	if err != nil {
		return Info{}, err
	}
	if key != "" && len(out.Contents) == 0 {
		return Info{}, &S3Error{Op: "HeadObject", Endpoint: f.endpoint, Bucket: bucket, Key: key, Status: http.StatusNotFound,
			Message: "no object and no objects below it"}
	}
	// A directory is stated to be listed next: a whole listing on one page
	// is kept for that List, which then costs no request of its own.
	if !aws.ToBool(out.IsTruncated) {
		f.listed.Store(S3Scheme+bucket+"/"+prefix, f.pageInfos(S3Scheme+bucket+"/", out))
	}
	return Info{Path: p, IsDir: true}, nil
}

// pageInfos describes the objects of a listing page, skipping "directory
// marker" objects whose keys end in "/".
func (f *S3) pageInfos(base string, page *s3.ListObjectsV2Output) []Info {
	var out []Info
	for _, o := range page.Contents {
		k := aws.ToString(o.Key)
		if strings.HasSuffix(k, "/") {
			continue
		}
		info := Info{Path: base + k, Size: aws.ToInt64(o.Size)}
		f.remember(info, aws.ToString(o.ETag))
		out = append(out, info)
	}
	return out
}

// explainHead returns a failed HEAD's error with the S3 error code,
// which HEAD responses have no body to carry: a one-byte GET of the same
// object learns it ("403 Forbidden" becomes "403 SignatureDoesNotMatch:
// ..."). Only failures pay for the second request.
func (f *S3) explainHead(ctx context.Context, bucket, key string, headErr error) error {
	var he *S3Error
	if !errors.As(headErr, &he) || he.Status == 0 || he.Code != "" && he.Code != http.StatusText(he.Status) {
		return headErr
	}
	rng := "bytes=0-0"
	err := f.op(ctx, "GetObject", bucket, key, func(ctx context.Context) error {
		out, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: &rng})
		if err == nil {
			out.Body.Close()
		}
		return err
	})
	var ge *S3Error
	if errors.As(err, &ge) && ge.Status == he.Status && ge.Code != "" {
		return ge
	}
	return headErr
}

// dirPrefix is the prefix of the objects below key.
func dirPrefix(key string) string {
	if key == "" || strings.HasSuffix(key, "/") {
		return key
	}
	return key + "/"
}

// List returns every object below dir, skipping "directory marker"
// objects whose keys end in "/".
func (f *S3) List(ctx context.Context, dir string) ([]Info, error) {
	bucket, key, err := splitS3(dir)
	if err != nil {
		return nil, err
	}
	prefix := dirPrefix(key)
	base := S3Scheme + bucket + "/"
	if infos, ok := f.listed.LoadAndDelete(base + prefix); ok {
		return infos.([]Info), nil
	}
	var out []Info
	var token *string
	for {
		var page *s3.ListObjectsV2Output
		err := f.op(ctx, "ListObjectsV2", bucket, prefix, func(ctx context.Context) (err error) {
			page, err = f.client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix, ContinuationToken: token})
			return err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, f.pageInfos(base, page)...)
		if !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil {
			return out, nil
		}
		token = page.NextContinuationToken
	}
}

// remember notes an object's version for Open, when there is a cache to
// use it.
func (f *S3) remember(info Info, etag string) {
	if f.cache != nil && etag != "" {
		f.versions.Store(info.Path, ObjectVersion{Path: info.Path, Version: etag, Size: info.Size})
	}
}

// tailBytes is how much of an object's end Open fetches: enough for
// most Parquet footers, which readers ask for next.
const tailBytes = 64 << 10

// Open fetches the object's last bytes, learning its size from the same
// response, and returns it for ranged reads: one request where a HEAD
// and two footer reads would take three. The file reads under ctx:
// io.ReaderAt has no context of its own, so the file lives within the
// call that opened it, as an HTTP response body does.
func (f *S3) Open(ctx context.Context, p string) (File, error) {
	bucket, key, err := splitS3(p)
	if err != nil {
		return nil, err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return nil, fmt.Errorf("%w: %s names a prefix, not an object", errs.ErrPlan, p)
	}
	obj := &s3Object{ctx: ctx, fs: f, bucket: bucket, key: key, size: -1}
	if v, ok := f.versions.Load(p); ok {
		// Listed or described in this file system's lifetime (the
		// query's): its blocks, footer included, may come from the cache.
		obj.version = v.(ObjectVersion)
		obj.size = obj.version.Size
		return &s3File{s3Object: obj, sr: io.NewSectionReader(obj, 0, obj.size)}, nil
	}
	rng := fmt.Sprintf("bytes=-%d", tailBytes)
	err = f.op(ctx, "GetObject", bucket, key, func(ctx context.Context) error {
		out, err := f.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: &key, Range: &rng})
		if err != nil {
			return err
		}
		defer out.Body.Close()
		total, ok := rangeTotal(aws.ToString(out.ContentRange))
		if !ok {
			// The server sent the whole object: keep its size only.
			obj.size = aws.ToInt64(out.ContentLength)
			return nil
		}
		tail, err := io.ReadAll(out.Body)
		if err != nil {
			return err
		}
		f.bytesRead.Add(int64(len(tail)))
		obj.size, obj.tail = total, tail
		if etag := aws.ToString(out.ETag); etag != "" && f.cache != nil {
			obj.version = ObjectVersion{Path: p, Version: etag, Size: total}
		}
		return nil
	})
	var se *S3Error
	if errors.As(err, &se) && se.Status == http.StatusRequestedRangeNotSatisfiable {
		obj.size, err = 0, nil // an empty object has no last bytes
	}
	if err != nil {
		return nil, err
	}
	return &s3File{s3Object: obj, sr: io.NewSectionReader(obj, 0, obj.size)}, nil
}

// rangeTotal reads the object size out of a Content-Range header,
// "bytes 100-199/200".
func rangeTotal(cr string) (int64, bool) {
	_, total, ok := strings.Cut(cr, "/")
	if !ok || total == "*" {
		return 0, false
	}
	n, err := strconv.ParseInt(total, 10, 64)
	return n, err == nil
}

// s3Object reads byte ranges of one object.
type s3Object struct {
	ctx    context.Context
	fs     *S3
	bucket string
	key    string
	size   int64
	tail   []byte // the object's last bytes, fetched by Open
	// version, when set, is the object's version for the block cache.
	version ObjectVersion
}

// ReadAt reads len(p) bytes at off, from the tail Open fetched or with
// one ranged GetObject; it is safe for concurrent use.
func (o *s3Object) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%w: read s3://%s/%s at negative offset %d", errs.ErrInternal, o.bucket, o.key, off)
	}
	if off >= o.size {
		return 0, io.EOF
	}
	want := p
	if rem := o.size - off; int64(len(want)) > rem {
		want = want[:rem]
	}
	if len(want) == 0 {
		return 0, nil
	}
	var n int
	if tailAt := o.size - int64(len(o.tail)); off >= tailAt {
		n = copy(want, o.tail[off-tailAt:])
	} else if o.version.Version != "" && o.fs.cache != nil {
		var err error
		if n, err = o.fs.cache.ReadAt(o.ctx, o.version, o.fetch, want, off); err != nil && !errors.Is(err, io.EOF) {
			return n, err
		}
	} else {
		var err error
		if n, err = o.fetchInto(o.ctx, off, want); err != nil {
			return n, err
		}
	}
	if len(want) < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// fetch reads n bytes at off with one ranged GetObject, for the cache.
func (o *s3Object) fetch(ctx context.Context, off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	got, err := o.fetchInto(ctx, off, buf)
	return buf[:got], err
}

// fetchInto fills dst from off with one ranged GetObject.
func (o *s3Object) fetchInto(ctx context.Context, off int64, dst []byte) (int, error) {
	rng := fmt.Sprintf("bytes=%d-%d", off, off+int64(len(dst))-1)
	var got int
	err := o.fs.op(ctx, "GetObject", o.bucket, o.key, func(ctx context.Context) error {
		out, err := o.fs.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &o.bucket, Key: &o.key, Range: &rng})
		if err != nil {
			return err
		}
		defer out.Body.Close()
		got, err = io.ReadFull(out.Body, dst)
		return err
	})
	o.fs.bytesRead.Add(int64(got))
	return got, err
}

// readChunk is how much a sequential Read fetches per request.
const readChunk = 4 << 20

// s3File serves ReadAt straight from the object, and Read and Seek
// through a buffer refilled a chunk at a time, so that streaming readers
// (CSV, JSON lines) make one request per chunk rather than per call.
type s3File struct {
	*s3Object
	sr  *io.SectionReader // position for Seek
	buf []byte            // bytes at bufAt
	at  int64             // file offset of buf[0]
}

func (f *s3File) Size() int64 { return f.size }

func (f *s3File) Read(p []byte) (int, error) {
	pos, _ := f.sr.Seek(0, io.SeekCurrent)
	if pos >= f.size {
		return 0, io.EOF
	}
	if pos < f.at || pos >= f.at+int64(len(f.buf)) {
		n := min(int64(readChunk), f.size-pos)
		if cap(f.buf) < int(n) {
			f.buf = make([]byte, n)
		}
		f.buf = f.buf[:n]
		m, err := f.ReadAt(f.buf, pos)
		if m < int(n) {
			f.buf = f.buf[:0]
			if err == nil {
				err = io.ErrUnexpectedEOF
			}
			return 0, err
		}
		f.at = pos
	}
	n := copy(p, f.buf[pos-f.at:])
	f.sr.Seek(int64(n), io.SeekCurrent)
	return n, nil
}

func (f *s3File) Seek(offset int64, whence int) (int64, error) { return f.sr.Seek(offset, whence) }

// Close releases the read buffer; requests hold nothing open between
// reads.
func (f *s3File) Close() error {
	f.buf = nil
	return nil
}

// Put uploads size bytes of body as the object p in one PutObject, which
// S3 limits to 5 GiB. The object appears whole or not at all. body is
// read again from the start when a request is retried.
func (f *S3) Put(ctx context.Context, p string, body io.ReadSeeker, size int64) error {
	bucket, key, err := splitS3(p)
	if err != nil {
		return err
	}
	if key == "" || strings.HasSuffix(key, "/") {
		return fmt.Errorf("%w: %q names no object", errs.ErrPlan, p)
	}
	// Uploads send the whole body within the request timeout; allow for
	// large files at a modest 8 MiB/s.
	return f.opTimeout(ctx, "PutObject", bucket, key, f.timeout+time.Duration(size/(8<<20))*time.Second, func(ctx context.Context) error {
		if _, err := body.Seek(0, io.SeekStart); err != nil {
			return err
		}
		_, err := f.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: body, ContentLength: aws.Int64(size)})
		return err
	})
}

// Delete removes the object p; a missing object is not an error.
func (f *S3) Delete(ctx context.Context, p string) error {
	bucket, key, err := splitS3(p)
	if err != nil {
		return err
	}
	return f.op(ctx, "DeleteObject", bucket, key, func(ctx context.Context) error {
		_, err := f.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
		return err
	})
}
