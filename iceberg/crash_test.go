package iceberg_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	iceio "github.com/apache/iceberg-go/io"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
	"lakeframe/expr"
	"lakeframe/frame"
	lfice "lakeframe/iceberg"
	"lakeframe/internal/miniotest"
)

// The crash tests run a writer in a child process (this test binary,
// re-executed to run only TestCrashWriterProcess) and kill it with
// SIGKILL at chosen moments of its write: while data files are being
// written, and around the commit. After each kill the table must open
// and read as its previous snapshot or, if the commit landed, as the new
// one, never anything between; the files the writer left behind must be
// exactly what FindOrphanFiles reports, and removing them must not
// change what the table reads.
//
// LAKEFRAME_CRASH_SEED=n repeats the kill schedule of an earlier run.

const (
	// crashWriterEnv carries the writer's job, as JSON, to the child.
	crashWriterEnv = "LAKEFRAME_CRASH_WRITER"
	crashSeedEnv   = "LAKEFRAME_CRASH_SEED"
	crashBatchRows = 2048
)

// crashJob is what the writer process does in one commit: append the
// rows with ids [From, To), or with Delete, delete the rows with ids in
// [From, To) in DeleteMode (copy-on-write or merge-on-read).
type crashJob struct {
	Catalog    string
	Props      map[string]string
	Table      []string
	From, To   int64
	TargetSize int64
	Delete     bool
	DeleteMode string
}

// TestCrashWriterProcess is the writer process of the crash tests; run on
// its own it skips. It reports its progress on stdout, one line each:
// "ready" once the table is loaded, "batch n" as the writer takes batch n,
// "batches-done" when it has taken them all, and "committed <id>" after
// the commit. A delete reports "ready" and "committed" only.
func TestCrashWriterProcess(t *testing.T) {
	spec := os.Getenv(crashWriterEnv)
	if spec == "" {
		t.Skip("runs only as the writer process of the crash tests")
	}
	var job crashJob
	if err := json.Unmarshal([]byte(spec), &job); err != nil {
		t.Fatalf("crash writer job: %v", err)
	}
	ctx := context.Background()
	cat, err := lfice.OpenCatalog(ctx, job.Catalog, job.Props)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := cat.LoadTable(ctx, job.Table)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	if job.Delete {
		mode := frame.IcebergCopyOnWrite()
		if job.DeleteMode == table.WriteModeMergeOnRead {
			mode = frame.IcebergMergeOnRead()
		}
		out, err := frame.DeleteIceberg(ctx, tbl, expr.Col("id").Ge(job.From).And(expr.Col("id").Lt(job.To)), mode)
		if errors.Is(err, errs.ErrNotImplemented) {
			fmt.Println("not-implemented")
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println("committed", out.CurrentSnapshot().SnapshotID)
		return
	}
	batches := func(yield func(arrow.RecordBatch, error) bool) {
		n := 0
		for from := job.From; from < job.To; from += crashBatchRows {
			fmt.Println("batch", n)
			n++
			if !yield(crashRecord(from, min(from+crashBatchRows, job.To)), nil) {
				return
			}
		}
		fmt.Println("batches-done")
	}
	out, err := lfice.Write(ctx, tbl, minioSchema, batches, lfice.WriteOptions{TargetFileSize: job.TargetSize})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("committed", out.CurrentSnapshot().SnapshotID)
}

// crashRecord is minioRows(from, to) as one record batch.
func crashRecord(from, to int64) arrow.RecordBatch {
	return minioRecord(minioRows(from, to))
}

func TestCrashSafetyLocal(t *testing.T) {
	testCrashSafety(t, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), nil, 8)
}

func TestCrashSafetyMinio(t *testing.T) {
	s := miniotest.Start(t)
	bucket := s.NewBucket(t)
	testCrashSafety(t, "sqlite://"+filepath.Join(t.TempDir(), "cat.db"), minioCatalogProps(s, bucket), 4)
}

// crashRun is one run of the writer process: when each progress line
// came, and whether it committed on its own.
type crashRun struct {
	events    map[string]time.Duration // first time each event was seen, since start
	committed bool
	killedAt  time.Duration
	killed    bool
}

