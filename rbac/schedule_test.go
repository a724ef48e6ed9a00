package rbac_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rickar/cal/v2/ru"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

// testClock is the Service's injectable clock.
type testClock struct{ ns atomic.Int64 }

func (c *testClock) set(t time.Time) { c.ns.Store(t.UnixNano()) }
func (c *testClock) now() time.Time  { return time.Unix(0, c.ns.Load()).UTC() }
func msk(t testing.TB, s string) time.Time {
	t.Helper()
	l, err := time.LoadLocation("Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, l)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newClockEnv is newEnv with the Service's clock under the test's control.
func newClockEnv(t *testing.T, b testdb.Backend) (*env, *testClock) {
	t.Helper()
	ctx := context.Background()
	dsn := testdb.DSN(t, b)
	st := testdb.Open(t, dsn)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clk := &testClock{}
	clk.set(msk(t, "2026-03-02 10:00"))
	svc, err := rbac.New(ctx, st, rbac.Options{Now: clk.now, Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, ctx: ctx, dsn: dsn, st: st, svc: svc, boot: boot, admin: boot.Admin.ID}, clk
}

// supportHours: Moscow, Monday to Friday 09:00-13:00 and 14:00-18:00,
// closed on 1 May 2026.
func supportHours() hours.Schedule {
	return hours.Schedule{
		Name: "Moscow office",
		Zone: "Europe/Moscow",
		Week: hours.Every(hours.Day{{Start: hours.At(9, 0), End: hours.At(13, 0)}, {Start: hours.At(14, 0), End: hours.At(18, 0)}},
			hours.Workweek()...),
		Closed: []hours.Date{{Year: 2026, Month: time.May, Day: 1}},
	}
}

func asJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func validation(t testing.TB, err error, field, rule string) {
	t.Helper()
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, rbac.ErrInvalid) || !ve.Has(field, rule) {
		t.Fatalf("err = %v, want a validation error %s/%s", err, field, rule)
	}
}

func TestSchedules(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, _ := newClockEnv(t, b)
		db := e.st.DB()

		sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
		if err != nil {
			t.Fatal(err)
		}
		if sch.ID <= 0 || sch.CreatedAt.IsZero() {
			t.Fatalf("created %+v", sch)
		}
		got, err := e.svc.Schedule(e.ctx, sch.ID)
		if err != nil || asJSON(t, got.Schedule) != asJSON(t, supportHours()) {
			t.Fatalf("Schedule = %+v, %v", got, err)
		}
		list, err := e.svc.Schedules(e.ctx)
		if err != nil || len(list) != 2 || list[0].ID != rbac.AlwaysOpenSchedule || list[0].Schedule.Name != "24/7" || list[1].ID != sch.ID {
			t.Fatalf("Schedules = %+v, %v", list, err)
		}

		t.Run("invalid schedule changes nothing", func(t *testing.T) {
			v := e.svc.Version()
			bad := supportHours()
			bad.Name = "Bad"
			bad.Zone = "Mars/Base"
			bad.Week[time.Monday] = hours.Hours(hours.At(18, 0), hours.At(9, 0))
			_, err := e.svc.CreateSchedule(e.ctx, e.admin, bad)
			validation(t, err, "schedule.zone", "zone")
			validation(t, err, "schedule.week[monday][0].end", "order")
			if n := testdb.Count(t, db, "billingrbac_schedules"); n != 1 || e.svc.Version() != v {
				t.Fatalf("rows = %d, version %d -> %d", n, v, e.svc.Version())
			}
		})

		t.Run("names are unique", func(t *testing.T) {
			dup := supportHours()
			dup.Name = "MOSCOW OFFICE"
			if _, err := e.svc.CreateSchedule(e.ctx, e.admin, dup); !errors.Is(err, rbac.ErrConflict) {
				t.Fatalf("duplicate name: %v", err)
			}
			dup.Name = "24/7"
			if _, err := e.svc.CreateSchedule(e.ctx, e.admin, dup); !errors.Is(err, rbac.ErrConflict) {
				t.Fatalf("built-in name: %v", err)
			}
		})

		t.Run("needs departments edit", func(t *testing.T) {
			clerk := e.staff("clerk", e.boot.Sales.ID)
			other := supportHours()
			other.Name = "Other"
			_, err := e.svc.CreateSchedule(e.ctx, clerk, other)
			var de *rbac.DeniedError
			if !errors.As(err, &de) || de.Missing != pDeptEdit {
				t.Fatalf("err = %v", err)
			}
			if err := e.svc.DeleteSchedule(e.ctx, clerk, sch.ID); !errors.Is(err, rbac.ErrPermissionDenied) {
				t.Fatalf("delete by clerk: %v", err)
			}
		})

		t.Run("update", func(t *testing.T) {
			up := supportHours()
			up.Special = []hours.SpecialDate{{Date: hours.Date{Year: 2026, Month: time.April, Day: 30}, Hours: hours.Hours(hours.At(9, 0), hours.At(16, 0))}}
			out, err := e.svc.UpdateSchedule(e.ctx, e.admin, sch.ID, up)
			if err != nil || out.ID != sch.ID || len(out.Schedule.Special) != 1 {
				t.Fatalf("update = %+v, %v", out, err)
			}
			got, _ := e.svc.Schedule(e.ctx, sch.ID)
			if asJSON(t, got.Schedule) != asJSON(t, up) {
				t.Fatalf("stored %s", asJSON(t, got.Schedule))
			}
			_, err = e.svc.UpdateSchedule(e.ctx, e.admin, rbac.AlwaysOpenSchedule, up)
			validation(t, err, "id", "builtin")
			if _, err := e.svc.UpdateSchedule(e.ctx, e.admin, 999, up); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("update missing: %v", err)
			}
		})

		t.Run("audit", func(t *testing.T) {
			chs, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{Target: "schedule:" + sch.ID.String()})
			if err != nil {
				t.Fatal(err)
			}
			var ops []rbac.Operation
			for _, c := range chs {
				ops = append(ops, c.Op)
			}
			if !slices.Equal(ops, []rbac.Operation{rbac.OpScheduleCreate, rbac.OpScheduleUpdate}) || chs[0].Actor != e.admin {
				t.Fatalf("ops = %v", ops)
			}
		})
	})
}

