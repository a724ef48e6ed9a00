package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

type result struct {
	code           int
	stdout, stderr string
}

func rbacctl(t *testing.T, dsn string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"--db", dsn}, args...), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func expect(t *testing.T, r result, code int, stdout string) {
	t.Helper()
	if r.code != code || r.stdout != stdout {
		t.Fatalf("exit %d, stdout:\n%s\nstderr:\n%s\nwant exit %d, stdout:\n%s", r.code, r.stdout, r.stderr, code, stdout)
	}
}

// TestCommands runs the main commands in-process on every backend, in the
// order a new user runs them.
func TestCommands(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		dsn := testdb.DSN(t, b)

		r := rbacctl(t, dsn, "bootstrap")
		if r.code != 0 || !regexp.MustCompile(`^created departments "Sales department" and "Technical support"
created full-access account "admin" with password: \S{20}
the password is shown only this once
$`).MatchString(r.stdout) {
			t.Fatalf("bootstrap: %d %q %q", r.code, r.stdout, r.stderr)
		}
		expect(t, rbacctl(t, dsn, "bootstrap"), 0, "already bootstrapped; nothing changed\n")
		expect(t, rbacctl(t, dsn, "migrate"), 0, "schema is up to date\n")
		expect(t, rbacctl(t, dsn, "staff", "add", "--dept", "Sales department", "--name", "John Smith", "john"), 0, "created staff 2 \"john\"\n")
		expect(t, rbacctl(t, dsn, "staff", "add", "--dept", "2", "mary"), 0, "created staff 3 \"mary\"\n")
		expect(t, rbacctl(t, dsn, "grant", "john", "invoices:view", "invoices:send"), 0, "granted invoices:view invoices:send john\n")

		expect(t, rbacctl(t, dsn, "check", "john", "invoices:send"), 0, "allowed\n")
		expect(t, rbacctl(t, dsn, "check", "john", "settings:edit"), 1, "denied\n")
		expect(t, rbacctl(t, dsn, "explain", "john", "clients:view"), 0,
			"staff 2 may clients:view: allowed by department \"Sales department\"\n")
		expect(t, rbacctl(t, dsn, "explain", "mary", "invoices:send"), 0,
			"staff 3 may not invoices:send: missing invoices:send\n")
		expect(t, rbacctl(t, dsn, "who-can", "services:suspend"), 0,
			"LOGIN  REASONS\nadmin  full access\nmary   department \"Technical support\"\n")
		expect(t, rbacctl(t, dsn, "matrix", "--format", "csv", "--perm", "clients:view", "--function", "invoices"), 0,
			`staff,status,clients:view,invoices:view,invoices:add,invoices:edit,invoices:delete,invoices:send
admin,active,full,full,full,full,full,full
john,active,dept,direct,-,-,-,direct
mary,active,dept,-,-,-,-,-
`)
		expect(t, rbacctl(t, dsn, "matrix", "--format", "markdown", "--perm", "invoices:send"), 0,
			"| staff | status | invoices:send |\n|---|---|:---:|\n| admin | active | full |\n| john | active | direct |\n| mary | active | - |\n")
		expect(t, rbacctl(t, dsn, "matrix", "--perm", "support:reply"), 0,
			"staff  status  support:reply\nadmin  active  full\njohn   active  -\nmary   active  dept\n")
		expect(t, rbacctl(t, dsn, "staff", "list"), 0, `ID  LOGIN  NAME           STATUS  FULL ACCESS  DEPARTMENTS        DIRECT GRANTS
1   admin  Administrator  active  yes                             
2   john   John Smith     active  no           Sales department   invoices:view invoices:send
3   mary   mary           active  no           Technical support  
`)
		r = rbacctl(t, dsn, "departments", "list")
		if r.code != 0 || !strings.Contains(r.stdout, "1   Sales department   active  1        no               services:view") ||
			!strings.Contains(r.stdout, "2   Technical support  active  1        yes              support:view") {
			t.Fatalf("departments list: %d\n%s%s", r.code, r.stdout, r.stderr)
		}

		// Revoking a direct grant works; an inherited one is refused (exit 3).
		expect(t, rbacctl(t, dsn, "revoke", "john", "invoices:send"), 0, "revoked invoices:send john\n")
		expect(t, rbacctl(t, dsn, "check", "john", "invoices:send"), 1, "denied\n")
		r = rbacctl(t, dsn, "revoke", "john", "clients:view")
		if r.code != 3 || r.stdout != "" || !strings.Contains(r.stderr, "inherited from department(s) 1") {
			t.Fatalf("revoke inherited: %+v", r)
		}
		// --as: john may not grant (exit 3, the reason on stderr), before or after the command.
		for _, args := range [][]string{{"--as", "john", "grant", "mary", "clients:add"}, {"grant", "--as", "john", "mary", "clients:add"}} {
			r = rbacctl(t, dsn, args...)
			if r.code != 3 || r.stderr != "rbacctl grant: grant: permission denied: staff member 2 lacks staff:edit\n" {
				t.Fatalf("%v: %+v", args, r)
			}
		}

		// The HTML report.
		out := filepath.Join(t.TempDir(), "review.html")
		expect(t, rbacctl(t, dsn, "report", "--out", out), 0, "wrote "+out+" (2 departments, 3 staff members)\n")
		page, err := os.ReadFile(out)
		if err != nil || !bytes.Contains(page, []byte(`<tr data-login="john"`)) {
			t.Fatalf("report: %v", err)
		}
	})
}

