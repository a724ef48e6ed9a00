package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
	code := run([]string{"test", "-v", good}, &out, &errb)
	assert.Equal(t, 0, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	assert.Contains(t, out.String(), "--- PASS: admin")

	out.Reset()
	errb.Reset()
	code = run([]string{"test", "--junit", junit, good, bad}, &out, &errb)
	assert.Equal(t, 1, code, "stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	assert.Contains(t, out.String(), "--- FAIL: wrong")
	assert.Contains(t, out.String(), "allowed by full access")
	x, err := os.ReadFile(junit)
	require.NoError(t, err)
	assert.Contains(t, string(x), "<testsuites")
	assert.Contains(t, string(x), `failures="1"`)
}
