package main

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

// Trap 5: policy files ran only under go test. rbacctl test runs them
// with go test-like output, exit status 0/1 and a JUnit report.
func TestTrapRunnerOutsideGoTest(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.policytest.yaml")
	bad := filepath.Join(dir, "bad.policytest.yaml")
	require.NoError(t, os.WriteFile(good, []byte("tests:\n  - name: admin\n    expect:\n      - {staff: admin, can: settings:edit, because: [full access]}\n"), 0o600))
	require.NoError(t, os.WriteFile(bad, []byte("tests:\n  - name: wrong\n    expect:\n      - {staff: admin, cannot: settings:edit}\n"), 0o600))
	junit := filepath.Join(dir, "report.xml")

	var out, errb bytes.Buffer
	code := run([]string{"test", "-v", good}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	assert.Contains(t, out.String(), "--- PASS: admin")

	out.Reset()
	errb.Reset()
	code = run([]string{"test", "--junit", junit, good, bad}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	assert.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	assert.Contains(t, out.String(), "--- FAIL: wrong")
	assert.Contains(t, out.String(), "allowed by full access")
	x, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.Contains(t, string(x), "<testsuites")
	assert.Contains(t, string(x), `failures="1"`)
}

// rbacctl test --dsn --apply-fixture applies a file's fixture to an
// empty database and runs every expectation there (administrative ones on
// copies on the same backend); --dsn alone runs the read-only ones
// against the database as it is and skips the others; on every backend.
func TestTestAgainstDatabase(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		dsn := testdb.DSN(t, b)
		dir := t.TempDir()
		file := filepath.Join(dir, "live.policytest.yaml")
		require.NoError(t, os.WriteFile(file, []byte(`
fixture:
  staff:
    - {login: john, departments: [Sales department], grants: [invoices:send]}
  clients:
    - {name: Acme, first_user: {login: ann}}
tests:
  - name: read-only
    expect:
      - {staff: john, can: invoices:send, because: [direct grant]}
      - {who_can: invoices:send, are: [admin, john]}
      - {client_user: ann, can: view, kind: invoice, owner: Acme, because: [first user]}
  - name: needs a copy
    expect:
      - {as: admin, may: {grant: {staff: john, permissions: [reports:view]}}, then: [{staff: john, can: reports:view}]}
`), 0o600))
		var out, errb bytes.Buffer
		code := run([]string{"test", "--dsn", dsn, "--apply-fixture", "--junit", filepath.Join(dir, "r.xml"), file}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		require.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
		assert.NotContains(t, out.String(), "skipped", "with --apply-fixture every expectation runs")

		// Against the database as it now is: the fixture is not applied
		// again, names resolve from the database.
		out.Reset()
		code = run([]string{"test", "-v", "--dsn", dsn, file}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		require.Equal(t, 0, code, "stdout:\n%s", out.String())
		assert.Contains(t, out.String(), "--- PASS: read-only")
		assert.Contains(t, out.String(), "SKIP expect[0] (line 15): as: needs a copy")

		// A name the database does not have fails the file.
		require.NoError(t, os.WriteFile(file, []byte("tests:\n  - name: t\n    expect:\n      - {staff: mary, cannot: reports:view}\n"), 0o600))
		out.Reset()
		code = run([]string{"test", "--dsn", dsn, file}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		assert.Equal(t, 1, code)
		assert.Contains(t, out.String(), `tests[0].expect[0].staff: line 4: no staff member "mary" (unknown)`)

		// --apply-fixture refuses a database that is already bootstrapped.
		out.Reset()
		code = run([]string{"test", "--dsn", dsn, "--apply-fixture", file}, strings.NewReader(""), &out, &errb, func(string) string { return "" })
		assert.Equal(t, 1, code)
		assert.Contains(t, out.String(), "already bootstrapped")
	})
}

// The JUnit report is what CI systems read: one testsuite per file, one
// testcase per test, failures with the messages.
func TestJUnitReport(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.policytest.yaml")
	require.NoError(t, os.WriteFile(file, []byte("name: A\ntests:\n  - name: ok\n    expect:\n      - {staff: admin, can: settings:edit}\n"+
		"  - name: wrong\n    expect:\n      - {staff: admin, cannot: settings:edit}\n"), 0o600))
	broken := filepath.Join(dir, "b.policytest.yaml")
	require.NoError(t, os.WriteFile(broken, []byte("tests: []\n"), 0o600))
	report := filepath.Join(dir, "r.xml")
	var out, errb bytes.Buffer
	require.Equal(t, 1, run([]string{"test", "--junit", report, file, broken}, strings.NewReader(""), &out, &errb, func(string) string { return "" }))
	data, err := os.ReadFile(report)
	require.NoError(t, err)
	var got junitSuites
	require.NoError(t, xml.Unmarshal(data, &got))
	assert.Equal(t, 3, got.Tests)
	assert.Equal(t, 2, got.Failures)
	require.Len(t, got.Suites, 2)
	a := got.Suites[0]
	assert.Equal(t, "A", a.Name)
	require.Len(t, a.Cases, 2)
	assert.Nil(t, a.Cases[0].Failure)
	require.NotNil(t, a.Cases[1].Failure)
	assert.Contains(t, a.Cases[1].Failure.Text, "admin cannot settings:edit: got allowed")
	b := got.Suites[1]
	require.Len(t, b.Cases, 1)
	assert.Equal(t, "(file)", b.Cases[0].Name)
	assert.Contains(t, b.Cases[0].Failure.Text, "a suite needs at least one test")
}
