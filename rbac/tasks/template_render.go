package tasks

import (
	"math"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// locale is what rendering needs of a language.
type locale struct {
	tag     language.Tag
	printer *message.Printer
	date    DateFormat
}

// render writes t with args (which must hold every t.args) to b.
func (t *template) render(b *strings.Builder, loc *locale, args func(string) (Arg, bool)) {
	renderSegs(b, t.segs, loc, args, Arg{})
}

// renderSegs writes segs; num is what # shows (the innermost plural's
// number minus its offset).
func renderSegs(b *strings.Builder, segs []seg, loc *locale, args func(string) (Arg, bool), num Arg) {
	for _, s := range segs {
		switch {
		case s.lit != "":
			b.WriteString(s.lit)
		case s.hash:
			b.WriteString(loc.format(num))
		case s.choice != nil:
			a, _ := args(s.choice.arg)
			body, shown := s.choice.pick(loc.tag, a)
			renderSegs(b, body, loc, args, shown)
		default:
			a, _ := args(s.arg)
			b.WriteString(loc.format(a))
		}
	}
}

// pick returns the case of c for a and the number # shows in it. Plural
// kinds: an exact match on the value first, then the language's form of
// the value minus the offset, then other. Select: the keyword equal to the
// argument's text, then other.
func (c *choice) pick(tag language.Tag, a Arg) ([]seg, Arg) {
	if c.kind == kindSelect {
		if body, ok := c.keys[a.Text()]; ok {
			return body, Arg{}
		}
		return c.other, Arg{}
	}
	if a.typ == argInt {
		for _, e := range c.exact {
			if e.n == a.n {
				return e.segs, a.minus(c.offset)
			}
		}
	}
	shown := a.minus(c.offset)
	rules := plural.Cardinal
	if c.kind == kindOrdinal {
		rules = plural.Ordinal
	}
	if f := pluralForm(rules, tag, shown); f != plural.Other && c.has[f] {
		return c.forms[f], shown
	}
	return c.other, shown
}

// minus subtracts a plural offset from a number argument.
func (a Arg) minus(offset int64) Arg {
	switch {
	case offset == 0:
		return a
	case a.typ == argInt:
		return Int(a.n - offset)
	case a.typ == argDecimal:
		return Decimal(a.f-float64(offset), a.scale)
	}
	return a
}

// pluralForm returns the CLDR form (cardinal or ordinal rules) of a number
// argument; other for anything else.
func pluralForm(rules *plural.Rules, tag language.Tag, a Arg) plural.Form {
	const mod = 10_000_000
	switch a.typ {
	case argInt:
		n := a.n % mod // before the sign: -MinInt64 overflows
		if n < 0 {
			n = -n
		}
		return rules.MatchPlural(tag, int(n), 0, 0, 0, 0)
	case argDecimal:
		if a.scale < 0 || a.scale > 6 || math.IsNaN(a.f) || math.IsInf(a.f, 0) {
			return plural.Other
		}
		v := math.Abs(a.f)
		p := math.Pow10(a.scale)
		ip := math.Floor(v)
		frac := math.Round((v - ip) * p)
		if frac >= p {
			ip++
			frac -= p
		}
		f := int(frac)
		w, t := a.scale, f
		for w > 0 && t%10 == 0 {
			w--
			t /= 10
		}
		return rules.MatchPlural(tag, int(math.Mod(ip, mod)), a.scale, w, f, t)
	}
	return plural.Other
}

// format renders one argument for the locale.
func (l *locale) format(a Arg) string {
	switch a.typ {
	case argString:
		return a.s
	case argInt:
		return l.printer.Sprint(number.Decimal(a.n))
	case argDecimal:
		return l.printer.Sprint(number.Decimal(a.f, number.Scale(a.scale)))
	case argDate:
		if l.date != nil {
			return l.date(a.d)
		}
		return a.d.Format("2006-01-02")
	}
	return ""
}
