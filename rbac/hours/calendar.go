package hours

import (
	"math"
	"slices"
	"time"
)

// The supported instants, as unix seconds: [1900-01-01, 2200-01-01) UTC.
const (
	minUnix = -2208988800
	maxUnix = 7258118400
)

// MinTime returns the first supported instant, 1900-01-01 00:00 UTC. Every
// argument and result lies in [MinTime(), MaxTime()).
func MinTime() time.Time { return time.Unix(minUnix, 0).UTC() }

// MaxTime returns the end of the supported instants, 2200-01-01 00:00 UTC.
// Calculations never look past it, which bounds every loop.
func MaxTime() time.Time { return time.Unix(maxUnix, 0).UTC() }

const (
	secondsPerDay = 86400
	// window is wider than any UTC offset ever used, so every instant
	// whose wall clock reads w lies within w ± window.
	window = secondsPerDay
	// closeHorizon is how many days past the last listed date (or the
	// instant asked about) NextClose looks before deciding the schedule
	// never closes: the weekly pattern repeats, so two weeks tell.
	closeHorizon = 15
)

// span is an open interval: of wall-clock seconds after a day's midnight
// (end may pass 86400) in a Calendar, of unix nanoseconds in an iterator.
type span struct{ start, end int64 }

// Calendar answers questions about one valid Schedule. It is immutable and
// safe for concurrent use.
type Calendar struct {
	sched      Schedule
	loc        *time.Location
	week       [7][]span
	dates      map[int64][]span // special and closed dates (nil spans), by day number
	lastListed int64            // the last day number in dates
	weekEmpty  bool             // no weekday has hours
}

// Compile validates s and returns its Calendar. Errors: a
// *ValidationError wrapping ErrInvalid.
func Compile(s Schedule) (*Calendar, error) {
	s = s.Clone()
	loc, err := s.check()
	if err != nil {
		return nil, err
	}
	c := &Calendar{sched: s, loc: loc, dates: make(map[int64][]span, len(s.Closed)+len(s.Special)),
		lastListed: math.MinInt64, weekEmpty: true}
	for wd, d := range s.Week {
		c.week[wd] = daySpans(d)
		if len(c.week[wd]) > 0 {
			c.weekEmpty = false
		}
	}
	for _, d := range s.Closed {
		n := d.days()
		c.dates[n] = nil
		c.lastListed = max(c.lastListed, n)
	}
	for _, sd := range s.Special {
		n := sd.Date.days()
		c.dates[n] = daySpans(sd.Hours)
		c.lastListed = max(c.lastListed, n)
	}
	return c, nil
}

// MustCompile is Compile for schedules known to be valid, such as
// AlwaysOpen(); it panics on an invalid one.
func MustCompile(s Schedule) *Calendar {
	c, err := Compile(s)
	if err != nil {
		panic(err)
	}
	return c
}

// daySpans turns a valid Day into sorted, merged spans of wall seconds.
func daySpans(d Day) []span {
	if len(d) == 0 {
		return nil
	}
	out := make([]span, 0, len(d))
	for _, iv := range d {
		e := int64(iv.End) * 60
		if iv.Overnight {
			e += secondsPerDay
		}
		out = append(out, span{int64(iv.Start) * 60, e})
	}
	slices.SortFunc(out, func(a, b span) int { return int(a.start - b.start) })
	merged := out[:1]
	for _, sp := range out[1:] {
		last := &merged[len(merged)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			continue
		}
		merged = append(merged, sp)
	}
	return slices.Clip(merged)
}

// Schedule returns a copy of the schedule.
func (c *Calendar) Schedule() Schedule { return c.sched.Clone() }

// Location returns the schedule's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// period is a stretch of time with one UTC offset: [start, end) in unix
// seconds, unbounded ends as math.MinInt64 / math.MaxInt64.
type period struct{ start, end, off int64 }

func (c *Calendar) period(u int64) period {
	t := time.Unix(u, 0).In(c.loc)
	_, off := t.Zone()
	s, e := t.ZoneBounds()
	p := period{math.MinInt64, math.MaxInt64, int64(off)}
	if !s.IsZero() {
		p.start = s.Unix()
	}
	if !e.IsZero() {
		p.end = e.Unix()
	}
	return p
}

