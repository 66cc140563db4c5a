package tpchgen

import (
	"fmt"
	"sync"

	"github.com/pingcap/go-tpc/tpch/dbgen"

	"lakeframe/errs"
)

// pass is one run of dbgen over a table, producing one or two of ours:
// orders carry their lineitems and parts their partsupps.
type pass struct {
	table dbgen.Table
	outs  []output
}

// output is a table a pass produces, with the dbgen slot its loader fills.
type output struct {
	name      string
	slot      dbgen.Table
	newLoader func(*sink) (dbgen.Loader, error)
}

var passes = []pass{
	{dbgen.TNation, []output{{"nation", dbgen.TNation, newNationLoader}}},
	{dbgen.TRegion, []output{{"region", dbgen.TRegion, newRegionLoader}}},
	{dbgen.TSupp, []output{{"supplier", dbgen.TSupp, newSupplierLoader}}},
	{dbgen.TCust, []output{{"customer", dbgen.TCust, newCustomerLoader}}},
	{dbgen.TPartPsupp, []output{
		{"part", dbgen.TPart, newPartLoader},
		{"partsupp", dbgen.TPsupp, newPartsuppLoader},
	}},
	{dbgen.TOrderLine, []output{
		{"orders", dbgen.TOrder, newOrdersLoader},
		{"lineitem", dbgen.TLine, newLineitemLoader},
	}},
}

// generator mirrors the state dbgen keeps in its package globals. dbgen's
// InitDbGen cannot be repeated (it appends every word distribution again,
// which changes all later draws), and each pass consumes the random
// streams of its tables. So a process initializes dbgen once, for one
// scale factor, and runs each pass at most once. Passes use disjoint
// streams, so their order does not change the data.
var generator struct {
	sync.Mutex
	sf   int // 0 until InitDbGen ran
	used map[dbgen.Table]bool
}

// claimable reports whether ps can still run at scale factor sf in this
// process. The caller holds generator's lock.
func claimable(sf int, ps []pass) error {
	if generator.sf != 0 && generator.sf != sf {
		return fmt.Errorf("%w: this process already generated tpc-h data at sf=%d; go-tpc's dbgen cannot be reinitialized for sf=%d (run another process)",
			errs.ErrNotImplemented, generator.sf, sf)
	}
	for _, p := range ps {
		if generator.used[p.table] {
			return fmt.Errorf("%w: this process already generated %s; go-tpc's dbgen cannot generate a table twice (run another process)",
				errs.ErrNotImplemented, p.outs[0].name)
		}
	}
	return nil
}

// initOnce initializes dbgen the first time; it takes several seconds.
// The caller holds generator's lock.
func initOnce(sf int) {
	if generator.sf == 0 {
		dbgen.InitDbGen(int64(sf))
		generator.sf = sf
		generator.used = make(map[dbgen.Table]bool)
	}
}

// run hands p's rows to loaders. It marks the pass used first, since even a
// failed run consumes random streams. The caller holds generator's lock.
func (p pass) run(loaders map[dbgen.Table]dbgen.Loader) (err error) {
	generator.used[p.table] = true
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: dbgen panicked: %v", errs.ErrInternal, r)
		}
	}()
	return dbgen.DbGen(loaders, []dbgen.Table{p.table})
}
