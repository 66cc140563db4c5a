package ducklake

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	// pgx registers the "pgx" database/sql driver for PostgreSQL catalogs.
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/driver/sqliteshim"

	"lakeframe/errs"
	"lakeframe/exec/source/files"
)

// Dialect is the kind of database that holds a catalog; it decides how
// queries bind their parameters.
type Dialect int

const (
	// DuckDB is a DuckDB database file (a ".ducklake" file).
	DuckDB Dialect = iota + 1
	// SQLite is a SQLite database file.
	SQLite
	// Postgres is a PostgreSQL database.
	Postgres
)

func (d Dialect) String() string {
	switch d {
	case DuckDB:
		return "duckdb"
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("dialect(%d)", int(d))
}

// Options configure how a catalog is opened.
type Options struct {
	// DataPath replaces the data_path stored in the catalog (as DuckDB's
	// DATA_PATH with OVERRIDE_DATA_PATH does), for catalogs whose files
	// moved. A local directory or a file:// URL.
	DataPath string
	// CatalogDir is the directory a relative data_path is resolved
	// against. The Open* functions for catalog files set it to the file's
	// directory; empty means the working directory.
	CatalogDir string
	// MetadataSchema is the database schema holding the ducklake_* tables
	// (PostgreSQL's METADATA_SCHEMA); empty means the default one.
	MetadataSchema string
	// FS opens the data files; nil means the local file system.
	FS files.FS
	// CloseDB makes Catalog.Close close the *sql.DB given to Open.
	CloseDB bool
}

// Catalog is an open DuckLake catalog. It is safe for concurrent use.
type Catalog struct {
	db       *sql.DB
	dialect  Dialect
	closeDB  bool
	prefix   string // qualifies catalog table names
	version  string
	dataPath string // resolved, ends with "/"
	fs       files.FS
}

// supportedVersions are the catalog versions this package reads. Version
// 0.1 placed partition columns by position and had no schema or table
// paths; later versions only add columns and tables a reader may ignore.
var supportedVersions = []string{"0.2", "0.3", "0.4", "1.0"}

// sqlitePragmas let a reader wait for a writer instead of failing with
// SQLITE_BUSY.
const sqlitePragmas = "_pragma=busy_timeout(10000)"

// OpenSQLite opens a catalog stored in a SQLite file, read through the
// pure Go driver. A relative data_path is resolved against the file's
// directory unless opts says otherwise.
func OpenSQLite(ctx context.Context, path string, opts Options) (*Catalog, error) {
	dsn := path
	if !strings.HasPrefix(dsn, "file:") {
		dsn = "file:" + dsn
	}
	if strings.Contains(dsn, "?") {
		dsn += "&" + sqlitePragmas
	} else {
		dsn += "?" + sqlitePragmas
	}
	db, err := sql.Open(sqliteshim.ShimName, dsn)
	if err != nil {
		return nil, fmt.Errorf("open ducklake catalog %s: %w", path, err)
	}
	if opts.CatalogDir == "" {
		opts.CatalogDir = filepath.Dir(strings.TrimPrefix(path, "file:"))
	}
	opts.CloseDB = true
	return Open(ctx, db, SQLite, opts)
}

// OpenPostgres opens a catalog stored in PostgreSQL, through pgx. dsn is a
// URL (postgres://user@host:port/db) or a key=value connection string.
func OpenPostgres(ctx context.Context, dsn string, opts Options) (*Catalog, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open ducklake catalog %s: %w", redact(dsn), err)
	}
	opts.CloseDB = true
	return Open(ctx, db, Postgres, opts)
}

// Open reads a catalog from db, which holds the ducklake_* tables and is
// queried in dialect. It checks the catalog version and resolves the data
// path; nothing else is read until a table is.
func Open(ctx context.Context, db *sql.DB, dialect Dialect, opts Options) (*Catalog, error) {
	c := &Catalog{db: db, dialect: dialect, closeDB: opts.CloseDB, fs: opts.FS}
	if c.fs == nil {
		c.fs = files.Local{}
	}
	if opts.MetadataSchema != "" {
		c.prefix = quoteIdent(opts.MetadataSchema) + "."
	}
	if err := c.load(ctx, opts); err != nil {
		if c.closeDB {
			db.Close()
		}
		return nil, fmt.Errorf("open ducklake catalog (%s): %w", dialect, err)
	}
	return c, nil
}

