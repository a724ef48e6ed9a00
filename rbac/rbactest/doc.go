// Package rbactest is a test kit for access rules built with billingrbac.
//
// It builds a fully working instance (an in-memory SQLite database,
// migrated and bootstrapped, with a real rbac.Service and clients.Service)
// from a declarative fixture, offers assertions that print the
// explanation of a decision when they fail, and runs policy test files:
// who can and cannot do what and why, client decisions, response
// deadlines, sign-ins and who may administer whom, in the spirit of
// OpenFGA's .fga.yaml tests and Cerbos' policy tests. The runner
// `rbacctl test` (examples/rbacctl) runs the same files outside go test,
// also against a live database. docs/rbactest.md documents the format;
// Schema returns its JSON Schema.
//
// Basics:
//
//	func TestPolicy(t *testing.T) {
//		rbactest.RunFile(t, "testdata/*.policytest.yaml")
//	}
//
//	func TestJohn(t *testing.T) {
//		in := rbactest.New(t, rbactest.Fixture{Staff: []rbactest.FixtureStaff{
//			{Login: "john", Departments: []string{"Sales department"}, Grants: []string{"invoices:send"}},
//		}})
//		rbactest.AssertCan(t, in.Service, in.StaffID("john"), rbac.Perm(rbac.FuncInvoices, rbac.ActSend))
//	}
//
// A policy test file (YAML, or JSON with the same fields):
//
//	name: Sales
//	fixture:                       # applied after the bootstrap (Sales department,
//	  departments:                 # Technical support, admin with full access)
//	    - name: Billing            # a new department holds nothing
//	  staff:
//	    - login: john
//	      departments: [Sales department]
//	      grants: [invoices:send]
//	      password: Umbrella-Quartz-Nine-41
//	    - {login: hanna, departments: [Billing]}
//	tests:
//	  - name: John sends invoices by a direct grant
//	    expect:
//	      - {staff: john, can: invoices:send, because: [direct grant]}
//	      - {staff: john, can: clients:view, because: [{department: Sales department}]}
//	      - {staff: john, cannot: settings:edit}
//	      - {who_can: invoices:send, are: [admin, john]}
//	      - {sign_in: john, password: Umbrella-Quartz-Nine-41}
//	      - {as: hanna, may_not: {grant: {staff: john, permissions: [reports:view]}}}
//
// Every name in a file (login, department, permission, client, client
// user, role, resource kind, section) must exist in the fixture or the
// catalog: an unknown one fails the file with its line, so a typo never
// makes a negative expectation pass. Administrative expectations (as
// with may or may_not) run on a copy of the instance; a refusal must
// change nothing.
//
// Caveats:
//   - Every instance is private and lives in memory; a fixture is applied
//     by the bootstrapped admin, so it goes through the same validation and
//     authorization as production changes. Fixture passwords are hashed
//     with cheap parameters (HashParams).
//   - Department names are matched in English, the default language.
//   - Assertions report through TestingT (testify's interface) and never
//     stop the test (Errorf); the builders stop it (Fatalf) when the
//     fixture is wrong.
package rbactest
