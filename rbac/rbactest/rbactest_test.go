package rbactest_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

// The repository's own product scenarios, as a policy test file.
func TestProductScenarios(t *testing.T) {
	rbactest.RunFile(t, "testdata/*.policytest.yaml")
}

// recorder is a testing.TB that records failures instead of failing: it
// proves what a failing run reports. Only the methods rbactest calls are
// implemented; Fatalf ends the goroutine like testing.T does.
type recorder struct {
	testing.TB
	mu       sync.Mutex
	errs     []string
	fatal    bool
	cleanups []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	runtime.Goexit()
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// record runs fn against a fresh recorder on its own goroutine (so Fatalf
// can end it) and returns what it reported.
func record(fn func(tb testing.TB)) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
	return r
}

const wrongSuite = `
name: wrong
fixture:
  staff:
    - {login: john, departments: [Sales department], grants: [invoices:send]}
    - {login: dave, departments: [Sales department], disabled: true}
tests:
  - name: wrong expectations
    expect:
      - {staff: john, can: settings:edit}
      - {staff: john, cannot: clients:view}
      - {staff: john, can: invoices:send, because: [{department: Sales department}]}
      - {staff: john, cannot: support:reply, because: [disabled]}
      - {who_can: invoices:send, are: [john]}
  - name: right expectations
    expect:
      - {staff: john, can: invoices:send, because: [direct grant]}
      - {staff: dave, cannot: clients:view, because: [disabled]}
`

// A deliberately wrong expectation fails with a message that shows the
// explanation of the actual decision; right ones report nothing.
func TestWrongExpectationShowsExplanation(t *testing.T) {
	s, err := rbactest.ParseSuite([]byte(wrongSuite))
	if err != nil {
		t.Fatal(err)
	}
	r := record(func(tb testing.TB) { rbactest.Run(tb, s) })
	want := []string{
		`test "wrong expectations": expect[0] (line 10): john can settings:edit: got denied: john may not settings:edit: missing settings:edit`,
		`test "wrong expectations": expect[1] (line 11): john cannot clients:view: got allowed: john may clients:view: allowed by department "Sales department"`,
		`test "wrong expectations": expect[2] (line 12): john can invoices:send because [department "Sales department"]: got because [direct grant]: john may invoices:send: allowed by direct grant`,
		`test "wrong expectations": expect[3] (line 13): john cannot support:reply because [disabled]: denied, but the account is not disabled: john may not support:reply: missing support:reply; held by department "Technical support"`,
		"test \"wrong expectations\": expect[4] (line 14): who_can invoices:send: want [john], got [admin john]:\n" +
			"  admin: admin may invoices:send: allowed by full access\n" +
			"  john: john may invoices:send: allowed by direct grant",
	}
	if r.fatal || strings.Join(r.errs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("reported (fatal %v):\n%s\n\nwant:\n%s", r.fatal, strings.Join(r.errs, "\n"), strings.Join(want, "\n"))
	}
}

func TestAssertions(t *testing.T) {
	in := rbactest.New(t, rbactest.Fixture{
		Departments: []rbactest.FixtureDepartment{{Name: "Billing", Permissions: []string{"invoices:view"}}},
		Staff: []rbactest.FixtureStaff{
			{Login: "john", Departments: []string{"Sales department"}, Grants: []string{"invoices:send"}},
			{Login: "bill", Departments: []string{"Billing"}},
		},
	})
	svc, john, bill := in.Service, in.StaffID("john"), in.StaffID("bill")
	send := rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
	view := rbac.Perm(rbac.FuncInvoices, rbac.ActView)

	// Passing assertions report nothing.
	r := record(func(tb testing.TB) {
		rbactest.AssertCan(tb, svc, john, send)
		rbactest.AssertCannot(tb, svc, bill, send)
		rbactest.AssertMatrix(tb, svc, rbactest.Matrix{
			Permissions: []rbac.Permission{send, view},
			Allowed:     map[rbac.StaffID][]rbac.Permission{john: {send}, bill: {view}, in.Admin: {send, view}},
		})
	})
	if len(r.errs) != 0 {
		t.Fatalf("passing assertions reported %q", r.errs)
	}

	// Failing ones explain the actual decision.
	r = record(func(tb testing.TB) {
		if rbactest.AssertCan(tb, svc, bill, send) {
			t.Error("AssertCan returned true on a failure")
		}
		if rbactest.AssertCannot(tb, svc, john, send) {
			t.Error("AssertCannot returned true on a failure")
		}
		if rbactest.AssertMatrix(tb, svc, rbactest.Matrix{
			Permissions: []rbac.Permission{send, view},
			Allowed:     map[rbac.StaffID][]rbac.Permission{john: {send, view}, bill: {send, view}},
		}) {
			t.Error("AssertMatrix returned true on a failure")
		}
	})
	want := []string{
		`rbactest: want bill (staff 3) allowed invoices:send, got denied: bill may not invoices:send: missing invoices:send`,
		`rbactest: want john (staff 2) denied invoices:send, got allowed: john may invoices:send: allowed by direct grant`,
		"rbactest: access matrix: 2 of 4 cells differ:\n" +
			"  john (staff 2) invoices:view: want allowed, got denied: john may not invoices:view: missing invoices:view; held by department \"Billing\"\n" +
			"  bill (staff 3) invoices:send: want allowed, got denied: bill may not invoices:send: missing invoices:send",
	}
	if strings.Join(r.errs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("reported:\n%s\n\nwant:\n%s", strings.Join(r.errs, "\n"), strings.Join(want, "\n"))
	}
	if got := in.DepartmentID("Billing"); got <= 0 || in.DepartmentID("Nope") != 0 || in.StaffID("nobody") != 0 {
		t.Fatalf("lookups: Billing=%d", got)
	}
}

