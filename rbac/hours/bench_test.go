package hours_test

import (
	"testing"
	"time"

	"github.com/rickar/cal/v2/ru"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

// benchCalendar is the Moscow office (lunch break, Monday to Friday) closed
// on Russia's public holidays of 2026 and 2027.
func benchCalendar(b *testing.B) *hours.Calendar {
	b.Helper()
	hol, err := hours.HolidayDates(2026, 2027, ru.Holidays...)
	if err != nil {
		b.Fatal(err)
	}
	return compile(b, hours.Schedule{Name: "office", Zone: "Europe/Moscow",
		Week: hours.Every(hours.Day{{Start: hours.At(9, 0), End: hours.At(13, 0)}, {Start: hours.At(14, 0), End: hours.At(18, 0)}},
			hours.Workweek()...),
		Closed: hol})
}

// 40 business hours from Friday 25 December 2026, across the New Year
// holidays.
func BenchmarkAdd40h(b *testing.B) {
	c := benchCalendar(b)
	at := tm(b, "Europe/Moscow", "2026-12-25 17:00")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Add(at, 40*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

// The same over a New York schedule whose week includes the spring-forward
// night, with an overnight shift.
func BenchmarkAdd40hDST(b *testing.B) {
	c := compile(b, hours.Schedule{Name: "ny", Zone: "America/New_York",
		Week: hours.Every(hours.Day{{Start: hours.At(8, 0), End: hours.At(12, 0)}, {Start: hours.At(22, 0), End: hours.At(2, 0), Overnight: true}},
			time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday)})
	at := tm(b, "America/New_York", "2026-03-05 09:00")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Add(at, 40*time.Hour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIsOpen(b *testing.B) {
	c := benchCalendar(b)
	at := tm(b, "Europe/Moscow", "2026-12-30 10:00")
	b.ReportAllocs()
	for b.Loop() {
		if !c.IsOpen(at) {
			b.Fatal("closed")
		}
	}
}

func BenchmarkCompile(b *testing.B) {
	hol, err := hours.HolidayDates(2026, 2027, ru.Holidays...)
	if err != nil {
		b.Fatal(err)
	}
	s := hours.Schedule{Name: "office", Zone: "Europe/Moscow",
		Week: hours.Every(hours.Hours(hours.At(9, 0), hours.At(18, 0)), hours.Workweek()...), Closed: hol}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := hours.Compile(s); err != nil {
			b.Fatal(err)
		}
	}
}
