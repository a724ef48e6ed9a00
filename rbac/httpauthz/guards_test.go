package httpauthz_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/rbac/hours"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
	"github.com/billingrbac/billingrbac/rbac/tasks"
)

// whoAmI answers with the identity the guard put in the context.
var whoAmI = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	id, ok := httpauthz.StaffFrom(r.Context())
	fmt.Fprintf(w, "%s %v", id, ok)
})

// TestGuardsWithChi: the guards are plain net/http middleware, mounted
// with chi's With; the handler receives the identity the guard found.
func TestGuardsWithChi(t *testing.T) {
	f := setup(t, testdb.SQLite)
	g := httpauthz.New(httpauthz.Staff(f.svc, headerIdentity), httpauthz.Options{})
	view, send := rbac.Perm(rbac.FuncInvoices, rbac.ActView), rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
	payView := rbac.Perm(rbac.FuncPayments, rbac.ActView)
	require.True(t, f.svc.Can(f.john, payView), "fixture: Sales gives payments:view")
	require.False(t, f.svc.Can(f.john, send), "fixture: john cannot send invoices")

	r := chi.NewRouter()
	r.With(g.SignedIn).Get("/me", whoAmI)
	r.With(g.All(payView, send)).Post("/invoices/send", whoAmI)
	r.With(g.Any(send, payView)).Get("/payments", whoAmI)
	r.With(g.Middleware(view)).Get("/invoices", whoAmI)

	for _, c := range []struct {
		method, path string
		who          rbac.StaffID
		status       int
		body, perm   string
	}{
		{"GET", "/me", f.john, 200, f.john.String() + " true", ""},
		{"GET", "/me", 0, 401, "", ""},
		{"POST", "/invoices/send", f.admin, 200, f.admin.String() + " true", ""},
		{"POST", "/invoices/send", f.john, 403, "", "invoices:send"}, // the first missing one
		{"GET", "/payments", f.john, 200, f.john.String() + " true", ""},
		{"GET", "/payments", 0, 401, "", "invoices:send payments:view"},
	} {
		t.Run(c.method+" "+c.path+" as "+c.who.String(), func(t *testing.T) {
			res, p, body := do(t, r, c.method, c.path, c.who)
			assert.Equal(t, c.status, res.StatusCode)
			if c.status == 200 {
				assert.Equal(t, c.body, body)
			}
			assert.Equal(t, c.perm, p.Permission)
		})
	}
	// Any denies only when every permission is missing.
	other, err := f.svc.CreateStaff(t.Context(), f.admin, rbac.NewStaff{Login: "nobody",
		FullName: rbac.Text(language.English, "Nobody")})
	require.NoError(t, err)
	res, p, _ := do(t, r, "GET", "/payments", other.ID)
	assert.Equal(t, 403, res.StatusCode)
	assert.Equal(t, "invoices:send payments:view", p.Permission)
	assert.Equal(t, fmt.Sprintf("staff %s lacks one of the permissions invoices:send payments:view", other.ID), p.Detail)
}

// A route requiring a permission that does not exist fails when the route
// is built, not by silently becoming full-access-only.
func TestGuardRefusesUnknownPermissionsAtStartup(t *testing.T) {
	f := setup(t, testdb.SQLite)
	g := httpauthz.New(httpauthz.Staff(f.svc, headerIdentity), httpauthz.Options{})
	typo := rbac.Permission{Function: "invoice", Action: rbac.ActView}
	assert.PanicsWithValue(t, `httpauthz: Require: permission "invoice:view" is not in the catalog`,
		func() { g.Require(typo, http.NotFoundHandler()) })
	assert.Panics(t, func() { g.All(rbac.Perm(rbac.FuncInvoices, rbac.ActView), typo) })
	assert.Panics(t, func() { g.Any() }, "no permission")
	assert.Panics(t, func() { g.Require(rbac.Permission{}, http.NotFoundHandler()) }, "zero permission")
	// A Decider without a catalog still refuses malformed permissions.
	free := httpauthz.New(httpauthz.DeciderFunc(func(*http.Request, rbac.Permission) (httpauthz.Outcome, error) {
		return httpauthz.Outcome{Allowed: true}, nil
	}), httpauthz.Options{})
	assert.NotPanics(t, func() { free.Require(typo, http.NotFoundHandler()) }, "no catalog to check against")
	assert.Panics(t, func() { free.Require(rbac.Permission{Function: "Bad Name", Action: "x"}, http.NotFoundHandler()) })
	assert.Panics(t, func() { free.SignedIn(http.NotFoundHandler()) }, "a DeciderFunc cannot identify")
}