func testCrashSafety(t *testing.T, uri string, props map[string]string, kills int) {
	if testing.Short() {
		t.Skip("crash test runs writer processes; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", crashSeedEnv, err)
		}
	}
	t.Logf("kill schedule seed %d (%s=%d repeats it)", seed, crashSeedEnv, seed)
	rng := rand.New(rand.NewPCG(seed, seed))

	cat, err := lfice.OpenCatalog(ctx, uri, props)
	if err != nil {
		t.Fatal(err)
	}
	ident := table.Identifier{"lake", "crash"}
	tbl, err := lfice.CreateTable(ctx, cat, ident, minioSchema, lfice.WithPartitioning(lfice.Identity("region")))
	if err != nil {
		t.Fatal(err)
	}
	const rowsPerRun = 120_000
	job := crashJob{Catalog: uri, Props: props, Table: ident, TargetSize: 64 << 10}

	// ops are the writer runs in order, each with whether it landed;
	// snaps are the snapshots the table went through, with the ops that
	// made them.
	var ops []crashOp
	snaps := map[int64][]crashOp{}
	var prev int64 // the current snapshot before a run; 0 for none
	check := func(label string, run crashRun) {
		t.Helper()
		tbl, err = cat.LoadTable(ctx, ident)
		if err != nil {
			t.Fatalf("%s: table does not open: %v", label, err)
		}
		cur := int64(0)
		if s := tbl.CurrentSnapshot(); s != nil {
			cur = s.SnapshotID
		}
		op := &ops[len(ops)-1]
		switch {
		case cur == prev:
			op.landed = false
		case tbl.CurrentSnapshot().ParentSnapshotID != nil && *tbl.CurrentSnapshot().ParentSnapshotID == prev ||
			prev == 0 && tbl.CurrentSnapshot().ParentSnapshotID == nil:
			op.landed = true
		default:
			t.Fatalf("%s: current snapshot %d is neither the previous one %d nor its child", label, cur, prev)
		}
		if run.committed && !op.landed {
			t.Fatalf("%s: the writer reported a commit the table does not have", label)
		}
		if cur != 0 {
			snaps[cur] = slices.Clone(ops)
		}
		checkCrashRows(ctx, t, label, tbl, nil, ops)
		prev = cur
	}

	appends := 0
	// writer runs the writer process: an append of the next rowsPerRun
	// ids, or with del, a delete of the ids in del's range.
	writer := func(del *crashOp, killAt func(crashRun) (time.Duration, bool)) crashRun {
		t.Helper()
		before := listTableFiles(ctx, t, tbl)
		j := job
		op := crashOp{from: int64(appends) * rowsPerRun, to: int64(appends+1) * rowsPerRun}
		if del != nil {
			op = *del
			j.Delete, j.DeleteMode = true, del.mode
		} else {
			appends++
		}
		j.From, j.To = op.from, op.to
		ops = append(ops, op)
		run := runCrashWriter(ctx, t, j, killAt)
		label := fmt.Sprintf("run %d (%s)", len(ops)-1, op)
		if run.killed {
			label += fmt.Sprintf(" killed at %s (%s)", run.killedAt.Round(time.Millisecond), run.phase())
		}
		check(label, run)
		if !run.killed {
			return run
		}
		landed := ops[len(ops)-1].landed

		// What the writer left: every file it created when its commit did
		// not land, nothing when it did.
		after := listTableFiles(ctx, t, tbl)
		var left []string
		if !landed {
			for p := range after {
				if !before[p] {
					left = append(left, p)
				}
			}
		}
		orphans, err := lfice.FindOrphanFiles(ctx, tbl, time.Now().Add(time.Second))
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		if got, want := orphanKeys(orphanPaths(orphans)), orphanKeys(left); !slices.Equal(got, want) {
			t.Fatalf("%s: orphans\n %s\nwant the killed writer's files\n %s", label, strings.Join(got, "\n "), strings.Join(want, "\n "))
		}
		if err := lfice.RemoveOrphanFiles(ctx, tbl, orphans); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		meta := 0
		for _, o := range orphans {
			if strings.Contains(o.Path, "/metadata/") {
				meta++
			}
		}
		t.Logf("%s: landed=%v, %d data and %d metadata files left behind, removed", label, landed, len(orphans)-meta, meta)
		if len(orphans) == 0 {
			return run
		}
		// The current snapshot and the first (time travel) still read
		// the same.
		checkCrashRows(ctx, t, label+" after removing orphans", tbl, nil, ops)
		first := tbl.Metadata().Snapshots()[0].SnapshotID
		checkCrashRows(ctx, t, label+" after removing orphans", tbl, &first, snaps[first])
		return run
	}

	// A run that is not killed gives the timing the kills aim at.
	base := writer(nil, nil)
	if !base.committed {
		t.Fatal("the writer did not commit")
	}
	writing := base.events["batches-done"] - base.events["ready"]
	committing := base.events["committed"] - base.events["batches-done"]
	t.Logf("uninterrupted write: %s taking batches, %s from the last batch to the commit", writing, committing)

	// Half the kills while batches are taken and data files written (right
	// after a random batch is taken), half from the last batch through
	// the commit. A writer that finishes before its kill still has its
	// table checked, and the kill is tried again, aimed by that run's
	// commit time: timings vary with the machine's load.
	batches := int((rowsPerRun + crashBatchRows - 1) / crashBatchRows)
	var survived, landedKills int
	for attempt := 0; survived < kills && attempt < 3*kills; attempt++ {
		var from string
		var at time.Duration
		if survived%2 == 0 {
			from = fmt.Sprintf("batch %d", 1+rng.IntN(batches-2))
		} else {
			from = "batches-done"
			// The last data files are flushed first: aim at the later part.
			at = time.Duration((0.6 + 0.45*rng.Float64()) * float64(committing))
		}
		run := writer(nil, func(r crashRun) (time.Duration, bool) {
			d, ok := r.events[from]
			return d + at, ok
		})
		if !run.killed {
			t.Logf("the writer finished before the kill %s after %q", at.Round(time.Millisecond), from)
			if d, ok := run.events["committed"]; ok && from == "batches-done" {
				committing = d - run.events["batches-done"]
			}
			continue
		}
		survived++
		if ops[len(ops)-1].landed {
			landedKills++
		}
	}
	t.Logf("append kills survived %d/%d (%d of them after the commit landed)", survived, kills, landedKills)
	if survived < kills {
		t.Errorf("only %d of %d append kills hit the writer before it finished", survived, kills)
	}

	// Row-level deletes, killed at random moments between loading the
	// table and committing, in both modes. Each deletes 500 ids of the
	// first run, which always landed, from every partition's file.
	deletes := 0
	nextDelete := func(mode string) *crashOp {
		deletes++
		return &crashOp{from: int64(deletes) * 1000, to: int64(deletes)*1000 + 500, del: true, mode: mode}
	}
	for _, mode := range []string{table.WriteModeMergeOnRead, table.WriteModeCopyOnWrite} {
		base := writer(nextDelete(mode), nil)
		if _, ok := base.events["not-implemented"]; ok {
			t.Logf("row-level deletes are not implemented: no delete kills")
			break
		}
		if !base.committed {
			t.Fatalf("the %s delete did not commit", mode)
		}
		took := base.events["committed"] - base.events["ready"]
		var survived int
		for attempt := 0; survived < kills/4 && attempt < kills; attempt++ {
			at := time.Duration((0.1 + rng.Float64()) * float64(took))
			run := writer(nextDelete(mode), func(r crashRun) (time.Duration, bool) {
				d, ok := r.events["ready"]
				return d + at, ok
			})
			if !run.killed {
				took = run.events["committed"] - run.events["ready"]
				continue
			}
			survived++
		}
		t.Logf("%s delete kills survived %d/%d", mode, survived, kills/4)
		if survived < kills/4 {
			t.Errorf("only %d of %d %s delete kills hit the writer before it finished", survived, kills/4, mode)
		}
	}

	// The table still takes writes after the crashes.
	if last := writer(nil, nil); !last.committed {
		t.Fatal("the writer did not commit after the crashes")
	}
}

