//go:build unix

package report_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/report"
	"github.com/billingrbac/billingrbac/store"
)

// TestReviewAtScale prints the review of a large installation to PDF and
// reports the sizes and times (no timing assertion): set
// BILLINGRBAC_REVIEW_SCALE to the number of staff (e.g. 100000) to run it.
// The installation has 100 departments holding 5-25 of the catalog's
// permissions, staff in 1-3 departments, 5% with 1-3 direct grants, 1%
// disabled, 0.1% full access, and a few changes with reasons. The
// PDF and PNGs of its first pages go to BILLINGRBAC_ARTIFACTS when set.
func TestReviewAtScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BILLINGRBAC_REVIEW_SCALE"))
	if n <= 0 {
		t.Skip("set BILLINGRBAC_REVIEW_SCALE=100000 to print the review of that many staff")
	}
	needChromium(t)
	ctx := t.Context()
	dir := t.TempDir()
	if a := os.Getenv("BILLINGRBAC_ARTIFACTS"); a != "" {
		dir = a
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "scale.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{})
	require.NoError(t, err)
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	require.NoError(t, svc.Close())

	start := time.Now()
	seedScale(t, st, n, svc.Catalog().Permissions())
	svc, err = rbac.New(ctx, st, rbac.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	admin := boot.Admin.ID
	// A history the review shows: reasons, a disabled department.
	disabled := rbac.StatusDisabled
	_, err = svc.UpdateDepartment(rbac.WithReason(ctx, "merged into Billing 2"), admin, 7, rbac.DepartmentUpdate{Status: &disabled})
	require.NoError(t, err)
	for i := range 20 {
		require.NoError(t, svc.Grant(rbac.WithReason(ctx, fmt.Sprintf("month-end close, ticket %d", 4700+i)), admin,
			rbac.StaffID(100+i*997), rbac.Perm(rbac.FuncReports, rbac.ActView)))
	}
	t.Logf("seeded %d staff in %v", n, time.Since(start).Round(time.Millisecond))

	cpu0 := cpuTime()
	start = time.Now()
	r, err := report.BuildReview(ctx, svc, report.ReviewOptions{Title: fmt.Sprintf("Access review, %d staff", n), Reader: admin})
	require.NoError(t, err)
	build := time.Since(start)
	start = time.Now()
	page := filepath.Join(dir, "review-scale.html")
	f, err := os.Create(page)
	require.NoError(t, err)
	require.NoError(t, r.WriteHTML(f))
	require.NoError(t, f.Close())
	write := time.Since(start)
	cpu := cpuTime() - cpu0
	fi, err := os.Stat(page)
	require.NoError(t, err)

	pdf := filepath.Join(dir, "review-scale.pdf")
	start = time.Now()
	chromium(t, page, "--no-pdf-header-footer", "--timeout=600000", "--print-to-pdf="+pdf)
	print := time.Since(start)
	info, err := exec.Command("pdfinfo", pdf).Output()
	require.NoError(t, err)
	pages := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(string(info))
	require.NotNil(t, pages, "%s", info)
	load, _ := os.ReadFile("/proc/loadavg")
	t.Logf("load average %s; build and HTML used %v of CPU", strings.TrimSpace(string(load)), cpu.Round(time.Millisecond))
	t.Logf("%d staff, %d departments, %d listed individually, %d findings: build %v, HTML %v (%.1f MB), Chromium PDF %v, %s pages (A4 landscape); total %v",
		n, len(r.Departments), len(r.Exceptions), len(r.Findings), build.Round(time.Millisecond), write.Round(time.Millisecond),
		float64(fi.Size())/1e6, print.Round(time.Millisecond), pages[1], (build + write + print).Round(time.Millisecond))
	if os.Getenv("BILLINGRBAC_ARTIFACTS") != "" {
		_ = exec.Command("pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "6", pdf, filepath.Join(dir, "review-scale-page")).Run()
	}
}

// cpuTime is the CPU time this process used so far (all threads).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// seedScale writes n staff members, 100 departments and their rules
// straight into the tables, the way a migration from another panel would
// (the change flow would take minutes at this size).
func seedScale(t *testing.T, st *store.Store, n int, perms []rbac.Permission) {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 1))
	const depts = 100
	now := time.Now().UnixMicro()
	var rules []rbac.Rule
	err := st.DB().Transaction(func(tx *gorm.DB) error {
		var rows [][]any
		for d := 3; d <= depts; d++ {
			rows = append(rows, []any{d, fmt.Sprintf(`{"en":"Department %03d"}`, d), d%10 == 0, "en", d, now, now})
			k := 5 + rng.IntN(21)
			for _, j := range rng.Perm(len(perms))[:k] {
				rules = append(rules, rbac.GrantRule(rbac.DepartmentSubject(rbac.DepartmentID(d)), perms[j]))
			}
		}
		if err := insertRows(tx, "billingrbac_departments", "id, name, accepts_client_requests, task_language, sort_order, created_at, updated_at", rows); err != nil {
			return err
		}
		rows = rows[:0]
		for i := 2; i <= n+1; i++ {
			id := rbac.StaffID(i)
			rows = append(rows, []any{i, fmt.Sprintf("u%06d", i), fmt.Sprintf(`{"en":"Staff member %d"}`, i), now, now})
			seen := map[int]bool{}
			for range 1 + rng.IntN(3) {
				d := 1 + rng.IntN(depts)
				if !seen[d] {
					seen[d] = true
					rules = append(rules, rbac.MemberRule(id, rbac.DepartmentID(d)))
				}
			}
			if rng.IntN(100) < 5 {
				for range 1 + rng.IntN(3) {
					rules = append(rules, rbac.GrantRule(rbac.StaffSubject(id), perms[rng.IntN(len(perms))]))
				}
			}
			if rng.IntN(100) == 0 {
				rules = append(rules, rbac.FlagRule(rbac.StaffSubject(id), rbac.FlagDisabled))
			}
			if rng.IntN(1000) == 0 {
				rules = append(rules, rbac.FlagRule(rbac.StaffSubject(id), rbac.FlagFullAccess))
			}
		}
		if err := insertRows(tx, "billingrbac_staff", "id, login, full_name, created_at, updated_at", rows); err != nil {
			return err
		}
		lines, err := policy.Lines(dedupe(rules))
		if err != nil {
			return err
		}
		rows = rows[:0]
		for _, l := range lines {
			v := append(l.Values, "", "", "")[:3]
			rows = append(rows, []any{l.Ptype, v[0], v[1], v[2], "", "", ""})
		}
		return insertRows(tx, "billingrbac_casbin_rule", "ptype, v0, v1, v2, v3, v4, v5", rows)
	})
	require.NoError(t, err)
}

func dedupe(rs []rbac.Rule) []rbac.Rule {
	seen := map[rbac.Rule]bool{}
	out := rs[:0]
	for _, r := range rs {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

// insertRows inserts rows in chunks small enough for SQLite's variable
// limit.
func insertRows(tx *gorm.DB, table, cols string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	chunk := 30000 / width
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
	for i := 0; i < len(rows); i += chunk {
		part := rows[i:min(i+chunk, len(rows))]
		args := make([]any, 0, len(part)*width)
		vals := make([]string, len(part))
		for j, r := range part {
			vals[j] = one
			args = append(args, r...)
		}
		if err := tx.Exec("INSERT INTO "+table+" ("+cols+") VALUES "+strings.Join(vals, ", "), args...).Error; err != nil {
			return err
		}
	}
	return nil
}
