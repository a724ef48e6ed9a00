package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

// TestConfigImportBulk: a file of 2,500 new staff members is created in
// batches (one change each, progress on stderr as plain lines when it is
// not a terminal), with the bcrypt hashes the old panel kept, which sign
// in; a second import changes nothing.
func TestConfigImportBulk(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		s := bootstrap(t, testdb.DSN(t, b))
		s.env[envLegacyBcrypt] = "5"
		legacy, err := bcrypt.GenerateFromPassword([]byte("old panel password"), 4)
		require.NoError(t, err)
		var sb strings.Builder
		sb.WriteString("version: 1\ndepartments:\n")
		sb.WriteString("  - {name: {en: Billing}, permissions: [invoices:view, invoices:send]}\n")
		sb.WriteString("  - {name: {en: Audit}, permissions: [reports:view]}\n")
		sb.WriteString("staff:\n")
		const n = 2500
		for i := range n {
			depts := "[Billing]"
			if i%3 == 0 {
				depts = "[Billing, Audit]"
			}
			fmt.Fprintf(&sb, "  - {login: u%04d, name: {en: User %d}, departments: %s", i, i, depts)
			if i%100 == 0 {
				fmt.Fprintf(&sb, ", password_hash: '%s'", legacy)
			}
			sb.WriteString("}\n")
		}
		file := filepath.Join(t.TempDir(), "panel.yaml")
		require.NoError(t, os.WriteFile(file, []byte(sb.String()), 0o600))

		r := s.run("config", "import", "--batch", "1000", file)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "imported 0 schedules, 2 departments, 2500 staff members: 4 changes\n", r.stdout)
		assert.Contains(t, r.stderr, "import: 2/2502 records (0%)")
		assert.Contains(t, r.stderr, "import: 2502/2502 records (100%)")
		assert.NotContains(t, r.stderr, "\r", "no terminal: plain lines")

		got := decisions(t, s.dsn)
		assert.True(t, got["u0003 reports:view"])
		assert.False(t, got["u0004 reports:view"])
		assert.True(t, got["u0004 invoices:send"])

		user := s.as("u0100", "old panel password")
		user.env[envLegacyBcrypt] = "5"
		r = user.run("staff", "show", "u0100")
		assert.NotContains(t, r.stderr, "credentials", "the kept bcrypt hash signs in")

		assert.Regexp(t, `: 0 changes\n$`, s.ok("config", "import", file), "importing again changes nothing")
	})
}
