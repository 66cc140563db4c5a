// Package pgwire serves lakeframe over the PostgreSQL frontend/backend
// protocol (version 3.0), so that psql, pgx, JDBC and postgres_fdw can
// query it as they query PostgreSQL.
//
// The package is the transport only: startup and SCRAM-SHA-256
// authentication, optional TLS, the simple and extended query protocols
// (Parse, Bind, Describe, Execute with row limits, Close, Sync), cancel
// requests, and the text and binary wire formats of Arrow values. What a
// statement means is the Handler's business; the sql package provides one.
// Messages are read and written with pgx's pgproto3.
package pgwire