func TestDepartmentHours(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk := newClockEnv(t, b)
		db := e.st.DB()
		support := e.boot.Support.ID
		sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
		if err != nil {
			t.Fatal(err)
		}

		t.Run("unassigned department is 24/7 without a target", func(t *testing.T) {
			h, err := e.svc.DepartmentHours(e.ctx, support)
			if err != nil || h != (rbac.DepartmentHours{Department: support}) {
				t.Fatalf("hours = %+v, %v", h, err)
			}
			clk.set(msk(t, "2026-03-07 03:00"))
			if open, err := e.svc.DepartmentOpen(e.ctx, support); err != nil || !open {
				t.Fatalf("open = %v, %v", open, err)
			}
			if _, err := e.svc.ResponseDue(e.ctx, support, msk(t, "2026-03-07 03:00")); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("due without target: %v", err)
			}
			if _, err := e.svc.DepartmentHours(e.ctx, 999); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("missing department: %v", err)
			}
		})

		h, err := e.svc.SetDepartmentHours(e.ctx, e.admin, support, sch.ID, 4*time.Hour)
		if err != nil || h != (rbac.DepartmentHours{Department: support, Schedule: sch.ID, Target: 4 * time.Hour}) {
			t.Fatalf("set = %+v, %v", h, err)
		}
		if got, err := e.svc.DepartmentHours(e.ctx, support); err != nil || got != h {
			t.Fatalf("DepartmentHours = %+v, %v", got, err)
		}

		t.Run("response due", func(t *testing.T) {
			for _, tc := range []struct{ name, at, want string }{
				{"within hours", "2026-03-02 10:00", "2026-03-02 15:00"},
				{"friday evening due monday", "2026-03-06 19:00", "2026-03-09 13:00"},
				{"before the may holiday", "2026-04-30 17:00", "2026-05-04 12:00"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					due, err := e.svc.ResponseDue(e.ctx, support, msk(t, tc.at))
					if err != nil || !due.Equal(msk(t, tc.want)) {
						t.Fatalf("due = %s, %v; want %s", due, err, tc.want)
					}
				})
			}
			utc := msk(t, "2026-03-06 19:00").UTC()
			due, err := e.svc.ResponseDue(e.ctx, support, utc)
			if err != nil || due.Location() != time.UTC || !due.Equal(msk(t, "2026-03-09 13:00")) {
				t.Fatalf("due in UTC = %s, %v", due, err)
			}
		})

		t.Run("open now follows the service clock", func(t *testing.T) {
			for at, want := range map[string]bool{"2026-03-02 10:00": true, "2026-03-02 13:30": false, "2026-03-07 12:00": false, "2026-05-01 10:00": false} {
				clk.set(msk(t, at))
				if open, err := e.svc.DepartmentOpen(e.ctx, support); err != nil || open != want {
					t.Errorf("at %s open = %v, %v; want %v", at, open, err, want)
				}
			}
		})

		t.Run("bad input changes nothing", func(t *testing.T) {
			v := e.svc.Version()
			_, err := e.svc.SetDepartmentHours(e.ctx, e.admin, support, sch.ID, -time.Hour)
			validation(t, err, "target", "range")
			_, err = e.svc.SetDepartmentHours(e.ctx, e.admin, support, sch.ID, 1500*time.Millisecond)
			validation(t, err, "target", "precision")
			_, err = e.svc.SetDepartmentHours(e.ctx, e.admin, support, -1, time.Hour)
			validation(t, err, "schedule", "range")
			if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, support, 999, time.Hour); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("missing schedule: %v", err)
			}
			if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, 999, sch.ID, time.Hour); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("missing department: %v", err)
			}
			clerk := e.staff("clerk2", e.boot.Sales.ID)
			v = e.svc.Version()
			if _, err := e.svc.SetDepartmentHours(e.ctx, clerk, support, sch.ID, time.Hour); !errors.Is(err, rbac.ErrPermissionDenied) {
				t.Fatalf("clerk: %v", err)
			}
			if got, _ := e.svc.DepartmentHours(e.ctx, support); got != h || e.svc.Version() != v {
				t.Fatalf("hours changed to %+v", got)
			}
		})

		t.Run("setting the same hours records nothing", func(t *testing.T) {
			v := e.svc.Version()
			if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, support, sch.ID, 4*time.Hour); err != nil || e.svc.Version() != v {
				t.Fatalf("err %v, version %d -> %d", err, v, e.svc.Version())
			}
		})

		t.Run("a used schedule cannot be deleted", func(t *testing.T) {
			if err := e.svc.DeleteSchedule(e.ctx, e.admin, sch.ID); !errors.Is(err, rbac.ErrConflict) {
				t.Fatalf("delete used: %v", err)
			}
			validation(t, e.svc.DeleteSchedule(e.ctx, e.admin, rbac.AlwaysOpenSchedule), "id", "builtin")
		})

		t.Run("audit of the assignment", func(t *testing.T) {
			chs, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{Op: rbac.OpDepartmentSchedule})
			if err != nil || len(chs) != 1 {
				t.Fatalf("changes = %+v, %v", chs, err)
			}
			c := chs[0]
			if c.Target != rbac.DepartmentSubject(support).String() ||
				string(c.After) != asJSON(t, h) || string(c.Before) != asJSON(t, rbac.DepartmentHours{Department: support}) {
				t.Fatalf("change = %+v", c)
			}
		})

		t.Run("24/7 assignment then delete the schedule", func(t *testing.T) {
			if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, support, rbac.AlwaysOpenSchedule, 30*time.Minute); err != nil {
				t.Fatal(err)
			}
			due, err := e.svc.ResponseDue(e.ctx, support, msk(t, "2026-03-07 23:45"))
			if err != nil || !due.Equal(msk(t, "2026-03-08 00:15")) {
				t.Fatalf("24/7 due = %s, %v", due, err)
			}
			if err := e.svc.DeleteSchedule(e.ctx, e.admin, sch.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Schedule(e.ctx, sch.ID); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("deleted schedule: %v", err)
			}
			if err := e.svc.DeleteSchedule(e.ctx, e.admin, sch.ID); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("delete again: %v", err)
			}
		})

		t.Run("deleting a department deletes its hours", func(t *testing.T) {
			d := e.dept("Night desk")
			if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, d, rbac.AlwaysOpenSchedule, time.Hour); err != nil {
				t.Fatal(err)
			}
			if n := testdb.Count(t, db.Where("department_id = ?", int64(d)), "billingrbac_department_hours"); n != 1 {
				t.Fatalf("rows before = %d", n)
			}
			if err := e.svc.DeleteDepartment(e.ctx, e.admin, d); err != nil {
				t.Fatal(err)
			}
			if n := testdb.Count(t, e.st.DB().Where("department_id = ?", int64(d)), "billingrbac_department_hours"); n != 0 {
				t.Fatalf("rows after = %d", n)
			}
			if _, err := e.svc.DepartmentHours(e.ctx, d); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("hours of a deleted department: %v", err)
			}
		})
	})
}

