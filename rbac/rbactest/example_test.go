package rbactest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

// printTB prints what a test would report, so the examples can show the
// messages. In a test, pass the *testing.T.
type printTB struct{ testing.TB }

func (printTB) Helper()                        {}
func (printTB) Errorf(format string, a ...any) { fmt.Printf(format+"\n", a...) }
func (printTB) Fatalf(format string, a ...any) { fmt.Printf("FATAL "+format+"\n", a...) }
func (printTB) Cleanup(func())                 {}

func ExampleNew() {
	var t testing.TB = printTB{} // in a test: the *testing.T
	in := rbactest.New(t, rbactest.Fixture{
		Departments: []rbactest.FixtureDepartment{{Name: "Billing", Permissions: []string{"invoices:view", "invoices:send"}}},
		Staff:       []rbactest.FixtureStaff{{Login: "john", Departments: []string{"Sales department", "Billing"}}},
	})
	defer in.Close()
	fmt.Println(in.Service.Can(in.StaffID("john"), rbac.Perm(rbac.FuncInvoices, rbac.ActSend)))
	// Output:
	// true
}

func ExampleBuild() {
	in, err := rbactest.Build(context.Background(), rbactest.Fixture{
		Staff: []rbactest.FixtureStaff{{Login: "dave", Departments: []string{"Technical support"}, Disabled: true}},
	}, rbac.Options{})
	if err != nil {
		panic(err)
	}
	defer in.Close()
	fmt.Println(in.Service.Explain(in.StaffID("dave"), rbac.Perm(rbac.FuncSupport, rbac.ActReply)))
	// Output:
	// staff 2 may not support:reply: the account is disabled
}

func ExampleAssertCan() {
	in, _ := rbactest.Build(context.Background(), rbactest.Fixture{
		Staff: []rbactest.FixtureStaff{{Login: "john", Departments: []string{"Sales department"}}},
	}, rbac.Options{})
	defer in.Close()
	var t testing.TB = printTB{}
	rbactest.AssertCan(t, in.Service, in.StaffID("john"), rbac.Perm(rbac.FuncClients, rbac.ActAdd))
	rbactest.AssertCan(t, in.Service, in.StaffID("john"), rbac.Perm(rbac.FuncServices, rbac.ActSuspend))
	// Output:
	// rbactest: want john (staff 2) allowed services:suspend, got denied: john may not services:suspend: missing services:suspend; held by department "Technical support"
}

func ExampleAssertCannot() {
	in, _ := rbactest.Build(context.Background(), rbactest.Fixture{
		Staff: []rbactest.FixtureStaff{{Login: "john", Departments: []string{"Sales department"}, Grants: []string{"invoices:send"}}},
	}, rbac.Options{})
	defer in.Close()
	rbactest.AssertCannot(printTB{}, in.Service, in.StaffID("john"), rbac.Perm(rbac.FuncInvoices, rbac.ActSend))
	// Output:
	// rbactest: want john (staff 2) denied invoices:send, got allowed: john may invoices:send: allowed by direct grant
}

func ExampleAssertMatrix() {
	in, _ := rbactest.Build(context.Background(), rbactest.Fixture{
		Staff: []rbactest.FixtureStaff{{Login: "mary", Departments: []string{"Technical support"}}},
	}, rbac.Options{})
	defer in.Close()
	reply := rbac.Perm(rbac.FuncSupport, rbac.ActReply)
	pay := rbac.Perm(rbac.FuncPayments, rbac.ActView)
	ok := rbactest.AssertMatrix(printTB{}, in.Service, rbactest.Matrix{
		Permissions: []rbac.Permission{reply, pay},
		Allowed: map[rbac.StaffID][]rbac.Permission{
			in.Admin:           {reply, pay},
			in.StaffID("mary"): {reply, pay}, // wrong: mary has no payments
		},
	})
	fmt.Println(ok)
	// Output:
	// rbactest: access matrix: 1 of 4 cells differ:
	//   mary (staff 2) payments:view: want allowed, got denied: mary may not payments:view: missing payments:view; held by department "Sales department"
	// false
}

