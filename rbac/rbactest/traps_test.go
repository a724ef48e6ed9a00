package rbactest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

// The traps of issue 17: each of these passed green (or could not be
// written at all) before the kit became strict.

// runSuite parses and runs a suite against a recorder.
func runSuite(t *testing.T, yaml string) *recorder {
	t.Helper()
	s, err := rbactest.ParseSuite([]byte(yaml))
	require.NoError(t, err)
	return record(func(tb testing.TB) { rbactest.Run(tb, s) })
}

// Trap 1: a typo in a negative expectation was a green test.
func TestTrapTypoInCannot(t *testing.T) {
	for _, typo := range []string{"reports:veiw", "report:view"} {
		t.Run(typo, func(t *testing.T) {
			r := runSuite(t, `
fixture:
  staff: [{login: john, departments: [Sales department]}]
tests:
  - name: typo
    expect:
      - {staff: john, cannot: reports:view}
      - {staff: john, cannot: `+typo+`}
`)
			require.NotEmpty(t, r.errs, "a typo in cannot must fail the file")
			all := strings.Join(r.errs, "\n")
			assert.Contains(t, all, typo)
			assert.Contains(t, all, "line 8")
		})
	}
}

// Trap 2: who_can on a permission that does not exist answered the admin.
func TestTrapWhoCanUnknownPermission(t *testing.T) {
	r := runSuite(t, `
tests:
  - name: who
    expect:
      - {who_can: reports:veiw, are: [admin]}
`)
	require.NotEmpty(t, r.errs, "who_can on an unknown permission must fail")
	all := strings.Join(r.errs, "\n")
	assert.Contains(t, all, "reports:veiw")
	assert.Contains(t, all, "line 5")
}

// Trap 3: fixtures could not carry passwords, clients, client users,
// roles, schedules or task languages.
func TestTrapRichFixture(t *testing.T) {
	r := runSuite(t, `
fixture:
  schedules:
    - {name: Office, zone: UTC, days: [mon, tue, wed, thu, fri], hours: ["09:00-17:00"]}
  departments:
    - {name: Technical support, schedule: Office, response_target: 2h, task_language: de}
  staff:
    - {login: john, departments: [Sales department], password: "Umbrella-Quartz-Nine-41"}
  clients:
    - name: Acme
      first_user: {login: ann}
      roles:
        - {name: Accountant, permissions: [finance:view]}
      users:
        - {login: bob, roles: [Accountant]}
tests:
  - name: rich
    expect:
      - {sign_in: john, password: "Umbrella-Quartz-Nine-41"}
      - {client_user: bob, can: view, kind: invoice, owner: Acme, because: [{role: Accountant}]}
      - {client_user: bob, cannot: modify, kind: invoice, owner: Acme}
      - {due: Technical support, received: "2026-12-04T16:00:00Z", is: "2026-12-07T10:00:00Z"}
`)
	assert.Empty(t, r.errs)
	assert.False(t, r.fatal)
}

// Trap 4: administrative rules could not be written in a policy file.
func TestTrapAdminExpectations(t *testing.T) {
	r := runSuite(t, `
fixture:
  departments:
    - {name: Staff office, permissions: ["staff:view", "staff:edit"]}
  staff:
    - {login: hanna, departments: [Staff office]}
    - {login: boss, full_access: true}
tests:
  - name: hanna administers, within her own rights
    expect:
      - {as: hanna, may_not: {grant: {staff: hanna, permissions: [reports:view]}}}
      - {as: hanna, may_not: {reset_password: boss}}
      - {as: admin, may: {grant: {staff: hanna, permissions: [reports:view]}}}
`)
	assert.Empty(t, r.errs)
	assert.False(t, r.fatal)
	r = runSuite(t, `
fixture:
  staff: [{login: john}]
tests:
  - name: wrong on purpose
    expect:
      - {as: admin, may_not: {grant: {staff: john, permissions: [reports:view]}}}
`)
	assert.NotEmpty(t, r.errs, "a wrong admin expectation must fail")
}
