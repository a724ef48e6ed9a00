package report_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

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
	if err != nil {
		t.Fatal(err)
	}
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
		if err := m.Write(&b, f); err != nil {
			t.Fatal(err)
		}
		if b.String() != w {
			t.Errorf("%s:\n%s\nwant:\n%s", f, b.String(), w)
		}
	}
	if err := m.Write(&bytes.Buffer{}, "xml"); !errors.Is(err, rbac.ErrInvalid) {
		t.Errorf("unknown format: %v", err)
	}
	// Nil permissions: the whole catalog.
	all, err := report.BuildMatrix(ctx, in.Service, nil)
	if err != nil || len(all.Permissions) != len(in.Service.Catalog().Permissions()) || len(all.Rows) != 4 {
		t.Fatalf("catalog matrix: %d columns, %d rows, %v", len(all.Permissions), len(all.Rows), err)
	}
}

func TestCellMark(t *testing.T) {
	both := report.Cell{Allowed: true, Sources: []rbac.Source{{Kind: rbac.SourceDepartment, Department: 1}, {Kind: rbac.SourceDirect}}}
	if got := both.Mark(); got != "dept+direct" {
		t.Errorf("got %q", got)
	}
	if got := (report.Cell{Sources: both.Sources}).Mark(); got != "-" {
		t.Errorf("denied cell: got %q", got)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]report.Format{"table": report.FormatTable, "": report.FormatTable, "CSV": report.FormatCSV, "md": report.FormatMarkdown, "markdown": report.FormatMarkdown} {
		if got, err := report.ParseFormat(in); err != nil || got != want {
			t.Errorf("%q: got %q, %v", in, got, err)
		}
	}
	var ve *rbac.ValidationError
	if _, err := report.ParseFormat("pdf"); !errors.As(err, &ve) || !ve.Has("format", "enum") {
		t.Errorf("pdf: %v", err)
	}
}

// reviewFixture is the fixture with a history: changes with reasons, a
// disabled department, a sensitive direct grant and a risky combination.
func reviewFixture(t *testing.T) *rbactest.Instance {
	in := fixture(t)
	svc, admin, ctx := in.Service, in.Admin, t.Context()
	john, mary := in.StaffID("john"), in.StaffID("mary")
	require.NoError(t, svc.Grant(rbac.WithReason(ctx, "month-end close, ticket 4711"), admin, john, rbac.Perm(rbac.FuncReports, rbac.ActView)))
	require.NoError(t, svc.Grant(ctx, admin, mary, rbac.Perm(rbac.FuncPayments, rbac.ActAdd)))
	legacy, err := svc.CreateDepartment(ctx, admin, rbac.NewDepartment{Name: rbac.Text(language.English, "Legacy billing")})
	require.NoError(t, err)
	require.NoError(t, svc.EnablePermissions(rbac.WithReason(ctx, "old panel"), admin, legacy.ID, rbac.Perm(rbac.FuncTariffs, rbac.ActEdit), rbac.Perm(rbac.FuncClients, rbac.ActView)))
	require.NoError(t, svc.AddToDepartment(ctx, admin, john, legacy.ID))
	disabled := rbac.StatusDisabled
	_, err = svc.UpdateDepartment(rbac.WithReason(ctx, "replaced by Billing"), admin, legacy.ID, rbac.DepartmentUpdate{Status: &disabled})
	require.NoError(t, err)
	return in
}

