package admin_test

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// world is what every refusal case starts from: Billing (invoices), John
// in Sales, a viewer who may look at everything and change nothing, and a
// manager who may manage departments and staff but holds no invoice right.
type world struct {
	*app
	billing, viewers, managers rbac.DepartmentID
	john, viewer, manager      rbac.StaffID
}

func newWorld(t *testing.T) *world {
	a := newApp(t, testdb.SQLite)
	ctx, adm := t.Context(), a.admin
	dept := func(name string, perms ...rbac.Permission) rbac.DepartmentID {
		d, err := a.svc.CreateDepartment(ctx, adm, rbac.NewDepartment{Name: rbac.Text(language.English, name)})
		require.NoError(t, err)
		require.NoError(t, a.svc.SetDepartmentPermissions(ctx, adm, d.ID, perms...))
		return d.ID
	}
	staff := func(login string, d ...rbac.DepartmentID) rbac.StaffID {
		s, err := a.svc.CreateStaff(ctx, adm, rbac.NewStaff{Login: login, FullName: rbac.Text(language.English, login), Departments: d})
		require.NoError(t, err)
		return s.ID
	}
	w := &world{app: a}
	w.billing = dept("Billing", rbac.Perm(rbac.FuncInvoices, rbac.ActView))
	w.viewers = dept("Viewers", rbac.Perm(rbac.FuncDepartments, rbac.ActView), rbac.Perm(rbac.FuncStaff, rbac.ActView),
		rbac.Perm(rbac.FuncActionLog, rbac.ActView))
	var mgr []rbac.Permission
	for _, f := range []rbac.Function{rbac.FuncDepartments, rbac.FuncStaff} {
		for _, act := range []rbac.Action{rbac.ActView, rbac.ActAdd, rbac.ActEdit, rbac.ActDelete} {
			mgr = append(mgr, rbac.Perm(f, act))
		}
	}
	w.managers = dept("Managers", append(mgr, rbac.SalesPermissions()...)...)
	w.john = staff("john", a.boot.Sales.ID)
	w.viewer = staff("viewer", w.viewers)
	w.manager = staff("manager", w.managers)
	return w
}

// formCase is one form of the screens or one write of the API, with a
// request the admin's rights allow.
type formCase struct {
	name   string
	method string
	path   func(w *world) string
	body   func(w *world) (contentType string, body []byte)
	// byManager: the manager holds the section's right, and the library
	// refuses on its other rules (what the change would give).
	byManager bool
	missing   string
	// reviewOnly: the admin's request succeeds and changes nothing (a
	// dry run).
	reviewOnly bool
}

func form(kv ...string) func(*world) (string, []byte) {
	return func(*world) (string, []byte) {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return "application/x-www-form-urlencoded", []byte(v.Encode())
	}
}

func jsonBody(s string) func(*world) (string, []byte) {
	return func(*world) (string, []byte) { return "application/json", []byte(s) }
}

func avatarUpload(w *world) (string, []byte) {
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, rbac.AvatarSize, rbac.AvatarSize)))
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("avatar", "a.png")
	_, _ = fw.Write(img.Bytes())
	_ = mw.Close()
	return mw.FormDataContentType(), b.Bytes()
}

func rawPNG(w *world) (string, []byte) {
	var img bytes.Buffer
	_ = png.Encode(&img, image.NewRGBA(image.Rect(0, 0, rbac.AvatarSize, rbac.AvatarSize)))
	return "image/png", img.Bytes()
}

func path(format string, ids ...func(w *world) string) func(w *world) string {
	return func(w *world) string {
		s := format
		for _, id := range ids {
			s = strings.Replace(s, "{}", id(w), 1)
		}
		return s
	}
}

var (
	billingID = func(w *world) string { return w.billing.String() }
	salesID   = func(w *world) string { return w.boot.Sales.ID.String() }
	johnID    = func(w *world) string { return w.john.String() }
)

