package report_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
	"github.com/billingrbac/billingrbac/rbac/report"
)

func fixture(t testing.TB) *rbactest.Instance {
	return rbactest.New(t, rbactest.Fixture{
		Departments: []rbactest.FixtureDepartment{
			{Name: "Billing", Permissions: []string{"invoices:view", "invoices:add", "invoices:edit", "invoices:delete", "invoices:send"}},
			{Name: "Empty"},
		},
		Staff: []rbactest.FixtureStaff{
			{Login: "john", Name: "John Smith", Departments: []string{"Sales department"}, Grants: []string{"invoices:send"}},
			{Login: "mary", Name: "Mary <Jones>", Departments: []string{"Technical support", "Billing"}},
			{Login: "dave", Departments: []string{"Sales department"}, Disabled: true},
		},
	})
}

var cols = []rbac.Permission{
	rbac.Perm(rbac.FuncClients, rbac.ActView),
	rbac.Perm(rbac.FuncInvoices, rbac.ActSend),
	rbac.Perm(rbac.FuncSettings, rbac.ActEdit),
}

func TestMatrixFormats(t *testing.T) {
	in := fixture(t)
	ctx := t.Context()
	m, err := report.BuildMatrix(ctx, in.Service, cols)
	require.NoError(t, err)
	want := map[report.Format]string{
		report.FormatTable: `staff  status    clients:view  invoices:send  settings:edit
admin  active    full          full           full
john   active    dept          direct         -
mary   active    dept          dept           -
dave   disabled  -             -              -
`,
		report.FormatCSV: `staff,status,clients:view,invoices:send,settings:edit
admin,active,full,full,full
john,active,dept,direct,-
mary,active,dept,dept,-
dave,disabled,-,-,-
`,
		report.FormatMarkdown: `| staff | status | clients:view | invoices:send | settings:edit |
|---|---|:---:|:---:|:---:|
| admin | active | full | full | full |
| john | active | dept | direct | - |
| mary | active | dept | dept | - |
| dave | disabled | - | - | - |
`,
	}
	for f, w := range want {
		var b bytes.Buffer
		require.NoError(t, m.Write(&b, f))
		assert.Equal(t, w, b.String(), "format %s", f)
	}
	assert.ErrorIs(t, m.Write(&bytes.Buffer{}, "xml"), rbac.ErrInvalid, "unknown format")
	// Nil permissions: the whole catalog.
	all, err := report.BuildMatrix(ctx, in.Service, nil)
	require.NoError(t, err)
	assert.Len(t, all.Permissions, len(in.Service.Catalog().Permissions()))
	assert.Len(t, all.Rows, 4)
}