func TestBuildReview(t *testing.T) {
	in := reviewFixture(t)
	at := time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)
	r, err := report.BuildReview(t.Context(), in.Service, report.ReviewOptions{Now: func() time.Time { return at }, Reader: in.Admin})
	require.NoError(t, err)
	assert.Equal(t, "Access review", r.Title)
	assert.True(t, r.GeneratedAt.Equal(at))
	assert.Equal(t, 1, r.FullAccessCount())
	assert.Equal(t, in.Service.Version(), r.Version)
	assert.Regexp(t, `^[0-9a-f]{64}$`, r.Hash)
	require.True(t, r.Provenance, r.ProvenanceNote)

	var names []string
	for _, d := range r.Departments {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"Billing", "Empty", "Legacy billing", "Sales department", "Technical support"}, names)
	billing := r.Departments[0]
	inv := slices.IndexFunc(r.Functions, func(f report.FunctionColumn) bool { return f.Function == rbac.FuncInvoices })
	c := billing.Cells[inv]
	assert.Equal(t, []rbac.Action{"view", "add", "edit", "delete", "send"}, c.Held)
	assert.Equal(t, []rbac.Action{"delete"}, c.Sensitive, "invoices:delete is sensitive")
	assert.Equal(t, 4, c.Level())
	assert.Equal(t, []string{"mary"}, billing.Logins)

	// The disabled department: what re-enabling restores, and to whom.
	legacy := r.Departments[2]
	assert.Equal(t, []report.Restore{{Permission: rbac.Perm(rbac.FuncClients, rbac.ActView), Members: 0},
		{Permission: rbac.Perm(rbac.FuncTariffs, rbac.ActEdit), Members: 1}}, legacy.Restores)
	require.Len(t, legacy.Grants, 2)
	require.NotNil(t, legacy.Grants[1].Provenance)
	assert.Equal(t, "admin", legacy.Grants[1].Provenance.Actor)
	assert.Equal(t, "old panel", legacy.Grants[1].Provenance.Reason)

	// Individually listed: admin (full access), john (direct grants), mary
	// (direct grant, finding), dave (disabled, with what re-enabling restores).
	ex := map[string]report.ExceptionRow{}
	for _, e := range r.Exceptions {
		ex[e.Login] = e
	}
	require.Len(t, ex, 4)
	assert.Equal(t, []string{"full access"}, ex["admin"].Why)
	require.NotNil(t, ex["admin"].FullAccessBy)
	assert.Equal(t, "system", ex["admin"].FullAccessBy.Actor)
	john := ex["john"]
	require.Len(t, john.Direct, 2)
	assert.Equal(t, rbac.Perm(rbac.FuncInvoices, rbac.ActSend), john.Direct[0].Permission)
	rep := john.Direct[1]
	assert.Equal(t, rbac.Perm(rbac.FuncReports, rbac.ActView), rep.Permission)
	assert.True(t, rep.Sensitive)
	require.NotNil(t, rep.Provenance)
	assert.Equal(t, "month-end close, ticket 4711", rep.Provenance.Reason)
	dave := ex["dave"]
	assert.Equal(t, []string{"disabled"}, dave.Why)
	assert.ElementsMatch(t, rbac.SalesPermissions(), dave.Restores, "re-enabling dave restores Sales")
	assert.Equal(t, []string{"direct grants"}, ex["mary"].Why)

	// Findings: mary holds invoices:edit (Billing) and payments:add (direct).
	require.Len(t, r.Findings, 1)
	assert.Equal(t, "F-1", r.Findings[0].ID)
	assert.Equal(t, []string{"mary"}, r.Findings[0].Staff)
	assert.Equal(t, 1, r.Findings[0].StaffCount)
	assert.Equal(t, []string{}, append([]string{}, r.Findings[0].Departments...))

	// Per-permission sources.
	pr := r.Permissions[slices.IndexFunc(r.Permissions, func(p report.PermissionRow) bool {
		return p.Permission == rbac.Perm(rbac.FuncTariffs, rbac.ActEdit)
	})]
	assert.Equal(t, []report.DepartmentHolding{{Name: "Legacy billing", Members: 1, Disabled: true}}, pr.Departments)
	assert.Equal(t, 1, pr.Holders, "admin only: Legacy billing is disabled")

	// Recent changes, newest first; the hash does not move with the clock.
	require.NotEmpty(t, r.Recent)
	assert.Equal(t, rbac.OpDepartmentUpdate, r.Recent[0].Op)
	assert.Equal(t, "replaced by Billing", r.Recent[0].Reason)
	again, err := report.BuildReview(t.Context(), in.Service, report.ReviewOptions{Reader: in.Admin})
	require.NoError(t, err)
	assert.Equal(t, r.Hash, again.Hash)
}

