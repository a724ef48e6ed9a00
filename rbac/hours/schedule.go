package hours

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/billingrbac/billingrbac/internal/display"
)

// Limits on a Schedule, so that validation and every calculation stay
// bounded.
const (
	MaxIntervals    = 16   // open intervals per day
	MaxClosedDates  = 1000 // closed dates (holidays)
	MaxSpecialDates = 1000 // special dates with their own hours
	MaxNameLength   = 128  // characters in a schedule's name
)

// Clock is a wall-clock time of day, in minutes after midnight, from 00:00
// to 24:00 (Midnight, the end of the day). Its text form is "HH:MM".
type Clock int

// Midnight is 24:00, the end of a day.
const Midnight Clock = 24 * 60

// At returns the Clock h:m.
func At(h, m int) Clock { return Clock(h*60 + m) }

// Hour returns the hour, 0 to 24.
func (c Clock) Hour() int { return int(c) / 60 }

// Minute returns the minute within the hour.
func (c Clock) Minute() int { return int(c) % 60 }

// String returns "HH:MM".
func (c Clock) String() string {
	if c < 0 || c > Midnight {
		return "invalid(" + strconv.Itoa(int(c)) + ")"
	}
	return fmt.Sprintf("%02d:%02d", c.Hour(), c.Minute())
}

// ParseClock parses "HH:MM" (00:00 to 24:00). It returns an error wrapping
// ErrInvalid for anything else.
func ParseClock(s string) (Clock, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("parse clock %q: %w: want HH:MM", s, ErrInvalid)
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	if err1 != nil || err2 != nil || s[0] == '+' || s[3] == '+' || s[0] == '-' || s[3] == '-' ||
		h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("parse clock %q: %w: want HH:MM between 00:00 and 24:00", s, ErrInvalid)
	}
	return At(h, m), nil
}

// MarshalText implements encoding.TextMarshaler.
func (c Clock) MarshalText() ([]byte, error) {
	if c < 0 || c > Midnight {
		return nil, fmt.Errorf("marshal clock %d: %w", int(c), ErrInvalid)
	}
	return []byte(c.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	if err != nil {
		return err
	}
	*c = v
	return nil
}

// Interval is one open period of a day, [Start, End) in wall-clock time.
// End must be after Start, unless Overnight is set: then the interval runs
// past midnight and ends at End on the next day, and End must be before
// Start. An overnight interval belongs to the day it starts on (a closed
// date closes the shift that would start on it, not the one running into
// it).
type Interval struct {
	Start     Clock `json:"start"`
	End       Clock `json:"end"`
	Overnight bool  `json:"overnight,omitempty"`
}

// Day is the open intervals of one day, in any order. Overlapping or
// touching intervals are merged (as are a shift running past midnight and
// the next day's hours): the schedule is open when any interval is. An
// empty Day is closed.
type Day []Interval

// AllDay returns a Day open from 00:00 to 24:00.
func AllDay() Day { return Day{{Start: 0, End: Midnight}} }

// Hours returns a Day with the single interval [start, end).
func Hours(start, end Clock) Day { return Day{{Start: start, End: end}} }

// Date is a calendar date, without a time zone: the schedule's zone gives
// it meaning. Its text form is "YYYY-MM-DD".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String returns "YYYY-MM-DD".
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day) }

// valid reports whether d is a real date within the supported years.
func (d Date) valid() bool {
	if d.Year < MinTime().Year() || d.Year >= MaxTime().Year() {
		return false
	}
	return DateOf(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)) == d
}

// ParseDate parses "YYYY-MM-DD". It returns an error wrapping ErrInvalid
// for anything else, including dates that do not exist (2026-02-29).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w: want YYYY-MM-DD", s, ErrInvalid)
	}
	return DateOf(t), nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// days returns the number of days since 1970-01-01.
func (d Date) days() int64 {
	return floorDiv(time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix(), secondsPerDay)
}

// SpecialDate gives one date its own hours instead of its weekday's (a
// short day before a holiday, a working Saturday). Empty Hours close it.
type SpecialDate struct {
	Date  Date `json:"date"`
	Hours Day  `json:"hours"`
}

// Schedule is a named, reusable set of business hours: a time zone, the
// open intervals of each weekday, closed dates (holidays) and special
// dates. It is plain data (it marshals to JSON); Compile checks it and
// returns the Calendar that answers questions about it.
type Schedule struct {
	Name string `json:"name"`
	// Zone is an IANA time zone name such as "Europe/Moscow"; every wall
	// clock time and date of the schedule is in it. "Local" is refused: it
	// would differ from machine to machine.
	Zone string `json:"zone"`
	// Week holds each weekday's hours, indexed by time.Weekday
	// (Week[time.Sunday] ... Week[time.Saturday]).
	Week [7]Day `json:"week"`
	// Closed dates are closed all day (holidays).
	Closed []Date `json:"closed,omitempty"`
	// Special dates have their own hours.
	Special []SpecialDate `json:"special,omitempty"`
}