// crashOp is one writer run: an append or a delete of the ids [from, to),
// and whether it landed.
type crashOp struct {
	from, to int64
	del      bool
	mode     string
	landed   bool
}

func (o crashOp) String() string {
	if o.del {
		return fmt.Sprintf("%s delete %d..%d", o.mode, o.from, o.to)
	}
	return fmt.Sprintf("append %d..%d", o.from, o.to)
}

// crashWant are the ids ops leave in the table, sorted.
func crashWant(ops []crashOp) []int64 {
	deleted := func(id int64) bool {
		for _, o := range ops {
			if o.del && o.landed && id >= o.from && id < o.to {
				return true
			}
		}
		return false
	}
	var want []int64
	for _, o := range ops {
		if o.del || !o.landed {
			continue
		}
		for id := o.from; id < o.to; id++ {
			if !deleted(id) {
				want = append(want, id)
			}
		}
	}
	slices.Sort(want)
	return want
}

// phase names the last progress line a killed writer printed.
func (r crashRun) phase() string {
	last, at := "started", time.Duration(-1)
	for e, d := range r.events {
		if d > at && d <= r.killedAt {
			last, at = e, d
		}
	}
	return "after " + last
}

// runCrashWriter runs the writer process for job. killAt, given the
// events so far, says when to kill it (since its start) once it knows;
// nil lets it finish.
func runCrashWriter(ctx context.Context, t *testing.T, job crashJob, killAt func(crashRun) (time.Duration, bool)) crashRun {
	t.Helper()
	spec, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashWriterProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashWriterEnv+"="+string(spec))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	run := crashRun{events: map[string]time.Duration{}}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var timer <-chan time.Time
	armed := false
	arm := func() {
		if killAt == nil || armed {
			return
		}
		if d, ok := killAt(run); ok {
			armed = true
			run.killedAt = d
			timer = time.After(time.Until(start.Add(d)))
		}
	}
	for lines != nil {
		select {
		case l, ok := <-lines:
			if !ok {
				lines = nil
				break
			}
			ev, _, _ := strings.Cut(l, " ")
			if ev == "batch" {
				ev = l
			}
			if _, seen := run.events[ev]; !seen {
				run.events[ev] = time.Since(start)
			}
			if ev == "committed" {
				run.committed = true
			}
			arm()
		case <-timer:
			timer = nil
			if err := cmd.Process.Kill(); err != nil {
				t.Fatalf("kill writer: %v", err)
			}
			run.killed = true
		}
	}
	err = cmd.Wait()
	if run.killed && run.committed {
		// The kill came after the writer had reported its commit: the
		// run was not interrupted.
		return crashRun{events: run.events, committed: true}
	}
	if !run.killed && err != nil {
		t.Fatalf("writer process: %v\n%s", err, stderr.String())
	}
	return run
}