func TestReviewHeatLevels(t *testing.T) {
	for _, c := range []struct {
		c    report.HeatCell
		want int
	}{{report.HeatCell{Total: 4}, 0}, {report.HeatCell{Held: make([]rbac.Action, 1), Total: 4}, 1},
		{report.HeatCell{Held: make([]rbac.Action, 2), Total: 4}, 2}, {report.HeatCell{Held: make([]rbac.Action, 3), Total: 4}, 3},
		{report.HeatCell{Held: make([]rbac.Action, 4), Total: 4}, 4}} {
		assert.Equal(t, c.want, c.c.Level(), "%d/%d", len(c.c.Held), c.c.Total)
	}
}

// A review without a reader, or with one who may not read the action log,
// says provenance is missing instead of failing.
func TestReviewWithoutProvenance(t *testing.T) {
	in := reviewFixture(t)
	for reader, note := range map[rbac.StaffID]string{0: "no reader", in.StaffID("john"): "may not read the action log"} {
		r, err := report.BuildReview(t.Context(), in.Service, report.ReviewOptions{Reader: reader})
		require.NoError(t, err)
		assert.False(t, r.Provenance)
		assert.Contains(t, r.ProvenanceNote, note)
		assert.Empty(t, r.Recent)
	}
}

// A sign-off is recorded in the action log with the review's hash; the
// next review of the same access shows it as certifying this content, and
// a change of access changes the hash.
func TestReviewSignOff(t *testing.T) {
	in := reviewFixture(t)
	ctx := t.Context()
	r, err := report.BuildReview(ctx, in.Service, report.ReviewOptions{Reader: in.Admin})
	require.NoError(t, err)
	ch, err := in.Service.SignOffReview(rbac.WithReason(ctx, "Q1"), in.Admin, r.SignOff("reviewed; F-1 accepted"))
	require.NoError(t, err)
	assert.Equal(t, rbac.ReviewTarget(r.Hash), ch.Target)

	next, err := report.BuildReview(ctx, in.Service, report.ReviewOptions{Reader: in.Admin})
	require.NoError(t, err)
	assert.Equal(t, r.Hash, next.Hash, "a sign-off does not change what it certifies")
	require.Len(t, next.SignOffs, 1)
	so := next.SignOffs[0]
	assert.True(t, so.Current)
	assert.Equal(t, "admin", so.Reviewer)
	assert.Equal(t, "reviewed; F-1 accepted", so.Statement)

	require.NoError(t, in.Service.Revoke(ctx, in.Admin, in.StaffID("john"), rbac.Perm(rbac.FuncReports, rbac.ActView)))
	changed, err := report.BuildReview(ctx, in.Service, report.ReviewOptions{Reader: in.Admin})
	require.NoError(t, err)
	assert.NotEqual(t, r.Hash, changed.Hash)
	assert.False(t, changed.SignOffs[0].Current)
}

const chromiumPath = "/usr/bin/chromium"

func needChromium(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: .ci/run installs Debian's chromium package", chromiumPath)
		}
		t.Skipf("%s not installed (apt-get install -y chromium); the HTML report is not rendered", chromiumPath)
	}
}

// chromium runs headless Chromium on a page with extra arguments.
func chromium(t *testing.T, page string, args ...string) []byte {
	t.Helper()
	dir := t.TempDir()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile")}, args...)
	cmd := exec.CommandContext(t.Context(), chromiumPath, append(all, "file://"+page)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	return out
}

func writePage(t *testing.T, r report.Review) (string, []byte) {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, r.WriteHTML(&b))
	page := filepath.Join(t.TempDir(), "review.html")
	require.NoError(t, os.WriteFile(page, b.Bytes(), 0o600))
	return page, b.Bytes()
}