func TestFixtureValidation(t *testing.T) {
	_, err := rbactest.ParseFixture([]byte(`
departments:
  - name: ""
  - {name: Ops, permissions: [nonsense]}
  - {name: Ops}
staff:
  - {login: admin}
  - {login: "", departments: [Nowhere], grants: ["x:"]}
`))
	var ve *rbac.ValidationError
	require.ErrorAs(t, err, &ve)
	require.ErrorIs(t, err, rbac.ErrInvalid)
	want := []struct{ field, rule string }{
		{"departments[0].name", "required"}, {"departments[1].permissions[0]", "format"},
		{"departments[2].name", "unique"}, {"staff[0].login", "unique"}, {"staff[1].login", "required"},
		{"staff[1].departments[0]", "unknown"}, {"staff[1].grants[0]", "format"},
	}
	require.Len(t, ve.Fields, len(want), "%v", err)
	for _, w := range want {
		assert.True(t, ve.Has(w.field, w.rule), "missing %s (%s) in %v", w.field, w.rule, err)
	}
	// Unknown fields are refused.
	_, err = rbactest.ParseFixture([]byte("staff:\n  - {login: john, grant: [invoices:send]}\n"))
	assert.ErrorContains(t, err, "field grant not found")
	// JSON works too.
	f, err := rbactest.ParseFixture([]byte(`{"staff": [{"login": "john", "full_access": true}]}`))
	require.NoError(t, err)
	assert.Equal(t, []rbactest.FixtureStaff{{Login: "john", FullAccess: true}}, f.Staff)
}

// A fixture the service refuses stops the test with the service's error,
// naming the fixture entry.
func TestFixtureRefused(t *testing.T) {
	r := record(func(tb testing.TB) {
		rbactest.New(tb, rbactest.Fixture{Staff: []rbactest.FixtureStaff{{Login: "jo"}}})
		t.Error("New returned after Fatalf")
	})
	assert.True(t, r.fatal)
	if assert.Len(t, r.errs, 1) {
		assert.Contains(t, r.errs[0], `staff[0] "jo": create staff: invalid input: login: must be at least 3 characters (min_length)`)
	}
	r = record(func(tb testing.TB) {
		rbactest.New(tb, rbactest.Fixture{Departments: []rbactest.FixtureDepartment{{Name: "Ops", Permissions: []string{"invoices:fly"}}}})
	})
	assert.True(t, r.fatal)
	if assert.Len(t, r.errs, 1) {
		assert.Contains(t, r.errs[0], `departments[0] "Ops": enable permissions: invalid input: permissions[0]: invoices:fly is not a registered function and action (unknown)`)
	}
}

