package rbactest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

// TestingT is what the assertions report to: the interface testify's
// assert.TestingT declares, so a *testing.T, a *testing.B, testify's
// mocks and any recorder fit. When it also has Helper (as testing.TB
// does), the assertions call it, so failures point at the caller's line.
type TestingT interface {
	Errorf(format string, args ...any)
}

// tHelper is the optional Helper method (testify's tHelper).
type tHelper interface{ Helper() }

// AssertCan reports a test error unless staff member id may perform p. The
// message shows the explanation of the decision. It returns whether the
// assertion held.
func AssertCan(tb TestingT, svc *rbac.Service, id rbac.StaffID, p rbac.Permission) bool {
	if h, ok := tb.(tHelper); ok {
		h.Helper()
	}
	if svc.Can(id, p) {
		return true
	}
	tb.Errorf("rbactest: want %s allowed %s, got denied: %s", who(svc, id), p, explain(svc, id, p))
	return false
}

// AssertCannot reports a test error if staff member id may perform p. The
// message shows every reason it is allowed. It returns whether the
// assertion held.
func AssertCannot(tb TestingT, svc *rbac.Service, id rbac.StaffID, p rbac.Permission) bool {
	if h, ok := tb.(tHelper); ok {
		h.Helper()
	}
	if !svc.Can(id, p) {
		return true
	}
	tb.Errorf("rbactest: want %s denied %s, got allowed: %s", who(svc, id), p, explain(svc, id, p))
	return false
}

// Matrix is an expected access matrix: the permissions checked (columns)
// and, for each staff member checked (rows), the permissions among them
// they hold. Every other cell of a row must be denied.
type Matrix struct {
	Permissions []rbac.Permission
	Allowed     map[rbac.StaffID][]rbac.Permission
}

// AssertMatrix checks every cell of want and reports one test error
// listing each wrong cell with its explanation. It returns whether the
// whole matrix held.
func AssertMatrix(tb TestingT, svc *rbac.Service, want Matrix) bool {
	if h, ok := tb.(tHelper); ok {
		h.Helper()
	}
	ids := make([]rbac.StaffID, 0, len(want.Allowed))
	for id := range want.Allowed {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var bad []string
	for _, id := range ids {
		for _, p := range want.Permissions {
			exp := slices.Contains(want.Allowed[id], p)
			if svc.Can(id, p) == exp {
				continue
			}
			verdict := "want denied, got allowed"
			if exp {
				verdict = "want allowed, got denied"
			}
			bad = append(bad, fmt.Sprintf("  %s %s: %s: %s", who(svc, id), p, verdict, explain(svc, id, p)))
		}
	}
	if len(bad) == 0 {
		return true
	}
	tb.Errorf("rbactest: access matrix: %d of %d cells differ:\n%s",
		len(bad), len(ids)*len(want.Permissions), strings.Join(bad, "\n"))
	return false
}

// who names a staff member for messages: "john (staff 2)".
func who(svc *rbac.Service, id rbac.StaffID) string {
	st, err := svc.StaffMember(context.Background(), id)
	if err != nil {
		return "staff " + id.String() + " (unknown)"
	}
	return fmt.Sprintf("%s (staff %s)", st.Login, id)
}

// explain describes the decision with department names.
func explain(svc *rbac.Service, id rbac.StaffID, p rbac.Permission) string {
	return svc.Describe(context.Background(), svc.Explain(id, p))
}
