package aggregate_test

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"lakeframe/exec/aggregate"
)

// Example runs sum(amount) grouped by region in two phases: a partial
// aggregate per partition emits keys and states, and a final aggregate
// merges them.
func Example() {
	mem := memory.DefaultAllocator
	strs := func(v ...string) arrow.Array {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.AppendValues(v, nil)
		return b.NewArray()
	}
	ints := func(v ...int64) arrow.Array {
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(v, nil)
		return b.NewArray()
	}
	partitions := [][2]arrow.Array{
		{strs("eu", "us", "eu"), ints(1, 2, 3)},
		{strs("us", "apac"), ints(10, 20)},
	}
	keyTypes := []arrow.DataType{arrow.BinaryTypes.String}

	final, _ := aggregate.NewGroupTable(mem, keyTypes)
	defer final.Release()
	total, _ := aggregate.New(mem, aggregate.Sum, arrow.PrimitiveTypes.Int64)
	defer total.Release()

	for _, p := range partitions {
		// Partial phase.
		groups, _ := aggregate.NewGroupTable(mem, keyTypes)
		sum, _ := aggregate.New(mem, aggregate.Sum, arrow.PrimitiveTypes.Int64)
		ids, _ := groups.Insert(p[:1], nil)
		_ = sum.Update(ids, groups.Len(), p[1])
		keys, _ := groups.Keys()
		states, _ := sum.States()
		groups.Release()
		sum.Release()
		p[0].Release()
		p[1].Release()

		// Final phase; keys and states could have crossed processes as IPC.
		ids, _ = final.Insert(keys, nil)
		_ = total.Merge(ids, final.Len(), states)
		keys[0].Release()
		states[0].Release()
	}

	keys, _ := final.Keys()
	sums, _ := total.Finish()
	for g := range final.Len() {
		fmt.Println(keys[0].ValueStr(g), sums.ValueStr(g))
	}
	keys[0].Release()
	sums.Release()
	// Output:
	// eu 4
	// us 12
	// apac 20
}