// plainStore hides the store's business-hours capability.
type plainStore struct{ rbac.Store }

func TestStoreWithoutHours(t *testing.T) {
	ctx := context.Background()
	st := testdb.New(t, testdb.SQLite)
	svc, err := rbac.New(ctx, plainStore{st}, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Schedules(ctx); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("Schedules: %v", err)
	}
	if _, err := svc.ResponseDue(ctx, boot.Support.ID, time.Now()); !errors.Is(err, errors.ErrUnsupported) {
		t.Fatalf("ResponseDue: %v", err)
	}
	got, err := svc.SupportDepartments(ctx, language.English)
	if err != nil || len(got) != 1 || !got[0].Open || got[0].Target != 0 {
		t.Fatalf("SupportDepartments = %+v, %v", got, err)
	}
}

// BenchmarkResponseDue: one department with the Moscow office hours, Russian
// holidays of 2026-2027 and a 4-hour target; a request on Friday evening
// before the New Year holidays. Each call reads the assignment and the
// schedule from the store and compiles it.
func BenchmarkResponseDue(b *testing.B) {
	for _, be := range testdb.Backends(b) {
		b.Run(string(be), func(b *testing.B) {
			ctx := context.Background()
			st := testdb.New(b, be)
			svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
			if err != nil {
				b.Fatal(err)
			}
			defer svc.Close()
			boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
			if err != nil {
				b.Fatal(err)
			}
			sch := supportHours()
			if sch.Closed, err = hours.HolidayDates(2026, 2027, ru.Holidays...); err != nil {
				b.Fatal(err)
			}
			stored, err := svc.CreateSchedule(ctx, boot.Admin.ID, sch)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.SetDepartmentHours(ctx, boot.Admin.ID, boot.Support.ID, stored.ID, 4*time.Hour); err != nil {
				b.Fatal(err)
			}
			at := msk(b, "2026-12-31 17:00")
			want := msk(b, "2027-01-04 12:00") // 1 January is the only New Year holiday in ru.Holidays
			b.ReportAllocs()
			for b.Loop() {
				due, err := svc.ResponseDue(ctx, boot.Support.ID, at)
				if err != nil || !due.Equal(want) {
					b.Fatalf("due = %s, %v", due, err)
				}
			}
		})
	}
}

