//go:build cgo

package parquet

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lakeframe/exec/source/files"
	st "lakeframe/exec/source/sourcetest"
	"lakeframe/internal/miniotest"
	"lakeframe/plan"
)

// TestS3SourceCodec checks that an executor re-opens an s3:// source
// with the coordinator's explicit config, not its own environment.
func TestS3SourceCodec(t *testing.T) {
	srv := miniotest.Start(t)
	bucket := srv.NewBucket(t)
	local := filepath.Join(t.TempDir(), "a.parquet")
	writeDuck(t, local, 0, 3000, 1000)
	b, err := os.ReadFile(local)
	if err != nil {
		t.Fatal(err)
	}
	key := "t/a.parquet"
	if _, err := srv.Client().PutObject(context.Background(), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(b)}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"} {
		t.Setenv(k, "")
	}
	cfg := &files.S3Config{Endpoint: srv.Endpoint, Region: srv.Region, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	ctx := context.Background()
	src, err := NewSource(ctx, []string{"s3://" + bucket + "/t/*.parquet"}, Options{S3: cfg})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(src.String(), srv.SecretKey) {
		t.Errorf("source description shows the secret: %s", src)
	}
	desc, err := codec{}.EncodeSource(src)
	if err != nil {
		t.Fatal(err)
	}
	again, err := codec{}.OpenSource(ctx, desc)
	if err != nil {
		t.Fatalf("executor side: %v", err)
	}
	paths := func(s *Source) (out []string) {
		for _, f := range s.Files() {
			out = append(out, f.Path)
		}
		return out
	}
	if got, want := paths(again.(*Source)), paths(src); !slices.Equal(got, want) {
		t.Errorf("executor lists %v, coordinator %v", got, want)
	}
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	recs, _, err := st.Scan(t, again.(*Source), plan.Pushdown{Limit: -1}, mem, 1024)
	if err != nil {
		t.Fatal(err)
	}
	var rows int64
	for _, r := range recs {
		rows += r.NumRows()
		r.Release()
	}
	if rows != 3000 {
		t.Errorf("executor read %d rows, want 3000", rows)
	}
}