// resolve maps the wall-clock reading w (seconds, as if UTC) to the first
// instant (unix seconds) at which the schedule's clock reads w or later.
// A time skipped by a forward change (02:30 on a spring-forward night)
// therefore maps to the instant of the change, and a time that occurs
// twice (01:30 on a fall-back night) to its first occurrence. The mapping
// never decreases as w grows, so a day's intervals stay in order.
func (c *Calendar) resolve(w int64, cache *period) int64 {
	if cache.start <= w-window && w+window < cache.end {
		return w - cache.off
	}
	var ps [8]period
	n := 0
	for u := w - window; n < len(ps); {
		p := c.period(u)
		ps[n] = p
		n++
		if p.end > w+window {
			break
		}
		u = p.end
	}
	best := int64(math.MaxInt64)
	var bestP period
	for i := range n {
		p := ps[i]
		if u := w - p.off; p.start <= u && u < p.end && u < best {
			best, bestP = u, p
		}
		// A forward jump over w: the clock reads less than w just
		// before the change and more than w at it.
		if i+1 < n {
			b := p.end
			if b-1+p.off < w && b+ps[i+1].off > w && b < best {
				best, bestP = b, ps[i+1]
			}
		}
	}
	if best == math.MaxInt64 { // unreachable with real zone data
		best, bestP = w-ps[0].off, ps[0]
	}
	*cache = bestP
	return best
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// dayOf returns the day number (days since 1970-01-01) of the schedule's
// local date at unix nanoseconds x.
func (c *Calendar) dayOf(x int64) int64 {
	t := time.Unix(0, x).In(c.loc)
	y, m, d := t.Date()
	return Date{y, m, d}.days()
}

// spansOf returns the wall spans of day number n.
func (c *Calendar) spansOf(n int64) []span {
	if sp, ok := c.dates[n]; ok {
		return sp
	}
	return c.week[floorMod7(n+4)] // 1970-01-01 was a Thursday
}

func floorMod7(n int64) int {
	m := n % 7
	if m < 0 {
		m += 7
	}
	return int(m)
}

// iter yields the schedule's open time from an instant on as disjoint
// pieces in increasing order (touching pieces are not merged), generated
// day by day. It stops at MaxTime(), and, for a schedule whose weekdays have
// no hours, after the last listed date.
type iter struct {
	c       *Calendar
	day     int64 // the next day to generate
	lastDay int64 // the last day to generate
	buf     []span
	i       int
	covered int64 // the end of everything yielded so far
	cache   period
	done    bool
}

const (
	minNano = minUnix * 1e9
	maxNano = maxUnix * 1e9
)

// pieces starts an iterator at unix nanoseconds x; pieces ending at or
// before x are skipped.
func (c *Calendar) pieces(x int64) *iter {
	// Two days back: an overnight shift of the day before, or a clock
	// change across midnight, can still cover x.
	first := c.dayOf(x) - 2
	last := floorDiv(maxNano/1e9, secondsPerDay) + 1
	if c.weekEmpty {
		last = min(last, max(c.lastListed, first)+2)
	}
	return &iter{c: c, day: first, lastDay: last, covered: x, buf: make([]span, 0, MaxIntervals),
		cache: period{start: math.MaxInt64, end: math.MinInt64}}
}

// next returns the next piece [start, end) in unix nanoseconds, or false
// when there is none before the iterator's end.
func (it *iter) next() (span, bool) {
	for {
		for it.i < len(it.buf) {
			sp := it.buf[it.i]
			it.i++
			if sp.end <= it.covered {
				continue
			}
			sp.start = max(sp.start, it.covered)
			it.covered = sp.end
			return sp, true
		}
		if it.done || it.day > it.lastDay {
			it.done = true
			return span{}, false
		}
		it.fill(it.day)
		it.day++
	}
}

func (it *iter) fill(day int64) {
	it.buf, it.i = it.buf[:0], 0
	base := day * secondsPerDay
	for _, ws := range it.c.spansOf(day) {
		s := it.c.resolve(base+ws.start, &it.cache)
		e := it.c.resolve(base+ws.end, &it.cache)
		if e <= s {
			continue // wholly inside a skipped hour
		}
		it.buf = append(it.buf, span{s * 1e9, e * 1e9})
	}
}
