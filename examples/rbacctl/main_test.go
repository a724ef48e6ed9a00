package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

type result struct {
	code           int
	stdout, stderr string
}

// session runs rbacctl in-process on one database, signed in through the
// environment as a script would be.
type session struct {
	t     *testing.T
	dsn   string
	env   map[string]string
	stdin string
}

func (s *session) run(args ...string) result {
	s.t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"--db", s.dsn}, args...), strings.NewReader(s.stdin), &out, &errb,
		func(k string) string { return s.env[k] })
	return result{code, out.String(), errb.String()}
}

// as returns a session signed in as login with password.
func (s *session) as(login, password string) *session {
	return &session{t: s.t, dsn: s.dsn, env: map[string]string{envLogin: login, envPassword: password}}
}

func (s *session) expect(code int, stdout string, args ...string) {
	s.t.Helper()
	r := s.run(args...)
	if r.code != code || r.stdout != stdout {
		s.t.Fatalf("%v: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s", args, r.code, r.stdout, r.stderr, code, stdout)
	}
}

// ok runs a command that must succeed and returns its stdout.
func (s *session) ok(args ...string) string {
	s.t.Helper()
	r := s.run(args...)
	require.Equal(s.t, 0, r.code, "%v: stdout %s stderr %s", args, r.stdout, r.stderr)
	return r.stdout
}

// fails runs a command that must exit with code and an error containing msg.
func (s *session) fails(code int, msg string, args ...string) {
	s.t.Helper()
	r := s.run(args...)
	require.Equal(s.t, code, r.code, "%v: stdout %s stderr %s", args, r.stdout, r.stderr)
	assert.Contains(s.t, r.stderr, msg, "%v", args)
}

var passwordRE = regexp.MustCompile(`password: (\S+)`)

// bootstrap bootstraps a fresh database and returns the admin's session.
func bootstrap(t *testing.T, dsn string) *session {
	t.Helper()
	s := &session{t: t, dsn: dsn, env: map[string]string{}}
	r := s.run("bootstrap")
	require.Equal(t, 0, r.code, r.stderr)
	require.Regexp(t, `^created departments "Sales department" and "Technical support"
created full-access account "admin" with password: \S{20}
the password is shown only this once
$`, r.stdout)
	return s.as("admin", passwordRE.FindStringSubmatch(r.stdout)[1])
}

// TestSignIn: every command but migrate and bootstrap signs in; the
// password comes from the environment or standard input; a wrong one is
// refused without saying whether the login exists.
func TestSignIn(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		admin := bootstrap(t, testdb.DSN(t, b))
		anon := &session{t: t, dsn: admin.dsn, env: map[string]string{}}
		anon.expect(0, "already bootstrapped; nothing changed\n", "bootstrap")
		anon.expect(0, "schema is up to date\n", "migrate")
		anon.fails(2, "sign in: give --login or set BILLINGRBAC_LOGIN", "staff", "list")
		anon.fails(2, "no password: set BILLINGRBAC_PASSWORD", "--login", "admin", "staff", "list")
		wrong := admin.as("admin", "not-the-password-at-all")
		wrong.fails(3, `sign in as "admin": `, "staff", "list")
		ghost := admin.as("ghost", "not-the-password-at-all")
		r := ghost.run("staff", "list")
		assert.Equal(t, 3, r.code)
		assert.Equal(t, strings.ReplaceAll(wrong.run("staff", "list").stderr, `"admin"`, `"ghost"`), r.stderr, "no login oracle")

		piped := &session{t: t, dsn: admin.dsn, env: map[string]string{}, stdin: admin.env[envPassword] + "\n"}
		assert.Contains(t, piped.ok("--login", "admin", "--password-stdin", "staff", "list"), "admin  Administrator")
		// Changes are credited to the signed-in account.
		admin.ok("--reason", "new hire", "staff", "create", "--name", "John Smith", "john")
		var log []map[string]any
		require.NoError(t, json.Unmarshal([]byte(admin.ok("--json", "log", "--op", "staff.create")), &log))
		require.Len(t, log, 1)
		assert.Equal(t, "admin", log[0]["actor"])
		assert.Equal(t, "new hire", log[0]["reason"])
	})
}

