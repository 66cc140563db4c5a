package expr

import (
	"fmt"
	"strings"

	"lakeframe/errs"
)

// TimeFormatDirectives are the % directives Strftime and Strptime accept,
// with DuckDB's meanings:
//
//	%Y  year, 4 digits       %y  year in the century, 2 digits (strptime: 69-99 → 19xx)
//	%m  month, 2 digits      %d  day of the month, 2 digits
//	%H  hour 00-23           %I  hour 01-12, with %p
//	%M  minute, 2 digits     %S  second, 2 digits
//	%f  microseconds, 6 digits
//	%j  day of the year, 3 digits
//	%b  month as Jan..Dec    %B  month as January..December
//	%a  weekday as Mon..Sun  %A  weekday as Monday..Sunday (strftime only)
//	%p  AM or PM             %%  a percent sign
const TimeFormatDirectives = "YymdHIMSfjbBaAp%"

// checkTimeFormat reports an unsupported directive of a format.
func checkTimeFormat(fn ScalarFunc, format string) error {
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		if i+1 == len(format) {
			return fmt.Errorf("%w: %s: format %q ends with a lone %%", errs.ErrPlan, fn, format)
		}
		i++
		if !strings.ContainsRune(TimeFormatDirectives, rune(format[i])) || fn == FnStrptime && format[i] == 'A' {
			return fmt.Errorf("%w: %s: format %q has the unsupported directive %%%c (supported: %%%s)",
				errs.ErrPlan, fn, format, format[i], strings.Join(strings.Split(TimeFormatDirectives, ""), " %"))
		}
	}
	return nil
}

// Strftime formats a date or timestamp as text with a strftime format
// (see TimeFormatDirectives), in the timestamp's time zone.
func (d DtNamespace) Strftime(format string) Expr {
	return Expr{&Call{Fn: FnStrftime, Args: []Node{d.e.tree(), newLiteral(format)}}}
}

// Strptime parses text into a microsecond timestamp with a strptime format
// (see TimeFormatDirectives); text that does not match is an error, as in
// DuckDB (use Coalesce with a default after a check with Matches to skip
// bad rows).
func (s StrNamespace) Strptime(format string) Expr { return s.call(FnStrptime, format) }
