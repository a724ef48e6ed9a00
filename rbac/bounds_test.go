package rbac_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

// requireField asserts err is an ErrInvalid *ValidationError naming field
// with rule.
func requireField(t testing.TB, err error, field, rule string) {
	t.Helper()
	require.ErrorIs(t, err, rbac.ErrInvalid)
	var ve *rbac.ValidationError
	require.ErrorAs(t, err, &ve)
	require.True(t, ve.Has(field, rule), "want %s (%s), got %v", field, rule, err)
}

// One display-text rule for every text an administrator reads: each field
// refuses the same bidirectional, invisible and control characters with
// rule "characters", accepts the joiners scripts need, and a refusal
// changes nothing.
func TestDisplayTextRuleEveryField(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	victim := e.staff("victim")
	sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
	require.NoError(t, err)
	fields := []struct {
		name, field string
		set         func(s string) error
	}{
		{"staff full name", "full_name[en]", func(s string) error {
			_, err := e.svc.UpdateStaff(e.ctx, e.admin, victim, rbac.StaffUpdate{FullName: rbac.Text(language.English, s)})
			return err
		}},
		{"department name", "name[en]", func(s string) error {
			_, err := e.svc.UpdateDepartment(e.ctx, e.admin, e.boot.Sales.ID, rbac.DepartmentUpdate{Name: rbac.Text(language.English, s)})
			return err
		}},
		{"schedule name", "schedule.name", func(s string) error {
			h := supportHours()
			h.Name = s
			_, err := e.svc.UpdateSchedule(e.ctx, e.admin, sch.ID, h)
			return err
		}},
		{"change reason", "reason", func(s string) error {
			ctx := rbac.WithReason(e.ctx, s)
			if err := e.svc.Grant(ctx, e.admin, victim, pReports); err != nil {
				return err
			}
			return e.svc.Revoke(ctx, e.admin, victim, pReports)
		}},
	}
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			for _, s := range []string{"ok\u202eevil", "ad\u200bmin", "a\u2067b\u2069", "line\nbreak", "\ufeffbom", "a\u200fb"} {
				v := e.svc.Version()
				requireField(t, f.set(s), f.field, "characters")
				require.Equal(t, v, e.svc.Version(), "a refused %q changed something", s)
			}
			require.NoError(t, f.set("می\u200cخواهم 👩\u200d💻"), "the joiners Persian and emoji need")
		})
	}
}

// Every list and count has a cap checked before the list is read; the
// examples of issue 14 are refused with a field error naming the cap and
// change nothing.
func TestInputCaps(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	victim := e.staff("victim")
	v := e.svc.Version()

	_, err := e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{Name: manyLanguages(80_000)})
	requireField(t, err, "name", "max_count")
	_, err = e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{Name: manyLanguages(rbac.MaxLanguages + 1)})
	requireField(t, err, "name", "max_count")
	_, err = e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "many", FullName: manyLanguages(rbac.MaxLanguages + 1)})
	requireField(t, err, "full_name", "max_count")

	err = e.svc.Grant(rbac.WithReason(e.ctx, strings.Repeat("x", 50<<20)), e.admin, victim, pReports)
	requireField(t, err, "reason", "max_length")
	err = e.svc.Grant(rbac.WithReason(e.ctx, strings.Repeat("я", rbac.MaxReasonLength+1)), e.admin, victim, pReports)
	requireField(t, err, "reason", "max_length")

	dup := make([]rbac.Permission, 100_000)
	for i := range dup {
		dup[i] = pReports
	}
	requireField(t, e.svc.Grant(e.ctx, e.admin, victim, dup...), "permissions", "max_count")
	requireField(t, e.svc.EnablePermissions(e.ctx, e.admin, e.boot.Sales.ID, dup...), "permissions", "max_count")

	depts := make([]rbac.DepartmentID, rbac.MaxDepartmentsPerStaff+1)
	for i := range depts {
		depts[i] = rbac.DepartmentID(i + 1)
	}
	_, err = e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "many", FullName: rbac.Text(language.English, "M"), Departments: depts})
	requireField(t, err, "departments", "max_count")

	h := supportHours()
	h.Special = manySpecialDates(1_000_000)
	_, err = e.svc.CreateSchedule(e.ctx, e.admin, h)
	requireField(t, err, "schedule.special", "max_count")
	var ve *rbac.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Len(t, ve.Fields, 1, "the dates past the cap are not read")

	require.Equal(t, v, e.svc.Version(), "a refused call changed something")

	// Duplicates within the cap count once, in the decision and the log.
	require.NoError(t, e.svc.Grant(rbac.WithReason(e.ctx, "ticket 7"), e.admin, victim, pReports, pReports, pReports))
	chs, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{AfterVersion: v, Limit: 1})
	require.NoError(t, err)
	require.Len(t, chs, 1)
	require.Equal(t, 1, strings.Count(string(chs[0].After), "reports"), "the change log records %s", chs[0].After)
}

