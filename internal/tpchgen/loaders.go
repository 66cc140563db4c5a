package tpchgen

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/pingcap/go-tpc/tpch/dbgen"

	"lakeframe/errs"
)

// The loaders below receive dbgen's rows and append them to a sink's typed
// builders. dbgen hands over one Go value per row through its Loader
// interface; from there on each column is a direct call on a concrete
// builder. Money is generated in cents and written as float64 dollars:
// cents/100 is the double nearest to the decimal value.

// chars holds every one-byte string, so that flag columns append without
// converting a byte to a string on each row.
var chars = func() (t [256]string) {
	for i := range t {
		t[i] = string([]byte{byte(i)})
	}
	return t
}()

func money(cents int64) float64 { return float64(cents) / 100 }

func unexpectedRow(table string, item any) error {
	return fmt.Errorf("%w: %s loader got %T", errs.ErrInternal, table, item)
}

func badDate(table, s string) error {
	return fmt.Errorf("%w: %s: generator produced date %q", errs.ErrInternal, table, s)
}

// binder looks up a sink's builders by column name, so a loader's fields
// follow the schema whatever its column order. It keeps the first error.
type binder struct {
	rb    *array.RecordBuilder
	bound int
	err   error
}

func bind[B array.Builder](b *binder, name string) B {
	var zero B
	idx := b.rb.Schema().FieldIndices(name)
	if len(idx) != 1 {
		b.err = fmt.Errorf("%w: no column %q to bind", errs.ErrInternal, name)
		return zero
	}
	bld, ok := b.rb.Field(idx[0]).(B)
	if !ok {
		b.err = fmt.Errorf("%w: column %q has builder %T", errs.ErrInternal, name, b.rb.Field(idx[0]))
		return zero
	}
	b.bound++
	return bld
}

// check reports a failed lookup or a column no loader field took.
func (b *binder) check() error {
	if b.err == nil && b.bound != len(b.rb.Fields()) {
		b.err = fmt.Errorf("%w: bound %d of %d columns", errs.ErrInternal, b.bound, len(b.rb.Fields()))
	}
	return b.err
}

// discard takes the rows of the table in a generator pass that was not
// asked for (orders when only lineitem is wanted, say).
type discard struct{}

func (discard) Load(any) error { return nil }
func (discard) Flush() error   { return nil }

type regionLoader struct {
	s             *sink
	key           *array.Int64Builder
	name, comment *array.StringBuilder
}

func newRegionLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &regionLoader{
		s:       s,
		key:     bind[*array.Int64Builder](b, "r_regionkey"),
		name:    bind[*array.StringBuilder](b, "r_name"),
		comment: bind[*array.StringBuilder](b, "r_comment"),
	}
	return l, b.check()
}

func (l *regionLoader) Load(item any) error {
	r, ok := item.(*dbgen.Region)
	if !ok {
		return l.s.fail(unexpectedRow("region", item))
	}
	l.key.Append(int64(r.Code))
	l.name.Append(r.Text)
	l.comment.Append(r.Comment)
	return l.s.rowDone()
}

func (l *regionLoader) Flush() error { return nil }

type nationLoader struct {
	s             *sink
	key, region   *array.Int64Builder
	name, comment *array.StringBuilder
}

func newNationLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &nationLoader{
		s:       s,
		key:     bind[*array.Int64Builder](b, "n_nationkey"),
		name:    bind[*array.StringBuilder](b, "n_name"),
		region:  bind[*array.Int64Builder](b, "n_regionkey"),
		comment: bind[*array.StringBuilder](b, "n_comment"),
	}
	return l, b.check()
}

func (l *nationLoader) Load(item any) error {
	n, ok := item.(*dbgen.Nation)
	if !ok {
		return l.s.fail(unexpectedRow("nation", item))
	}
	l.key.Append(int64(n.Code))
	l.name.Append(n.Text)
	// dbgen keeps a nation's region in the weight of its distribution entry.
	l.region.Append(int64(n.Join))
	l.comment.Append(n.Comment)
	return l.s.rowDone()
}

func (l *nationLoader) Flush() error { return nil }

type supplierLoader struct {
	s                             *sink
	key, nation                   *array.Int64Builder
	name, address, phone, comment *array.StringBuilder
	acctbal                       *array.Float64Builder
}

func newSupplierLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &supplierLoader{
		s:       s,
		key:     bind[*array.Int64Builder](b, "s_suppkey"),
		name:    bind[*array.StringBuilder](b, "s_name"),
		address: bind[*array.StringBuilder](b, "s_address"),
		nation:  bind[*array.Int64Builder](b, "s_nationkey"),
		phone:   bind[*array.StringBuilder](b, "s_phone"),
		acctbal: bind[*array.Float64Builder](b, "s_acctbal"),
		comment: bind[*array.StringBuilder](b, "s_comment"),
	}
	return l, b.check()
}

