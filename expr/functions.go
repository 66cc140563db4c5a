package expr

// StrNamespace holds the string functions of an expression: e.Str().Lower().
type StrNamespace struct{ e Expr }

// Str gives access to string functions.
func (e Expr) Str() StrNamespace { return StrNamespace{e} }

func (s StrNamespace) call(fn ScalarFunc, args ...any) Expr {
	return Expr{&Call{Fn: fn, Args: append([]Node{s.e.tree()}, toNodes(args)...)}}
}

// Contains is true where the string contains substr.
func (s StrNamespace) Contains(substr string) Expr { return s.call(FnContains, substr) }

// StartsWith is true where the string starts with prefix.
func (s StrNamespace) StartsWith(prefix string) Expr { return s.call(FnStartsWith, prefix) }

// EndsWith is true where the string ends with suffix.
func (s StrNamespace) EndsWith(suffix string) Expr { return s.call(FnEndsWith, suffix) }

// Like matches a SQL LIKE pattern: % is any run of characters, _ is one.
func (s StrNamespace) Like(pattern string) Expr { return s.call(FnLike, pattern) }

// Lower lower-cases the string.
func (s StrNamespace) Lower() Expr { return s.call(FnLower) }

// Upper upper-cases the string.
func (s StrNamespace) Upper() Expr { return s.call(FnUpper) }

// Length is the number of characters.
func (s StrNamespace) Length() Expr { return s.call(FnLength) }

// Substr is length characters starting at start (1-based, as in SQL).
func (s StrNamespace) Substr(start, length int64) Expr {
	return s.call(FnSubstr, start, length)
}

// DtNamespace holds the date and time functions of an expression.
type DtNamespace struct{ e Expr }

// Dt gives access to date and time functions.
func (e Expr) Dt() DtNamespace { return DtNamespace{e} }

// Year is the calendar year of a date or timestamp.
func (d DtNamespace) Year() Expr { return Expr{&Call{Fn: FnYear, Args: []Node{d.e.tree()}}} }

// Month is the month (1-12) of a date or timestamp.
func (d DtNamespace) Month() Expr { return Expr{&Call{Fn: FnMonth, Args: []Node{d.e.tree()}}} }

// Day is the day of the month (1-31) of a date or timestamp.
func (d DtNamespace) Day() Expr { return Expr{&Call{Fn: FnDay, Args: []Node{d.e.tree()}}} }