// TestCommands runs every command on every backend, in the order an
// operator runs them.
func TestCommands(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		admin := bootstrap(t, testdb.DSN(t, b))

		// Departments and their permissions.
		admin.expect(0, "created department 3 \"Billing\"\n", "departments", "create", "--name", "ru=Биллинг", "--client-requests", "yes",
			"--perm", "invoices:view", "--perm", "invoices:send", "Billing")
		admin.expect(0, "updated department 3 \"Billing\"\n", "departments", "update", "--sort", "5", "--task-language", "ru", "Billing")
		admin.expect(0, "enabled invoices:edit payments:add on department 3 \"Billing\"\n",
			"permissions", "enable", "Billing", "invoices:edit", "payments:add")
		admin.expect(0, "disabled payments:add on department 3 \"Billing\"\n", "permissions", "disable", "3", "payments:add")
		show := admin.ok("departments", "show", "Billing")
		assert.Contains(t, show, "name             en=Billing, ru=Биллинг")
		assert.Contains(t, show, "permissions      invoices:view invoices:edit invoices:send")
		assert.Contains(t, show, "task language    ru")
		admin.expect(0, "disabled department 3 \"Billing\"\n", "departments", "disable", "Billing")
		admin.expect(0, "enabled department 3 \"Billing\"\n", "departments", "enable", "Billing")
		admin.expect(0, "department 3: schedule 0, response target 4h0m0s\n", "departments", "hours", "--target", "4h", "Billing")
		admin.ok("departments", "create", "Temporary")
		admin.expect(0, "deleted department 4 \"Temporary\"\n", "departments", "delete", "Temporary")
		list := admin.ok("departments", "list")
		assert.Regexp(t, `(?m)^3\s+Billing\s+active\s+0\s+yes\s+invoices:view invoices:edit invoices:send$`, list)
		assert.Regexp(t, `(?m)^reports:view\s+Financial reports\s+reads or exports the financial reports$`, admin.ok("permissions", "list"))

		// Staff.
		admin.expect(0, "created staff 2 \"john\"\n", "staff", "create", "--dept", "Sales department", "--name", "John Smith", "--email", "john@example.com", "john")
		r := admin.run("staff", "add", "--dept", "2", "--reset-password", "mary")
		require.Equal(t, 0, r.code, r.stderr)
		require.Regexp(t, `^created staff 3 "mary" with password: \S{20}\n`, r.stdout)
		mary := admin.as("mary", passwordRE.FindStringSubmatch(r.stdout)[1])
		admin.expect(0, "updated staff 2 \"john\"\n", "staff", "update", "--phone", "+14155550100", "--name", "John A. Smith", "john")
		admin.expect(0, "john joined \"Billing\"\n", "staff", "join", "john", "Billing")
		admin.expect(0, "granted reports:view john\n", "grant", "john", "reports:view")
		admin.expect(0, "john left \"Billing\"\n", "staff", "leave", "john", "3")
		admin.expect(0, "granted invoices:view invoices:send john\n", "grant", "john", "invoices:view", "invoices:send")
		admin.expect(0, "revoked invoices:view john\n", "revoke", "john", "invoices:view")
		admin.fails(3, `inherited from department "Sales department"`, "revoke", "john", "clients:view")
		shown := admin.ok("staff", "show", "john")
		assert.Contains(t, shown, `2 john (John A. Smith), active, full access no, departments: Sales department, e-mail "john@example.com", phone "+14155550100"`)
		assert.Regexp(t, `(?m)^invoices:send\s+direct grant\s+yes$`, shown)
		assert.Regexp(t, `(?m)^clients:view\s+department "Sales department"\s+no$`, shown)
		admin.expect(0, `ID  LOGIN  NAME           STATUS  FULL ACCESS  DEPARTMENTS        DIRECT GRANTS
1   admin  Administrator  active  yes                             
2   john   John A. Smith  active  no           Sales department   invoices:send reports:view
3   mary   mary           active  no           Technical support  
`, "staff", "list")
		var staff []staffView
		require.NoError(t, json.Unmarshal([]byte(admin.ok("--json", "staff", "list")), &staff))
		require.Len(t, staff, 3)
		assert.Equal(t, []string{"invoices:send", "reports:view"}, staff[1].DirectGrants)

		// Decisions.
		admin.expect(0, "allowed\n", "check", "john", "invoices:send")
		admin.expect(1, "denied\n", "check", "john", "settings:edit")
		admin.expect(1, "{\n  \"allowed\": false,\n  \"permission\": \"settings:edit\"\n}\n", "--json", "check", "john", "settings:edit")
		admin.expect(0, "john may clients:view: allowed by department \"Sales department\"\n", "explain", "john", "clients:view")
		admin.expect(0, "LOGIN  REASONS\nadmin  full access\nmary   department \"Technical support\"\n", "who-can", "services:suspend")
		admin.expect(0, "staff  status  invoices:send\nadmin  active  full\njohn   active  direct\nmary   active  -\n", "matrix", "--perm", "invoices:send")

		// Someone without staff rights is refused what the library refuses.
		mary.fails(3, "missing staff:view", "staff", "list")
		mary.fails(3, "lacks staff:edit", "grant", "john", "support:view")
		mary.fails(3, "lacks actionlog:view", "log")
		mary.fails(3, "permission denied", "departments", "create", "Mine")

		// Passwords, status, deletion.
		r = admin.run("staff", "reset-password", "john")
		require.Equal(t, 0, r.code, r.stderr)
		john := admin.as("john", passwordRE.FindStringSubmatch(r.stdout)[1])
		john.fails(3, "missing staff:view", "staff", "list") // signed in with the new password
		admin.expect(0, "disabled staff 3 \"mary\"\n", "staff", "disable", "mary")
		mary.fails(3, "sign in", "permissions", "list")
		admin.expect(0, "enabled staff 3 \"mary\"\n", "staff", "enable", "mary")
		admin.ok("staff", "create", "temp")
		admin.expect(0, "deleted staff 4 \"temp\"\n", "staff", "delete", "temp")

		// The action log, filtered.
		assert.Regexp(t, `(?m)^\d+\s+\S+ \S+\s+admin\s+staff.grant\s+staff:2\s*$`, admin.ok("log", "--op", "staff.grant", "--target", "staff:2"))
		assert.NotContains(t, admin.ok("log", "--actor", "admin", "--op", "staff.delete"), "staff:2")
		var entries []map[string]any
		require.NoError(t, json.Unmarshal([]byte(admin.ok("--json", "log", "--after", "3", "--limit", "2")), &entries))
		require.Len(t, entries, 2)
		assert.EqualValues(t, 4, entries[0]["version"])
		admin.fails(2, "want RFC 3339", "log", "--since", "yesterday")

		// The review and its sign-off.
		out := filepath.Join(t.TempDir(), "review.html")
		r = admin.run("report", "--out", out)
		require.Equal(t, 0, r.code, r.stderr)
		hash := regexp.MustCompile(`content hash ([0-9a-f]{64})`).FindStringSubmatch(r.stdout)
		require.NotNil(t, hash, r.stdout)
		page, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Contains(t, string(page), `data-login="john"`)
		admin.fails(3, "the access changed since that review", "review", "sign", "--hash", strings.Repeat("0", 64))
		admin.fails(2, "--hash is required", "review", "sign")
		assert.Regexp(t, `^signed off review `+hash[1]+` as admin \(action log version \d+\)\n$`,
			admin.ok("--reason", "Q1", "review", "sign", "--hash", hash[1], "--statement", "reviewed"))
		assert.Contains(t, admin.ok("log", "--op", "review.signoff"), "review:"+hash[1])

		// Export (the round trip is TestConfigRoundTrip).
		assert.Contains(t, admin.ok("config", "export"), "- login: john\n")
	})
}

