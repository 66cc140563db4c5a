package exectest

import "testing"

// Must returns a function that fails t on a non-nil error and otherwise
// returns the value: exectest.Must[*Table](t)(NewTable(...)).
func Must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
