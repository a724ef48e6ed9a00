package display_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"

	"github.com/billingrbac/billingrbac/internal/display"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name, s string
		max     int
		rule    string
	}{
		{"plain", "Technical support", 128, ""},
		{"cyrillic", "Техническая поддержка", 128, ""},
		{"arabic", "الدعم الفني", 128, ""},
		{"persian zwnj", "می\u200cخواهم", 128, ""},
		{"emoji zwj", "👩\u200d💻 team", 128, ""},
		{"empty", "", 128, display.RuleRequired},
		{"bad utf8", "a\xffb", 128, display.RuleUTF8},
		{"too long", strings.Repeat("я", 129), 128, display.RuleMaxLength},
		{"exactly max", strings.Repeat("я", 128), 128, ""},
		{"far too long is cut before reading", strings.Repeat("\xff", 1<<20), 128, display.RuleMaxLength},
		{"newline", "a\nb", 128, display.RuleCharacters},
		{"tab", "a\tb", 128, display.RuleCharacters},
		{"nul", "a\x00b", 128, display.RuleCharacters},
		{"c1", "a\u0085b", 128, display.RuleCharacters},
		{"rlo", "\u202eevil", 128, display.RuleCharacters},
		{"rli", "a\u2067b", 128, display.RuleCharacters},
		{"rlm", "a\u200fb", 128, display.RuleCharacters},
		{"alm", "a\u061cb", 128, display.RuleCharacters},
		{"zwsp", "ad\u200bmin", 128, display.RuleCharacters},
		{"bom", "\ufeffadmin", 128, display.RuleCharacters},
		{"soft hyphen", "ad\u00admin", 128, display.RuleCharacters},
		{"tag character", "a\U000E0041", 128, display.RuleCharacters},
		{"line separator", "a\u2028b", 128, display.RuleCharacters},
		{"noncharacter", "a\uffffb", 128, display.RuleCharacters},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rule, msg := display.Check(tc.s, tc.max)
			assert.Equal(t, tc.rule, rule, msg)
			assert.Equal(t, tc.rule == "", msg == "")
		})
	}
}

// Every format character but ZWNJ and ZWJ is refused, and nothing printable
// of the Latin, Cyrillic and CJK blocks is.
func TestRefusedCoversCategoryCf(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if unicode.Is(unicode.Cf, r) && r != 0x200c && r != 0x200d && !display.Refused(r) {
			t.Fatalf("%U (Cf) is accepted", r)
		}
		if unicode.IsControl(r) && !display.Refused(r) {
			t.Fatalf("%U (control) is accepted", r)
		}
	}
	for _, r := range "azAZ09 !~ÀÿЖя中文한" {
		assert.False(t, display.Refused(r), "%U", r)
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"Sales", "\u202eevil", "a\u200db", "a\nb", "\xff", strings.Repeat("x", 200)} {
		f.Add(s, 128)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 1 || max > 1<<16 {
			return
		}
		rule, msg := display.Check(s, max)
		if rule == "" {
			if msg != "" || s == "" || strings.ContainsFunc(s, display.Refused) || len([]rune(s)) > max {
				t.Fatalf("accepted %q (max %d)", s, max)
			}
			return
		}
		if msg == "" {
			t.Fatalf("rule %s without a message", rule)
		}
	})
}

func BenchmarkCheckRefusesHuge(b *testing.B) {
	s := strings.Repeat("я", 50<<20/2) // 50 MiB
	for b.Loop() {
		if rule, _ := display.Check(s, 1024); rule != display.RuleMaxLength {
			b.Fatal(rule)
		}
	}
}
