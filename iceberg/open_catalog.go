package iceberg

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/apache/iceberg-go/catalog"
	// Catalog types that OpenCatalog reaches through their registrations.
	_ "github.com/apache/iceberg-go/catalog/glue"
	_ "github.com/apache/iceberg-go/catalog/hive"
	_ "github.com/apache/iceberg-go/catalog/rest"
	"github.com/apache/iceberg-go/catalog/sql"
	// FileIO for object stores: s3://, gs://, azure.
	_ "github.com/apache/iceberg-go/io/gocloud"
	// pgx registers the "pgx" database/sql driver for the PostgreSQL catalog.
	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun/driver/sqliteshim"
)

// sqlitePragmas make concurrent commits wait instead of failing with
// SQLITE_BUSY: WAL lets readers run beside the writer, and the busy
// timeout queues writers.
const sqlitePragmas = "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)"

// OpenCatalog opens an Iceberg catalog named by uri:
//
//   - sqlite:///path/catalog.db: the embedded SQL catalog in a SQLite
//     file (pure Go driver), created with its tables when missing; the
//     warehouse defaults to a "warehouse" folder next to the file.
//   - postgres://user:pass@host:port/db (or postgresql://): the SQL
//     catalog in PostgreSQL, through pgx.
//   - http(s)://host/...: a REST catalog.
//   - anything else: props["type"] picks one of iceberg-go's registered
//     catalog types (sql, rest, glue, hive, ...), with uri as its "uri".
//
// props are passed to the catalog (warehouse, s3.endpoint, credentials,
// ...) and override the defaults above.
func OpenCatalog(ctx context.Context, uri string, props map[string]string) (catalog.Catalog, error) {
	p, err := catalogProps(uri, props)
	if err != nil {
		return nil, fmt.Errorf("open iceberg catalog %s: %w", redact(uri), err)
	}
	cat, err := catalog.Load(ctx, catalogName(p), p)
	if err != nil {
		return nil, fmt.Errorf("open iceberg catalog %s: %w", redact(uri), err)
	}
	return cat, nil
}

// catalogProps turns a catalog uri into iceberg-go catalog properties.
func catalogProps(uri string, props map[string]string) (map[string]string, error) {
	p := map[string]string{}
	scheme, rest, _ := strings.Cut(uri, "://")
	switch strings.ToLower(scheme) {
	case "sqlite":
		path := rest
		if path == "" {
			return nil, fmt.Errorf("sqlite catalog uri names no file")
		}
		path, query, _ := strings.Cut(path, "?")
		dsn := "file:" + path + "?" + sqlitePragmas
		if query != "" {
			dsn += "&" + query
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			return nil, err
		}
		p["type"] = "sql"
		p[sql.DriverKey] = sqliteshim.ShimName
		p[sql.DialectKey] = string(sql.SQLite)
		p["uri"] = dsn
		p["init_catalog_tables"] = "true"
		p["warehouse"] = "file://" + filepath.Join(filepath.Dir(abs), "warehouse")
	case "postgres", "postgresql":
		p["type"] = "sql"
		p[sql.DriverKey] = "pgx"
		p[sql.DialectKey] = string(sql.Postgres)
		p["uri"] = uri
		p["init_catalog_tables"] = "true"
	case "http", "https":
		p["type"] = "rest"
		p["uri"] = uri
	default:
		if uri != "" {
			p["uri"] = uri
		}
		if props["type"] == "" && !strings.Contains(uri, "://") {
			return nil, fmt.Errorf("unknown catalog uri; use sqlite://, postgres://, http(s):// or set the \"type\" property")
		}
	}
	for k, v := range props {
		p[k] = v
	}
	return p, nil
}

// catalogName is the catalog's name in the SQL catalog's tables.
func catalogName(p map[string]string) string {
	if n := p["name"]; n != "" {
		return n
	}
	return "default"
}

// redact hides a password in a uri for error messages.
func redact(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.User == nil {
		return uri
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
