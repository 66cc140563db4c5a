package kernel

import (
	"fmt"
	"sort"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/compute"
)

func TestExploreNames(t *testing.T) {
	n := compute.GetFunctionRegistry().GetFunctionNames()
	sort.Strings(n)
	fmt.Println(n)
}
