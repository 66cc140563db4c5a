package display

import (
	"math"
	"strconv"
)

// appendGrouped appends n in decimal with a comma every three digits, so
// counts such as 1,234,567 read at a glance.
func appendGrouped(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		if n == math.MinInt64 {
			// -n overflows; the magnitude still fits in a uint64.
			return appendGroupedUint(b, uint64(math.MaxInt64)+1)
		}
		n = -n
	}
	return appendGroupedUint(b, uint64(n))
}

func appendGroupedUint(b []byte, n uint64) []byte {
	var digits [20]byte
	s := strconv.AppendUint(digits[:0], n, 10)
	for i, d := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, d)
	}
	return b
}

// formatGrouped is appendGrouped for a fresh string.
func formatGrouped(n int64) string { return string(appendGrouped(nil, n)) }

// formatScaled renders v with a metric suffix and three significant
// digits at most (999, 1.2K, 45.6M), for rates that change every update.
func formatScaled(v float64) string {
	const units = "KMGTPE"
	if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return "-"
	}
	if v < 1000 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	u := -1
	for v >= 999.95 && u < len(units)-1 {
		v /= 1000
		u++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + units[u:u+1]
}

// formatBytes renders a byte count in binary units (KiB, MiB, ...) with one
// decimal.
func formatBytes(n int64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	u := -1
	for v >= 1023.95 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[u:u+1] + "iB"
}
