package miniotest

import (
	"bytes"
	"context"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Upload copies every file below the local directory root into bucket,
// each under prefix followed by its slash-separated path relative to root.
func (s *Server) Upload(t testing.TB, root, bucket, prefix string) {
	t.Helper()
	ctx := context.Background()
	client := s.Client()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		key := prefix + filepath.ToSlash(rel)
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(b)})
		return err
	})
	if err != nil {
		t.Fatalf("miniotest: upload %s to bucket %s at %s: %v", root, bucket, s.Endpoint, err)
	}
}

// ClosedAddr is a loopback host:port nothing listens on, for tests of
// endpoints that refuse connections.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