func manyLanguages(n int) rbac.LocalizedText {
	t := make(rbac.LocalizedText, n)
	for i := range n {
		// Private-use tags (x-...) are valid BCP 47 and unlimited in number.
		t[language.Make("en-x-"+strings.Repeat("a", 1+i%7)+itoa36(i))] = "Sales"
	}
	return t
}

func itoa36(i int) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	s := ""
	for {
		s = string(digits[i%36]) + s
		i /= 36
		if i == 0 {
			return s
		}
	}
}

func manySpecialDates(n int) []hours.SpecialDate {
	out := make([]hours.SpecialDate, n)
	d := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range out {
		out[i] = hours.SpecialDate{Date: hours.DateOf(d.AddDate(0, 0, i%3000)), Hours: hours.AllDay()}
	}
	return out
}

// The refusals of issue 14's examples, each before any storage: their cost
// is what SECURITY.md reports (target at most 1 ms each).
func BenchmarkRefuseOversizedInput(b *testing.B) {
	ctx := context.Background()
	st := testdb.Open(b, testdb.DSN(b, testdb.SQLite))
	require.NoError(b, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(b, err)
	b.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(b, err)
	admin := boot.Admin.ID
	names := manyLanguages(80_000)
	reason := rbac.WithReason(ctx, strings.Repeat("x", 50<<20))
	dup := make([]rbac.Permission, 100_000)
	for i := range dup {
		dup[i] = pReports
	}
	h := supportHours()
	h.Special = manySpecialDates(1_000_000)
	for _, c := range []struct {
		name string
		call func() error
	}{
		{"department_80000_languages", func() error {
			_, err := svc.CreateDepartment(ctx, admin, rbac.NewDepartment{Name: names})
			return err
		}},
		{"reason_50MiB", func() error { return svc.Grant(reason, admin, admin, pReports) }},
		{"permissions_100000_duplicates", func() error { return svc.Grant(ctx, admin, admin, dup...) }},
		{"schedule_1000000_special_dates", func() error {
			_, err := svc.CreateSchedule(ctx, admin, h)
			return err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.call(); err == nil {
					b.Fatal("accepted")
				}
			}
		})
	}
}

// TestJoinCap: AddToDepartment stops at MaxDepartmentsPerStaff, as
// NewStaff does, and a refused join changes nothing.
func TestJoinCap(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	depts := make([]rbac.DepartmentID, rbac.MaxDepartmentsPerStaff+1)
	for i := range depts {
		depts[i] = e.dept(fmt.Sprintf("Dept %d", i))
	}
	st, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "many",
		FullName: rbac.Text(language.English, "Many"), Departments: depts[:rbac.MaxDepartmentsPerStaff]})
	require.NoError(t, err)
	v := e.svc.Version()
	err = e.svc.AddToDepartment(e.ctx, e.admin, st.ID, depts[rbac.MaxDepartmentsPerStaff])
	require.ErrorIs(t, err, rbac.ErrInvalid)
	var ve *rbac.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.True(t, ve.Has("departments", "max_count"), "%v", err)
	assert.Equal(t, v, e.svc.Version(), "a refused join commits nothing")
	assert.False(t, e.svc.IsMember(st.ID, depts[rbac.MaxDepartmentsPerStaff]))
	// Joining a department one is already in is still a no-op, not a refusal.
	require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, st.ID, depts[0]))
}