// TestReviewInChromium renders the review page in headless Chromium and
// checks the rows of the DOM the browser built.
func TestReviewInChromium(t *testing.T) {
	needChromium(t)
	in := reviewFixture(t)
	r, err := report.BuildReview(t.Context(), in.Service, report.ReviewOptions{Title: "Access review <test>", Reader: in.Admin})
	require.NoError(t, err)
	page, html := writePage(t, r)
	dom := string(chromium(t, page, "--dump-dom"))

	assert.Equal(t, "Access review <test>", textOf(findOne(t, dom, `<title>(.*?)</title>`)))
	depts := map[string]string{} // a department's rows of every grid, joined
	re := regexp.MustCompile(`(?s)<tr data-department="([^"]*)"[^>]*>(.*?)</tr>`)
	for _, m := range re.FindAllStringSubmatch(dom, -1) {
		depts[textOf(m[1])] = strings.TrimSpace(depts[textOf(m[1])] + " | " + textOf(m[2]))
	}
	for name, want := range map[string]string{
		// Every cell's actions written out, in catalog order, over two grids.
		"Sales department":  "| Sales department 2 active view add edit view add edit view add edit view add edit | Sales department 2 active",
		"Technical support": "| Technical support 1 active view reply assign close view edit suspend resume view edit | Technical support 1 active",
		"Billing":           "| Billing 1 active view add edit delete send | Billing 1 active",
		"Empty":             "| Empty 0 active | Empty 0 active",
		"Legacy billing":    "| Legacy billing 1 disabled view edit | Legacy billing 1 disabled",
	} {
		assert.Equal(t, want, depts[name], "department %q", name)
	}
	staff := map[string]string{}
	for _, m := range regexp.MustCompile(`(?s)<div class="ex[^"]*" data-login="([^"]*)">(.*?)</div>`).FindAllStringSubmatch(dom, -1) {
		staff[m[1]] = textOf(m[2])
	}
	assert.Len(t, staff, 4, "admin, john, mary, dave are listed individually")
	assert.Contains(t, staff["admin"], "full access")
	assert.Contains(t, staff["admin"], "FULL ACCESS by system")
	assert.Contains(t, staff["john"], "reports:view by admin")
	assert.Contains(t, staff["john"], "“month-end close, ticket 4711”")
	assert.Contains(t, staff["dave"], "re-enabling restores: services:view services:add services:edit clients:view")
	assert.Contains(t, rows(dom, `data-finding="([^"]*)"`)["F-1"], "invoices:edit + payments:add")
	legacy := textOf(findOne(t, dom, `(?s)<section class="dept" data-section="Legacy billing">(.*?)</section>`))
	assert.Contains(t, legacy, "Disabled; re-enabling restores: clients:view to 0 member(s); tariffs:edit to 1 member(s)")
	assert.Contains(t, legacy, "Members: john")
	assert.Equal(t, "1", textOf(findOne(t, dom, `<span id="count-full-access">(.*?)</span>`)))
	assert.Equal(t, r.Hash, textOf(findOne(t, dom, `<code id="hash">(.*?)</code>`)))
	// Self-contained: nothing to fetch.
	assert.NotRegexp(t, `(?i)<(script|link|img|iframe)\b`, string(html))
}

// TestReviewPrintsOnA4 prints the review to PDF in Chromium: A4
// landscape pages, and every function of the grid on them (none cut off).
// BILLINGRBAC_ARTIFACTS keeps the PDF and PNGs of its pages there.
func TestReviewPrintsOnA4(t *testing.T) {
	needChromium(t)
	for _, tool := range []string{"pdfinfo", "pdftotext"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("CI=true but %s is missing: .ci/run installs poppler-utils", tool)
			}
			t.Skipf("%s not installed (apt-get install -y poppler-utils)", tool)
		}
	}
	in := reviewFixture(t)
	r, err := report.BuildReview(t.Context(), in.Service, report.ReviewOptions{Reader: in.Admin})
	require.NoError(t, err)
	page, _ := writePage(t, r)
	dir := t.TempDir()
	if a := os.Getenv("BILLINGRBAC_ARTIFACTS"); a != "" {
		dir = a
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	pdf := filepath.Join(dir, "review.pdf")
	chromium(t, page, "--no-pdf-header-footer", "--print-to-pdf="+pdf)
	info, err := exec.Command("pdfinfo", pdf).Output()
	require.NoError(t, err)
	// A4 landscape is 842 × 595 points.
	assert.Regexp(t, `Page size:\s+841\.\d+ x 59[45]\.\d+ pts \(A4\)`, string(info))
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	require.NoError(t, err)
	for _, fc := range r.Functions {
		assert.Contains(t, string(text), fc.Title, "grid column %s printed", fc.Function)
	}
	assert.Contains(t, string(text), "page 1 of")
	if os.Getenv("BILLINGRBAC_ARTIFACTS") != "" {
		if _, err := exec.LookPath("pdftoppm"); err == nil {
			_ = exec.Command("pdftoppm", "-png", "-r", "80", pdf, filepath.Join(dir, "review-page")).Run()
		}
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
