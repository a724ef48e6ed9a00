package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The quickstart tells the product's story; check the lines that matter.
func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, ":memory:"))
	for _, want := range []string{
		"john     yes              -                yes              yes              yes              -                -                -",
		`john may invoices:send: allowed by direct grant`,
		`john may payments:view: allowed by department "Sales department"`,
		"mary may not invoices:send: missing invoices:send",
		`services:view      inherited department "Sales department"`,
		`revoke payments:view from john: inherited from department "Sales department"`,
		"v3 admin      staff.grant        john      +2/-0 rules",
		"reason: John sends invoices to his customers",
	} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotRegexp(t, `(staff|department)\(?s?\)? [0-9]`, out.String(), "people are named, not numbered")
}
