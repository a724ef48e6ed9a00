// Package rbactest is a test kit for access rules built with billingrbac.
//
// It builds a fully working instance (an in-memory SQLite database,
// migrated and bootstrapped, with a real rbac.Service) from a declarative
// fixture, offers assertions that print the explanation of a decision when
// they fail, and runs policy test files: cases of who can and cannot do
// what, with the expected reasons, in the spirit of OpenFGA's .fga.yaml
// tests and Cerbos' policy tests.
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
//	tests:
//	  - name: John sends invoices by a direct grant
//	    expect:
//	      - {staff: john, can: invoices:send, because: [direct grant]}
//	      - {staff: john, can: clients:view, because: [{department: Sales department}]}
//	      - {staff: john, cannot: settings:edit}
//	      - {who_can: invoices:send, are: [admin, john]}
//
// Reasons are "full access", "direct grant", {department: NAME} for an
// allowed check (the exact set is compared) and "disabled" for a denial
// of a disabled account.
//
// Caveats:
//   - Every instance is private and lives in memory; a fixture is applied
//     by the bootstrapped admin, so it goes through the same validation and
//     authorization as production changes.
//   - Department names are matched in English, the default language.
//   - Assertions report through testing.TB and never stop the test
//     (Errorf); the builders stop it (Fatalf) when the fixture is wrong.
package rbactest
