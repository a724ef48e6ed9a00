// Package hours computes business time: when a schedule of business hours
// is open, when it next opens or closes, the deadline d of business time
// after an instant, and the business time between two instants. It is
// pure calculation — no database, no clock of its own (every instant is
// an argument), deterministic — and is used by package rbac for
// departments' business hours and response deadlines.
//
// # Basics
//
// A Schedule is plain data (it marshals to JSON): a name, an IANA time
// zone, the open intervals of each weekday (split shifts and lunch
// breaks, all day, intervals running past midnight), closed dates and
// special dates with their own hours. Compile validates it and returns
// the Calendar that answers questions:
//
//	c, err := hours.Compile(hours.Schedule{
//		Name: "Technical support",
//		Zone: "Europe/Moscow",
//		Week: hours.Every(hours.Day{
//			{Start: hours.At(9, 0), End: hours.At(13, 0)},
//			{Start: hours.At(14, 0), End: hours.At(18, 0)},
//		}, hours.Workweek()...),
//	})
//	due, err := c.Add(receivedAt, 4*time.Hour) // the response deadline
//
// AlwaysOpen is the built-in 24/7 schedule. HolidayDates fills closed
// dates from a github.com/rickar/cal/v2 holiday calendar.
//
// # Caveats
//
// Wall-clock times are resolved in the schedule's zone: a time skipped by
// a forward clock change (02:30 on a spring-forward night) means the
// instant of the change, and a time that occurs twice (01:30 on a
// fall-back night) means its first occurrence. A day's hours therefore
// last as long as the clocks say: 09:00-18:00 is 9 real hours on any day
// but one whose change falls inside it.
//
// Intervals are half-open: open at their start, closed at their end. An
// overnight interval belongs to the day it starts on. Overlapping or
// touching intervals are merged, not refused.
//
// Instants must lie in [MinTime(), MaxTime()) (1900 to 2200); every loop is
// bounded by that range and by the limits on a Schedule (MaxIntervals,
// MaxClosedDates, MaxSpecialDates). A schedule that never opens again
// returns ErrNeverOpen instead of searching forever; one that never
// closes returns ErrAlwaysOpen from NextClose.
//
// Results are returned in the location of the instant given. A Calendar
// is immutable and safe for concurrent use; Compile loads the time zone,
// so compile once and reuse the Calendar for many calculations.
package hours