func ExampleRun() {
	s, err := rbactest.ParseSuite([]byte(`
fixture:
  staff:
    - {login: john, departments: [Sales department], grants: [invoices:send]}
tests:
  - name: John
    expect:
      - {staff: john, can: invoices:send, because: [direct grant]}
      - {staff: john, can: clients:view, because: [direct grant]}   # wrong
      - {who_can: invoices:send, are: [admin, john]}
`))
	if err != nil {
		panic(err)
	}
	rbactest.Run(printTB{}, s)
	// Output:
	// test "John": expect[1] (line 9): john can clients:view because [direct grant]: got because [department "Sales department"]: john may clients:view: allowed by department "Sales department"
}

func ExampleParseFixture() {
	f, err := rbactest.ParseFixture([]byte(`
staff:
  - {login: john, departments: [Marketing]}
`))
	fmt.Println(len(f.Staff), err)
	// Output:
	// 0 rbactest fixture: invalid input: staff[0].departments[0]: line 3: no department "Marketing" (unknown)
}

func ExampleRunFile() {
	// In a _test.go file:
	//
	//	func TestPolicy(t *testing.T) {
	//		rbactest.RunFile(t, "testdata/*.policytest.yaml")
	//	}
	s, err := rbactest.LoadSuite("testdata/product.policytest.yaml")
	if err != nil {
		panic(err)
	}
	fmt.Println(s.Name, len(s.Tests))
	// Output:
	// Product scenarios 14
}

func ExampleInstance_DepartmentID() {
	in, _ := rbactest.Build(context.Background(), rbactest.Fixture{
		Departments: []rbactest.FixtureDepartment{{Name: "Billing"}},
	}, rbac.Options{})
	defer in.Close()
	fmt.Println(in.DepartmentID("Sales department"), in.DepartmentID("Technical support"), in.DepartmentID("Billing"), in.DepartmentID("Nope"))
	fmt.Println(in.StaffID("admin") == in.Admin)
	// Output:
	// 1 2 3 0
	// true
}

func ExampleSuite_Validate() {
	_, err := rbactest.ParseSuite([]byte(`
tests:
  - name: t
    expect:
      - {staff: john, can: invoices:send, cannot: invoices:view}
      - {who_can: invoices:send}
`))
	fmt.Println(err)
	// Output:
	// rbactest suite: invalid input: tests[0].expect[0]: line 5: needs exactly one of can and cannot (exclusive); tests[0].expect[1].are: line 6: who_can needs the expected logins (are: [] for nobody) (required)
}

func ExampleEvaluateSuite() {
	s, err := rbactest.ParseSuite([]byte(`
fixture:
  departments:
    - {name: Staff office, permissions: [staff:view, staff:edit]}
  staff:
    - {login: hanna, departments: [Staff office]}
    - {login: john, departments: [Sales department]}
tests:
  - name: hanna gives only what she holds
    expect:
      - {as: hanna, may_not: {grant: {staff: john, permissions: [reports:view]}}}
      - {as: hanna, may: {grant: {staff: john, permissions: [staff:view]}}, then: [{staff: john, can: staff:view}]}
      - {as: hanna, may: {grant: {staff: john, permissions: [reports:view]}}}   # wrong
`))
	if err != nil {
		panic(err)
	}
	r := rbactest.EvaluateSuite(context.Background(), s, rbac.Options{})
	for _, t := range r.Tests {
		fmt.Println(t.Name, len(t.Failures))
		for _, f := range t.Failures {
			// The rest of the message is the Service's error.
			fmt.Println(f[:strings.Index(f, ": refused")+len(": refused")], strings.Contains(f, "permission denied"))
		}
	}
	// Output:
	// hanna gives only what she holds 1
	// expect[2] (line 13): hanna may grant john reports:view: refused true
}

func ExampleSchema() {
	var doc map[string]any
	if err := json.Unmarshal(rbactest.Schema(), &doc); err != nil {
		panic(err)
	}
	fmt.Println(doc["$id"] == rbactest.SchemaURL, doc["title"])
	// Output:
	// true billingrbac policy test file
}
