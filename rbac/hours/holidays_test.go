package hours_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/rickar/cal/v2/ru"
	"github.com/rickar/cal/v2/us"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

func TestHolidayDates(t *testing.T) {
	got, err := hours.HolidayDates(2026, 2026, us.NewYear, us.IndependenceDay, us.ThanksgivingDay, us.ChristmasDay)
	if err != nil {
		t.Fatal(err)
	}
	// 4 July 2026 is a Saturday: observed on Friday the 3rd.
	want := []hours.Date{date(t, "2026-01-01"), date(t, "2026-07-03"), date(t, "2026-11-26"), date(t, "2026-12-25")}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}

	ru26, err := hours.HolidayDates(2026, 2026, ru.Holidays...)
	if err != nil {
		t.Fatal(err)
	}
	c := compile(t, hours.Schedule{Name: "Moscow", Zone: "Europe/Moscow",
		Week: hours.Every(hours.Hours(hours.At(9, 0), hours.At(18, 0)), hours.Workweek()...), Closed: ru26})
	// Friday 1 May is Labour Day: a request on Thursday evening is due on Monday.
	due, err := c.Add(tm(t, "Europe/Moscow", "2026-04-30 17:00"), 2*time.Hour)
	if err != nil || !due.Equal(tm(t, "Europe/Moscow", "2026-05-04 10:00")) {
		t.Fatalf("due = %s, %v", due, err)
	}

	for _, r := range [][2]int{{2027, 2026}, {1899, 1900}, {2199, 2200}} {
		if _, err := hours.HolidayDates(r[0], r[1], us.Holidays...); !errors.Is(err, hours.ErrInvalid) {
			t.Errorf("HolidayDates(%d, %d) err = %v", r[0], r[1], err)
		}
	}
	if _, err := hours.HolidayDates(1900, 2199, us.Holidays...); !errors.Is(err, hours.ErrInvalid) {
		t.Errorf("3000 dates accepted: %v", err)
	}
}
