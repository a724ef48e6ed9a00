package tasks

import (
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
)

// FuzzTemplate: parsing never panics; a template that compiles renders, in
// every built-in language, with any value for its arguments, without
// panicking and without leaving placeholder syntax it did not contain
// escaped.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{
		"Renew {service} for {months, plural, one {# month} other {# months}}",
		"{n, plural, =0 {none} one {#} few {# a} many {# b} other {# c}}",
		"'{literal}' # '' don't {n, plural, other {'#' #}}",
		"{g, select, female {her} other {their}} {n, selectordinal, one {#st} other {#th}}",
		"{n, plural, offset:1 =0 {none} other {# more}}",
		"{a}{b}{c, plural, other {{d, plural, other {#}}}}",
		"unclosed {", "stray }", "{n, select, a {x}}", "{}", "{n,plural,other{}}",
	} {
		f.Add(s, int64(21))
		f.Add(s, int64(math.MinInt64))
	}
	c := NewCatalog()
	en, ru := c.langs[language.English], c.langs[language.Russian]
	f.Fuzz(func(t *testing.T, src string, n int64) {
		tpl, err := parseTemplate(src)
		if err != nil {
			if _, ok := err.(*TemplateError); !ok {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		vals := []Arg{Int(n), Int(-n), String("x"), Decimal(float64(n)/100, 2), Decimal(float64(n)*1e6, 6), Decimal(-float64(n)/7, 3), Date(time.Unix(n%1e10, 0))}
		for _, l := range []*lang{en, ru} {
			for _, v := range vals {
				var b strings.Builder
				tpl.render(&b, &l.loc, func(string) (Arg, bool) { return v, true })
				if !strings.ContainsAny(src, "{}'") && b.String() != src {
					t.Fatalf("plain text %q rendered as %q", src, b.String())
				}
			}
		}
	})
}

func TestPluralForm(t *testing.T) {
	ru, en := language.Russian, language.English
	cases := []struct {
		tag  language.Tag
		a    Arg
		want plural.Form
	}{
		{ru, Int(1), plural.One}, {ru, Int(21), plural.One}, {ru, Int(11), plural.Many},
		{ru, Int(-2), plural.Few}, {ru, Int(math.MinInt64), plural.Many}, {ru, Int(0), plural.Many},
		{ru, Decimal(1.5, 1), plural.Other}, {ru, Decimal(2, 0), plural.Few},
		{en, Int(1), plural.One}, {en, Decimal(1, 0), plural.One}, {en, Decimal(1, 1), plural.Other},
		{en, Decimal(1e15, 6), plural.Other}, {en, String("1"), plural.Other},
	}
	for _, tc := range cases {
		if got := pluralForm(plural.Cardinal, tc.tag, tc.a); got != tc.want {
			t.Errorf("%s %s (%v): form %v, want %v", tc.tag, tc.a.Text(), tc.a.typ, got, tc.want)
		}
	}
}

// FuzzQuotedLiteral: any text, quoted the ICU way (apostrophes doubled, {
// and } in quotes; # is plain text outside a plural), compiles and renders
// as itself.
func FuzzQuotedLiteral(f *testing.F) {
	for _, s := range []string{"don't", "{a}", "'{'", "#1 {x} ''", "a'b'c{"} {
		f.Add(s)
	}
	c := NewCatalog()
	en := c.langs[language.English]
	f.Fuzz(func(t *testing.T, s string) {
		var q strings.Builder
		quoted := false // inside quoted text: adjacent braces share one quote
		for i := 0; i < len(s); i++ {
			switch ch := s[i]; ch {
			case '\'':
				q.WriteString("''") // an apostrophe, inside quotes or out
			case '{', '}':
				if !quoted {
					q.WriteByte('\'')
					quoted = true
				}
				q.WriteByte(ch)
			default:
				if quoted {
					q.WriteByte('\'')
					quoted = false
				}
				q.WriteByte(ch)
			}
		}
		if quoted {
			q.WriteByte('\'')
		}
		tpl, err := parseTemplate(q.String())
		if err != nil {
			t.Fatalf("quoted %q (%q): %v", s, q.String(), err)
		}
		var b strings.Builder
		tpl.render(&b, &en.loc, func(string) (Arg, bool) { return Arg{}, false })
		if b.String() != s {
			t.Fatalf("%q quoted as %q renders %q", s, q.String(), b.String())
		}
	})
}

// FuzzCatalogFile: reading a catalog file never panics, and a file it
// accepts loads into a catalog.
func FuzzCatalogFile(f *testing.F) {
	f.Add([]byte(`{"@@locale":"de","a.title":"T {n, plural, one {#} other {# x}}","a.body":"b","operation:open":"o","ssl.reissue/renew.title":"t","ssl.reissue/renew.body":"b"}`))
	f.Add([]byte(`{"a/b.title":"x"}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := fstest.MapFS{"de.arb": {Data: data}}
		if _, err := readCatalogFile(fsys, "de.arb"); err != nil {
			return
		}
		if err := NewCatalog().LoadFS(fsys, "*.arb"); err != nil {
			t.Fatalf("read accepted the file but LoadFS refused it: %v", err)
		}
	})
}
