package frame_test

import (
	"context"
	"fmt"
	"log"

	"lakeframe/expr"
	"lakeframe/frame"
)

func ExampleCollectAs() {
	type reading struct {
		Sensor  string   `lakeframe:"sensor"`
		Celsius *float64 `lakeframe:"celsius"` // a pointer: the column may be NULL
	}
	c := func(v float64) *float64 { return &v }
	df := frame.FromStructs([]reading{{"north", c(21.5)}, {"south", nil}, {"east", c(18)}})

	warm, err := frame.CollectAs[reading](context.Background(),
		df.Where(expr.Col("celsius").Gt(20).Not().Or(expr.Col("celsius").IsNull())).Sort("sensor"))
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range warm {
		if r.Celsius == nil {
			fmt.Println(r.Sensor, "no reading")
			continue
		}
		fmt.Println(r.Sensor, *r.Celsius)
	}
	// Output:
	// east 18
	// south no reading
}
