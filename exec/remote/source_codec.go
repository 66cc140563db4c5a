package remote

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"lakeframe/errs"
	"lakeframe/exec"
	"lakeframe/plan"
)

// SourceCodec ships scans of one kind of source to executors: the
// coordinator describes the source and encodes its tasks, an executor
// opens the described source and reads the tasks itself from storage.
// Packages with a source register one with RegisterSourceCodec in init;
// a scan of a source without a codec runs on the coordinator.
type SourceCodec interface {
	// EncodeSource describes src so that another process running this
	// program can open it. It fails, wrapping errs.ErrNotImplemented, for
	// a source that cannot be opened elsewhere (files on a custom file
	// system, say); the scan then stays local. A description may hold
	// credentials: it goes to executors only and is never logged.
	EncodeSource(src plan.Source) ([]byte, error)
	// OpenSource opens the source a description names, on an executor.
	// Executors keep what it returns for later fragments with the same
	// description, so it may read footers or metadata once.
	OpenSource(ctx context.Context, desc []byte) (exec.Scanner, error)
	// EncodeTask serializes a task that src planned.
	EncodeTask(src plan.Source, t plan.Task) ([]byte, error)
	// DecodeTask restores a task for src, which OpenSource returned.
	DecodeTask(src exec.Scanner, b []byte) (plan.Task, error)
}

var codecs struct {
	mu     sync.RWMutex
	byKind map[string]SourceCodec
}

// RegisterSourceCodec makes scans of sources whose Kind is kind
// shippable. Registering a kind twice panics: it is a programming error,
// like registering a database/sql driver twice.
func RegisterSourceCodec(kind string, c SourceCodec) {
	codecs.mu.Lock()
	defer codecs.mu.Unlock()
	if codecs.byKind == nil {
		codecs.byKind = map[string]SourceCodec{}
	}
	if _, dup := codecs.byKind[kind]; dup {
		panic("remote: source codec for " + kind + " registered twice")
	}
	codecs.byKind[kind] = c
}

func codecFor(kind string) (SourceCodec, bool) {
	codecs.mu.RLock()
	defer codecs.mu.RUnlock()
	c, ok := codecs.byKind[kind]
	return c, ok
}

// wireScan is the scan at the bottom of a fragment: the source's kind
// and description, its schema (to check that the executor opens the same
// thing) and the encoded tasks of one partition.
type wireScan struct {
	Kind   string   `json:"kind"`
	Source []byte   `json:"source"`
	Schema []byte   `json:"schema"`
	Tasks  [][]byte `json:"tasks"`
}

// scanEncoder encodes one scan's source and tasks on the coordinator.
type scanEncoder struct {
	codec SourceCodec
	src   plan.Source
	// template has the source; tasks are added per partition.
	template wireScan
	// tasks holds every task of the scan encoded, so that a task the codec
	// refuses keeps the whole scan local rather than failing the query.
	tasks map[plan.Task][]byte
}

// newScanEncoder describes src and encodes every task of groups. The
// error says why the scan cannot be shipped.
func newScanEncoder(src plan.Source, groups [][]plan.Task) (*scanEncoder, error) {
	c, ok := codecFor(src.Kind())
	if !ok {
		return nil, fmt.Errorf("no codec registered for %s sources", src.Kind())
	}
	desc, err := c.EncodeSource(src)
	if err != nil {
		return nil, err
	}
	schema, err := encodeSchema(src.Schema())
	if err != nil {
		return nil, err
	}
	e := &scanEncoder{codec: c, src: src, template: wireScan{Kind: src.Kind(), Source: desc, Schema: schema}, tasks: map[plan.Task][]byte{}}
	for _, g := range groups {
		for _, t := range g {
			b, err := c.EncodeTask(src, t)
			if err != nil {
				return nil, fmt.Errorf("task %s: %w", t, err)
			}
			e.tasks[t] = b
		}
	}
	return e, nil
}