// A bootstrapped department's permissions are kept, replaced, or emptied.
func TestFixtureDefaultDepartments(t *testing.T) {
	in := rbactest.New(t, rbactest.Fixture{Departments: []rbactest.FixtureDepartment{
		{Name: "Sales department", Permissions: []string{"invoices:view"}},
		{Name: "Technical support", Permissions: []string{}},
	}})
	if got := in.Service.DepartmentPermissions(in.DepartmentID("Sales department")); len(got) != 1 || got[0] != rbac.Perm(rbac.FuncInvoices, rbac.ActView) {
		t.Errorf("Sales: %v", got)
	}
	if got := in.Service.DepartmentPermissions(in.DepartmentID("Technical support")); len(got) != 0 {
		t.Errorf("Technical support: %v", got)
	}
}

func TestSuiteValidation(t *testing.T) {
	_, err := rbactest.ParseSuite([]byte(`
tests:
  - name: a
    expect:
      - {staff: john, can: a:b, cannot: c:d}
      - {can: "bad"}
      - {staff: john, can: clients:view, because: [disabled]}
      - {staff: john, cannot: clients:view, because: [direct grant]}
      - {who_can: clients:view}
      - {who_can: clients:view, are: [], staff: john}
  - name: a
    expect: []
`))
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v", err)
	}
	for _, w := range []struct{ field, rule string }{
		{"tests[0].expect[0]", "exclusive"}, {"tests[0].expect[1]", "required"},
		{"tests[0].expect[2].because[0]", "reason"},
		{"tests[0].expect[3].because[0]", "reason"}, {"tests[0].expect[4].are", "required"},
		{"tests[0].expect[5]", "exclusive"}, {"tests[1].name", "unique"}, {"tests[1].expect", "required"},
	} {
		if !ve.Has(w.field, w.rule) {
			t.Errorf("missing %s (%s) in %v", w.field, w.rule, err)
		}
	}
	if len(ve.Fields) != 8 {
		t.Errorf("got %d field errors: %v", len(ve.Fields), err)
	}
	_, err = rbactest.ParseSuite([]byte("tests:\n  - name: a\n    expect:\n      - {staff: j, can: a:b, because: [sometimes]}\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown reason "sometimes"`) {
		t.Fatalf("bad reason: %v", err)
	}
}

// A suite may name a fixture file, relative to itself.
func TestLoadSuiteWithFixtureFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600))
	}
	write("team.yaml", "staff:\n  - {login: john, grants: [invoices:view]}\n")
	write("a.policytest.yaml", "fixture_file: team.yaml\ntests:\n  - name: t\n    expect:\n      - {staff: john, can: invoices:view, because: [direct grant]}\n")
	s, err := rbactest.LoadSuite(filepath.Join(dir, "a.policytest.yaml"))
	require.NoError(t, err)
	assert.Equal(t, "a.policytest.yaml", s.Name)
	assert.Equal(t, []rbactest.FixtureStaff{{Login: "john", Grants: []string{"invoices:view"}}}, s.Fixture.Staff)
	r := record(func(tb testing.TB) { rbactest.Run(tb, s) })
	assert.Empty(t, r.errs)
	write("b.policytest.yaml", "fixture_file: missing.yaml\ntests: []\n")
	_, err = rbactest.LoadSuite(filepath.Join(dir, "b.policytest.yaml"))
	assert.ErrorIs(t, err, os.ErrNotExist, "missing fixture file")

	// An unknown name in the fixture file is reported with the file's line.
	write("team2.yaml", "staff:\n  - {login: john, grants: [invoices:fly]}\n")
	write("c.policytest.yaml", "fixture_file: team2.yaml\ntests:\n  - name: t\n    expect:\n      - {staff: john, can: invoices:view}\n")
	s, err = rbactest.LoadSuite(filepath.Join(dir, "c.policytest.yaml"))
	require.NoError(t, err)
	r = record(func(tb testing.TB) { rbactest.Run(tb, s) })
	assert.Equal(t, []string{"rbactest: fixture.staff[0].grants[0]: team2.yaml:2: permission invoices:fly is not in the catalog (unknown)"}, r.errs)
}

