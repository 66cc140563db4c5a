package files

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lakeframe/errs"
	"lakeframe/internal/miniotest"
)

func serverConfig(srv *miniotest.Server) S3Config {
	return S3Config{Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
}

// serverFS is the S3 file system on srv with its root credentials.
func serverFS(t *testing.T, srv *miniotest.Server) *S3 {
	t.Helper()
	fsys, err := NewS3(serverConfig(srv))
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

// put stores data in bucket under key.
func put(t *testing.T, srv *miniotest.Server, bucket, key string, data []byte) {
	t.Helper()
	if _, err := srv.Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(data)}); err != nil {
		t.Fatalf("put %s in bucket %s: %v", key, bucket, err)
	}
}

// TestS3ExpandLikeLocal expands the same patterns over a local tree and
// over a copy of it in MinIO: the S3 file system must find the same
// files, with the same sizes and contents.
func TestS3ExpandLikeLocal(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	root := t.TempDir()
	touch(t, root,
		"a.parquet", "b.parquet", "c.csv", "_SUCCESS", ".hidden.parquet",
		"sub/d.parquet", "sub/deeper/e.PARQUET", "sub/_tmp/f.parquet", "sub/.git/g.parquet",
		"year=2024/h.parquet", "year=2025/month=1/i.parquet")
	srv.Upload(t, root, bucket, "lake/t/")
	// A directory marker, as some tools write: not a file.
	marker := "lake/t/sub/"
	put(t, srv, bucket, marker, nil)
	fsys := serverFS(t, srv)
	ctx := context.Background()
	base := "s3://" + bucket + "/lake/t"
	exts := []string{".parquet"}
	for _, pat := range []string{
		"c.csv", ".", "*.parquet", "?.parquet", "[ab].parquet", "*/*.parquet", "**/*.parquet",
		"sub/**/*.PARQUET", "sub/**", "sub", "sub/", "year=*/*.parquet", "year=*/**/*.parquet",
		"year=2025/month=1", "_SUCCESS", "sub/_tmp/*.parquet",
	} {
		t.Run(pat, func(t *testing.T) {
			local, lerr := Expand(ctx, Local{}, []string{filepath.ToSlash(filepath.Join(root, pat))}, exts)
			if pat == "." {
				local, lerr = Expand(ctx, Local{}, []string{filepath.ToSlash(root)}, exts)
			}
			remotePat := base + "/" + pat
			if pat == "." {
				remotePat = base
			}
			remote, rerr := Expand(ctx, fsys, []string{remotePat}, exts)
			if lerr != nil || rerr != nil {
				t.Fatalf("local: %v, s3: %v", lerr, rerr)
			}
			rel := func(infos []Info, prefix string) []string {
				var out []string
				for _, i := range infos {
					out = append(out, fmt.Sprintf("%s:%d", strings.TrimPrefix(i.Path, prefix), i.Size))
				}
				return out
			}
			l, r := rel(local, filepath.ToSlash(root)), rel(remote, base)
			if !slices.Equal(l, r) {
				t.Errorf("local %v\n   s3 %v", l, r)
			}
			for _, i := range remote {
				f, err := fsys.Open(ctx, i.Path)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(f)
				f.Close()
				if err != nil {
					t.Fatal(err)
				}
				if want := strings.TrimPrefix(i.Path, base+"/"); string(got) != want {
					t.Errorf("%s holds %q, want %q", i.Path, got, want)
				}
			}
		})
	}
	// Hive keys come out of s3 paths as out of local ones.
	infos, err := Expand(ctx, fsys, []string{base + "/year=2025"}, exts)
	if err != nil {
		t.Fatal(err)
	}
	entries, fields, err := Partitions(infos)
	if err != nil {
		t.Fatal(err)
	}
	if len(fields) != 2 || fields[0].Name != "year" || fields[1].Name != "month" || entries[0].Partition[1].Text != "1" {
		t.Errorf("partitions %v of %v", fields, entries)
	}
}