var formCases = []formCase{
	{name: "create department", method: "POST", path: path("/departments"), body: form("name.en", "Finance"), missing: "departments:add"},
	{name: "edit department", method: "POST", path: path("/departments/{}", billingID), body: form("name.en", "Billing 2"), missing: "departments:edit"},
	{name: "disable department", method: "POST", path: path("/departments/{}/status", billingID), body: form("status", "disabled"), missing: "departments:edit"},
	{name: "delete department", method: "POST", path: path("/departments/{}/delete", billingID), body: form(), missing: "departments:delete"},
	{name: "department permissions", method: "POST", path: path("/departments/{}/permissions", salesID), body: form("op", "save", "perm", "clients:view"), missing: "departments:edit"},
	{name: "department permissions beyond the actor's", method: "POST", path: path("/departments/{}/permissions", salesID),
		body: form("op", "save", "perm", "invoices:view"), byManager: true, missing: "invoices:view"},
	{name: "department permissions review beyond the actor's", method: "POST", path: path("/departments/{}/permissions", salesID),
		body: form("op", "review", "perm", "invoices:view"), byManager: true, missing: "invoices:view", reviewOnly: true},
	{name: "create staff", method: "POST", path: path("/staff"), body: form("login", "mary", "full_name.en", "Mary"), missing: "staff:add"},
	{name: "create staff in a department beyond the actor's", method: "POST", path: path("/staff"),
		body: func(w *world) (string, []byte) {
			return form("login", "mary", "full_name.en", "Mary", "department", w.billing.String())(w)
		}, byManager: true, missing: "invoices:view"},
	{name: "edit staff", method: "POST", path: path("/staff/{}", johnID), body: form("login", "johnny", "full_name.en", "John"), missing: "staff:edit"},
	{name: "move staff to a department beyond the actor's", method: "POST", path: path("/staff/{}", johnID),
		body: func(w *world) (string, []byte) {
			return form("login", "john", "full_name.en", "john", "department", w.billing.String())(w)
		}, byManager: true, missing: "invoices:view"},
	{name: "disable staff", method: "POST", path: path("/staff/{}/status", johnID), body: form("status", "disabled"), missing: "staff:edit"},
	{name: "reset password", method: "POST", path: path("/staff/{}/password", johnID), body: form(), missing: "staff:edit"},
	{name: "upload avatar", method: "POST", path: path("/staff/{}/avatar", johnID), body: avatarUpload, missing: "staff:edit"},
	{name: "rights", method: "POST", path: path("/staff/{}/rights", johnID), body: form("perm", "clients:delete"), missing: "staff:edit"},
	{name: "rights beyond the actor's", method: "POST", path: path("/staff/{}/rights", johnID), body: form("perm", "invoices:view"), byManager: true, missing: "invoices:view"},

	{name: "API create department", method: "POST", path: path("/api/departments"), body: jsonBody(`{"name":{"en":"Finance"}}`), missing: "departments:add"},
	{name: "API edit department", method: "PUT", path: path("/api/departments/{}", billingID), body: jsonBody(`{"name":{"en":"Billing 2"}}`), missing: "departments:edit"},
	{name: "API delete department", method: "DELETE", path: path("/api/departments/{}", billingID), body: jsonBody(``), missing: "departments:delete"},
	{name: "API department status", method: "PUT", path: path("/api/departments/{}/status", billingID), body: jsonBody(`{"status":"disabled"}`), missing: "departments:edit"},
	{name: "API department permissions", method: "PUT", path: path("/api/departments/{}/permissions", salesID), body: jsonBody(`{"permissions":["invoices:view"]}`), byManager: true, missing: "invoices:view"},
	{name: "API create staff", method: "POST", path: path("/api/staff"), body: jsonBody(`{"login":"mary","full_name":{"en":"Mary"}}`), missing: "staff:add"},
	{name: "API edit staff", method: "PUT", path: path("/api/staff/{}", johnID), body: jsonBody(`{"login":"johnny","full_name":{"en":"John"}}`), missing: "staff:edit"},
	{name: "API staff status", method: "PUT", path: path("/api/staff/{}/status", johnID), body: jsonBody(`{"status":"disabled"}`), missing: "staff:edit"},
	{name: "API reset password", method: "POST", path: path("/api/staff/{}/password", johnID), body: jsonBody(``), missing: "staff:edit"},
	{name: "API avatar", method: "PUT", path: path("/api/staff/{}/avatar", johnID), body: rawPNG, missing: "staff:edit"},
	{name: "API grants", method: "PUT", path: path("/api/staff/{}/grants", johnID), body: jsonBody(`{"permissions":["invoices:view"]}`), byManager: true, missing: "invoices:view"},
}

