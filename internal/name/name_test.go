package name_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

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
		rule, _ := name.Check(s)
		assert.Equal(t, want, rule, "Check(%q)", s)
	}
}
