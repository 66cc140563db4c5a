package exectest

// ReleaseAll releases every non-nil element of xs (arrays or batches).
func ReleaseAll[T interface{ Release() }](xs []T) {
	for _, x := range xs {
		if any(x) != nil {
			x.Release()
		}
	}
}
