package tasks

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/feature/plural"
)

// A message template is a conforming subset of ICU MessageFormat, so
// translators' tools (Weblate, Crowdin, any ICU tool) read and write the
// catalogs unchanged:
//
//	{name}                      the argument, formatted for the language
//	{name, number}              the same, for a number argument
//	{name, date}                the same, for a date argument
//	{name, plural, [offset:N] =N {…} one {…} other {…}}
//	{name, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}
//	{name, select, female {…} male {…} other {…}}
//
// Plural and ordinal selectors are zero, one, two, few, many, other
// (required) and =N for an exact value (compared before the offset); the
// language's CLDR rules pick the form. Directly inside a plural or
// selectordinal case, # is the number minus the offset, formatted for the
// language. Quoting follows ICU's default (ApostropheMode DOUBLE_OPTIONAL):
// '' is an apostrophe; an apostrophe before {, } or (in a plural case) #
// starts quoted literal text, which the next single apostrophe ends; any
// other apostrophe is literal ("don't" needs no quoting). Argument styles
// ({n, number, integer}), choice and positional arguments are not part of
// the subset and are refused with a TemplateError.

// seg is one piece of a compiled template: literal text, an argument, the
// number of the innermost plural choice (#), or a complex argument.
type seg struct {
	lit    string
	arg    string
	hash   bool
	choice *choice
}

type choiceKind uint8

const (
	kindPlural choiceKind = iota + 1
	kindOrdinal
	kindSelect
)

type choice struct {
	kind   choiceKind
	arg    string
	offset int64
	exact  []exactCase      // plural kinds: =N cases
	forms  [6][]seg         // plural kinds: by plural.Form
	has    [6]bool          // plural kinds
	keys   map[string][]seg // select: keyword cases other than "other"
	other  []seg            // the required other case
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
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many,
}

// TemplateError is a syntax error in a message template.
type TemplateError struct {
	Offset int // byte offset in the template
	Msg    string
}

func (e *TemplateError) Error() string { return fmt.Sprintf("at byte %d: %s", e.Offset, e.Msg) }

// maxNesting bounds how deeply complex arguments nest.
const maxNesting = 8