// Every returns a week with d on each of days and closed otherwise.
func Every(d Day, days ...time.Weekday) [7]Day {
	var w [7]Day
	for _, wd := range days {
		if wd >= time.Sunday && wd <= time.Saturday {
			w[wd] = slices.Clone(d)
		}
	}
	return w
}

// Workweek returns Monday to Friday.
func Workweek() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
}

// AlwaysOpen returns the built-in 24/7 schedule: open every day all day,
// in UTC (a schedule open all the time reads the same in every zone).
func AlwaysOpen() Schedule {
	return Schedule{
		Name: "24/7",
		Zone: "UTC",
		Week: Every(AllDay(), time.Sunday, time.Monday, time.Tuesday, time.Wednesday,
			time.Thursday, time.Friday, time.Saturday),
	}
}

// Clone returns a deep copy of s.
func (s Schedule) Clone() Schedule {
	c := s
	for i := range c.Week {
		c.Week[i] = slices.Clone(s.Week[i])
	}
	c.Closed = slices.Clone(s.Closed)
	if s.Special != nil {
		c.Special = make([]SpecialDate, len(s.Special))
		for i, sd := range s.Special {
			c.Special[i] = SpecialDate{Date: sd.Date, Hours: slices.Clone(sd.Hours)}
		}
	}
	return c
}

// Validate reports every bad field at once, as a *ValidationError
// (wrapping ErrInvalid). It trims the name.
func (s *Schedule) Validate() error {
	_, err := s.check()
	return err
}

func (s *Schedule) check() (*time.Location, error) {
	var fe fieldErrors
	s.Name = strings.TrimSpace(s.Name)
	if rule, msg := display.Check(s.Name, MaxNameLength); rule != "" {
		fe.add("name", rule, "%s", msg)
	}
	var loc *time.Location
	switch {
	case s.Zone == "":
		fe.add("zone", "required", "an IANA time zone such as Europe/Moscow is required")
	case s.Zone == "Local" || strings.EqualFold(s.Zone, "local"):
		fe.add("zone", "zone", "Local depends on the machine: name an IANA time zone")
	default:
		l, err := time.LoadLocation(s.Zone)
		if err != nil {
			fe.add("zone", "zone", "unknown time zone %q", s.Zone)
		} else {
			loc = l
		}
	}
	for wd, d := range s.Week {
		checkDay(&fe, "week["+strings.ToLower(time.Weekday(wd).String())+"]", d)
	}
	// Counts are checked before any element: a list over its limit is
	// one error, found without reading it, so refusing 10⁶ dates costs
	// what refusing 1001 does.
	tooMany := false
	if len(s.Closed) > MaxClosedDates {
		fe.add("closed", "max_count", "at most %d closed dates, not %d", MaxClosedDates, len(s.Closed))
		tooMany = true
	}
	if len(s.Special) > MaxSpecialDates {
		fe.add("special", "max_count", "at most %d special dates, not %d", MaxSpecialDates, len(s.Special))
		tooMany = true
	}
	if tooMany {
		return loc, fe.err()
	}
	seen := make(map[Date]string, len(s.Closed)+len(s.Special))
	for i, d := range s.Closed {
		f := fmt.Sprintf("closed[%d]", i)
		checkDate(&fe, f, d, seen)
	}
	for i, sd := range s.Special {
		f := fmt.Sprintf("special[%d]", i)
		checkDate(&fe, f+".date", sd.Date, seen)
		checkDay(&fe, f+".hours", sd.Hours)
	}
	return loc, fe.err()
}

func checkDate(fe *fieldErrors, field string, d Date, seen map[Date]string) {
	if !d.valid() {
		fe.add(field, "date", "%s is not a date between %d and %d", d, MinTime().Year(), MaxTime().Year()-1)
		return
	}
	if prev, ok := seen[d]; ok {
		fe.add(field, "duplicate", "%s is already listed as %s", d, prev)
		return
	}
	seen[d] = field
}

func checkDay(fe *fieldErrors, field string, d Day) {
	if len(d) > MaxIntervals {
		fe.add(field, "max_count", "at most %d intervals a day, not %d", MaxIntervals, len(d))
		return
	}
	for i, iv := range d {
		f := fmt.Sprintf("%s[%d]", field, i)
		okStart := iv.Start >= 0 && iv.Start < Midnight
		okEnd := iv.End >= 0 && iv.End <= Midnight
		if !okStart {
			fe.add(f+".start", "range", "must be between 00:00 and 23:59")
		}
		if !okEnd {
			fe.add(f+".end", "range", "must be between 00:00 and 24:00")
		}
		if !okStart || !okEnd {
			continue
		}
		switch {
		case iv.Overnight && iv.End == Midnight:
			fe.add(f+".end", "range", "an overnight interval ends at 00:00 at the latest (24:00 is the same day)")
		case iv.Overnight && iv.End >= iv.Start:
			fe.add(f+".end", "order", "an overnight interval must end (next day) before the time it starts; use all day for 24 hours")
		case !iv.Overnight && iv.End <= iv.Start:
			fe.add(f+".end", "order", "must be after start (%s); set overnight for an interval past midnight", iv.Start)
		}
	}
}
