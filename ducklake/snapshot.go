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
	rows, err := c.query(ctx, "SELECT snapshot_id, snapshot_time, schema_version FROM "+
		c.table("ducklake_snapshot")+" ORDER BY snapshot_id")
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

// snapshot resolves the read options to one snapshot.
func (c *Catalog) snapshot(ctx context.Context, opts []ReadOption) (Snapshot, error) {
	var cfg readConfig
	for _, o := range opts {
		o(&cfg)
	}
	all, err := c.Snapshots(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	if len(all) == 0 {
		return Snapshot{}, fmt.Errorf("%w: the catalog has no snapshots", errs.ErrExec)
	}
	switch {
	case cfg.snapshot != nil:
		for _, s := range all {
			if s.ID == *cfg.snapshot {
				return s, nil
			}
		}
		return Snapshot{}, fmt.Errorf("%w: ducklake snapshot %d does not exist (snapshots %d to %d)",
			errs.ErrPlan, *cfg.snapshot, all[0].ID, all[len(all)-1].ID)
	case cfg.asOf != nil:
		var found *Snapshot
		for i := range all {
			if !all[i].Time.After(*cfg.asOf) {
				found = &all[i]
			}
		}
		if found == nil {
			return Snapshot{}, fmt.Errorf("%w: no ducklake snapshot as of %s (the first is %d at %s)",
				errs.ErrPlan, cfg.asOf.Format(time.RFC3339Nano), all[0].ID, all[0].Time.Format(time.RFC3339Nano))
		}
		return *found, nil
	}
	return all[len(all)-1], nil
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