// A store failure in the middle of the transaction leaves the schedule,
// the change log and the decisions as they were.
func TestDepartmentHoursStoreFailure(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, _ := newClockEnv(t, b)
		sch, err := e.svc.CreateSchedule(e.ctx, e.admin, supportHours())
		if err != nil {
			t.Fatal(err)
		}
		v := e.svc.Version()
		changes := testdb.Count(t, e.st.DB(), "billingrbac_changes")
		if err := e.st.DB().Exec("DROP TABLE billingrbac_department_hours").Error; err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.SetDepartmentHours(e.ctx, e.admin, e.boot.Support.ID, sch.ID, time.Hour); err == nil {
			t.Fatal("SetDepartmentHours succeeded without its table")
		}
		up := supportHours()
		up.Name = "Renamed"
		if err := e.svc.DeleteSchedule(e.ctx, e.admin, sch.ID); err == nil {
			t.Fatal("DeleteSchedule succeeded without department_hours")
		}
		if e.svc.Version() != v || testdb.Count(t, e.st.DB(), "billingrbac_changes") != changes {
			t.Fatalf("version %d -> %d, changes %d -> %d", v, e.svc.Version(), changes, testdb.Count(t, e.st.DB(), "billingrbac_changes"))
		}
		got, err := e.svc.Schedule(e.ctx, sch.ID)
		if err != nil || got.Schedule.Name != "Moscow office" {
			t.Fatalf("schedule = %+v, %v", got, err)
		}
		// The next write still works: the failed ones left no lock or gap.
		if _, err := e.svc.UpdateSchedule(e.ctx, e.admin, sch.ID, up); err != nil || e.svc.Version() != v+1 {
			t.Fatalf("update after failures: %v, version %d", err, e.svc.Version())
		}
	})
}
