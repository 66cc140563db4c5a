package iceberg

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/apache/arrow-go/v18/arrow"
	iceberg "github.com/apache/iceberg-go"
	"github.com/apache/iceberg-go/catalog"
	"github.com/apache/iceberg-go/table"

	"lakeframe/errs"
)

// CreateOption configures CreateTable.
type CreateOption func(*createConfig)

type createConfig struct {
	partitions []Partition
	sort       []SortKey
	props      map[string]string
	location   string
}

// WithPartitioning sets the table's partition spec, in field order.
func WithPartitioning(parts ...Partition) CreateOption {
	return func(c *createConfig) { c.partitions = append(c.partitions, parts...) }
}

// WithTableProperties sets table properties; they override CreateTable's
// defaults, the commit retry settings included.
func WithTableProperties(props map[string]string) CreateOption {
	return func(c *createConfig) {
		if c.props == nil {
			c.props = map[string]string{}
		}
		maps.Copy(c.props, props)
	}
}

// WithTableLocation puts the table at location instead of the catalog's
// default place under its warehouse.
func WithTableLocation(location string) CreateOption {
	return func(c *createConfig) { c.location = location }
}

// defaultTableProps makes concurrent writers wait and retry instead of
// failing on the first conflict (iceberg-go retries none by default). The
// jittered backoff from 25 ms up to 2 s lets 8 writers committing in a
// tight loop all land within a few retries each.
func defaultTableProps() map[string]string {
	return map[string]string{
		table.CommitNumRetriesKey:          "16",
		table.CommitMinRetryWaitMsKey:      "25",
		table.CommitMaxRetryWaitMsKey:      "2000",
		table.CommitTotalRetryTimeoutMsKey: "600000",
	}
}

// CreateTable creates an Iceberg table whose columns are schema's, with
// fresh field ids (nanosecond timestamps become Iceberg's microsecond
// ones), an optional partition spec, sort order and properties, creating
// its namespace (and parent namespaces) when missing.
func CreateTable(ctx context.Context, cat catalog.Catalog, ident table.Identifier, schema *arrow.Schema, opts ...CreateOption) (*table.Table, error) {
	var cfg createConfig
	for _, o := range opts {
		o(&cfg)
	}
	tbl, err := createTable(ctx, cat, ident, schema, &cfg)
	if err != nil {
		return nil, fmt.Errorf("create iceberg table %s: %w", identString(ident), err)
	}
	return tbl, nil
}

func createTable(ctx context.Context, cat catalog.Catalog, ident table.Identifier, schema *arrow.Schema, cfg *createConfig) (*table.Table, error) {
	if cat == nil {
		return nil, fmt.Errorf("%w: nil catalog", errs.ErrPlan)
	}
	if len(ident) < 2 {
		return nil, fmt.Errorf("%w: identifier needs a namespace and a name", errs.ErrPlan)
	}
	if schema == nil || schema.NumFields() == 0 {
		return nil, fmt.Errorf("%w: schema has no columns", errs.ErrPlan)
	}
	sc, err := table.ArrowSchemaToIcebergWithFreshIDs(schema, true)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrPlan, err)
	}
	spec, err := partitionSpec(sc, cfg.partitions)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrPlan, err)
	}
	order, err := sortOrder(sc, cfg.sort)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errs.ErrPlan, err)
	}
	if err := ensureNamespace(ctx, cat, catalog.NamespaceFromIdent(ident)); err != nil {
		return nil, err
	}
	props := defaultTableProps()
	maps.Copy(props, cfg.props)
	copts := []catalog.CreateTableOpt{
		catalog.WithPartitionSpec(&spec),
		catalog.WithSortOrder(order),
		catalog.WithProperties(iceberg.Properties(props)),
	}
	if cfg.location != "" {
		copts = append(copts, catalog.WithLocation(cfg.location))
	}
	return cat.CreateTable(ctx, ident, sc, copts...)
}

// ensureNamespace creates ns, and the namespaces it nests in, unless
// they exist; a writer that creates one at the same moment is not an
// error.
func ensureNamespace(ctx context.Context, cat catalog.Catalog, ns table.Identifier) error {
	for i := 1; i <= len(ns); i++ {
		level := ns[:i]
		ok, err := cat.CheckNamespaceExists(ctx, level)
		if err != nil {
			return fmt.Errorf("namespace %s: %w", identString(level), err)
		}
		if ok {
			continue
		}
		err = cat.CreateNamespace(ctx, level, nil)
		if err != nil && !errors.Is(err, catalog.ErrNamespaceAlreadyExists) {
			return fmt.Errorf("create namespace %s: %w", identString(level), err)
		}
	}
	return nil
}
