package hours

import (
	"fmt"
	"time"
)

// nanos converts t to unix nanoseconds, refusing instants outside
// [MinTime(), MaxTime()).
func nanos(op string, t time.Time) (int64, error) {
	if t.Before(MinTime()) || !t.Before(MaxTime()) {
		return 0, fmt.Errorf("hours: %s: %s: %w: supported instants are [%s, %s)", op,
			t.Format(time.RFC3339), ErrOutOfRange, MinTime().Format(time.DateOnly), MaxTime().Format(time.DateOnly))
	}
	return t.UnixNano(), nil
}

// at converts unix nanoseconds back to a time in loc.
func at(x int64, loc *time.Location) time.Time { return time.Unix(0, x).In(loc) }

// IsOpen reports whether the schedule is open at t. Intervals are
// half-open: open at their start, closed at their end. Instants outside
// [MinTime(), MaxTime()) are reported closed.
func (c *Calendar) IsOpen(t time.Time) bool {
	x, err := nanos("is open", t)
	if err != nil {
		return false
	}
	sp, ok := c.pieces(x).next()
	return ok && sp.start <= x
}

// NextOpen returns the first instant at or after t at which the schedule
// is open: t itself when it is open. The result is in t's location.
// Errors: ErrNeverOpen (nothing opens after t), ErrOutOfRange.
func (c *Calendar) NextOpen(t time.Time) (time.Time, error) {
	x, err := nanos("next open", t)
	if err != nil {
		return time.Time{}, err
	}
	sp, ok := c.pieces(x).next()
	if !ok || sp.start >= maxNano {
		return time.Time{}, c.exhausted("next open", t)
	}
	return at(max(sp.start, x), t.Location()), nil
}

// exhausted is the error for an iterator that ran out: the schedule never
// opens again, or opens only after MaxTime().
func (c *Calendar) exhausted(op string, t time.Time) error {
	if c.weekEmpty {
		return fmt.Errorf("hours: %s after %s: schedule %q: %w", op, t.Format(time.RFC3339), c.sched.Name, ErrNeverOpen)
	}
	return fmt.Errorf("hours: %s after %s: schedule %q: the result is after %s: %w", op, t.Format(time.RFC3339),
		c.sched.Name, MaxTime().Format(time.DateOnly), ErrOutOfRange)
}

// NextClose returns the first instant at or after t at which the schedule
// is closed: t itself when it is closed. The result is in t's location.
// Errors: ErrAlwaysOpen (the schedule never closes after t, such as
// AlwaysOpen()), ErrOutOfRange.
func (c *Calendar) NextClose(t time.Time) (time.Time, error) {
	x, err := nanos("next close", t)
	if err != nil {
		return time.Time{}, err
	}
	it := c.pieces(x)
	sp, ok := it.next()
	if !ok || sp.start > x {
		return t, nil
	}
	// Past the listed dates the weekly pattern repeats: open without a
	// break for two more weeks means open for good.
	horizon := max(c.lastListed, c.dayOf(x)) + closeHorizon
	end := sp.end
	for {
		next, ok := it.next()
		if !ok || next.start > end {
			break
		}
		end = next.end
		if it.day > horizon {
			return time.Time{}, fmt.Errorf("hours: next close after %s: schedule %q: %w",
				t.Format(time.RFC3339), c.sched.Name, ErrAlwaysOpen)
		}
	}
	if end >= maxNano {
		return time.Time{}, fmt.Errorf("hours: next close after %s: schedule %q: %w", t.Format(time.RFC3339), c.sched.Name, ErrOutOfRange)
	}
	return at(end, t.Location()), nil
}

// Add returns the instant at which d of business time has passed after t:
// the response deadline of a request received at t with a target of d.
// Closed time does not count. The deadline is never inside closed time: it
// is in open time or at the very end of an open interval (18:00 for a day
// open until 18:00). Add(t, 0) is t. The result is in t's location.
// Errors: ErrInvalid (d < 0), ErrNeverOpen (the schedule does not open
// long enough after t), ErrOutOfRange.
func (c *Calendar) Add(t time.Time, d time.Duration) (time.Time, error) {
	if d < 0 {
		return time.Time{}, fmt.Errorf("hours: add %s: %w: the duration must not be negative", d, ErrInvalid)
	}
	x, err := nanos("add", t)
	if err != nil {
		return time.Time{}, err
	}
	if d == 0 {
		return t, nil
	}
	left := int64(d)
	it := c.pieces(x)
	for {
		sp, ok := it.next()
		if !ok || sp.start >= maxNano {
			return time.Time{}, c.exhausted("add "+d.String(), t)
		}
		if n := sp.end - sp.start; left > n {
			left -= n
			continue
		}
		due := sp.start + left
		if due >= maxNano {
			return time.Time{}, c.exhausted("add "+d.String(), t)
		}
		return at(due, t.Location()), nil
	}
}

// Elapsed returns the business time between a and b: how much of [a, b)
// the schedule is open. It is negative when b is before a. Errors:
// ErrOutOfRange.
func (c *Calendar) Elapsed(a, b time.Time) (time.Duration, error) {
	x, err := nanos("elapsed", a)
	if err != nil {
		return 0, err
	}
	y, err := nanos("elapsed", b)
	if err != nil {
		return 0, err
	}
	sign := time.Duration(1)
	if y < x {
		x, y, sign = y, x, -1
	}
	var sum int64
	it := c.pieces(x)
	for {
		sp, ok := it.next()
		if !ok || sp.start >= y {
			return sign * time.Duration(sum), nil
		}
		sum += min(sp.end, y) - sp.start
	}
}
