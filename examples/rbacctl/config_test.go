package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
	"github.com/billingrbac/billingrbac/store"
)

// decisions opens dsn and returns every staff × permission decision, by
// login and permission, with the account's status and full-access flag.
func decisions(t *testing.T, dsn string) map[string]bool {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, dsn)
	require.NoError(t, err)
	defer st.Close()
	svc, err := rbac.New(ctx, st, rbac.Options{})
	require.NoError(t, err)
	defer svc.Close()
	staff, err := svc.StaffMembers(ctx)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, s := range staff {
		for _, p := range svc.Catalog().Permissions() {
			out[s.Login+" "+p.String()] = svc.Can(s.ID, p)
		}
		out[s.Login+" disabled"] = s.Status == rbac.StatusDisabled
		out[s.Login+" full"] = s.FullAccess
	}
	return out
}

// TestConfigRoundTrip: export a configuration, import it into an empty
// database, and every staff × permission decision is the same; the
// export of the import is the same file, and importing again changes
// nothing.
func TestConfigRoundTrip(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		src := bootstrap(t, testdb.DSN(t, b))
		// A schedule, through the library (the CLI reads and writes them only as configuration).
		st, err := store.Open(t.Context(), src.dsn)
		require.NoError(t, err)
		svc, err := rbac.New(t.Context(), st, rbac.Options{})
		require.NoError(t, err)
		admin, err := svc.Authenticate(t.Context(), "admin", src.env[envPassword])
		require.NoError(t, err)
		_, err = svc.CreateSchedule(t.Context(), admin.ID, hours.Schedule{Name: "Office hours", Zone: "Europe/Moscow",
			Week:   hours.Every(hours.Hours(hours.At(9, 0), hours.At(18, 0)), hours.Workweek()...),
			Closed: []hours.Date{{Year: 2027, Month: time.January, Day: 1}}})
		require.NoError(t, err)
		require.NoError(t, svc.Close())
		require.NoError(t, st.Close())

		src.ok("departments", "create", "--name", "ru=Биллинг", "--client-requests", "yes", "--task-language", "ru", "--sort", "5",
			"--perm", "invoices:view", "--perm", "invoices:edit", "--perm", "reports:view", "Billing")
		src.ok("departments", "hours", "--schedule", "Office hours", "--target", "4h", "Billing")
		src.ok("departments", "create", "--perm", "tariffs:edit", "Legacy")
		src.ok("departments", "create", "Empty")
		src.ok("permissions", "disable", "Sales department", "expenses:edit")
		src.ok("staff", "create", "--dept", "Sales department", "--dept", "Billing", "--name", "John Smith", "--name", "ru=Джон Смит",
			"--email", "john@example.com", "--phone", "+14155550100", "john")
		src.ok("staff", "create", "--dept", "Technical support", "mary")
		src.ok("staff", "create", "--dept", "Legacy", "dave")
		src.ok("staff", "create", "--full-access", "boss")
		src.ok("staff", "create", "nobody")
		src.ok("grant", "john", "settings:view", "invoices:send")
		src.ok("grant", "dave", "clients:view")
		src.ok("staff", "disable", "dave")
		src.ok("departments", "disable", "Legacy")
		exported := src.ok("config", "export")
		assert.Contains(t, exported, "name: Office hours")
		assert.Contains(t, exported, "response_target: 4h0m0s")

		dst := bootstrap(t, testdb.DSN(t, b))
		file := filepath.Join(t.TempDir(), "access.yaml")
		require.NoError(t, os.WriteFile(file, []byte(exported), 0o600))
		out := dst.ok("--reason", "migration", "config", "import", file)
		assert.Regexp(t, `^imported 1 schedules, 5 departments, 6 staff members: \d+ changes\n$`, out)

		want, got := decisions(t, src.dsn), decisions(t, dst.dsn)
		require.Len(t, got, len(want))
		for k, v := range want {
			assert.Equal(t, v, got[k], "%s after the round trip", k)
		}
		assert.Equal(t, exported, dst.ok("config", "export"), "the export of the import is the same file")
		assert.Regexp(t, `: 0 changes\n$`, dst.ok("config", "import", file), "importing again changes nothing")
		assert.Contains(t, dst.ok("log", "--op", "import"), "migration", "new accounts are created by the bulk import, with the reason")
	})
}

// An import with problems names each of them and writes nothing.
func TestConfigImportRefusesBadFiles(t *testing.T) {
	s := bootstrap(t, testdb.DSN(t, testdb.SQLite))
	before := s.ok("config", "export")
	dir := t.TempDir()
	for name, tc := range map[string]struct{ doc, msg string }{
		"unknown field": {"version: 1\ndepartments: []\nstaff: [{login: zed, name: {en: Zed}, departmnts: [x]}]\n", "field departmnts not found"},
		"version":       {"version: 2\ndepartments: []\nstaff: []\n", "version: want 1, got 2"},
		"references": {`version: 1
departments:
  - {name: {en: Ops}, permissions: [invoices:fly]}
  - {name: {en: ops}, permissions: []}
staff:
  - {login: zed, name: {en: Zed}, departments: [Opps], grants: [reports:viewx]}
  - {login: ZED, name: {en: Zed}, departments: []}
`, `config: 5 problem(s), nothing imported:
  departments[0].permissions[0]: unknown permission "invoices:fly"
  departments[1].name: "ops" is listed twice
  staff[0].departments[0]: no department "Opps" in the file
  staff[0].grants[0]: unknown permission "reports:viewx"
  staff[1].login: "ZED" is listed twice`},
	} {
		file := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".yaml")
		require.NoError(t, os.WriteFile(file, []byte(tc.doc), 0o600))
		s.fails(2, tc.msg, "config", "import", file)
	}
	assert.Equal(t, before, s.ok("config", "export"), "nothing was written")
}
