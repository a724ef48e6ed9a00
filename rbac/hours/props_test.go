package hours_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

// zones with every kind of clock change: none, one hour both ways, 30
// minutes (Lord Howe), odd offsets (Kathmandu, Chatham), a skipped day
// (Apia, December 2011), southern-hemisphere summers, Moscow's 2011 and
// 2014 changes.
var propZones = []string{
	"UTC", "Europe/Moscow", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu",
	"Pacific/Chatham", "Pacific/Apia", "America/Sao_Paulo", "Europe/London", "America/St_Johns",
}

// propBase is the start of the window the property tests draw instants
// and dates from.
var propBase = time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)

const propDays = 800

// checkProps asserts the calculation properties at instant at with
// duration d.
func checkProps(t *testing.T, c *hours.Calendar, at time.Time, d time.Duration) {
	t.Helper()
	const ns = time.Nanosecond
	open := c.IsOpen(at)
	no, err := c.NextOpen(at)
	switch {
	case errors.Is(err, hours.ErrNeverOpen), errors.Is(err, hours.ErrOutOfRange):
		if open {
			t.Fatalf("open at %s but NextOpen: %v", at, err)
		}
		if d > 0 {
			if _, aerr := c.Add(at, d); !errors.Is(aerr, hours.ErrNeverOpen) && !errors.Is(aerr, hours.ErrOutOfRange) {
				t.Fatalf("NextOpen(%s) failed (%v) but Add: %v", at, err, aerr)
			}
		}
	case err != nil:
		t.Fatalf("NextOpen(%s): %v", at, err)
	default:
		if no.Before(at) {
			t.Fatalf("NextOpen(%s) = %s is before it", at, no)
		}
		if !c.IsOpen(no) {
			t.Fatalf("NextOpen(%s) = %s is closed", at, no)
		}
		if open != no.Equal(at) {
			t.Fatalf("IsOpen(%s) = %v but NextOpen = %s", at, open, no)
		}
		if el, err := c.Elapsed(at, no); err != nil || el != 0 {
			t.Fatalf("Elapsed(%s, NextOpen %s) = %s, %v; want 0", at, no, el, err)
		}
		if no.After(at) {
			mid := at.Add(no.Sub(at) / 2)
			for _, x := range []time.Time{at, mid, no.Add(-ns)} {
				if c.IsOpen(x) {
					t.Fatalf("open at %s in [%s, NextOpen %s)", x, at, no)
				}
			}
		}
	}

	due, err := c.Add(at, d)
	if err != nil {
		if !errors.Is(err, hours.ErrNeverOpen) && !errors.Is(err, hours.ErrOutOfRange) {
			t.Fatalf("Add(%s, %s): %v", at, d, err)
		}
	} else {
		if el, err := c.Elapsed(at, due); err != nil || el != d {
			t.Fatalf("Elapsed(%s, Add(%s) = %s) = %s, %v", at, d, due, el, err)
		}
		if d > 0 && !c.IsOpen(due.Add(-ns)) {
			t.Fatalf("Add(%s, %s) = %s lands in closed time", at, d, due)
		}
		if half, err := c.Add(at, d/2); err != nil || half.After(due) {
			t.Fatalf("Add(%s, %s) = %s, %v after Add(%s) = %s", at, d/2, half, err, d, due)
		}
		if more, err := c.Add(at, d+ns); err == nil && !more.After(due) {
			t.Fatalf("Add(%s, %s) = %s not after Add(%s) = %s", at, d+ns, more, d, due)
		}
	}

	nc, err := c.NextClose(at)
	switch {
	case errors.Is(err, hours.ErrAlwaysOpen):
		if !open {
			t.Fatalf("closed at %s but NextClose says always open", at)
		}
	case err != nil:
		t.Fatalf("NextClose(%s): %v", at, err)
	default:
		if c.IsOpen(nc) || nc.Before(at) {
			t.Fatalf("NextClose(%s) = %s is open or before", at, nc)
		}
		if el, err := c.Elapsed(at, nc); err != nil || el != nc.Sub(at) {
			t.Fatalf("Elapsed(%s, NextClose %s) = %s, %v; want all of it", at, nc, el, err)
		}
	}
}

func randClock(r *rand.Rand) hours.Clock { return hours.Clock(r.IntN(96) * 15) }

func randDay(r *rand.Rand) hours.Day {
	switch r.IntN(6) {
	case 0:
		return nil
	case 1:
		return hours.AllDay()
	}
	var d hours.Day
	for range r.IntN(4) + 1 {
		a, b := randClock(r), randClock(r)
		switch {
		case a < b:
			d = append(d, hours.Interval{Start: a, End: b})
		case a > b:
			d = append(d, hours.Interval{Start: a, End: b, Overnight: true})
		}
	}
	return d
}

func randSchedule(r *rand.Rand) hours.Schedule {
	s := hours.Schedule{Name: "random", Zone: propZones[r.IntN(len(propZones))]}
	for i := range s.Week {
		if r.IntN(3) > 0 {
			s.Week[i] = randDay(r)
		}
	}
	seen := map[hours.Date]bool{}
	for range r.IntN(20) {
		dd := hours.DateOf(propBase.AddDate(0, 0, r.IntN(propDays)))
		if seen[dd] {
			continue
		}
		seen[dd] = true
		if r.IntN(2) == 0 {
			s.Closed = append(s.Closed, dd)
		} else {
			s.Special = append(s.Special, hours.SpecialDate{Date: dd, Hours: randDay(r)})
		}
	}
	return s
}

func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 400
	if testing.Short() {
		n = 50
	}
	for i := range n {
		s := randSchedule(r)
		c, err := hours.Compile(s)
		if err != nil {
			t.Fatalf("schedule %d: %v", i, err)
		}
		for range 10 {
			at := propBase.Add(time.Duration(r.Int64N(int64(propDays * 24 * time.Hour))))
			if r.IntN(2) == 0 { // land exactly on a quarter hour now and then
				at = at.Truncate(15 * time.Minute)
			}
			at = at.In(loc(t, propZones[r.IntN(len(propZones))]))
			d := time.Duration(r.Int64N(int64(120 * time.Hour)))
			if r.IntN(3) == 0 {
				d = d.Truncate(15 * time.Minute)
			}
			t.Run("", func(t *testing.T) {
				defer func() {
					if t.Failed() {
						t.Logf("schedule: %+v", s)
					}
				}()
				checkProps(t, c, at, d)
			})
		}
	}
}
