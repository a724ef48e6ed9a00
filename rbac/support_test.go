package rbac_test

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

func TestSupportDepartments(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk := newClockEnv(t, b)
		support := e.boot.Support.ID
		mk := func(name rbac.LocalizedText, accepts bool, order int) rbac.DepartmentID {
			d, err := e.svc.CreateDepartment(e.ctx, e.admin, rbac.NewDepartment{Name: name, AcceptsClientRequests: accepts, SortOrder: order})
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		billing := mk(rbac.LocalizedText{language.English: "Billing", language.Russian: "Бухгалтерия"}, true, 5)
		mk(rbac.Text(language.English, "Internal"), false, 1)
		closed := mk(rbac.LocalizedText{language.English: "Abuse", language.German: "Missbrauch"}, true, 30)
		disabled := mk(rbac.Text(language.English, "Old desk"), true, 2)
		off := rbac.StatusDisabled
		if _, err := e.svc.UpdateDepartment(e.ctx, e.admin, disabled, rbac.DepartmentUpdate{Status: &off}); err != nil {
			t.Fatal(err)
		}
		sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, support, sch.ID, 4*time.Hour); err != nil {
			t.Fatal(err)
		}
		nobody, err := e.svc.CreateSchedule(e.ctx, e.admin, hours.Schedule{Name: "Never", Zone: "UTC"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, closed, nobody.ID, 0); err != nil {
			t.Fatal(err)
		}
		clk.set(msk(t, "2026-03-07 12:00")) // Saturday: the office is closed

		type row struct {
			id     rbac.DepartmentID
			name   string
			open   bool
			target time.Duration
		}
		list := func(pref ...language.Tag) []row {
			t.Helper()
			ds, err := e.svc.SupportDepartments(e.ctx, pref...)
			if err != nil {
				t.Fatal(err)
			}
			var out []row
			for _, d := range ds {
				out = append(out, row{d.ID, d.Name, d.Open, d.Target})
			}
			return out
		}
		tests := []struct {
			name string
			pref []language.Tag
			want []row
		}{
			{"russian client", []language.Tag{language.Russian}, []row{
				{billing, "Бухгалтерия", true, 0}, {support, "Техническая поддержка", false, 4 * time.Hour}, {closed, "Abuse", false, 0}}},
			{"regional tag matches", []language.Tag{language.MustParse("ru-RU")}, []row{
				{billing, "Бухгалтерия", true, 0}, {support, "Техническая поддержка", false, 4 * time.Hour}, {closed, "Abuse", false, 0}}},
			{"german client", []language.Tag{language.German}, []row{
				{billing, "Billing", true, 0}, {support, "Technical support", false, 4 * time.Hour}, {closed, "Missbrauch", false, 0}}},
			{"unknown language falls back to english", []language.Tag{language.Japanese}, []row{
				{billing, "Billing", true, 0}, {support, "Technical support", false, 4 * time.Hour}, {closed, "Abuse", false, 0}}},
			{"no preference", nil, []row{
				{billing, "Billing", true, 0}, {support, "Technical support", false, 4 * time.Hour}, {closed, "Abuse", false, 0}}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				got := list(tc.pref...)
				if len(got) != len(tc.want) {
					t.Fatalf("got %+v, want %+v", got, tc.want)
				}
				for i := range got {
					if got[i] != tc.want[i] {
						t.Fatalf("[%d] = %+v, want %+v", i, got[i], tc.want[i])
					}
				}
			})
		}
		t.Run("open on monday morning", func(t *testing.T) {
			clk.set(msk(t, "2026-03-09 10:00"))
			got := list()
			if !got[1].open || got[1].id != support {
				t.Fatalf("support at Monday 10:00: %+v", got[1])
			}
		})
	})
}

func TestCheckTicketAccess(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		support, sales := e.boot.Support.ID, e.boot.Sales.ID
		tech := e.staff("tech", support)
		seller := e.staff("seller", sales)
		gone := e.staff("gone", support)
		off := rbac.StatusDisabled
		if _, err := e.svc.UpdateStaff(e.ctx, e.admin, gone, rbac.StaffUpdate{Status: &off}); err != nil {
			t.Fatal(err)
		}
		desk := e.dept("Old desk")
		oldTimer := e.staff("oldtimer", desk)
		if _, err := e.svc.UpdateDepartment(e.ctx, e.admin, desk, rbac.DepartmentUpdate{Status: &off}); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			staff  rbac.StaffID
			dept   rbac.DepartmentID
			reason string // "" means allowed
		}{
			{"member", tech, support, ""},
			{"full access without membership", e.admin, support, ""},
			{"full access, disabled department", e.admin, desk, ""},
			{"not a member", seller, support, "handle tickets: permission denied: staff member " + seller.String() + " is not a member of department " + support.String()},
			{"member of another department", tech, sales, "handle tickets: permission denied: staff member " + tech.String() + " is not a member of department " + sales.String()},
			{"disabled staff member", gone, support, "handle tickets: permission denied: staff member " + gone.String() + " is disabled"},
			{"disabled department", oldTimer, desk, "handle tickets: permission denied: department " + desk.String() + " is disabled"},
			{"unknown staff", 999, support, "handle tickets: permission denied: staff member 999 is not a member of department " + support.String()},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				err := e.svc.CheckTicketAccess(tc.staff, tc.dept)
				if tc.reason == "" {
					if err != nil || !e.svc.MayHandleTickets(tc.staff, tc.dept) {
						t.Fatalf("err = %v, want allowed", err)
					}
					return
				}
				var de *rbac.DeniedError
				if !errors.As(err, &de) || !errors.Is(err, rbac.ErrPermissionDenied) || err.Error() != tc.reason || de.Actor != tc.staff {
					t.Fatalf("err = %v, want %q", err, tc.reason)
				}
				if e.svc.MayHandleTickets(tc.staff, tc.dept) {
					t.Fatal("MayHandleTickets = true")
				}
			})
		}
		t.Run("leaving the department ends access", func(t *testing.T) {
			if err := e.svc.RemoveFromDepartment(e.ctx, e.admin, tech, support); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.CheckTicketAccess(tech, support); !errors.Is(err, rbac.ErrPermissionDenied) {
				t.Fatalf("after leaving: %v", err)
			}
		})
	})
}
