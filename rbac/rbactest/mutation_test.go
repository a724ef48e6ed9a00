package rbactest_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mutationFixture is the state every mutation runs against.
const mutationFixture = `
fixture:
  schedules:
    - {name: Office, zone: UTC, days: [mon, tue, wed, thu, fri], hours: ["09:00-17:00"]}
  departments:
    - {name: Technical support, schedule: Office, response_target: 4h}
    - {name: Staff office, permissions: [staff:view, staff:edit]}
  staff:
    - {login: john, departments: [Sales department], grants: [invoices:send], password: Umbrella-Quartz-Nine-41}
    - {login: dave, departments: [Sales department], disabled: true}
    - {login: hanna, departments: [Staff office]}
  clients:
    - name: Acme
      first_user: {login: ann}
      roles: [{name: Accountant, permissions: [finance:view]}]
      users: [{login: olga, roles: [Accountant]}]
    - {name: Globex, first_user: {login: gus}}
tests:
  - name: mutated
    expect:
`

// The kit checks itself: every kind of expectation, written right,
// passes; made wrong on purpose, it fails with a message that shows the
// actual decision and its explanation. Each case is one expectation and
// its mutant.
func TestMutatedExpectationsFail(t *testing.T) {
	for _, c := range []struct {
		name, right, wrong string
		explains           []string // the failure shows these
	}{
		{"staff can", `{staff: john, can: clients:view}`, `{staff: john, can: settings:edit}`,
			[]string{"john can settings:edit: got denied", "missing settings:edit"}},
		{"staff cannot", `{staff: john, cannot: settings:edit}`, `{staff: john, cannot: clients:view}`,
			[]string{"got allowed", `allowed by department "Sales department"`}},
		{"staff because", `{staff: john, can: invoices:send, because: [direct grant]}`,
			`{staff: john, can: invoices:send, because: [{department: Sales department}]}`,
			[]string{"got because [direct grant]", "allowed by direct grant"}},
		{"staff because disabled", `{staff: dave, cannot: clients:view, because: [disabled]}`,
			`{staff: john, cannot: support:reply, because: [disabled]}`,
			[]string{"not disabled", `held by department "Technical support"`}},
		{"explain", `{staff: john, explain: clients:view, says: Sales department}`,
			`{staff: john, explain: clients:view, says: direct grant}`,
			[]string{`says "direct grant": got`, `allowed by department "Sales department"`}},
		{"who_can", `{who_can: invoices:send, are: [admin, john]}`, `{who_can: invoices:send, are: [john]}`,
			[]string{"want [john], got [admin john]", "admin: admin may invoices:send: allowed by full access"}},
		{"client can", `{client_user: olga, can: view, kind: invoice, owner: Acme}`,
			`{client_user: olga, can: modify, kind: invoice, owner: Acme}`,
			[]string{"got denied", "[no role]"}},
		{"client cannot", `{client_user: olga, cannot: view, kind: invoice, owner: Globex}`,
			`{client_user: ann, cannot: view, kind: invoice, owner: Acme}`,
			[]string{"got allowed", "[first user]"}},
		{"client because", `{client_user: olga, can: view, kind: invoice, owner: Acme, because: [{role: Accountant}]}`,
			`{client_user: olga, can: view, kind: invoice, owner: Acme, because: [first user]}`,
			[]string{`got because [role "Accountant"]`, "allowed by role"}},
		{"client denial reason", `{client_user: olga, cannot: view, kind: invoice, owner: Globex, because: [not owner]}`,
			`{client_user: olga, cannot: view, kind: invoice, owner: Globex, because: [no role]}`,
			[]string{"got because [not owner]", "belongs to another client"}},
		{"due", `{due: Technical support, received: "2026-12-04T15:00:00Z", is: "2026-12-07T11:00:00Z"}`,
			`{due: Technical support, received: "2026-12-04T15:00:00Z", is: "2026-12-04T19:00:00Z"}`,
			[]string{"got 2026-12-07T11:00:00Z", `schedule "Office" in UTC, response target 4h0m0s`}},
		{"support departments", `{support_departments: [Technical support]}`, `{support_departments: [Sales department]}`,
			[]string{`got ["Technical support"]`, "target 4h0m0s"}},
		{"sign in", `{sign_in: john, password: Umbrella-Quartz-Nine-41}`, `{sign_in: john, password: Umbrella-Quartz-Nine-42}`,
			[]string{"john signs in: got", "bad login or password"}},
		{"sign in refused", `{sign_in: john, password: wrong-password-1234, refused: true}`,
			`{sign_in: john, password: Umbrella-Quartz-Nine-41, refused: true}`,
			[]string{"sign-in refused: got signed in"}},
		{"admin may", `{as: admin, may: {grant: {staff: hanna, permissions: [reports:view]}}}`,
			`{as: hanna, may: {grant: {staff: john, permissions: [reports:view]}}}`,
			[]string{"hanna may grant john reports:view: refused", "permission denied"}},
		{"admin may_not", `{as: hanna, may_not: {grant: {staff: john, permissions: [reports:view]}}}`,
			`{as: admin, may_not: {grant: {staff: john, permissions: [reports:view]}}}`,
			[]string{"the call succeeded; it changed", "+ decision john: reports:view by [direct grant]"}},
		{"admin refusal", `{as: admin, may_not: {revoke: {staff: john, permissions: [clients:view]}}, error: inherited}`,
			`{as: admin, may_not: {revoke: {staff: john, permissions: [clients:view]}}}`,
			[]string{"refused with", "inherited", "want permission denied"}},
		{"admin then", `{as: admin, may: {add_to_department: {staff: hanna, department: Sales department}}, then: [{staff: hanna, can: clients:add}]}`,
			`{as: admin, may: {add_to_department: {staff: hanna, department: Staff office}}, then: [{staff: hanna, can: clients:add}]}`,
			[]string{"done, but", "then[0]: hanna can clients:add: got denied"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := runSuite(t, mutationFixture+"      - "+c.right+"\n")
			require.False(t, r.fatal)
			assert.Empty(t, r.errs, "the right expectation must pass")

			r = runSuite(t, mutationFixture+"      - "+c.wrong+"\n")
			require.Len(t, r.errs, 1, "the mutant must fail, once")
			assert.True(t, strings.HasPrefix(r.errs[0], `test "mutated": expect[0] (line 21): `), r.errs[0])
			for _, s := range c.explains {
				assert.Contains(t, r.errs[0], s)
			}
		})
	}
}
