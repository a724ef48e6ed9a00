package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

func sampleSchedule(name string) hours.Schedule {
	return hours.Schedule{
		Name:   name,
		Zone:   "America/New_York",
		Week:   hours.Every(hours.Day{{Start: hours.At(22, 0), End: hours.At(6, 0), Overnight: true}}, time.Monday, time.Friday),
		Closed: []hours.Date{{Year: 2026, Month: time.December, Day: 25}},
		Special: []hours.SpecialDate{{Date: hours.Date{Year: 2028, Month: time.February, Day: 29},
			Hours: hours.Hours(hours.At(9, 30), hours.Midnight)}},
	}
}

func scheduleTx(t *testing.T, tx rbac.Tx) rbac.ScheduleTx {
	t.Helper()
	st, ok := tx.(rbac.ScheduleTx)
	if !ok {
		t.Fatalf("%T does not implement rbac.ScheduleTx", tx)
	}
	return st
}

func TestScheduleStore(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := testdb.New(t, b)
		var first rbac.StoredSchedule
		err := st.Update(ctx, func(tx rbac.Tx) error {
			s := scheduleTx(t, tx)
			first = rbac.StoredSchedule{Schedule: sampleSchedule("Night desk")}
			if err := s.CreateSchedule(&first); err != nil {
				return err
			}
			return s.SetDepartmentHours(rbac.DepartmentHours{Department: 7, Schedule: first.ID, Target: 90 * time.Minute})
		})
		if err != nil {
			t.Fatal(err)
		}
		if first.ID <= 0 || first.CreatedAt.IsZero() || !first.CreatedAt.Equal(first.UpdatedAt) {
			t.Fatalf("created %+v", first)
		}

		t.Run("round trip", func(t *testing.T) {
			got, err := st.Schedule(ctx, first.ID)
			if err != nil {
				t.Fatal(err)
			}
			a, _ := json.Marshal(got.Schedule)
			w, _ := json.Marshal(sampleSchedule("Night desk"))
			if string(a) != string(w) || !got.CreatedAt.Equal(first.CreatedAt) {
				t.Fatalf("got %s, want %s", a, w)
			}
			h, err := st.DepartmentHours(ctx, 7)
			if err != nil || h != (rbac.DepartmentHours{Department: 7, Schedule: first.ID, Target: 90 * time.Minute}) {
				t.Fatalf("hours = %+v, %v", h, err)
			}
		})

		t.Run("not found", func(t *testing.T) {
			if _, err := st.Schedule(ctx, 999); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("Schedule: %v", err)
			}
			if _, err := st.DepartmentHours(ctx, 8); !errors.Is(err, rbac.ErrNotFound) {
				t.Fatalf("DepartmentHours: %v", err)
			}
			err := st.Update(ctx, func(tx rbac.Tx) error {
				s := scheduleTx(t, tx)
				if err := s.DeleteSchedule(999); !errors.Is(err, rbac.ErrNotFound) {
					t.Errorf("DeleteSchedule: %v", err)
				}
				missing := rbac.StoredSchedule{ID: 999, Schedule: sampleSchedule("x")}
				if err := s.UpdateSchedule(&missing); !errors.Is(err, rbac.ErrNotFound) {
					t.Errorf("UpdateSchedule: %v", err)
				}
				return s.DeleteDepartmentHours(8) // none: not an error
			})
			if err != nil {
				t.Fatal(err)
			}
		})

		t.Run("unique name", func(t *testing.T) {
			err := st.Update(ctx, func(tx rbac.Tx) error {
				dup := rbac.StoredSchedule{Schedule: sampleSchedule("Night desk")}
				return scheduleTx(t, tx).CreateSchedule(&dup)
			})
			if !errors.Is(err, rbac.ErrConflict) {
				t.Fatalf("err = %v", err)
			}
		})

		t.Run("a failed transaction leaves nothing", func(t *testing.T) {
			boom := errors.New("boom")
			err := st.Update(ctx, func(tx rbac.Tx) error {
				s := scheduleTx(t, tx)
				second := rbac.StoredSchedule{Schedule: sampleSchedule("Day desk")}
				if err := s.CreateSchedule(&second); err != nil {
					return err
				}
				if err := s.SetDepartmentHours(rbac.DepartmentHours{Department: 7, Schedule: second.ID}); err != nil {
					return err
				}
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("err = %v", err)
			}
			if n := testdb.Count(t, st.DB(), "billingrbac_schedules"); n != 1 {
				t.Fatalf("schedules = %d", n)
			}
			if h, _ := st.DepartmentHours(ctx, 7); h.Schedule != first.ID {
				t.Fatalf("hours = %+v", h)
			}
		})

		t.Run("upsert, users, update, delete", func(t *testing.T) {
			err := st.Update(ctx, func(tx rbac.Tx) error {
				s := scheduleTx(t, tx)
				for _, d := range []rbac.DepartmentID{9, 3} {
					if err := s.SetDepartmentHours(rbac.DepartmentHours{Department: d, Schedule: first.ID, Target: time.Hour}); err != nil {
						return err
					}
				}
				if err := s.SetDepartmentHours(rbac.DepartmentHours{Department: 7, Schedule: rbac.AlwaysOpenSchedule, Target: 4 * time.Hour}); err != nil {
					return err
				}
				users, err := s.ScheduleUsers(first.ID)
				if err != nil || !slices.Equal(users, []rbac.DepartmentID{3, 9}) {
					t.Errorf("users = %v, %v", users, err)
				}
				up := first
				up.Schedule.Name = "Night desk (winter)"
				if err := s.UpdateSchedule(&up); err != nil {
					return err
				}
				return s.DeleteDepartmentHours(9)
			})
			if err != nil {
				t.Fatal(err)
			}
			all, err := st.AllDepartmentHours(ctx)
			want := []rbac.DepartmentHours{
				{Department: 3, Schedule: first.ID, Target: time.Hour},
				{Department: 7, Schedule: rbac.AlwaysOpenSchedule, Target: 4 * time.Hour},
			}
			if err != nil || !slices.Equal(all, want) {
				t.Fatalf("all = %+v, %v", all, err)
			}
			list, err := st.Schedules(ctx)
			if err != nil || len(list) != 1 || list[0].Schedule.Name != "Night desk (winter)" {
				t.Fatalf("schedules = %+v, %v", list, err)
			}
		})
	})
}
