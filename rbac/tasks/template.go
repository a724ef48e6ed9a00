package tasks

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// A message template is text with placeholders, a small subset of ICU
// MessageFormat:
//
//	{name}                                   the argument, formatted for the language
//	{name, plural, one {# day} other {# days}}  a plural choice on a number
//
// Plural selectors are zero, one, two, few, many, other (required) and =N
// for an exact value; the language's CLDR rules pick the form. Inside a
// choice, # is the number formatted for the language. A backslash makes the
// next character literal: \{ \} \# \\.

// seg is one piece of a compiled template: literal text, an argument, the
// number of the innermost plural choice (#), or a plural choice.
type seg struct {
	lit    string
	arg    string
	hash   bool
	choice *choice
}

type choice struct {
	arg   string
	exact []exactCase
	forms [6][]seg // by plural.Form; forms[plural.Other] is always set
	has   [6]bool
}

type exactCase struct {
	n    int64
	segs []seg
}

type template struct {
	segs []seg
	args []string // every argument referenced, sorted, unique
}

var formNames = map[string]plural.Form{
	"other": plural.Other, "zero": plural.Zero, "one": plural.One,
	"two": plural.Two, "few": plural.Few, "many": plural.Many,
}

// TemplateError is a syntax error in a message template.
type TemplateError struct {
	Offset int // byte offset in the template
	Msg    string
}

func (e *TemplateError) Error() string { return fmt.Sprintf("at byte %d: %s", e.Offset, e.Msg) }

// parseTemplate compiles src.
func parseTemplate(src string) (*template, error) {
	p := &parser{src: src}
	segs, err := p.segs(false, false)
	if err != nil {
		return nil, err
	}
	if p.pos < len(src) {
		return nil, &TemplateError{p.pos, "unexpected '}'"}
	}
	t := &template{segs: segs}
	seen := map[string]bool{}
	var walk func([]seg)
	walk = func(ss []seg) {
		for _, s := range ss {
			name := s.arg
			if s.choice != nil {
				name = s.choice.arg
				for _, e := range s.choice.exact {
					walk(e.segs)
				}
				for _, f := range s.choice.forms {
					walk(f)
				}
			}
			if name != "" && !seen[name] {
				seen[name] = true
				t.args = append(t.args, name)
			}
		}
	}
	walk(segs)
	slices.Sort(t.args)
	return t, nil
}

type parser struct {
	src string
	pos int
}

func (p *parser) errf(format string, args ...any) error {
	return &TemplateError{p.pos, fmt.Sprintf(format, args...)}
}

// segs parses text up to the end, or up to an unescaped '}' (left unread)
// when inCase.
func (p *parser) segs(inCase, inChoice bool) ([]seg, error) {
	var out []seg
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			out = append(out, seg{lit: lit.String()})
			lit.Reset()
		}
	}
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '\\':
			if p.pos+1 >= len(p.src) {
				return nil, p.errf("a trailing backslash escapes nothing")
			}
			n := p.src[p.pos+1]
			if n != '{' && n != '}' && n != '#' && n != '\\' {
				return nil, p.errf("\\%c is not an escape: use \\{ \\} \\# or \\\\", n)
			}
			lit.WriteByte(n)
			p.pos += 2
		case c == '}':
			if !inCase {
				return nil, p.errf("unexpected '}' (write \\} for a literal brace)")
			}
			flush()
			return out, nil
		case c == '#' && inChoice:
			flush()
			out = append(out, seg{hash: true})
			p.pos++
		case c == '{':
			flush()
			s, err := p.placeholder()
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		default:
			lit.WriteByte(c)
			p.pos++
		}
	}
	if inCase {
		return nil, p.errf("unclosed '{'")
	}
	flush()
	return out, nil
}

func (p *parser) space() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\n' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '=' || c == '-') {
			break
		}
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *parser) expect(c byte) error {
	p.space()
	if p.pos >= len(p.src) || p.src[p.pos] != c {
		return p.errf("want '%c'", c)
	}
	p.pos++
	return nil
}

// placeholder parses {name} or {name, plural, ...}; p.pos is at '{'.
func (p *parser) placeholder() (seg, error) {
	p.pos++
	p.space()
	name := p.word()
	if !validArgName(name) {
		return seg{}, p.errf("want an argument name (a-z, then a-z, 0-9, '_'), got %q", name)
	}
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		return seg{arg: name}, nil
	}
	if err := p.expect(','); err != nil {
		return seg{}, err
	}
	p.space()
	if kw := p.word(); kw != "plural" {
		return seg{}, p.errf("unknown format %q: only plural is supported", kw)
	}
	if err := p.expect(','); err != nil {
		return seg{}, err
	}
	ch := &choice{arg: name}
	for {
		p.space()
		if p.pos >= len(p.src) {
			return seg{}, p.errf("unclosed plural choice")
		}
		if p.src[p.pos] == '}' {
			p.pos++
			break
		}
		at := p.pos
		sel := p.word()
		if err := p.expect('{'); err != nil {
			return seg{}, err
		}
		body, err := p.segs(true, true)
		if err != nil {
			return seg{}, err
		}
		p.pos++ // the '}' segs stopped at
		if strings.HasPrefix(sel, "=") {
			n, err := strconv.ParseInt(sel[1:], 10, 64)
			if err != nil {
				return seg{}, &TemplateError{at, fmt.Sprintf("bad exact selector %q", sel)}
			}
			ch.exact = append(ch.exact, exactCase{n, body})
			continue
		}
		f, ok := formNames[sel]
		if !ok {
			return seg{}, &TemplateError{at, fmt.Sprintf("unknown plural selector %q: want zero, one, two, few, many, other or =N", sel)}
		}
		if ch.has[f] {
			return seg{}, &TemplateError{at, fmt.Sprintf("plural selector %q given twice", sel)}
		}
		ch.forms[f], ch.has[f] = body, true
	}
	if !ch.has[plural.Other] {
		return seg{}, p.errf("plural choice on %q needs an 'other' case", name)
	}
	return seg{choice: ch}, nil
}

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

func renderSegs(b *strings.Builder, segs []seg, loc *locale, args func(string) (Arg, bool), num Arg) {
	for _, s := range segs {
		switch {
		case s.lit != "":
			b.WriteString(s.lit)
		case s.hash:
			b.WriteString(loc.format(num))
		case s.choice != nil:
			a, _ := args(s.choice.arg)
			renderSegs(b, s.choice.pick(loc.tag, a), loc, args, a)
		default:
			a, _ := args(s.arg)
			b.WriteString(loc.format(a))
		}
	}
}

// pick returns the case of c for a: an exact match first, then the
// language's plural form, then other.
func (c *choice) pick(tag language.Tag, a Arg) []seg {
	if a.typ == argInt {
		for _, e := range c.exact {
			if e.n == a.n {
				return e.segs
			}
		}
	}
	f := pluralForm(tag, a)
	if c.has[f] {
		return c.forms[f]
	}
	return c.forms[plural.Other]
}

// pluralForm returns the CLDR cardinal form of a number argument; other for
// anything else.
func pluralForm(tag language.Tag, a Arg) plural.Form {
	const mod = 10_000_000
	switch a.typ {
	case argInt:
		n := a.n % mod // before the sign: -MinInt64 overflows
		if n < 0 {
			n = -n
		}
		return plural.Cardinal.MatchPlural(tag, int(n), 0, 0, 0, 0)
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
		return plural.Cardinal.MatchPlural(tag, int(math.Mod(ip, mod)), a.scale, w, f, t)
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