// A suite's fixture_file stays inside the suite's directory: "..", an
// absolute path and a symbolic link out are refused before anything is
// read, so nothing outside is parsed or echoed in an error.
func TestLoadSuiteFixtureFileConfined(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.yaml")
	if err := os.WriteFile(secret, []byte("root:x:0:0:secret-line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "suites")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "team.yaml"), []byte("staff:\n  - {login: john}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(dir, secret)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{rel, secret, "link.yaml", "sub/../../x.yaml"} {
		t.Run(name, func(t *testing.T) {
			suite := filepath.Join(dir, "s.policytest.yaml")
			if err := os.WriteFile(suite, []byte("fixture_file: "+name+"\ntests: []\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := rbactest.LoadSuite(suite)
			if err == nil || !strings.Contains(err.Error(), "fixture_file") {
				t.Fatalf("fixture_file %q: got %v, want a refusal naming fixture_file", name, err)
			}
			if strings.Contains(err.Error(), "secret-line") {
				t.Fatalf("the refusal echoes the outside file: %v", err)
			}
		})
	}
	suite := filepath.Join(dir, "ok.policytest.yaml")
	if err := os.WriteFile(suite, []byte("fixture_file: sub/team.yaml\ntests:\n  - name: t\n    expect:\n      - {staff: john, cannot: invoices:view}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := rbactest.LoadSuite(suite)
	if err != nil || len(s.Fixture.Staff) != 1 {
		t.Fatalf("a fixture in a subdirectory: %v", err)
	}
}

// Every field of a fixture reaches the services: department flags, task
// languages and hours, staff profiles and passwords, client accounts,
// roles and users.
func TestFixtureFieldsApplied(t *testing.T) {
	ctx := t.Context()
	in := rbactest.New(t, rbactest.Fixture{
		Schedules: []rbactest.FixtureSchedule{{Name: "Office", Zone: "Europe/Berlin", Days: []string{"mon", "fri"},
			Hours: []string{"09:00-12:00", "13:00-17:00"}, Closed: []string{"2026-12-25"}}},
		Departments: []rbactest.FixtureDepartment{
			{Name: "Technical support", TaskLanguage: "fr", Schedule: "Office", ResponseTarget: "90m"},
			{Name: "Billing", AcceptsClientRequests: true, TaskLanguage: "de"},
		},
		Staff: []rbactest.FixtureStaff{{Login: "John", Name: "John Smith", Email: "john@example.com", Password: "Umbrella-Quartz-Nine-41"}},
		Clients: []rbactest.FixtureClient{{Name: "Acme", Email: "billing@acme.example", Disabled: true,
			FirstUser: rbactest.FixtureClientUser{Login: "ann", Name: "Ann"},
			Roles:     []rbactest.FixtureClientRole{{Name: "Accountant", Permissions: []string{"finance:view", "finance:add"}}},
			Users:     []rbactest.FixtureClientUser{{Login: "olga", Roles: []string{"Accountant"}, Disabled: true}}}},
	})
	svc := in.Service
	billing, err := svc.Department(ctx, in.DepartmentID("Billing"))
	require.NoError(t, err)
	assert.True(t, billing.AcceptsClientRequests)
	assert.Equal(t, "de", billing.TaskLanguage.String())
	support, err := svc.Department(ctx, in.DepartmentID("Technical support"))
	require.NoError(t, err)
	assert.Equal(t, "fr", support.TaskLanguage.String())
	h, err := svc.DepartmentHours(ctx, support.ID)
	require.NoError(t, err)
	assert.Equal(t, 90*time.Minute, h.Target)
	sch, err := svc.Schedule(ctx, h.Schedule)
	require.NoError(t, err)
	assert.Equal(t, "Office", sch.Schedule.Name)
	assert.Equal(t, "Europe/Berlin", sch.Schedule.Zone)
	assert.Len(t, sch.Schedule.Week[time.Monday], 2)
	assert.Empty(t, sch.Schedule.Week[time.Tuesday])
	assert.Len(t, sch.Schedule.Closed, 1)

	john, err := svc.StaffMember(ctx, in.StaffID("john"))
	require.NoError(t, err)
	assert.Equal(t, "john@example.com", john.Email)
	_, err = svc.Authenticate(ctx, "john", "Umbrella-Quartz-Nine-41")
	assert.NoError(t, err)

	acme, err := in.Clients.Client(ctx, in.ClientID("Acme"))
	require.NoError(t, err)
	assert.Equal(t, rbac.StatusDisabled, acme.Status)
	assert.Equal(t, in.ClientUserID("ann"), acme.FirstUser)
	olga, err := in.Clients.User(ctx, in.ClientUserID("olga"))
	require.NoError(t, err)
	assert.Equal(t, rbac.StatusDisabled, olga.Status)
	assert.Equal(t, []clients.RoleID{in.RoleID("Acme", "Accountant")}, olga.Roles)
	role, err := in.Clients.Role(ctx, in.RoleID("Acme", "Accountant"))
	require.NoError(t, err)
	assert.Len(t, role.Permissions, 2)
}