// TestS3RangedReads checks ReadAt, Read and Seek against the bytes put,
// over more than one read chunk.
func TestS3RangedReads(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	data := make([]byte, readChunk+123457)
	for i := range data {
		data[i] = byte(i*7 + i>>11)
	}
	key := "big.bin"
	put(t, srv, bucket, key, data)
	fsys := serverFS(t, srv)
	f, err := fsys.Open(context.Background(), "s3://"+bucket+"/"+key)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(data)) {
		t.Fatalf("size %d, want %d", f.Size(), len(data))
	}
	for _, r := range []struct{ off, n int }{
		{0, 10}, {1000, 1 << 16}, {len(data) - 5, 5}, {readChunk - 3, 10},
		{len(data) - tailBytes - 3, 10}, {len(data) - tailBytes, tailBytes}, {len(data) - 2*tailBytes, 2 * tailBytes},
	} {
		buf := make([]byte, r.n)
		n, err := f.ReadAt(buf, int64(r.off))
		if err != nil || n != r.n || !bytes.Equal(buf, data[r.off:r.off+r.n]) {
			t.Errorf("ReadAt(%d, %d) = %d, %v; bytes equal: %v", r.off, r.n, n, err, bytes.Equal(buf[:n], data[r.off:r.off+n]))
		}
	}
	// Past the end: the bytes there and io.EOF.
	buf := make([]byte, 10)
	if n, err := f.ReadAt(buf, int64(len(data)-4)); n != 4 || err != io.EOF || !bytes.Equal(buf[:4], data[len(data)-4:]) {
		t.Errorf("ReadAt across the end = %d, %v", n, err)
	}
	if _, err := f.Seek(100, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, data[100:]) {
		t.Errorf("Read after Seek: %d bytes, %v; equal: %v", len(got), err, bytes.Equal(got, data[100:]))
	}

	// Objects smaller than the tail Open fetches, and an empty one.
	for _, n := range []int{0, 1, 1000} {
		key := fmt.Sprintf("small-%d.bin", n)
		put(t, srv, bucket, key, data[:n])
		f, err := fsys.Open(context.Background(), "s3://"+bucket+"/"+key)
		if err != nil {
			t.Fatalf("open %s: %v", key, err)
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil || f.Size() != int64(n) || !bytes.Equal(got, data[:n]) {
			t.Errorf("%s: size %d, read %d bytes, %v", key, f.Size(), len(got), err)
		}
	}
}

// hangingListener accepts connections and never answers.
func hangingListener(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	conns := make(chan net.Conn, 64)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	t.Cleanup(func() {
		l.Close()
		close(done)
		for {
			select {
			case c := <-conns:
				c.Close()
			default:
				return
			}
		}
	})
	return "http://" + l.Addr().String()
}

