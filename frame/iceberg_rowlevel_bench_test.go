package frame_test

import (
	"context"
	"testing"

	"github.com/apache/iceberg-go/table"

	"lakeframe/expr"
	"lakeframe/frame"
	"lakeframe/iceberg"
)

// BenchmarkIcebergDelete deletes 0.1% of a 1M-row table spread over 8
// files per iteration, copy-on-write and merge-on-read:
//
//	go test ./frame -run '^$' -bench IcebergDelete -benchtime 5x
func BenchmarkIcebergDelete(b *testing.B) {
	ctx := context.Background()
	for _, mode := range []string{"copy-on-write", "merge-on-read"} {
		b.Run(mode, func(b *testing.B) {
			cat, err := iceberg.OpenCatalog(ctx, "sqlite://"+b.TempDir()+"/cat.db", nil)
			if err != nil {
				b.Fatal(err)
			}
			tbl, err := iceberg.CreateTable(ctx, cat, table.Identifier{"bench", "t"}, rlSchema)
			if err != nil {
				b.Fatal(err)
			}
			for i := int64(0); i < 8; i++ {
				in := rlArrow(rlRows(i*125_000, (i+1)*125_000))
				tbl, err = frame.FromArrow(in).WriteIceberg(ctx, tbl)
				in.Release()
				if err != nil {
					b.Fatal(err)
				}
			}
			opt := frame.IcebergCopyOnWrite()
			if mode == "merge-on-read" {
				opt = frame.IcebergMergeOnRead()
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tbl, err = frame.DeleteIceberg(ctx, tbl, expr.Col("id").Mod(1000).Eq(i%1000), opt)
				if err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(1_000_000*b.N)/b.Elapsed().Seconds(), "scanned-rows/s")
		})
	}
}