// TestExitCodes covers usage errors (2), other errors (3) and help (0).
func TestExitCodes(t *testing.T) {
	admin := bootstrap(t, testdb.DSN(t, testdb.SQLite))
	for _, tc := range []struct {
		args   []string
		code   int
		stderr string // a line the error output must start with
	}{
		{nil, 2, "Usage: rbacctl"},
		{[]string{"frobnicate"}, 2, `rbacctl: unknown command "frobnicate"`},
		{[]string{"--bogus"}, 2, "rbacctl: flag provided but not defined: -bogus"},
		{[]string{"check", "--bogus", "a", "b"}, 2, "rbacctl check: flag provided but not defined: -bogus"},
		{[]string{"check", "admin"}, 2, "rbacctl check: want 2 argument(s), got 1"},
		{[]string{"check", "admin", "nonsense"}, 2, `rbacctl check: parse permission: invalid input: permission: want function:action, got "nonsense" (format)`},
		{[]string{"check", "admin", "invoices:fly"}, 2, "rbacctl check: unknown permission invoices:fly"},
		{[]string{"matrix", "--format", "pdf"}, 2, "rbacctl matrix: parse format: invalid input"},
		{[]string{"matrix", "--function", "nope"}, 2, `rbacctl matrix: unknown function "nope"`},
		{[]string{"staff", "create", "x"}, 2, "rbacctl staff create: create staff: invalid input: login: must be at least 3 characters"},
		{[]string{"staff", "update", "--full-access", "maybe", "admin"}, 2, "rbacctl staff update: --full-access: want yes or no"},
		{[]string{"check", "nobody", "clients:view"}, 3, `rbacctl check: staff "nobody": not found`},
		{[]string{"staff", "create", "--dept", "Nowhere", "zed"}, 3, `rbacctl staff create: department "Nowhere": not found`},
		{[]string{"config", "import", "/nonexistent/file.yaml"}, 3, "rbacctl config import: open"},
		{[]string{"staff"}, 2, ""},
	} {
		r := admin.run(tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d, stderr starting %q", tc.args, r.code, r.stderr, tc.code, tc.stderr)
		}
	}
	// An unmigrated database is an error (3), not a usage error.
	r := admin.as("admin", "x")
	r.dsn = testdb.DSN(t, testdb.SQLite)
	if res := r.run("staff", "list"); res.code != 3 || !strings.Contains(res.stderr, "run Migrate") {
		t.Errorf("unmigrated: %+v", res)
	}
}

// Every command answers --help on stdout with exit 0, naming its usage.
func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	env := func(string) string { return "" }
	if code := run([]string{"--help"}, strings.NewReader(""), &out, &errb, env); code != 0 || !strings.HasPrefix(out.String(), "Usage: rbacctl [--db DSN]") || errb.Len() != 0 {
		t.Fatalf("--help: %d %q %q", code, out.String(), errb.String())
	}
	main := out.String()
	for _, c := range commands() {
		if !c.hidden && !strings.Contains(main, "\n  "+c.name+" ") {
			t.Errorf("main help does not list %q", c.name)
		}
		out.Reset()
		args := append(strings.Fields(c.name), "--help")
		if code := run(args, strings.NewReader(""), &out, &errb, env); code != 0 || !strings.HasPrefix(out.String(), "Usage: rbacctl "+c.name+" [flags]") ||
			!strings.Contains(out.String(), "Exit codes: 0 ok") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"staff", "--help"}, strings.NewReader(""), &out, &errb, env); code != 0 || !strings.Contains(out.String(), "staff create") {
		t.Errorf("staff --help: %d %q", code, out.String())
	}
}
