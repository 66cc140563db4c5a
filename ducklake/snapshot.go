package ducklake

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"lakeframe/errs"
)

// Snapshot is one committed version of the catalog.
type Snapshot struct {
	ID   int64
	Time time.Time
	// SchemaVersion changes whenever a snapshot changes some schema.
	SchemaVersion int64
}

// ReadOption selects what a read sees.
type ReadOption func(*readConfig)

type readConfig struct {
	snapshot *int64
	asOf     *time.Time
}

// AtSnapshot reads the catalog as of snapshot id.
func AtSnapshot(id int64) ReadOption {
	return func(c *readConfig) { c.snapshot, c.asOf = &id, nil }
}

// AsOf reads the latest snapshot committed at or before t. A read fails
// when no snapshot is that old.
func AsOf(t time.Time) ReadOption {
	return func(c *readConfig) { c.asOf, c.snapshot = &t, nil }
}

// Snapshots lists every snapshot, oldest first.
func (c *Catalog) Snapshots(ctx context.Context) ([]Snapshot, error) {
	return c.snapshotsWhere(ctx, "1 = 1")
}

func (c *Catalog) snapshotsWhere(ctx context.Context, where string, args ...any) ([]Snapshot, error) {
	rows, err := c.query(ctx, "SELECT snapshot_id, snapshot_time, schema_version FROM "+
		c.table("ducklake_snapshot")+" WHERE "+where+" ORDER BY snapshot_id", args...)
	if err != nil {
		return nil, fmt.Errorf("%w: list ducklake snapshots: %w", errs.ErrExec, err)
	}
	defer rows.Close()
	var out []Snapshot
	for rows.Next() {
		var id int64
		var ts any
		var sv sql.NullInt64
		if err := rows.Scan(&id, &ts, &sv); err != nil {
			return nil, fmt.Errorf("%w: list ducklake snapshots: %w", errs.ErrExec, err)
		}
		t, err := catalogTime(ts)
		if err != nil {
			return nil, fmt.Errorf("%w: snapshot %d: %w", errs.ErrExec, id, err)
		}
		out = append(out, Snapshot{ID: id, Time: t, SchemaVersion: sv.Int64})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: list ducklake snapshots: %w", errs.ErrExec, err)
	}
	return out, nil
}

// snapshot resolves the read options to one snapshot: the latest, the
// one named, or the latest at or before a time.
func (c *Catalog) snapshot(ctx context.Context, opts []ReadOption) (Snapshot, error) {
	var cfg readConfig
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.asOf != nil {
		// Times are compared in Go: SQLite catalogs hold them as text.
		all, err := c.Snapshots(ctx)
		if err != nil {
			return Snapshot{}, err
		}
		var found *Snapshot
		for i := range all {
			if !all[i].Time.After(*cfg.asOf) {
				found = &all[i]
			}
		}
		if found == nil {
			first := "the catalog has no snapshots"
			if len(all) > 0 {
				first = fmt.Sprintf("the first is %d at %s", all[0].ID, all[0].Time.Format(time.RFC3339Nano))
			}
			return Snapshot{}, fmt.Errorf("%w: no ducklake snapshot as of %s (%s)", errs.ErrPlan, cfg.asOf.Format(time.RFC3339Nano), first)
		}
		return *found, nil
	}
	where := "snapshot_id = (SELECT MAX(snapshot_id) FROM " + c.table("ducklake_snapshot") + ")"
	var args []any
	if cfg.snapshot != nil {
		where, args = "snapshot_id = ?", []any{*cfg.snapshot}
	}
	found, err := c.snapshotsWhere(ctx, where, args...)
	if err != nil {
		return Snapshot{}, err
	}
	if len(found) == 1 {
		return found[0], nil
	}
	if cfg.snapshot == nil {
		return Snapshot{}, fmt.Errorf("%w: the catalog has no snapshots", errs.ErrExec)
	}
	return Snapshot{}, fmt.Errorf("%w: ducklake snapshot %d does not exist%s", errs.ErrPlan, *cfg.snapshot, c.snapshotRange(ctx))
}

// snapshotRange describes the snapshot ids that exist, for messages.
func (c *Catalog) snapshotRange(ctx context.Context) string {
	rows, err := c.query(ctx, "SELECT MIN(snapshot_id), MAX(snapshot_id) FROM "+c.table("ducklake_snapshot"))
	if err != nil {
		return ""
	}
	defer rows.Close()
	var lo, hi sql.NullInt64
	if !rows.Next() || rows.Scan(&lo, &hi) != nil || !lo.Valid {
		return ""
	}
	return fmt.Sprintf(" (snapshots %d to %d)", lo.Int64, hi.Int64)
}

// catalogTime reads a timestamp column: drivers return time.Time, or text
// (SQLite) in DuckDB's or ISO layout.
func catalogTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, nil
	case time.Time:
		return x, nil
	case []byte:
		return parseTimestampText(string(x))
	case string:
		return parseTimestampText(x)
	}
	return time.Time{}, fmt.Errorf("snapshot_time of type %T", v)
}

// timestampLayouts are the text forms of timestamps in catalogs and
// statistics: DuckDB's (space separated, offset as +HH or +HH:MM) and ISO.
var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// parseTimestampText parses a timestamp; one without an offset is UTC.
func parseTimestampText(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timestampLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cannot parse timestamp %q", s)
}