// TestS3Errors checks that each bad setting fails by itself (not by the
// test's deadline), names what is wrong and never shows a secret.
func TestS3Errors(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	srv.Upload(t, func() string {
		root := t.TempDir()
		touch(t, root, "data/a.parquet")
		return root
	}(), bucket, "")
	const wrongSecret = "wrong-secret-0123456789"
	good := serverConfig(srv)
	closed, hanging := "http://"+miniotest.ClosedAddr(t), hangingListener(t)
	cases := []struct {
		name     string
		cfg      func(*S3Config)
		pattern  string
		want     []string // each must appear
		notExist bool     // errors.Is(err, fs.ErrNotExist) or "no files match"
	}{
		{"refused connection", func(c *S3Config) { c.Endpoint = closed }, "s3://" + bucket + "/data/*.parquet",
			[]string{closed, bucket, "connection refused"}, false},
		{"silent endpoint", func(c *S3Config) { c.Endpoint = hanging; c.FirstByteTimeout = 300 * time.Millisecond },
			"s3://" + bucket + "/data/a.parquet", []string{hanging, bucket, "timeout"}, false},
		{"silent endpoint, request timeout", func(c *S3Config) {
			c.Endpoint = hanging
			c.RequestTimeout = 500 * time.Millisecond
		}, "s3://" + bucket + "/data/a.parquet", []string{hanging, bucket, "no answer within 500ms"}, false},
		{"wrong secret", func(c *S3Config) { c.SecretAccessKey = wrongSecret }, "s3://" + bucket + "/data/*.parquet",
			[]string{srv.Endpoint, bucket, "403", "SignatureDoesNotMatch"}, false},
		{"wrong access key", func(c *S3Config) { c.AccessKeyID = "nobody" }, "s3://" + bucket + "/data/a.parquet",
			[]string{srv.Endpoint, bucket, "403", "InvalidAccessKeyId"}, false},
		{"no credentials", func(c *S3Config) { c.AccessKeyID, c.SecretAccessKey = "", "" }, "s3://" + bucket + "/data/a.parquet",
			[]string{srv.Endpoint, bucket, "403", "AccessDenied"}, false},
		{"missing bucket, glob", nil, "s3://no-such-bucket/data/*.parquet",
			[]string{srv.Endpoint, "no-such-bucket", "404", "NoSuchBucket"}, false},
		{"missing bucket, file", nil, "s3://no-such-bucket/data/a.parquet",
			[]string{srv.Endpoint, "no-such-bucket", "404", "NoSuchBucket"}, false},
		{"missing object", nil, "s3://" + bucket + "/data/b.parquet",
			[]string{"s3://" + bucket + "/data/b.parquet", "does not exist"}, true},
		{"glob matching nothing", nil, "s3://" + bucket + "/data/*.csv",
			[]string{"s3://" + bucket + "/data/*.csv", "no files match"}, true},
		{"endpoint without scheme", func(c *S3Config) { c.Endpoint = "127.0.0.1:9000" }, "s3://" + bucket + "/x",
			[]string{"127.0.0.1:9000", "http://"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Keep the environment out of the test's configs.
			for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
				t.Setenv(k, "")
			}
			cfg := good
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			const limit = 30 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			start := time.Now()
			_, err := Expand(ctx, Auto(&cfg), []string{c.pattern}, []string{".parquet"})
			elapsed := time.Since(start)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("after %s: %v", elapsed.Round(time.Millisecond), err)
			if ctx.Err() != nil {
				t.Errorf("ended by the test's deadline after %s, not by the failure", elapsed)
			}
			msg := err.Error()
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not say %q", w)
				}
			}
			for _, s := range []string{srv.SecretKey, wrongSecret} {
				if strings.Contains(msg, s) || strings.Contains(fmt.Sprintf("%+v", err), s) {
					t.Errorf("error shows a secret key")
				}
			}
			if c.notExist != (errors.Is(err, fs.ErrNotExist) || strings.Contains(msg, "no files match")) {
				t.Errorf("missing-file error: %v, want %v", !c.notExist, c.notExist)
			}
			if !errors.Is(err, errs.ErrPlan) && !errors.Is(err, errs.ErrExec) {
				t.Errorf("error wraps neither ErrPlan nor ErrExec")
			}
		})
	}
}

func TestS3ConfigRedacts(t *testing.T) {
	const secret, token = "very-secret-key-1", "session-token-2"
	c := S3Config{Endpoint: "http://127.0.0.1:9000", AccessKeyID: "ak", SecretAccessKey: secret, SessionToken: token}
	type holder struct {
		Cfg  S3Config
		Ptr  *S3Config
		Auto FS
	}
	h := holder{Cfg: c, Ptr: &c, Auto: Auto(&c)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		for _, v := range []any{c, &c, h, &h, Auto(&c)} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, secret) || strings.Contains(out, token) || strings.Contains(out, fmt.Sprintf("%x", secret)) {
				t.Errorf("%s of %T shows a secret: %s", verb, v, out)
			}
		}
	}
	if s := c.String(); !strings.Contains(s, "http://127.0.0.1:9000") || !strings.Contains(s, "ak") {
		t.Errorf("String hides too much: %s", s)
	}
}

func TestS3ConfigJSONKeepsSecret(t *testing.T) {
	c := S3Config{Endpoint: "http://e", Region: "r", AccessKeyID: "a", SecretAccessKey: "s", SessionToken: "t",
		VirtualHosted: true, ConnectTimeout: time.Second, FirstByteTimeout: 2 * time.Second, RequestTimeout: 3 * time.Second, MaxAttempts: 4}
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var back S3Config
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back != c {
		t.Errorf("round trip through %s lost fields", js)
	}
}

