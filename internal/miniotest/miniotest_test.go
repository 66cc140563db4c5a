package miniotest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"lakeframe/internal/miniotest"
)

func TestMinioStartPutGet(t *testing.T) {
	s := miniotest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bucket := s.NewBucket(t)
	client := s.Client()
	body := []byte("hello, lakeframe")
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("a/b.txt"), Body: bytes.NewReader(body),
	}); err != nil {
		t.Fatal(err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, body) {
		t.Errorf("got %q, want %q", got, body)
	}
	if err := s.CreateBucket(ctx, bucket); err == nil {
		t.Errorf("creating bucket %s twice succeeded", bucket)
	}
	if other := s.NewBucket(t); other == bucket {
		t.Errorf("NewBucket returned %s twice", bucket)
	}
}

func TestMinioStopEndsServer(t *testing.T) {
	s, err := miniotest.Launch()
	if errors.Is(err, miniotest.ErrNoBinary) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	live := s.Endpoint + "/minio/health/live"
	resp, err := http.Get(live)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health %s: %s", live, resp.Status)
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := s.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	if resp, err := client.Get(live); err == nil {
		resp.Body.Close()
		t.Errorf("server still answers after Stop: %s", resp.Status)
	}
}

func TestMinioMissingBinary(t *testing.T) {
	t.Setenv(miniotest.BinEnv, filepath.Join(t.TempDir(), "no-such-minio"))
	_, err := miniotest.Launch()
	if !errors.Is(err, miniotest.ErrNoBinary) {
		t.Fatalf("Launch with a missing binary: %v, want ErrNoBinary", err)
	}
}

func TestMinioBinaryThatExits(t *testing.T) {
	// A "minio" that exits at once must fail Launch quickly, with its output.
	bin := filepath.Join(t.TempDir(), "minio")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho broken minio >&2\nexit 3\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv(miniotest.BinEnv, bin)
	start := time.Now()
	_, err := miniotest.Launch()
	if err == nil {
		t.Fatal("Launch succeeded with a binary that exits")
	}
	if !bytes.Contains([]byte(err.Error()), []byte("broken minio")) {
		t.Errorf("error lacks the server's output: %v", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Launch took %s to notice the exit", d)
	}
}
