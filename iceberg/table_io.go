package iceberg

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"
	"time"

	iceio "github.com/apache/iceberg-go/io"
)

// tableIO is the FileIO lakeframe reads a table through. It wraps the
// table's own FileIO and corrects one writer quirk that iceberg-go
// refuses: delete manifests whose Avro header says content=data while
// the manifest list (which readers trust) says they hold deletes.
type tableIO struct {
	base iceio.IO

	mu              sync.Mutex
	deleteManifests map[string]bool
}

var (
	_ iceio.IO         = (*tableIO)(nil)
	_ iceio.ReadFileIO = (*tableIO)(nil)
)

func newTableIO(base iceio.IO) *tableIO {
	return &tableIO{base: base, deleteManifests: map[string]bool{}}
}

// markDeleteManifest records that the manifest list lists path as a
// delete manifest.
func (t *tableIO) markDeleteManifest(path string) {
	t.mu.Lock()
	t.deleteManifests[path] = true
	t.mu.Unlock()
}

func (t *tableIO) isDeleteManifest(path string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.deleteManifests[path]
}

// locations returns how the table's FileIO rewrites stored paths, nil
// when it opens them as they are.
func (t *tableIO) locations() *locations {
	base := t.base
	if tf, ok := base.(tableFS); ok {
		fs, err := tf.io()
		if err != nil {
			return nil
		}
		base = fs
	}
	if r, ok := base.(*remapIO); ok && !r.loc.empty() {
		return r.loc
	}
	return nil
}

func (t *tableIO) Open(name string) (iceio.File, error) {
	if !t.isDeleteManifest(name) {
		return t.base.Open(name)
	}
	b, err := t.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(b), name: name, size: int64(len(b))}, nil
}

func (t *tableIO) ReadFile(name string) ([]byte, error) {
	var b []byte
	var err error
	if rf, ok := t.base.(iceio.ReadFileIO); ok {
		b, err = rf.ReadFile(name)
	} else {
		var f iceio.File
		if f, err = t.base.Open(name); err == nil {
			b, err = io.ReadAll(f)
			f.Close()
		}
	}
	if err != nil || !t.isDeleteManifest(name) {
		return b, err
	}
	out, err := setAvroMeta(b, "content", "deletes")
	if err != nil {
		return nil, fmt.Errorf("delete manifest %s: %w", name, err)
	}
	return out, nil
}

func (t *tableIO) Remove(name string) error { return t.base.Remove(name) }

// memFile serves a file held in memory.
type memFile struct {
	*bytes.Reader
	name string
	size int64
}

func (m *memFile) Close() error               { return nil }
func (m *memFile) Stat() (fs.FileInfo, error) { return memInfo{m}, nil }

type memInfo struct{ f *memFile }

func (i memInfo) Name() string       { return i.f.name }
func (i memInfo) Size() int64        { return i.f.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

var errNotAvro = errors.New("not an avro object container file")

// setAvroMeta returns an Avro object container file with the header
// metadata key set to value; the data blocks are unchanged. It returns
// the input when the key already has that value.
func setAvroMeta(b []byte, key, value string) ([]byte, error) {
	if len(b) < 4 || string(b[:3]) != "Obj" || b[3] != 1 {
		return nil, errNotAvro
	}
	pos := 4
	type kv struct{ k, v []byte }
	var meta []kv
	for {
		n, ok := readLong(b, &pos)
		if !ok {
			return nil, errNotAvro
		}
		if n == 0 {
			break
		}
		if n < 0 {
			n = -n
			if _, ok := readLong(b, &pos); !ok { // block size in bytes
				return nil, errNotAvro
			}
		}
		for range n {
			k, ok := readBytes(b, &pos)
			if !ok {
				return nil, errNotAvro
			}
			v, ok := readBytes(b, &pos)
			if !ok {
				return nil, errNotAvro
			}
			meta = append(meta, kv{k, v})
		}
	}
	found := false
	for i := range meta {
		if string(meta[i].k) == key {
			if string(meta[i].v) == value {
				return b, nil
			}
			meta[i].v = []byte(value)
			found = true
		}
	}
	if !found {
		meta = append(meta, kv{[]byte(key), []byte(value)})
	}
	out := make([]byte, 0, len(b)+len(value))
	out = append(out, b[:4]...)
	out = appendLong(out, int64(len(meta)))
	for _, m := range meta {
		out = appendLong(out, int64(len(m.k)))
		out = append(out, m.k...)
		out = appendLong(out, int64(len(m.v)))
		out = append(out, m.v...)
	}
	out = appendLong(out, 0)
	return append(out, b[pos:]...), nil
}

// readLong decodes an Avro zig-zag varint.
func readLong(b []byte, pos *int) (int64, bool) {
	var u uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if *pos >= len(b) {
			return 0, false
		}
		c := b[*pos]
		*pos++
		u |= uint64(c&0x7f) << shift
		if c&0x80 == 0 {
			return int64(u>>1) ^ -int64(u&1), true
		}
	}
	return 0, false
}

func readBytes(b []byte, pos *int) ([]byte, bool) {
	n, ok := readLong(b, pos)
	if !ok || n < 0 || int64(*pos)+n > int64(len(b)) {
		return nil, false
	}
	out := b[*pos : *pos+int(n)]
	*pos += int(n)
	return out, true
}

func appendLong(out []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for u >= 0x80 {
		out = append(out, byte(u)|0x80)
		u >>= 7
	}
	return append(out, byte(u))
}
