package admin_test

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/admin"
)

func openAPIValidator(t *testing.T) (validator.Validator, libopenapi.Document) {
	t.Helper()
	doc, err := libopenapi.NewDocument(admin.OpenAPI())
	require.NoError(t, err)
	assert.Equal(t, "3.1.0", doc.GetVersion())
	_, err = doc.BuildV3Model()
	require.NoError(t, err)
	v, errs := validator.NewValidator(doc)
	require.Empty(t, errs)
	return v, doc
}

// TestOpenAPIDocument validates the document against the OpenAPI 3.1
// schema and checks it against the routes: every route documented, every
// documented operation routed.
func TestOpenAPIDocument(t *testing.T) {
	v, doc := openAPIValidator(t)
	ok, verrs := v.ValidateDocument()
	for _, e := range verrs {
		t.Errorf("document: %s", e.Error())
	}
	require.True(t, ok)

	model, err := doc.BuildV3Model()
	require.NoError(t, err)
	var documented []string
	for p, item := range model.Model.Paths.PathItems.FromOldest() {
		for m := range item.GetOperations().FromOldest() {
			documented = append(documented, strings.ToUpper(m)+" "+p)
		}
	}
	routed := admin.New(nil, admin.Options{}).APIRoutes()
	slices.Sort(documented)
	slices.Sort(routed)
	assert.Equal(t, routed, documented)
	assert.Len(t, routed, 20)
}

// TestAPIAnswersMatchTheDocument walks the API and validates every request
// and answer against the document, problems included.
func TestAPIAnswersMatchTheDocument(t *testing.T) {
	v, _ := openAPIValidator(t)
	a := newApp(t, testdb.SQLite)
	admin := a.client(a.admin)
	nobody, err := a.svc.CreateStaff(t.Context(), a.admin, rbac.NewStaff{Login: "nobody", FullName: rbac.Text(language.English, "Nobody")})
	require.NoError(t, err)
	call := func(c *http.Client, method, path, body string, want int) string {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), method, a.srv.URL+mount+path, strings.NewReader(body))
		require.NoError(t, err)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := c.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		assert.Equal(t, want, resp.StatusCode, "%s %s: %s", method, path, b)

		// The validator sees the request as the document does: relative
		// to where the handler is mounted.
		vreq, _ := http.NewRequest(method, strings.Replace(req.URL.String(), mount, "", 1), strings.NewReader(body))
		vreq.Header = req.Header.Clone()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		ok, errs := v.ValidateHttpRequestResponse(vreq, resp)
		for _, e := range errs {
			t.Errorf("%s %s: %s", method, path, e.Error())
		}
		assert.True(t, ok, "%s %s", method, path)
		return string(b)
	}
	call(admin, "GET", "/api/departments", "", 200)
	call(admin, "POST", "/api/departments", `{"name":{"en":"Billing","ru":"Биллинг"},"accepts_client_requests":true,"schedule":0,"response_target_seconds":3600}`, 201)
	ds, err := a.svc.Departments(t.Context())
	require.NoError(t, err)
	billing := ds[len(ds)-1].ID.String()
	call(admin, "GET", "/api/departments/"+billing, "", 200)
	call(admin, "PUT", "/api/departments/"+billing+"/permissions?dry_run=true", `{"permissions":["invoices:view"]}`, 200)
	call(admin, "PUT", "/api/departments/"+billing+"/permissions", `{"permissions":["invoices:view","invoices:send"]}`, 200)
	call(admin, "GET", "/api/departments/"+billing+"/permissions", "", 200)
	call(admin, "PUT", "/api/departments/"+billing+"/status", `{"status":"disabled"}`, 200)
	body := call(admin, "POST", "/api/staff", `{"login":"john","full_name":{"en":"John"},"departments":[`+a.boot.Sales.ID.String()+`],"generate_password":true}`, 201)
	assert.Contains(t, body, `"password":"`)
	call(admin, "GET", "/api/staff?q=jo", "", 200)
	call(admin, "PUT", "/api/staff/2/grants", `{"permissions":["invoices:view"]}`, 200)
	body = call(admin, "GET", "/api/staff/2/rights", "", 200)
	assert.Contains(t, body, `{"permission":"invoices:view","sources":[{"kind":"direct"}],"editable":true}`)
	call(admin, "GET", "/api/log?op=staff.grant", "", 200)
	call(admin, "GET", "/api/openapi.yaml", "", 200)

	body = call(a.client(nobody.ID), "PUT", "/api/staff/2/grants", `{"permissions":["invoices:view","invoices:send"]}`, 403)
	assert.Contains(t, body, `"permission":"staff:edit"`)
	body = call(admin, "POST", "/api/departments", `{"name":{"en":""}}`, 400)
	assert.Contains(t, body, `"field":"name`)
	call(admin, "GET", "/api/staff/999", "", 404)
	call(&http.Client{}, "GET", "/api/departments", "", 401)
}