// parseTemplate compiles src.
func parseTemplate(src string) (*template, error) {
	p := &parser{src: src}
	segs, err := p.message(0, false)
	if err != nil {
		return nil, err
	}
	t := &template{segs: segs}
	seen := map[string]bool{}
	var walk func([]seg)
	walk = func(ss []seg) {
		for _, s := range ss {
			name := s.arg
			if c := s.choice; c != nil {
				name = c.arg
				for _, e := range c.exact {
					walk(e.segs)
				}
				for _, f := range c.forms {
					walk(f)
				}
				for _, k := range c.keys {
					walk(k)
				}
				walk(c.other)
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

// message parses message text up to the end of the template or, when
// depth > 0 (a case of a complex argument), up to its closing '}', which it
// consumes. inPlural makes # the plural number.
func (p *parser) message(depth int, inPlural bool) ([]seg, error) {
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
		case c == '\'':
			p.apostrophe(&lit, inPlural)
		case c == '}':
			if depth == 0 {
				return nil, p.errf("unexpected '}' (quote it as '}' for a literal brace)")
			}
			p.pos++
			flush()
			return out, nil
		case c == '#' && inPlural:
			flush()
			out = append(out, seg{hash: true})
			p.pos++
		case c == '{':
			flush()
			s, err := p.argument(depth)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		default:
			lit.WriteByte(c)
			p.pos++
		}
	}
	if depth > 0 {
		return nil, p.errf("unclosed '{'")
	}
	flush()
	return out, nil
}

// apostrophe handles an apostrophe at p.pos: ” is one apostrophe; before a
// syntax character it starts quoted text up to the next single apostrophe
// (or the end of the template, as ICU does); otherwise it is literal.
func (p *parser) apostrophe(lit *strings.Builder, inPlural bool) {
	next := byte(0)
	if p.pos+1 < len(p.src) {
		next = p.src[p.pos+1]
	}
	switch {
	case next == '\'':
		lit.WriteByte('\'')
		p.pos += 2
	case next == '{' || next == '}' || next == '#' && inPlural:
		p.pos++ // the opening quote
		for p.pos < len(p.src) {
			if p.src[p.pos] == '\'' {
				if p.pos+1 < len(p.src) && p.src[p.pos+1] == '\'' {
					lit.WriteByte('\'')
					p.pos += 2
					continue
				}
				p.pos++ // the closing quote
				return
			}
			lit.WriteByte(p.src[p.pos])
			p.pos++
		}
	default:
		lit.WriteByte('\'')
		p.pos++
	}
}

func (p *parser) space() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

// word reads an identifier-like token: letters, digits, '_', '-', '=', ':'
// stop only at syntax or space.
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '=' || c == '-' || c == ':') {
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

// argument parses {name}, {name, type} or a complex argument; p.pos is at
// '{'.
func (p *parser) argument(depth int) (seg, error) {
	if depth >= maxNesting {
		return seg{}, p.errf("arguments nest deeper than %d levels", maxNesting)
	}
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
	at := p.pos
	kw := p.word()
	p.space()
	switch kw {
	case "number", "date":
		if p.pos < len(p.src) && p.src[p.pos] == ',' {
			return seg{}, p.errf("argument styles ({%s, %s, …}) are not supported", name, kw)
		}
		if err := p.expect('}'); err != nil {
			return seg{}, err
		}
		return seg{arg: name}, nil
	case "plural":
		return p.cases(depth, &choice{kind: kindPlural, arg: name})
	case "selectordinal":
		return p.cases(depth, &choice{kind: kindOrdinal, arg: name})
	case "select":
		return p.cases(depth, &choice{kind: kindSelect, arg: name, keys: map[string][]seg{}})
	}
	return seg{}, &TemplateError{at, fmt.Sprintf("unknown argument type %q: want number, date, plural, selectordinal or select", kw)}
}

// cases parses ", [offset:N] selector {message} ... }" of a complex
// argument.
func (p *parser) cases(depth int, ch *choice) (seg, error) {
	if err := p.expect(','); err != nil {
		return seg{}, err
	}
	plural := ch.kind != kindSelect
	first := true
	for {
		p.space()
		if p.pos >= len(p.src) {
			return seg{}, p.errf("unclosed {%s, …}", ch.arg)
		}
		if p.src[p.pos] == '}' {
			p.pos++
			break
		}
		at := p.pos
		sel := p.word()
		if first && ch.kind == kindPlural && strings.HasPrefix(sel, "offset:") {
			n, err := strconv.ParseInt(sel[len("offset:"):], 10, 64)
			if err != nil || n < 0 {
				return seg{}, &TemplateError{at, fmt.Sprintf("bad offset %q", sel)}
			}
			ch.offset = n
			first = false
			continue
		}
		first = false
		if sel == "" {
			return seg{}, p.errf("want a selector")
		}
		if err := p.expect('{'); err != nil {
			return seg{}, err
		}
		body, err := p.message(depth+1, plural)
		if err != nil {
			return seg{}, err
		}
		if err := ch.add(sel, body); err != nil {
			return seg{}, &TemplateError{at, err.Error()}
		}
	}
	if ch.other == nil {
		return seg{}, p.errf("{%s, …} needs an 'other' case", ch.arg)
	}
	return seg{choice: ch}, nil
}

// add records one case; a selector given twice is an error, as in ICU.
func (ch *choice) add(sel string, body []seg) error {
	if body == nil {
		body = []seg{}
	}
	switch {
	case sel == "other":
		if ch.other != nil {
			return fmt.Errorf("selector %q given twice", sel)
		}
		ch.other = body
	case ch.kind == kindSelect:
		if !validSelectKey(sel) {
			return fmt.Errorf("bad select keyword %q", sel)
		}
		if _, dup := ch.keys[sel]; dup {
			return fmt.Errorf("selector %q given twice", sel)
		}
		ch.keys[sel] = body
	case strings.HasPrefix(sel, "="):
		n, err := strconv.ParseInt(sel[1:], 10, 64)
		if err != nil {
			return fmt.Errorf("bad exact selector %q", sel)
		}
		for _, e := range ch.exact {
			if e.n == n {
				return fmt.Errorf("selector %q given twice", sel)
			}
		}
		ch.exact = append(ch.exact, exactCase{n, body})
	default:
		f, ok := formNames[sel]
		if !ok {
			return fmt.Errorf("unknown plural selector %q: want zero, one, two, few, many, other or =N", sel)
		}
		if ch.has[f] {
			return fmt.Errorf("selector %q given twice", sel)
		}
		ch.forms[f], ch.has[f] = body, true
	}
	return nil
}

func validSelectKey(s string) bool {
	if s == "" || strings.ContainsAny(s, "=:") {
		return false
	}
	return true
}
