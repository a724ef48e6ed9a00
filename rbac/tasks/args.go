package tasks

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Arg is one typed parameter of a task's message. Its type decides how it
// is rendered: strings as they are, numbers with the language's digit
// grouping and decimal separator (and plural forms), dates in the
// language's date format. Make one with String, Int, Decimal or Date.
type Arg struct {
	typ   argType
	s     string
	n     int64
	f     float64
	scale int
	d     time.Time // a calendar date at 00:00 UTC
}

type argType uint8

const (
	argNone argType = iota
	argString
	argInt
	argDecimal
	argDate
)

// String returns a text argument.
func String(s string) Arg { return Arg{typ: argString, s: s} }

// Int returns an integer argument. Plural forms select on it.
func Int(n int64) Arg { return Arg{typ: argInt, n: n} }

// Decimal returns a number shown with exactly scale fraction digits (0 to
// 6), such as an amount of money: Decimal(1234.5, 2) is "1,234.50" in
// English and "1 234,50" in Russian.
func Decimal(f float64, scale int) Arg { return Arg{typ: argDecimal, f: f, scale: scale} }

// Date returns a calendar date argument: the year, month and day of t in
// t's location.
func Date(t time.Time) Arg {
	y, m, d := t.Date()
	return Arg{typ: argDate, d: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// IsZero reports whether a is the zero Arg (no value).
func (a Arg) IsZero() bool { return a.typ == argNone }

// Text returns the argument in a language-neutral form: the string, the
// number as Go prints it, the date as 2006-01-02.
func (a Arg) Text() string {
	switch a.typ {
	case argString:
		return a.s
	case argInt:
		return fmt.Sprint(a.n)
	case argDecimal:
		return fmt.Sprintf("%.*f", a.scale, a.f)
	case argDate:
		return a.d.Format(time.DateOnly)
	}
	return ""
}

// Args are a message's named parameters. Names are lower-case: a letter,
// then up to 31 of a-z, 0-9 and '_'.
type Args map[string]Arg

// reservedArgs are filled from the task itself; NewTask.Args may not set
// them.
var reservedArgs = []string{"service", "service_id", "product_type", "tariff", "client", "client_id", "module", "operation"}

// ReservedArgs returns the argument names filled from the task's own
// fields: service, service_id, product_type, tariff, client, client_id,
// module and operation (the operation's localized name).
func ReservedArgs() []string { return slices.Clone(reservedArgs) }

const maxArgRunes = 2000

func (a Args) check(fe *fieldErrors) {
	names := make([]string, 0, len(a))
	for k := range a {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		v := a[k]
		field := "args." + k
		if !validArgName(k) {
			fe.add(field, "format", "argument names are a-z, then up to 31 of a-z, 0-9 and '_'")
			continue
		}
		if slices.Contains(reservedArgs, k) {
			fe.add(field, "reserved", "%s is filled from the task itself", k)
		}
		switch v.typ {
		case argNone:
			fe.add(field, "required", "has no value")
		case argString:
			if msg := checkText(v.s, maxArgRunes, true); msg != "" {
				fe.add(field, textRule(msg), "%s", msg)
			}
		case argDecimal:
			if v.scale < 0 || v.scale > 6 {
				fe.add(field, "range", "a decimal's scale must be 0 to 6")
			}
			if math.IsNaN(v.f) || math.IsInf(v.f, 0) || math.Abs(v.f) > 1e15 {
				fe.add(field, "range", "must be a finite number of at most 15 digits")
			}
		}
	}
}

func validArgName(s string) bool {
	if s == "" || len(s) > 32 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// clone returns an independent copy (Args values are immutable).
func (a Args) clone() Args {
	if a == nil {
		return nil
	}
	c := make(Args, len(a))
	for k, v := range a {
		c[k] = v
	}
	return c
}

// argJSON is the stored form of an Arg: exactly one of the fields is set.
type argJSON struct {
	S     *string  `json:"s,omitempty"`
	I     *int64   `json:"i,omitempty"`
	F     *float64 `json:"f,omitempty"`
	Scale int      `json:"scale,omitempty"`
	D     string   `json:"d,omitempty"`
}

// MarshalJSON encodes the argument with its type, so it reads back the
// same.
func (a Arg) MarshalJSON() ([]byte, error) {
	var j argJSON
	switch a.typ {
	case argString:
		j.S = &a.s
	case argInt:
		j.I = &a.n
	case argDecimal:
		j.F, j.Scale = &a.f, a.scale
	case argDate:
		j.D = a.d.Format(time.DateOnly)
	default:
		return nil, fmt.Errorf("tasks: marshal an empty Arg")
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (a *Arg) UnmarshalJSON(b []byte) error {
	var j argJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("tasks: unmarshal Arg: %w", err)
	}
	n := 0
	switch {
	case j.S != nil:
		*a = String(*j.S)
		n++
	case j.I != nil:
		*a = Int(*j.I)
		n++
	case j.F != nil:
		*a = Decimal(*j.F, j.Scale)
		n++
	case j.D != "":
		d, err := time.Parse(time.DateOnly, j.D)
		if err != nil {
			return fmt.Errorf("tasks: unmarshal Arg: date %q: %w", j.D, err)
		}
		*a = Date(d)
		n++
	}
	if n == 0 {
		return fmt.Errorf("tasks: unmarshal Arg: no value in %s", strings.TrimSpace(string(b)))
	}
	return nil
}