// encode returns the wire scan of one partition's tasks.
func (e *scanEncoder) encode(tasks []plan.Task) (wireScan, error) {
	w := e.template
	w.Tasks = make([][]byte, len(tasks))
	for i, t := range tasks {
		b, ok := e.tasks[t]
		if !ok {
			var err error
			if b, err = e.codec.EncodeTask(e.src, t); err != nil {
				return w, fmt.Errorf("task %s: %w", t, err)
			}
		}
		w.Tasks[i] = b
	}
	return w, nil
}

// sourceOpener returns the source a wire scan describes; executors cache
// what it opens.
type sourceOpener func(ctx context.Context, kind string, desc []byte) (exec.Scanner, error)

// openWireScan opens a fragment's source and decodes its tasks.
func openWireScan(ctx context.Context, w *wireScan, open sourceOpener) (exec.Scanner, []plan.Task, error) {
	c, ok := codecFor(w.Kind)
	if !ok {
		return nil, nil, fmt.Errorf("%w: executor has no codec for %s sources", errs.ErrInternal, w.Kind)
	}
	src, err := open(ctx, w.Kind, w.Source)
	if err != nil {
		return nil, nil, err
	}
	want, err := decodeSchema(w.Schema)
	if err != nil {
		return nil, nil, err
	}
	if !src.Schema().Equal(want) {
		return nil, nil, fmt.Errorf("%w: %s source %s has schema %s on the executor, %s on the coordinator", errs.ErrExec, w.Kind, src, src.Schema(), want)
	}
	tasks := make([]plan.Task, len(w.Tasks))
	for i, b := range w.Tasks {
		if tasks[i], err = c.DecodeTask(src, b); err != nil {
			return nil, nil, err
		}
	}
	return src, tasks, nil
}

// sourceCache keeps the sources an executor opened, by kind and
// description, so that footers and table metadata are read once per
// executor. Concurrent fragments of one source wait for a single open; a
// failed open is forgotten so that the next fragment tries again. An
// executor serving coordinators for a long time keeps the
// maxCachedSources used last.
type sourceCache struct {
	mu      sync.Mutex
	entries map[string]*cachedSource
	clock   int64
}

const maxCachedSources = 256

type cachedSource struct {
	ready chan struct{}
	src   exec.Scanner
	err   error
	used  int64 // the cache's clock when last asked for
}

// evictLocked drops the least recently used opened sources beyond
// maxCachedSources; sources still opening stay.
func (c *sourceCache) evictLocked() {
	for len(c.entries) > maxCachedSources {
		var oldest string
		var at int64 = -1
		for k, e := range c.entries {
			select {
			case <-e.ready:
			default:
				continue
			}
			if at < 0 || e.used < at {
				oldest, at = k, e.used
			}
		}
		if at < 0 {
			return
		}
		delete(c.entries, oldest)
	}
}

func (c *sourceCache) open(ctx context.Context, kind string, desc []byte) (exec.Scanner, error) {
	codec, ok := codecFor(kind)
	if !ok {
		return nil, fmt.Errorf("%w: executor has no codec for %s sources", errs.ErrInternal, kind)
	}
	key := kind + "\x00" + string(desc)
	c.mu.Lock()
	if c.entries == nil {
		c.entries = map[string]*cachedSource{}
	}
	e, found := c.entries[key]
	if !found {
		e = &cachedSource{ready: make(chan struct{})}
		c.entries[key] = e
		c.evictLocked()
	}
	c.clock++
	e.used = c.clock
	c.mu.Unlock()
	if found {
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err == nil {
			return e.src, nil
		}
		// The opener failed (maybe only its query was cancelled): open
		// again for this fragment.
		return c.open(ctx, kind, desc)
	}
	e.src, e.err = codec.OpenSource(ctx, desc)
	if e.err != nil {
		c.mu.Lock()
		if c.entries[key] == e {
			delete(c.entries, key)
		}
		c.mu.Unlock()
		e.err = fmt.Errorf("open %s source on executor: %w", kind, e.err)
		if !errors.Is(e.err, errs.ErrExec) && !errors.Is(e.err, errs.ErrPlan) {
			e.err = fmt.Errorf("%w: %w", errs.ErrExec, e.err)
		}
	}
	close(e.ready)
	return e.src, e.err
}
