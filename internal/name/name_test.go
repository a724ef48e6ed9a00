package name_test

import (
	"strings"
	"testing"

	"github.com/billingrbac/billingrbac/internal/name"
)

func TestCheck(t *testing.T) {
	for s, want := range map[string]string{
		"invoices":              "",
		"a":                     "",
		"fn_2-b":                "",
		strings.Repeat("a", 32): "",
		"":                      "required",
		strings.Repeat("a", 33): "max_length",
		"2fa":                   "format",
		"Invoices":              "format",
		"in,voices":             "format",
		"in voices":             "format",
		"invoicés":              "format",
		"p\x00":                 "format",
	} {
		if rule, _ := name.Check(s); rule != want {
			t.Errorf("Check(%q) rule = %q, want %q", s, rule, want)
		}
	}
}