func send(t *testing.T, w *world, actor rbac.StaffID, c formCase) (int, string) {
	t.Helper()
	ct, body := c.body(w)
	req, err := http.NewRequestWithContext(t.Context(), c.method, w.srv.URL+mount+c.path(w), bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", ct)
	resp, err := w.client(actor).Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFormsRefuseWhatTheLibraryRefuses sends every form and API write as
// an actor the library refuses, then as the admin: the first is a 403 that
// names the missing permission and changes nothing (no version, no log
// entry), the second succeeds and changes something, so the request was
// one that matters.
func TestFormsRefuseWhatTheLibraryRefuses(t *testing.T) {
	for _, c := range formCases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			actor := w.viewer
			if c.byManager {
				actor = w.manager
			}
			v := w.svc.Version()
			status, body := send(t, w, actor, c)
			assert.Equal(t, http.StatusForbidden, status, body)
			assert.Contains(t, body, c.missing, "the refusal names what is missing")
			assert.Equal(t, v, w.svc.Version(), "a refused request changes nothing")
			log, err := w.svc.AuditLog(t.Context(), w.admin, rbac.ChangeQuery{AfterVersion: v})
			require.NoError(t, err)
			assert.Empty(t, log)

			status, body = send(t, w, w.admin, c)
			assert.Less(t, status, 400, body)
			if c.reviewOnly {
				assert.Equal(t, v, w.svc.Version(), "a review is a dry run")
				return
			}
			assert.Greater(t, w.svc.Version(), v, "the admin's request changes something")
		})
	}
}

// TestPagesRefuseWithoutTheViewRight opens every page as a staff member
// without rights: 403 with the missing permission, and no navigation to
// sections they may not open.
func TestPagesRefuseWithoutTheViewRight(t *testing.T) {
	w := newWorld(t)
	nobody, err := w.svc.CreateStaff(t.Context(), w.admin, rbac.NewStaff{Login: "nobody", FullName: rbac.Text(language.English, "Nobody")})
	require.NoError(t, err)
	c := w.client(nobody.ID)
	for p, missing := range map[string]string{
		"/departments": "departments:view", "/departments/new": "departments:add", "/departments/" + w.billing.String(): "departments:edit",
		"/departments/" + w.billing.String() + "/permissions": "departments:view", "/staff": "staff:view", "/staff/new": "staff:add",
		"/staff/" + w.john.String(): "staff:view", "/staff/" + w.john.String() + "/rights": "staff:view", "/log": "actionlog:view",
		"/api/departments": "departments:view", "/api/staff": "staff:view", "/api/staff/" + w.john.String() + "/rights": "staff:view",
		"/api/log": "actionlog:view",
	} {
		status, body, _ := do(t, c, w.app, "GET", p, nil)
		assert.Equal(t, http.StatusForbidden, status, p)
		assert.Contains(t, body, missing, p)
		assert.NotContains(t, body, `id="nav-staff"`, p)
	}
	status, body, _ := do(t, w.client(w.viewer), w.app, "GET", "/departments", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, `id="nav-staff"`)
}
