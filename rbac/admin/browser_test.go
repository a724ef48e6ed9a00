package admin_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

const chromiumPath = "/usr/bin/chromium"

// artifacts is where the browser test leaves its screenshots:
// $BILLINGRBAC_ARTIFACTS when set (kept), otherwise a temporary directory.
func artifacts(t *testing.T) string {
	if dir := os.Getenv("BILLINGRBAC_ARTIFACTS"); dir != "" {
		dir = filepath.Join(dir, "admin")
		require.NoError(t, os.MkdirAll(dir, 0o755))
		return dir
	}
	return t.TempDir()
}

// browser starts headless Chromium with the flags that work on a closed
// network, or skips (fails under CI=true) when it is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: .ci/run installs Debian's chromium package", chromiumPath)
		}
		t.Skipf("%s not installed (apt-get install -y chromium); the admin screens are not driven", chromiumPath)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1400, 1000), chromedp.Flag("lang", "en-US"),
	}
	actx, cancel := chromedp.NewExecAllocator(t.Context(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	ctx, cancel3 := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(cancel3)
	return ctx
}

// TestStoryInChromium walks the product's story in a real browser: the
// admin signs in, creates a department and ticks its permissions (seeing
// the change before saving it), creates John in Sales, grants him
// invoices individually, finds his inherited rights shown but not
// editable and the direct one editable, and reads the action log.
func TestStoryInChromium(t *testing.T) {
	ctx := browser(t)
	a := newApp(t, testdb.SQLite)
	dir := artifacts(t)
	base := a.srv.URL + mount
	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		})
	}
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		require.NoError(t, chromedp.Do(ctx, steps...), what)
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		require.NoError(t, err, "text of %s", sel)
		return s
	}
	checked := func(form, perm string) (on, disabled bool) {
		t.Helper()
		res, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](`(() => { const e = document.querySelector('#`+form+` input[value="`+perm+`"]');
			return e ? [e.checked, e.disabled] : []; })()`))
		require.NoError(t, err)
		require.Len(t, res, 2, "checkbox %s missing", perm)
		return res[0], res[1]
	}

	run("sign in",
		chromedp.Navigate(a.srv.URL+"/signin"),
		chromedp.SetValue(chromedp.CSS(`#login`), "admin"),
		chromedp.SetValue(chromedp.CSS(`#password`), adminPassword),
		chromedp.Click(chromedp.CSS(`#signin`)),
		chromedp.WaitVisible(chromedp.CSS(`#departments`)),
		shot("01-departments"))

	run("create Billing",
		chromedp.Click(chromedp.CSS(`#add-department`)),
		chromedp.WaitVisible(chromedp.CSS(`#department-form`)),
		chromedp.SetValue(chromedp.CSS(`#name-en`), "Billing"),
		chromedp.SetValue(chromedp.CSS(`#name-ru`), "Биллинг"),
		chromedp.Click(chromedp.CSS(`#accepts`)),
		chromedp.SetValue(chromedp.CSS(`#task_language`), "ru"),
		shot("02-new-department"),
		chromedp.Click(chromedp.CSS(`#save`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-department="Billing"]`)))

	run("tick Billing's permissions and review",
		chromedp.Click(chromedp.CSS(`tr[data-department="Billing"] .row-actions a`)),
		chromedp.WaitVisible(chromedp.CSS(`#permissions-form`)),
		chromedp.Click(chromedp.CSS(`#permissions-form input[value="invoices:view"]`)),
		chromedp.Click(chromedp.CSS(`#permissions-form input[value="invoices:send"]`)),
		chromedp.Click(chromedp.CSS(`#permissions-form input[value="reports:view"]`)),
		chromedp.Click(chromedp.CSS(`#review-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#review`)),
		shot("03-permissions-review"))
	review := text(`#review`)
	assert.Contains(t, review, "invoices:send")
	assert.Contains(t, review, "reports:view")
	billing := findDepartment(t, a, "Billing")
	assert.Empty(t, a.svc.DepartmentPermissions(billing), "nothing saved by the review")
	run("save", chromedp.Click(chromedp.CSS(`#save`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	assert.Equal(t, []rbac.Permission{rbac.Perm(rbac.FuncInvoices, rbac.ActView), rbac.Perm(rbac.FuncInvoices, rbac.ActSend),
		rbac.Perm(rbac.FuncReports, rbac.ActView)}, a.svc.DepartmentPermissions(billing))

	run("create John in Sales",
		chromedp.Click(chromedp.CSS(`#nav-staff`)),
		chromedp.WaitVisible(chromedp.CSS(`#staff`)),
		chromedp.Click(chromedp.CSS(`#add-staff`)),
		chromedp.WaitVisible(chromedp.CSS(`#staff-form`)),
		chromedp.SetValue(chromedp.CSS(`#login`), "john"),
		chromedp.SetValue(chromedp.CSS(`#full_name-en`), "John Smith"),
		chromedp.SetValue(chromedp.CSS(`#full_name-ru`), "Джон Смит"),
		chromedp.SetValue(chromedp.CSS(`#email`), "john@example.com"),
		chromedp.SetValue(chromedp.CSS(`#phone`), "+14155550123"),
		chromedp.Click(chromedp.CSS(`input[name=department][data-name="Sales department"]`)),
		shot("04-new-staff"),
		chromedp.Click(chromedp.CSS(`#save`)),
		chromedp.WaitVisible(chromedp.CSS(`#secret`)),
		shot("05-password-once"))
	secret := text(`#secret`)
	john, err := a.svc.Authenticate(t.Context(), "john", strings.TrimSpace(secret))
	require.NoError(t, err, "the password shown once signs John in")
	assert.Equal(t, []rbac.DepartmentID{a.boot.Sales.ID}, john.Departments)

	// The avatar: the nonce'd script previews the chosen file before the
	// upload (so the page's CSP lets its one script run), and the upload
	// stores it at 80×80.
	pic := filepath.Join(t.TempDir(), "john.png")
	var img bytes.Buffer
	require.NoError(t, png.Encode(&img, image.NewRGBA(image.Rect(0, 0, 160, 120))))
	require.NoError(t, os.WriteFile(pic, img.Bytes(), 0o600))
	run("choose John's avatar",
		chromedp.Navigate(base+"/staff/"+john.ID.String()),
		chromedp.WaitVisible(chromedp.CSS(`#avatar-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#avatar`), []string{pic}))
	src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("avatar-preview").src`))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(src, "blob:"), "preview before upload: %q", src)
	run("upload it",
		chromedp.Click(chromedp.CSS(`#avatar-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		shot("05b-avatar"))
	av, err := a.svc.Avatar(t.Context(), john.ID)
	require.NoError(t, err)
	assert.Equal(t, "image/png", av.ContentType)

	run("grant John invoices individually",
		chromedp.Navigate(base+"/staff/"+john.ID.String()+"/rights"),
		chromedp.WaitVisible(chromedp.CSS(`#rights-form`)),
		chromedp.Click(chromedp.CSS(`#rights-form input[value="invoices:view"]`)),
		chromedp.Click(chromedp.CSS(`#save`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		shot("06-john-rights"))
	assert.True(t, a.svc.Can(john.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActView)))
	for _, p := range rbac.SalesPermissions() {
		on, disabled := checked("rights-form", p.String())
		assert.True(t, on && disabled, "%s is inherited from Sales: checked and not editable (checked %v, disabled %v)", p, on, disabled)
	}
	on, disabled := checked("rights-form", "invoices:view")
	assert.True(t, on && !disabled, "invoices:view is a direct grant: checked and editable")
	on, disabled = checked("rights-form", "invoices:send")
	assert.True(t, !on && !disabled, "invoices:send is not held: unchecked and editable")

	run("read the action log",
		chromedp.Click(chromedp.CSS(`#nav-log`)),
		chromedp.WaitVisible(chromedp.CSS(`#log`)),
		shot("07-action-log"))
	log := text(`#log`)
	for _, want := range []string{"department.create", "department.permissions", "staff.create", "staff.password", "staff.update", "john: invoices:view", "Billing: invoices:send"} {
		assert.Contains(t, log, want)
	}

	run("switch to Russian",
		chromedp.Click(chromedp.CSS(`a[lang=ru]`)),
		chromedp.WaitVisible(chromedp.CSS(`#log`)))
	title, err := chromedp.Run(ctx, chromedp.Title())
	require.NoError(t, err)
	run("Russian rights",
		chromedp.Navigate(base+"/staff/"+john.ID.String()+"/rights"),
		chromedp.WaitVisible(chromedp.CSS(`#rights-form`)),
		shot("08-rights-ru"))
	assert.Contains(t, title, "Журнал действий")

	// The review is the library's dry run: ticking reports:view on Sales
	// says it gives it to John, and saves nothing.
	v := a.svc.Version()
	run("review a change of Sales",
		chromedp.Click(chromedp.CSS(`a[lang=en]`)),
		chromedp.WaitVisible(chromedp.CSS(`#rights-form`)),
		chromedp.Navigate(base+"/departments/"+a.boot.Sales.ID.String()+"/permissions"),
		chromedp.WaitVisible(chromedp.CSS(`#permissions-form`)),
		chromedp.Click(chromedp.CSS(`#permissions-form input[value="reports:view"]`)),
		chromedp.Click(chromedp.CSS(`#review-button`)),
		chromedp.WaitVisible(chromedp.CSS(`#review`)),
		shot("09-dry-run-effect"))
	assert.Contains(t, text(`p.effect[data-permission="reports:view"]`), "1 staff members (john)")
	assert.Equal(t, v, a.svc.Version(), "the review saved nothing")
	t.Logf("screenshots in %s", dir)
}

func findDepartment(t *testing.T, a *app, name string) rbac.DepartmentID {
	t.Helper()
	ds, err := a.svc.Departments(t.Context())
	require.NoError(t, err)
	for _, d := range ds {
		if d.Name.In(language.English) == name {
			return d.ID
		}
	}
	t.Fatalf("no department %q", name)
	return 0
}
