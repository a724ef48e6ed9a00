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
		`staff 2 may invoices:send: allowed by direct grant`,
		`staff 2 may payments:view: allowed by department "Sales department"`,
		"staff 3 may not invoices:send: missing invoices:send",
		"inherited from department(s) 1",
		"v3 staff 1    staff.grant",
		"reason: John sends invoices to his customers",
	} {
		assert.Contains(t, out.String(), want)
	}
}