func TestCellMark(t *testing.T) {
	both := report.Cell{Allowed: true, Sources: []rbac.Source{{Kind: rbac.SourceDepartment, Department: 1}, {Kind: rbac.SourceDirect}}}
	assert.Equal(t, "dept+direct", both.Mark())
	assert.Equal(t, "-", (report.Cell{Sources: both.Sources}).Mark(), "denied cell")
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]report.Format{"table": report.FormatTable, "": report.FormatTable, "CSV": report.FormatCSV, "md": report.FormatMarkdown, "markdown": report.FormatMarkdown} {
		got, err := report.ParseFormat(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	var ve *rbac.ValidationError
	_, err := report.ParseFormat("pdf")
	if assert.ErrorAs(t, err, &ve) {
		assert.True(t, ve.Has("format", "enum"), "pdf: %v", err)
	}
}

func TestBuildReview(t *testing.T) {
	in := fixture(t)
	at := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	r, err := report.BuildReview(t.Context(), in.Service, report.ReviewOptions{Now: func() time.Time { return at }})
	require.NoError(t, err)
	assert.Equal(t, "Access review", r.Title)
	assert.True(t, r.GeneratedAt.Equal(at), "generated at %v", r.GeneratedAt)
	assert.Equal(t, 1, r.FullAccessCount())
	var names []string
	for _, d := range r.Departments {
		names = append(names, d.Name)
	}
	require.Equal(t, []string{"Billing", "Empty", "Sales department", "Technical support"}, names)
	billing := r.Departments[0] // sort order 0 before the defaults (10, 20)
	inv := -1
	for i, fi := range r.Functions {
		if fi.Function == rbac.FuncInvoices {
			inv = i
		}
	}
	if c := billing.Cells[inv]; len(c.Held) != 5 || c.Total != 5 || c.Level() != 4 || billing.Members != 1 {
		t.Fatalf("Billing × invoices: %+v, members %d", c, billing.Members)
	}
	john := r.Staff[1]
	if john.Staff.Login != "john" || len(john.Direct) != 1 || john.Direct[0] != rbac.Perm(rbac.FuncInvoices, rbac.ActSend) ||
		len(john.Inherited) != len(rbac.SalesPermissions()) || john.Departments[0] != "Sales department" {
		t.Fatalf("john: %+v", john)
	}
	for _, c := range []struct {
		c    report.HeatCell
		want int
	}{{report.HeatCell{Total: 4}, 0}, {report.HeatCell{Held: make([]rbac.Action, 1), Total: 4}, 1},
		{report.HeatCell{Held: make([]rbac.Action, 2), Total: 4}, 2}, {report.HeatCell{Held: make([]rbac.Action, 3), Total: 4}, 3},
		{report.HeatCell{Held: make([]rbac.Action, 4), Total: 4}, 4}} {
		assert.Equal(t, c.want, c.c.Level(), "%d/%d", len(c.c.Held), c.c.Total)
	}
}

const chromiumPath = "/usr/bin/chromium"

// TestReviewInChromium renders the review page in headless Chromium and
// checks the department and staff rows of the DOM the browser built.
func TestReviewInChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: .ci/run installs Debian's chromium package", chromiumPath)
		}
		t.Skipf("%s not installed (apt-get install -y chromium); the HTML report is not rendered", chromiumPath)
	}
	in := fixture(t)
	r, err := report.BuildReview(t.Context(), in.Service, report.ReviewOptions{Title: "Access review <test>"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "review.html")
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), chromiumPath, "--headless", "--no-sandbox", "--disable-gpu",
		"--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"), "--dump-dom", "file://"+page)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)

	if title := textOf(findOne(t, dom, `<title>(.*?)</title>`)); title != "Access review <test>" {
		t.Errorf("title %q", title)
	}
	depts := rows(dom, `data-department="([^"]*)"`)
	wantDepts := map[string]string{
		"Sales department":  "Sales department 2 active",
		"Technical support": "Technical support 1 active",
		"Billing":           "Billing 1 active",
		"Empty":             "Empty 0 active",
	}
	if len(depts) != len(wantDepts) {
		t.Errorf("department rows %v", keys(depts))
	}
	for name, prefix := range wantDepts {
		if !strings.HasPrefix(depts[name], prefix+" ") {
			t.Errorf("department %q row %q, want prefix %q", name, depts[name], prefix)
		}
	}
	// Sales holds clients view/add/edit of 4; Billing all 5 invoice actions.
	if !strings.Contains(depts["Sales department"], "3/4") || !strings.Contains(depts["Billing"], "5/5") || strings.Contains(depts["Empty"], "1/") {
		t.Errorf("heat cells: Sales %q, Billing %q, Empty %q", depts["Sales department"], depts["Billing"], depts["Empty"])
	}
	staff := rows(dom, `data-login="([^"]*)"`)
	wantStaff := map[string]string{
		"admin": "admin Administrator active FULL ACCESS",
		"john":  "john John Smith active Sales department 12 inherited, 1 direct",
		"mary":  "mary Mary <Jones> active Technical support, Billing 15 inherited, 0 direct",
		"dave":  "dave dave disabled Sales department 0 inherited, 0 direct",
	}
	if len(staff) != len(wantStaff) {
		t.Errorf("staff rows %v", keys(staff))
	}
	for login, prefix := range wantStaff {
		if !strings.HasPrefix(staff[login], prefix) {
			t.Errorf("staff %q row %q, want prefix %q", login, staff[login], prefix)
		}
	}
	if !strings.HasSuffix(staff["john"], "invoices:send") {
		t.Errorf("john's direct grant missing: %q", staff["john"])
	}
	// The full-access account is highlighted, the disabled one struck out.
	if !regexp.MustCompile(`<tr data-login="admin" class="full-access`).MatchString(dom) ||
		!regexp.MustCompile(`<tr data-login="dave" class=" disabled"`).MatchString(dom) {
		t.Errorf("row classes missing in:\n%s", dom)
	}
	if got := textOf(findOne(t, dom, `<span id="count-full-access">(.*?)</span>`)); got != "1" {
		t.Errorf("full-access count %q", got)
	}
	// Self-contained: nothing to fetch.
	if regexp.MustCompile(`(?i)<(script|link|img|iframe)\b`).MatchString(b.String()) {
		t.Errorf("the page loads external resources")
	}
}

// rows maps each <tr> carrying the attribute matched by attr to its text.
func rows(dom, attr string) map[string]string {
	out := map[string]string{}
	re := regexp.MustCompile(`(?s)<tr ` + attr + `[^>]*>(.*?)</tr>`)
	for _, m := range re.FindAllStringSubmatch(dom, -1) {
		out[textOf(m[1])] = textOf(m[2])
	}
	return out
}

var (
	tagRE   = regexp.MustCompile(`<[^>]*>`)
	spaceRE = regexp.MustCompile(`\s+`)
)

// textOf strips tags and entities the way a reader sees the text.
func textOf(s string) string {
	s = tagRE.ReplaceAllString(s, " ")
	s = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&", "&quot;", `"`, "&#34;", `"`, "&#39;", "'").Replace(s)
	s = strings.ReplaceAll(s, " ,", ",")
	return strings.TrimSpace(spaceRE.ReplaceAllString(s, " "))
}

func findOne(t *testing.T, dom, pattern string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)` + pattern).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("no %s in the page", pattern)
	}
	return m[1]
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
