package postgres

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Signs of a numeric in the binary format.
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

var pow10u64 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

// errNumericShape is returned for a numeric value the column's decimal
// type cannot hold exactly.
var errNumericShape = errors.New("does not fit")

// numericToDecimal decodes a numeric in the binary format (digit count,
// weight, sign, display scale, then base-10000 digits, most significant
// first) into the unscaled value of a decimal with the given precision
// and scale. It never rounds: a value with more fractional digits than
// scale, or more digits than precision, is an error.
func numericToDecimal(v []byte, precision, scale int32) (decimal128.Num, error) {
	if len(v) < 8 {
		return decimal128.Num{}, fmt.Errorf("numeric value of %d bytes is truncated", len(v))
	}
	ndigits := int(int16(binary.BigEndian.Uint16(v)))
	weight := int(int16(binary.BigEndian.Uint16(v[2:])))
	sign := binary.BigEndian.Uint16(v[4:])
	if ndigits < 0 || len(v) != 8+2*ndigits {
		return decimal128.Num{}, fmt.Errorf("numeric value of %d bytes holds %d digits", len(v), ndigits)
	}
	switch sign {
	case numericPos, numericNeg:
	case numericNaN:
		return decimal128.Num{}, fmt.Errorf("numeric NaN has no decimal value")
	case numericPInf, numericNInf:
		return decimal128.Num{}, fmt.Errorf("numeric infinity has no decimal value")
	default:
		return decimal128.Num{}, fmt.Errorf("numeric value has an unknown sign 0x%04x", sign)
	}
	digits := v[8:]
	// The digits read as one integer n; the value is n * 10^exp at scale 0,
	// so the unscaled decimal is n * 10^(exp+scale).
	exp := 4*(weight-ndigits+1) + int(scale)
	var num decimal128.Num
	if ndigits <= 4 && exp > -len(pow10u64) && exp <= 20 {
		var n uint64
		for i := range ndigits {
			n = n*10000 + uint64(binary.BigEndian.Uint16(digits[2*i:]))
		}
		// n < 10^16, so n * 10^20 stays below 2^127.
		if exp >= 0 {
			num = decimal128.FromU64(n).Mul(decimal128.GetScaleMultiplier(exp))
		} else {
			p := pow10u64[-exp]
			if n%p != 0 {
				return decimal128.Num{}, errNumericShape
			}
			num = decimal128.FromU64(n / p)
		}
	} else {
		n := new(big.Int)
		tenK := big.NewInt(10000)
		for i := range ndigits {
			n.Mul(n, tenK)
			n.Add(n, big.NewInt(int64(binary.BigEndian.Uint16(digits[2*i:]))))
		}
		p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(exp))), nil)
		if exp >= 0 {
			n.Mul(n, p)
		} else {
			var rem big.Int
			n.QuoRem(n, p, &rem)
			if rem.Sign() != 0 {
				return decimal128.Num{}, errNumericShape
			}
		}
		if n.BitLen() > 127 {
			return decimal128.Num{}, errNumericShape
		}
		num = decimal128.FromBigInt(n)
	}
	if sign == numericNeg {
		num = num.Negate()
	}
	if !num.FitsInPrecision(precision) {
		return decimal128.Num{}, errNumericShape
	}
	return num, nil
}

// numericText spells a binary numeric in decimal, for error messages.
func numericText(v []byte) string {
	if len(v) < 8 {
		return "?"
	}
	ndigits := int(int16(binary.BigEndian.Uint16(v)))
	weight := int(int16(binary.BigEndian.Uint16(v[2:])))
	sign := binary.BigEndian.Uint16(v[4:])
	switch sign {
	case numericNaN:
		return "NaN"
	case numericPInf:
		return "Infinity"
	case numericNInf:
		return "-Infinity"
	}
	if ndigits < 0 || len(v) != 8+2*ndigits {
		return "?"
	}
	n := new(big.Int)
	for i := range ndigits {
		n.Mul(n, big.NewInt(10000))
		n.Add(n, big.NewInt(int64(binary.BigEndian.Uint16(v[8+2*i:]))))
	}
	exp := 4 * (weight - ndigits + 1)
	s := n.String()
	if exp >= 0 {
		s += strings.Repeat("0", exp)
	} else {
		frac := -exp
		if len(s) <= frac {
			s = strings.Repeat("0", frac-len(s)+1) + s
		}
		s = strings.TrimRight(s[:len(s)-frac]+"."+s[len(s)-frac:], "0")
		s = strings.TrimSuffix(s, ".")
	}
	if sign == numericNeg {
		s = "-" + s
	}
	return s
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