func TestS3ConfigFromPropsAndEnv(t *testing.T) {
	c, err := S3ConfigFromProps(map[string]string{
		"s3.endpoint": "http://m:9000", "s3.region": "eu-west-1", "s3.access-key-id": "ak",
		"s3.secret-access-key": "sk", "s3.session-token": "tok", "s3.connect-timeout": "2.5",
		"s3.force-virtual-addressing": "true", "warehouse": "s3://b/wh",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := S3Config{Endpoint: "http://m:9000", Region: "eu-west-1", AccessKeyID: "ak", SecretAccessKey: "sk",
		SessionToken: "tok", ConnectTimeout: 2500 * time.Millisecond, VirtualHosted: true}
	if c != want {
		t.Errorf("from props %v, want %v", c, want)
	}
	if _, err := S3ConfigFromProps(map[string]string{"s3.connect-timeout": "soon"}); !errors.Is(err, errs.ErrPlan) || !strings.Contains(err.Error(), "s3.connect-timeout") {
		t.Errorf("bad timeout: %v", err)
	}

	t.Setenv("AWS_ENDPOINT_URL", "http://generic:1")
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://s3only:2")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "ap-south-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "envak")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "envsk")
	t.Setenv("AWS_SESSION_TOKEN", "")
	env := S3ConfigFromEnv()
	if env.Endpoint != "http://s3only:2" || env.Region != "ap-south-1" || env.AccessKeyID != "envak" || env.SecretAccessKey != "envsk" {
		t.Errorf("from env %v", env)
	}
	// Explicit credentials are never mixed with the environment's.
	mixed := S3Config{AccessKeyID: "mine", SecretAccessKey: "mysecret"}.withEnv()
	if mixed.AccessKeyID != "mine" || mixed.SecretAccessKey != "mysecret" || mixed.Endpoint != "http://s3only:2" {
		t.Errorf("explicit keys with env endpoint: %v", mixed)
	}
	if _, err := NewS3(S3Config{AccessKeyID: "only-id"}); !errors.Is(err, errs.ErrPlan) {
		t.Errorf("access key without secret: %v", err)
	}
}

// TestS3BucketRoot expands patterns whose fixed part is the bucket itself.
func TestS3BucketRoot(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	root := t.TempDir()
	touch(t, root, "a.parquet", "x/b.parquet", "x/y/c.parquet", "_tmp/d.parquet")
	srv.Upload(t, root, bucket, "")
	fsys := serverFS(t, srv)
	base := "s3://" + bucket
	for pat, want := range map[string]string{
		base:                     "a.parquet x/b.parquet x/y/c.parquet",
		base + "/":               "a.parquet x/b.parquet x/y/c.parquet",
		base + "/*.parquet":      "a.parquet",
		base + "/**/*.parquet":   "a.parquet x/b.parquet x/y/c.parquet",
		base + "/x/**/c.parquet": "x/y/c.parquet",
		base + "/_tmp/*.parquet": "_tmp/d.parquet",
	} {
		infos, err := Expand(context.Background(), fsys, []string{pat}, []string{".parquet"})
		if err != nil {
			t.Errorf("%s: %v", pat, err)
			continue
		}
		var got []string
		for _, i := range infos {
			got = append(got, strings.TrimPrefix(i.Path, base+"/"))
		}
		if strings.Join(got, " ") != want {
			t.Errorf("%s: got %v, want %s", pat, got, want)
		}
	}
}

func TestAutoRefusesOtherSchemes(t *testing.T) {
	for _, p := range []string{"gs://bucket/a.parquet", "file:///tmp/a.parquet", "s3a://bucket/*.parquet"} {
		_, err := Expand(context.Background(), Auto(nil), []string{p}, nil)
		scheme, _, _ := strings.Cut(p, "://")
		if !errors.Is(err, errs.ErrNotImplemented) || errors.Is(err, errs.ErrExec) || !strings.Contains(err.Error(), scheme+"://") {
			t.Errorf("%s: %v", p, err)
		}
	}
}