// listTableFiles lists every file under tbl's location.
func listTableFiles(ctx context.Context, t *testing.T, tbl *table.Table) map[string]bool {
	t.Helper()
	fsys, err := tbl.FS(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	err = fsys.(iceio.ListableIO).WalkDir(tbl.Location(), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out[p] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("list %s: %v", tbl.Location(), err)
	}
	return out
}

// checkCrashRows reads tbl (at snapshot id, or its current one) through
// lakeframe and through iceberg-go's scan: the ids must be exactly those
// the landed ops leave, each once, and every row's other columns must be
// what minioRows makes for its id.
func checkCrashRows(ctx context.Context, t *testing.T, label string, tbl *table.Table, id *int64, ops []crashOp) {
	t.Helper()
	want := crashWant(ops)
	var opts []frame.IcebergOption
	scan := tbl.Scan()
	if id != nil {
		opts = append(opts, frame.AtSnapshot(*id))
		scan = tbl.Scan(table.WithSnapshotID(*id))
	}
	lf, err := frame.ReadIceberg(tbl, opts...).Collect(ctx)
	if err != nil {
		t.Fatalf("%s: lakeframe read: %v", label, err)
	}
	defer lf.Release()
	ig, err := scan.ToArrowTable(ctx)
	if err != nil {
		t.Fatalf("%s: iceberg-go read: %v", label, err)
	}
	defer ig.Release()
	for _, r := range []struct {
		reader string
		tbl    arrow.Table
	}{{"lakeframe", lf}, {"iceberg-go", ig}} {
		got, bad := crashIDs(r.tbl)
		if bad != "" {
			t.Fatalf("%s: %s read a wrong row: %s", label, r.reader, bad)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: %s read %d rows, want %d (runs %v)", label, r.reader, len(got), len(want), ops)
		}
	}
}

// crashIDs returns tbl's sorted ids, or a row whose columns are not what
// minioRows makes for its id.
func crashIDs(tbl arrow.Table) ([]int64, string) {
	var ids []int64
	for _, r := range minioRowsOf(tbl) {
		if w := minioRows(r.id, r.id+1)[0]; w != r {
			return nil, fmt.Sprintf("%v, want %v", r, w)
		}
		ids = append(ids, r.id)
	}
	slices.Sort(ids)
	return ids, ""
}