// TestStatusCoversEverySentinel reads the library's packages for their
// exported sentinel errors: each must have its own status and problem code
// (none may fall through to 500), so a new sentinel fails here until it is
// mapped.
func TestStatusCoversEverySentinel(t *testing.T) {
	known := map[string]error{
		"rbac.ErrNotFound": rbac.ErrNotFound, "rbac.ErrConflict": rbac.ErrConflict,
		"rbac.ErrInvalid": rbac.ErrInvalid, "rbac.ErrPermissionDenied": rbac.ErrPermissionDenied,
		"rbac.ErrInheritedPermission": rbac.ErrInheritedPermission, "rbac.ErrLastFullAccess": rbac.ErrLastFullAccess,
		"rbac.ErrClosed": rbac.ErrClosed, "rbac.ErrBadCredentials": rbac.ErrBadCredentials,
		"rbac.ErrAccountDisabled":      rbac.ErrAccountDisabled,
		"rbac.ErrSecondFactorRequired": rbac.ErrSecondFactorRequired, "rbac.ErrBadSecondFactor": rbac.ErrBadSecondFactor,
		"rbac.ErrChallengeExpired": rbac.ErrChallengeExpired, "rbac.ErrSignInThrottled": rbac.ErrSignInThrottled,
		"rbac.ErrConflictOfDuties":  rbac.ErrConflictOfDuties,
		"rbac.ErrAddressNotAllowed": rbac.ErrAddressNotAllowed, "httpauthz.ErrNoAddress": httpauthz.ErrNoAddress,
		"rbac.ErrPasswordsDisabled": rbac.ErrPasswordsDisabled,
		"rbac.ErrHeadMoved":         rbac.ErrHeadMoved, "rbac.ErrNeedsLock": rbac.ErrNeedsLock,
		"clients.ErrFirstUser": clients.ErrFirstUser, "clients.ErrCrossClient": clients.ErrCrossClient,
		"hours.ErrInvalid": hours.ErrInvalid, "hours.ErrNeverOpen": hours.ErrNeverOpen,
		"hours.ErrAlwaysOpen": hours.ErrAlwaysOpen, "hours.ErrOutOfRange": hours.ErrOutOfRange,
		"tasks.ErrNoDepartment":   tasks.ErrNoDepartment,
		"httpauthz.ErrNoIdentity": httpauthz.ErrNoIdentity,
	}
	found := 0
	for _, dir := range []string{"..", "../clients", "../hours", "../tasks", "."} {
		for _, name := range exportedSentinels(t, dir) {
			found++
			err, ok := known[name]
			if !assert.True(t, ok, "sentinel %s is not mapped: add it to httpauthz's status table and to this test", name) {
				continue
			}
			status, code := httpauthz.Status(fmt.Errorf("wrapped: %w", err))
			assert.NotEqual(t, http.StatusInternalServerError, status, name)
			assert.NotEmpty(t, code, name)
		}
	}
	require.NotZero(t, found, "no sentinels found: the parser looks in the wrong place")

	// Where one error matches two sentinels, the more specific wins.
	status, code := httpauthz.Status(fmt.Errorf("%w: %w", rbac.ErrLastFullAccess, rbac.ErrPermissionDenied))
	assert.Equal(t, http.StatusConflict, status)
	assert.Equal(t, "last-full-access", code)
	status, code = httpauthz.Status(errors.New("disk on fire"))
	assert.Equal(t, 500, status)
	assert.Equal(t, "internal-error", code)
}

// exportedSentinels lists "pkg.ErrX" for every exported package-level
// variable named Err* initialised with errors.New in dir's non-test files.
func exportedSentinels(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	var out []string
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, id := range vs.Names {
				if !id.IsExported() || !strings.HasPrefix(id.Name, "Err") || i >= len(vs.Values) {
					continue
				}
				if call, ok := vs.Values[i].(*ast.CallExpr); ok {
					if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "New" {
						out = append(out, f.Name.Name+"."+id.Name)
					}
				}
			}
			return true
		})
	}
	return out
}

// TestProblemsFor: the problem for each kind of error shows what the
// caller may know and nothing else.
func TestProblemsFor(t *testing.T) {
	req := httptest.NewRequest("POST", "/staff", nil)
	ve := &rbac.ValidationError{Op: "create staff", Fields: []rbac.FieldError{{Field: "login", Rule: "required", Message: "is required"}}}
	p := httpauthz.Problems{}.For(req, ve)
	assert.Equal(t, 400, p.Status)
	assert.Equal(t, "invalid", p.Code)
	assert.Equal(t, []httpauthz.FieldProblem{{Field: "login", Rule: "required", Message: "is required"}}, p.Errors)

	denied := fmt.Errorf("grant: department \"Finance\" holds it: %w", rbac.ErrPermissionDenied)
	p = httpauthz.Problems{}.For(req, denied)
	assert.Equal(t, 403, p.Status)
	assert.NotContains(t, p.Detail, "Finance", "a denial's text is shown only with Explain")
	p = httpauthz.Problems{Explain: true}.For(req, denied)
	assert.Contains(t, p.Detail, "Finance")

	// A DeniedError's code is always there: it names nobody.
	typed := fmt.Errorf("wrapped: %w", &rbac.DeniedError{Op: "grant", Actor: 2, Target: 3, Missing: rbac.Perm(rbac.FuncReports, rbac.ActView), Reason: "hanna cannot give reports:view to john"})
	p = httpauthz.Problems{}.For(req, typed)
	assert.Equal(t, string(rbac.DenialWouldGive), p.Denial)
	assert.NotContains(t, p.Detail, "john")

	p = httpauthz.Problems{}.For(req, errors.New("pq: password authentication failed for user billing"))
	assert.Equal(t, 500, p.Status)
	assert.NotContains(t, p.Detail, "password")

	rec := httptest.NewRecorder()
	httpauthz.Problems{TypeBase: "https://billing.example/problems/"}.WriteError(rec, req, fmt.Errorf("x: %w", rbac.ErrBadCredentials))
	assert.Equal(t, 401, rec.Code)
	assert.Equal(t, "Bearer", rec.Header().Get("WWW-Authenticate"))
	assert.Contains(t, rec.Body.String(), `"type":"https://billing.example/problems/bad-credentials"`)
}