func (l *supplierLoader) Load(item any) error {
	r, ok := item.(*dbgen.Supp)
	if !ok {
		return l.s.fail(unexpectedRow("supplier", item))
	}
	l.key.Append(int64(r.SuppKey))
	l.name.Append(r.Name)
	l.address.Append(r.Address)
	l.nation.Append(int64(r.NationCode))
	l.phone.Append(r.Phone)
	l.acctbal.Append(money(int64(r.Acctbal)))
	l.comment.Append(r.Comment)
	return l.s.rowDone()
}

func (l *supplierLoader) Flush() error { return nil }

type customerLoader struct {
	s                                      *sink
	key, nation                            *array.Int64Builder
	name, address, phone, segment, comment *array.StringBuilder
	acctbal                                *array.Float64Builder
}

func newCustomerLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &customerLoader{
		s:       s,
		key:     bind[*array.Int64Builder](b, "c_custkey"),
		name:    bind[*array.StringBuilder](b, "c_name"),
		address: bind[*array.StringBuilder](b, "c_address"),
		nation:  bind[*array.Int64Builder](b, "c_nationkey"),
		phone:   bind[*array.StringBuilder](b, "c_phone"),
		acctbal: bind[*array.Float64Builder](b, "c_acctbal"),
		segment: bind[*array.StringBuilder](b, "c_mktsegment"),
		comment: bind[*array.StringBuilder](b, "c_comment"),
	}
	return l, b.check()
}

func (l *customerLoader) Load(item any) error {
	r, ok := item.(*dbgen.Cust)
	if !ok {
		return l.s.fail(unexpectedRow("customer", item))
	}
	l.key.Append(int64(r.CustKey))
	l.name.Append(r.Name)
	l.address.Append(r.Address)
	l.nation.Append(int64(r.NationCode))
	l.phone.Append(r.Phone)
	l.acctbal.Append(money(int64(r.Acctbal)))
	l.segment.Append(r.MktSegment)
	l.comment.Append(r.Comment)
	return l.s.rowDone()
}

func (l *customerLoader) Flush() error { return nil }

type partLoader struct {
	s                                          *sink
	key, size                                  *array.Int64Builder
	name, mfgr, brand, typ, container, comment *array.StringBuilder
	retailPrice                                *array.Float64Builder
}

func newPartLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &partLoader{
		s:           s,
		key:         bind[*array.Int64Builder](b, "p_partkey"),
		name:        bind[*array.StringBuilder](b, "p_name"),
		mfgr:        bind[*array.StringBuilder](b, "p_mfgr"),
		brand:       bind[*array.StringBuilder](b, "p_brand"),
		typ:         bind[*array.StringBuilder](b, "p_type"),
		size:        bind[*array.Int64Builder](b, "p_size"),
		container:   bind[*array.StringBuilder](b, "p_container"),
		retailPrice: bind[*array.Float64Builder](b, "p_retailprice"),
		comment:     bind[*array.StringBuilder](b, "p_comment"),
	}
	return l, b.check()
}

func (l *partLoader) Load(item any) error {
	p, ok := item.(*dbgen.Part)
	if !ok {
		return l.s.fail(unexpectedRow("part", item))
	}
	l.key.Append(int64(p.PartKey))
	l.name.Append(p.Name)
	l.mfgr.Append(p.Mfgr)
	l.brand.Append(p.Brand)
	l.typ.Append(p.Type)
	l.size.Append(int64(p.Size))
	l.container.Append(p.Container)
	l.retailPrice.Append(money(int64(p.RetailPrice)))
	l.comment.Append(p.Comment)
	return l.s.rowDone()
}

func (l *partLoader) Flush() error { return nil }

type partsuppLoader struct {
	s                    *sink
	part, supp, availQty *array.Int64Builder
	supplyCost           *array.Float64Builder
	comment              *array.StringBuilder
}

func newPartsuppLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &partsuppLoader{
		s:          s,
		part:       bind[*array.Int64Builder](b, "ps_partkey"),
		supp:       bind[*array.Int64Builder](b, "ps_suppkey"),
		availQty:   bind[*array.Int64Builder](b, "ps_availqty"),
		supplyCost: bind[*array.Float64Builder](b, "ps_supplycost"),
		comment:    bind[*array.StringBuilder](b, "ps_comment"),
	}
	return l, b.check()
}

// Load takes a part, which carries its partsupp rows.
func (l *partsuppLoader) Load(item any) error {
	p, ok := item.(*dbgen.Part)
	if !ok {
		return l.s.fail(unexpectedRow("partsupp", item))
	}
	for i := range p.S {
		ps := &p.S[i]
		l.part.Append(int64(ps.PartKey))
		l.supp.Append(int64(ps.SuppKey))
		l.availQty.Append(int64(ps.Qty))
		l.supplyCost.Append(money(int64(ps.SCost)))
		l.comment.Append(ps.Comment)
		if err := l.s.rowDone(); err != nil {
			return err
		}
	}
	return nil
}

func (l *partsuppLoader) Flush() error { return nil }

type ordersLoader struct {
	s                                *sink
	key, cust, shipPriority          *array.Int64Builder
	status, priority, clerk, comment *array.StringBuilder
	totalPrice                       *array.Float64Builder
	date                             *array.Date32Builder
}

func newOrdersLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &ordersLoader{
		s:            s,
		key:          bind[*array.Int64Builder](b, "o_orderkey"),
		cust:         bind[*array.Int64Builder](b, "o_custkey"),
		status:       bind[*array.StringBuilder](b, "o_orderstatus"),
		totalPrice:   bind[*array.Float64Builder](b, "o_totalprice"),
		date:         bind[*array.Date32Builder](b, "o_orderdate"),
		priority:     bind[*array.StringBuilder](b, "o_orderpriority"),
		clerk:        bind[*array.StringBuilder](b, "o_clerk"),
		shipPriority: bind[*array.Int64Builder](b, "o_shippriority"),
		comment:      bind[*array.StringBuilder](b, "o_comment"),
	}
	return l, b.check()
}

func (l *ordersLoader) Load(item any) error {
	o, ok := item.(*dbgen.Order)
	if !ok {
		return l.s.fail(unexpectedRow("orders", item))
	}
	date, ok := parseDate(o.Date)
	if !ok {
		return l.s.fail(badDate("orders", o.Date))
	}
	l.key.Append(int64(o.OKey))
	l.cust.Append(int64(o.CustKey))
	l.status.Append(chars[o.Status])
	l.totalPrice.Append(money(int64(o.TotalPrice)))
	l.date.Append(date)
	l.priority.Append(o.OrderPriority)
	l.clerk.Append(o.Clerk)
	l.shipPriority.Append(o.ShipPriority)
	l.comment.Append(o.Comment)
	return l.s.rowDone()
}

func (l *ordersLoader) Flush() error { return nil }

type lineitemLoader struct {
	s                                      *sink
	order, part, supp, lineNumber          *array.Int64Builder
	quantity, extendedPrice, discount, tax *array.Float64Builder
	returnFlag, lineStatus                 *array.StringBuilder
	shipDate, commitDate, receiptDate      *array.Date32Builder
	shipInstruct, shipMode, comment        *array.StringBuilder
}

func newLineitemLoader(s *sink) (dbgen.Loader, error) {
	b := &binder{rb: s.rb}
	l := &lineitemLoader{
		s:             s,
		order:         bind[*array.Int64Builder](b, "l_orderkey"),
		part:          bind[*array.Int64Builder](b, "l_partkey"),
		supp:          bind[*array.Int64Builder](b, "l_suppkey"),
		lineNumber:    bind[*array.Int64Builder](b, "l_linenumber"),
		quantity:      bind[*array.Float64Builder](b, "l_quantity"),
		extendedPrice: bind[*array.Float64Builder](b, "l_extendedprice"),
		discount:      bind[*array.Float64Builder](b, "l_discount"),
		tax:           bind[*array.Float64Builder](b, "l_tax"),
		returnFlag:    bind[*array.StringBuilder](b, "l_returnflag"),
		lineStatus:    bind[*array.StringBuilder](b, "l_linestatus"),
		shipDate:      bind[*array.Date32Builder](b, "l_shipdate"),
		commitDate:    bind[*array.Date32Builder](b, "l_commitdate"),
		receiptDate:   bind[*array.Date32Builder](b, "l_receiptdate"),
		shipInstruct:  bind[*array.StringBuilder](b, "l_shipinstruct"),
		shipMode:      bind[*array.StringBuilder](b, "l_shipmode"),
		comment:       bind[*array.StringBuilder](b, "l_comment"),
	}
	return l, b.check()
}

// Load takes an order, which carries its lineitem rows.
func (l *lineitemLoader) Load(item any) error {
	o, ok := item.(*dbgen.Order)
	if !ok {
		return l.s.fail(unexpectedRow("lineitem", item))
	}
	for i := range o.Lines {
		li := &o.Lines[i]
		var dates [3]arrow.Date32
		for j, s := range [3]string{li.SDate, li.CDate, li.RDate} {
			if dates[j], ok = parseDate(s); !ok {
				return l.s.fail(badDate("lineitem", s))
			}
		}
		l.order.Append(int64(li.OKey))
		l.part.Append(int64(li.PartKey))
		l.supp.Append(int64(li.SuppKey))
		l.lineNumber.Append(int64(li.LCnt))
		l.quantity.Append(float64(li.Quantity))
		l.extendedPrice.Append(money(int64(li.EPrice)))
		l.discount.Append(money(int64(li.Discount)))
		l.tax.Append(money(int64(li.Tax)))
		l.returnFlag.Append(chars[li.RFlag])
		l.lineStatus.Append(chars[li.LStatus])
		l.shipDate.Append(dates[0])
		l.commitDate.Append(dates[1])
		l.receiptDate.Append(dates[2])
		l.shipInstruct.Append(li.ShipInstruct)
		l.shipMode.Append(li.ShipMode)
		l.comment.Append(li.Comment)
		if err := l.s.rowDone(); err != nil {
			return err
		}
	}
	return nil
}

func (l *lineitemLoader) Flush() error { return nil }