func (c *Catalog) load(ctx context.Context, opts Options) error {
	rows, err := c.query(ctx, "SELECT key, value FROM "+c.table("ducklake_metadata"))
	if err != nil {
		return fmt.Errorf("%w: not a ducklake catalog: %w", errs.ErrPlan, err)
	}
	meta := map[string]string{}
	for rows.Next() {
		var k, v sql.NullString
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return fmt.Errorf("%w: read ducklake_metadata: %w", errs.ErrExec, err)
		}
		// Scoped settings (schema or table) share keys with global ones;
		// the keys read here are global only.
		if _, seen := meta[k.String]; !seen {
			meta[k.String] = v.String
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: read ducklake_metadata: %w", errs.ErrExec, err)
	}
	c.version = meta["version"]
	if !slices.Contains(supportedVersions, c.version) {
		return fmt.Errorf("%w: ducklake catalog version %q is not supported (lakeframe reads versions %s)",
			errs.ErrNotImplemented, c.version, strings.Join(supportedVersions, ", "))
	}
	if meta["encrypted"] == "true" {
		return fmt.Errorf("%w: encrypted ducklake catalogs are not supported", errs.ErrNotImplemented)
	}
	dp := opts.DataPath
	if dp == "" {
		dp = meta["data_path"]
	}
	if dp == "" {
		return fmt.Errorf("%w: the catalog has no data_path; set Options.DataPath", errs.ErrPlan)
	}
	c.dataPath = resolveDataPath(dp, opts.CatalogDir)
	return nil
}

// resolveDataPath makes a data path absolute (relative ones are taken
// relative to dir), drops a file:// scheme and ends it with "/".
func resolveDataPath(p, dir string) string {
	p = strings.TrimPrefix(p, "file://")
	if !hasScheme(p) && !filepath.IsAbs(p) {
		if dir == "" {
			dir = "."
		}
		if abs, err := filepath.Abs(filepath.Join(dir, p)); err == nil {
			p = filepath.ToSlash(abs)
		}
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// hasScheme reports whether p starts with a URL scheme such as s3://.
func hasScheme(p string) bool {
	i := strings.Index(p, "://")
	return i > 0 && !strings.ContainsAny(p[:i], "/\\")
}

// Close releases the catalog, and its database when the catalog opened it.
func (c *Catalog) Close() error {
	if c.closeDB {
		return c.db.Close()
	}
	return nil
}

// Version is the catalog's DuckLake version, such as "0.3".
func (c *Catalog) Version() string { return c.version }

// DataPath is the resolved data path files are relative to; it ends in "/".
func (c *Catalog) DataPath() string { return c.dataPath }

// Dialect is the kind of database holding the catalog.
func (c *Catalog) Dialect() Dialect { return c.dialect }

// DB is the database holding the catalog.
func (c *Catalog) DB() *sql.DB { return c.db }

// table qualifies a catalog table name.
func (c *Catalog) table(name string) string { return c.prefix + name }

// statsTable is the per-file column statistics table, renamed in 0.3.
func (c *Catalog) statsTable() string {
	if c.version == "0.2" {
		return c.table("ducklake_file_column_statistics")
	}
	return c.table("ducklake_file_column_stats")
}

// partialColumn says how the catalog marks files that hold rows of several
// snapshots: a partial_max column from 0.4 on, a partial_file_info string
// ("partial_max:N") before.
func (c *Catalog) partialColumn() string {
	if c.version == "0.2" || c.version == "0.3" {
		return "partial_file_info"
	}
	return "partial_max"
}

// query runs q, written with ? placeholders, in the catalog's dialect.
func (c *Catalog) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.db.QueryContext(ctx, c.bind(q), args...)
}

// bind rewrites ? placeholders as $1, $2, ... for PostgreSQL. Catalog
// queries hold no string literals with question marks.
func (c *Catalog) bind(q string) string {
	if c.dialect != Postgres {
		return q
	}
	var sb strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			fmt.Fprintf(&sb, "$%d", n)
			continue
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// redact hides a password in a connection string.
func redact(dsn string) string {
	if at := strings.Index(dsn, "@"); at > 0 {
		if scheme := strings.Index(dsn, "://"); scheme > 0 && scheme < at {
			userinfo := dsn[scheme+3 : at]
			if u, _, ok := strings.Cut(userinfo, ":"); ok {
				return dsn[:scheme+3] + u + ":***" + dsn[at:]
			}
		}
	}
	if strings.Contains(dsn, "password=") {
		return "(connection string)"
	}
	return dsn
}