// TestExitCodes covers usage errors (2), other errors (3) and help (0).
func TestExitCodes(t *testing.T) {
	dsn := testdb.DSN(t, testdb.SQLite)
	if r := rbacctl(t, dsn, "bootstrap"); r.code != 0 {
		t.Fatal(r)
	}
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
		{[]string{"staff", "add", "x"}, 2, "rbacctl staff add: create staff: invalid input: login: must be at least 3 characters"},
		{[]string{"check", "nobody", "clients:view"}, 3, `rbacctl check: staff "nobody": not found`},
		{[]string{"staff", "add", "--dept", "Nowhere", "zed"}, 3, `rbacctl staff add: department "Nowhere": not found`},
		{[]string{"--as", "ghost", "grant", "admin", "clients:view"}, 3, `rbacctl grant: --as: staff "ghost": not found`},
		{[]string{"staff"}, 2, ""},
	} {
		r := rbacctl(t, dsn, tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.stderr) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d, stderr starting %q", tc.args, r.code, r.stderr, tc.code, tc.stderr)
		}
	}
	// An unmigrated database is an error (3), not a usage error.
	if r := rbacctl(t, testdb.DSN(t, testdb.SQLite), "staff", "list"); r.code != 3 || !strings.Contains(r.stderr, "run Migrate") {
		t.Errorf("unmigrated: %+v", r)
	}
}

// Every command answers --help on stdout with exit 0, naming its usage.
func TestHelp(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--help"}, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "Usage: rbacctl [--db DSN]") || errb.Len() != 0 {
		t.Fatalf("--help: %d %q %q", code, out.String(), errb.String())
	}
	main := out.String()
	for _, c := range commands() {
		if !strings.Contains(main, "\n  "+c.name+" ") {
			t.Errorf("main help does not list %q", c.name)
		}
		out.Reset()
		args := append(strings.Fields(c.name), "--help")
		if code := run(args, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "Usage: rbacctl "+c.name+" [flags]") ||
			!strings.Contains(out.String(), "Exit codes: 0 ok") {
			t.Errorf("%v: exit %d, stdout %q", args, code, out.String())
		}
	}
	out.Reset()
	if code := run([]string{"staff", "--help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "staff add") {
		t.Errorf("staff --help: %d %q", code, out.String())
	}
}
