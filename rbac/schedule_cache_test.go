package rbac_test

import (
	"context"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

// Deadlines come from a cache of compiled calendars; every committed change
// (here: a new target, then a new schedule) is visible to the very next
// deadline, on this instance and, once applied, on another.
func TestResponseDueSeesChanges(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		ctx := context.Background()
		other, err := rbac.New(ctx, testdb.Open(t, e.dsn), rbac.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer other.Close()
		support := e.boot.Support.ID
		at := time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC) // a Monday
		due := func(svc *rbac.Service) time.Time {
			t.Helper()
			// SQLite has no listener: catch up by hand. PostgreSQL's
			// listener does it; wait for it, bounded.
			if err := svc.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			if err := svc.WaitFor(wctx, e.svc.Version()); err != nil {
				t.Fatal(err)
			}
			d, err := svc.ResponseDue(ctx, support, at)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		if _, err := e.svc.SetDepartmentHours(ctx, e.admin, support, rbac.AlwaysOpenSchedule, 4*time.Hour); err != nil {
			t.Fatal(err)
		}
		for _, svc := range []*rbac.Service{e.svc, other} {
			if got := due(svc); !got.Equal(at.Add(4 * time.Hour)) {
				t.Fatalf("24/7, 4 h: due %v", got)
			}
		}
		if _, err := e.svc.SetDepartmentHours(ctx, e.admin, support, rbac.AlwaysOpenSchedule, 8*time.Hour); err != nil {
			t.Fatal(err)
		}
		for _, svc := range []*rbac.Service{e.svc, other} {
			if got := due(svc); !got.Equal(at.Add(8 * time.Hour)) {
				t.Fatalf("24/7, 8 h: due %v", got)
			}
		}
		office, err := e.svc.CreateSchedule(ctx, e.admin, hours.Schedule{Name: "Office", Zone: "UTC",
			Week: hours.Every(hours.Hours(hours.At(9, 0), hours.At(17, 0)), hours.Workweek()...)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetDepartmentHours(ctx, e.admin, support, office.ID, 8*time.Hour); err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, time.March, 3, 10, 0, 0, 0, time.UTC) // 7 h Monday, 1 h Tuesday
		for _, svc := range []*rbac.Service{e.svc, other} {
			if got := due(svc); !got.Equal(want) {
				t.Fatalf("office hours, 8 h: due %v, want %v", got, want)
			}
		}
	})
}
