package bufpool

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unsafe"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/compute"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

func TestAllocateIsZeroedAlignedAndSized(t *testing.T) {
	a := New()
	for _, size := range []int{0, 1, 100, 4095, 4096, 4097, 100000, 1 << 20, 1<<20 + 1} {
		for round := range 3 {
			b := a.Allocate(size)
			if len(b) != size || cap(b) != size {
				t.Fatalf("Allocate(%d) has length %d and capacity %d, want both %d", size, len(b), cap(b), size)
			}
			if size > 0 && uintptr(unsafe.Pointer(&b[0]))%alignment != 0 {
				t.Fatalf("Allocate(%d) is not %d-byte aligned", size, alignment)
			}
			for i, v := range b[:cap(b)] {
				if v != 0 {
					t.Fatalf("Allocate(%d) round %d: byte %d is %d, want 0", size, round, i, v)
				}
			}
			for i := range b[:cap(b)] {
				b[:cap(b)][i] = 0xff // dirty it before it goes back
			}
			a.Free(b)
		}
	}
}

func TestReallocateKeepsContents(t *testing.T) {
	a := New()
	b := a.Allocate(5000)
	for i := range b {
		b[i] = byte(i)
	}
	b = a.Reallocate(50000, b)
	if len(b) != 50000 {
		t.Fatalf("length %d", len(b))
	}
	for i := range 5000 {
		if b[i] != byte(i) {
			t.Fatalf("byte %d = %d after Reallocate", i, b[i])
		}
	}
	for i := 5000; i < len(b); i++ {
		if b[i] != 0 {
			t.Fatalf("grown byte %d = %d, want 0", i, b[i])
		}
	}
	a.Free(b)
}

func TestRecyclesBuffers(t *testing.T) {
	a := New()
	b := a.Allocate(1 << 16)
	p := &b[:1][0]
	a.Free(b)
	c := a.Allocate(1<<16 - 10)
	if &c[:1][0] != p {
		t.Skip("sync.Pool dropped the buffer (allowed, e.g. under the race detector)")
	}
}

func TestConcurrentUse(t *testing.T) {
	a := New()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				b := a.Allocate(4096 * (1 + (g+i)%7))
				for j := range b {
					if b[j] != 0 {
						t.Errorf("dirty byte")
						return
					}
					b[j] = byte(g)
				}
				a.Free(b)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkAllocateFree1MiB(b *testing.B) {
	a := New()
	for b.Loop() {
		a.Free(a.Allocate(1 << 20))
	}
}

// arrow-go's string take sizes its output by the capacity of the value
// buffer it allocates: a pool handing out spare capacity made it drop bytes
// and panic when the taken rows hold longer strings than the average.
func TestStringTakeWithPool(t *testing.T) {
	mem := memory.NewCheckedAllocator(New())
	defer mem.AssertSize(t, 0)
	b := array.NewStringBuilder(mem)
	long := strings.Repeat("x", 100)
	var want []string
	for i := range 4000 {
		s := "y"
		if i%2 == 0 {
			s = long + strconv.Itoa(i)
		}
		b.Append(s)
		want = append(want, s)
	}
	arr := b.NewStringArray()
	b.Release()
	defer arr.Release()
	ib := array.NewInt32Builder(mem)
	for i := 0; i < 4000; i += 2 {
		ib.Append(int32(i))
	}
	idx := ib.NewInt32Array()
	ib.Release()
	defer idx.Release()
	ctx := compute.WithAllocator(context.Background(), mem)
	out, err := compute.TakeArray(ctx, arr, idx)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Release()
	got := out.(*array.String)
	for i := range got.Len() {
		if w := want[idx.Value(i)]; got.Value(i) != w {
			t.Fatalf("row %d = %q, want %q", i, got.Value(i), w)
		}
	}
}
