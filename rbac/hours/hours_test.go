package hours_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

func loc(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	require.NoError(t, err)
	return l
}

// tm parses "2006-01-02 15:04" in zone.
func tm(t testing.TB, zone, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc(t, zone))
	require.NoError(t, err)
	return v
}

func date(t testing.TB, s string) hours.Date {
	t.Helper()
	d, err := hours.ParseDate(s)
	require.NoError(t, err)
	return d
}

func compile(t testing.TB, s hours.Schedule) *hours.Calendar {
	t.Helper()
	c, err := hours.Compile(s)
	require.NoError(t, err)
	return c
}

// office: Moscow, Monday to Friday 09:00-13:00 and 14:00-18:00 (lunch
// break), closed on 2026-05-01 and 2027-01-01, a short day on 2026-04-30.
func office(t testing.TB) *hours.Calendar {
	t.Helper()
	day := hours.Day{{Start: hours.At(14, 0), End: hours.At(18, 0)}, {Start: hours.At(9, 0), End: hours.At(13, 0)}}
	return compile(t, hours.Schedule{
		Name:    "Moscow office",
		Zone:    "Europe/Moscow",
		Week:    hours.Every(day, hours.Workweek()...),
		Closed:  []hours.Date{date(t, "2026-05-01"), date(t, "2027-01-01")},
		Special: []hours.SpecialDate{{Date: date(t, "2026-04-30"), Hours: hours.Hours(hours.At(9, 0), hours.At(16, 0))}},
	})
}

func allDayOn(t testing.TB, zone string, days ...time.Weekday) *hours.Calendar {
	t.Helper()
	return compile(t, hours.Schedule{Name: "all day", Zone: zone, Week: hours.Every(hours.AllDay(), days...)})
}

func oneInterval(t testing.TB, zone string, wd time.Weekday, start, end hours.Clock) *hours.Calendar {
	t.Helper()
	return compile(t, hours.Schedule{Name: "one", Zone: zone, Week: hours.Every(hours.Hours(start, end), wd)})
}

func TestAdd(t *testing.T) {
	const msk, nyc = "Europe/Moscow", "America/New_York"
	night := compile(t, hours.Schedule{Name: "night desk", Zone: nyc,
		Week: hours.Every(hours.Day{{Start: hours.At(22, 0), End: hours.At(6, 0), Overnight: true}}, hours.Workweek()...)})
	always := hours.MustCompile(hours.AlwaysOpen())
	leap := compile(t, hours.Schedule{Name: "leap", Zone: msk, Week: hours.Every(hours.Hours(hours.At(9, 0), hours.At(18, 0)), hours.Workweek()...)})
	tests := []struct {
		name string
		c    *hours.Calendar
		at   time.Time
		d    time.Duration
		want time.Time
	}{
		{"within weekday hours", office(t), tm(t, msk, "2026-03-02 10:00"), 2 * time.Hour, tm(t, msk, "2026-03-02 12:00")},
		{"lunch break skipped", office(t), tm(t, msk, "2026-03-02 12:00"), 2 * time.Hour, tm(t, msk, "2026-03-02 15:00")},
		{"received during lunch", office(t), tm(t, msk, "2026-03-02 13:30"), 30 * time.Minute, tm(t, msk, "2026-03-02 14:30")},
		{"received before opening", office(t), tm(t, msk, "2026-03-02 07:00"), time.Hour, tm(t, msk, "2026-03-02 10:00")},
		{"deadline at closing time", office(t), tm(t, msk, "2026-03-02 16:00"), 2 * time.Hour, tm(t, msk, "2026-03-02 18:00")},
		{"friday evening due monday", office(t), tm(t, msk, "2026-03-06 19:00"), 4 * time.Hour, tm(t, msk, "2026-03-09 13:00")},
		{"friday afternoon due monday", office(t), tm(t, msk, "2026-03-06 17:00"), 4 * time.Hour, tm(t, msk, "2026-03-09 12:00")},
		{"instant given in UTC", office(t), tm(t, "UTC", "2026-03-06 16:00"), 4 * time.Hour, tm(t, "UTC", "2026-03-09 10:00")},
		{"special short day then holiday", office(t), tm(t, msk, "2026-04-30 15:00"), 2 * time.Hour, tm(t, msk, "2026-05-04 10:00")},
		{"year end and new year holiday", office(t), tm(t, msk, "2026-12-31 17:00"), 2 * time.Hour, tm(t, msk, "2027-01-04 10:00")},
		{"40 business hours is a week", office(t), tm(t, msk, "2026-03-02 09:00"), 40 * time.Hour, tm(t, msk, "2026-03-06 18:00")},
		{"leap day is a working tuesday", leap, tm(t, msk, "2028-02-28 17:00"), 2 * time.Hour, tm(t, msk, "2028-02-29 10:00")},
		{"overnight shift", night, tm(t, nyc, "2026-03-02 23:00"), 2 * time.Hour, tm(t, nyc, "2026-03-03 01:00")},
		{"overnight friday shift to monday", night, tm(t, nyc, "2026-03-06 23:00"), 8 * time.Hour, tm(t, nyc, "2026-03-09 23:00")},
		{"overnight shift ends at 06:00", night, tm(t, nyc, "2026-03-06 22:00"), 8 * time.Hour, tm(t, nyc, "2026-03-07 06:00")},
		{"overnight shifts friday to monday after spring forward", night, tm(t, nyc, "2026-03-06 22:00"), 9 * time.Hour, tm(t, nyc, "2026-03-09 23:00")},
		{"24/7 counts every hour", always, tm(t, nyc, "2026-03-07 12:00"), 24 * time.Hour, tm(t, nyc, "2026-03-08 13:00")},
		{"24/7 across fall back", always, tm(t, nyc, "2026-10-31 12:00"), 24 * time.Hour, tm(t, nyc, "2026-11-01 11:00")},
		{"zero duration", office(t), tm(t, msk, "2026-03-07 12:00"), 0, tm(t, msk, "2026-03-07 12:00")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.Add(tc.at, tc.d)
			require.NoError(t, err)
			require.Truef(t, got.Equal(tc.want), "Add(%s, %s) = %s, want %s", tc.at, tc.d, got, tc.want)
			require.Equal(t, tc.at.Location(), got.Location(), "Add keeps the location")
			el, err := tc.c.Elapsed(tc.at, got)
			require.NoError(t, err)
			assert.Equal(t, tc.d, el, "Elapsed back")
		})
	}
}

// Business time of one calendar day around clock changes: the day's hours
// in wall time map to more or fewer real hours.
func TestElapsedAcrossClockChanges(t *testing.T) {
	const nyc, lhi, msk = "America/New_York", "Australia/Lord_Howe", "Europe/Moscow"
	tests := []struct {
		name string
		c    *hours.Calendar
		a, b time.Time
		want time.Duration
	}{
		{"new york spring forward day is 23h", allDayOn(t, nyc, time.Sunday), tm(t, nyc, "2026-03-07 00:00"), tm(t, nyc, "2026-03-10 00:00"), 23 * time.Hour},
		{"new york fall back day is 25h", allDayOn(t, nyc, time.Sunday), tm(t, nyc, "2026-10-31 00:00"), tm(t, nyc, "2026-11-03 00:00"), 25 * time.Hour},
		{"new york 01:00-03:00 on spring forward is 1h", oneInterval(t, nyc, time.Sunday, hours.At(1, 0), hours.At(3, 0)), tm(t, nyc, "2026-03-08 00:00"), tm(t, nyc, "2026-03-09 00:00"), time.Hour},
		{"new york 02:00-02:30 skipped on spring forward", oneInterval(t, nyc, time.Sunday, hours.At(2, 0), hours.At(2, 30)), tm(t, nyc, "2026-03-08 00:00"), tm(t, nyc, "2026-03-09 00:00"), 0},
		{"new york 02:30-04:00 opens at the change", oneInterval(t, nyc, time.Sunday, hours.At(2, 30), hours.At(4, 0)), tm(t, nyc, "2026-03-08 00:00"), tm(t, nyc, "2026-03-09 00:00"), time.Hour},
		{"new york 01:00-02:00 on fall back is 2h", oneInterval(t, nyc, time.Sunday, hours.At(1, 0), hours.At(2, 0)), tm(t, nyc, "2026-11-01 00:00"), tm(t, nyc, "2026-11-02 00:00"), 2 * time.Hour},
		{"new york 01:30-01:45 on fall back uses the first", oneInterval(t, nyc, time.Sunday, hours.At(1, 30), hours.At(1, 45)), tm(t, nyc, "2026-11-01 00:00"), tm(t, nyc, "2026-11-02 00:00"), 15 * time.Minute},
		{"new york overnight shift over spring forward is 7h", compile(t, hours.Schedule{Name: "sat night", Zone: nyc,
			Week: hours.Every(hours.Day{{Start: hours.At(22, 0), End: hours.At(6, 0), Overnight: true}}, time.Saturday)}),
			tm(t, nyc, "2026-03-07 00:00"), tm(t, nyc, "2026-03-09 00:00"), 7 * time.Hour},
		{"lord howe 30-minute spring forward", allDayOn(t, lhi, time.Sunday), tm(t, lhi, "2026-10-03 00:00"), tm(t, lhi, "2026-10-06 00:00"), 23*time.Hour + 30*time.Minute},
		{"lord howe 30-minute fall back", allDayOn(t, lhi, time.Sunday), tm(t, lhi, "2026-04-04 00:00"), tm(t, lhi, "2026-04-07 00:00"), 24*time.Hour + 30*time.Minute},
		{"lord howe 01:00-03:00 on spring forward", oneInterval(t, lhi, time.Sunday, hours.At(1, 0), hours.At(3, 0)), tm(t, lhi, "2026-10-04 00:00"), tm(t, lhi, "2026-10-05 00:00"), 90 * time.Minute},
		{"moscow 2014 return to +3 is 25h", allDayOn(t, msk, time.Sunday), tm(t, msk, "2014-10-25 00:00"), tm(t, msk, "2014-10-27 00:00"), 25 * time.Hour},
		{"moscow 2011 permanent summer time is 23h", allDayOn(t, msk, time.Sunday), tm(t, msk, "2011-03-26 00:00"), tm(t, msk, "2011-03-28 00:00"), 23 * time.Hour},
		{"moscow ordinary week", office(t), tm(t, msk, "2026-03-02 00:00"), tm(t, msk, "2026-03-09 00:00"), 40 * time.Hour},
		{"negative when b is before a", office(t), tm(t, msk, "2026-03-02 12:00"), tm(t, msk, "2026-03-02 10:00"), -2 * time.Hour},
		{"24/7 equals wall difference", hours.MustCompile(hours.AlwaysOpen()), tm(t, nyc, "2026-03-01 00:00"), tm(t, nyc, "2026-04-01 00:00"), 31*24*time.Hour - time.Hour},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.c.Elapsed(tc.a, tc.b)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got, "Elapsed(%s, %s)", tc.a, tc.b)
		})
	}
}

func TestOpenAndClose(t *testing.T) {
	const msk, nyc = "Europe/Moscow", "America/New_York"
	c := office(t)
	tests := []struct {
		name         string
		c            *hours.Calendar
		at           time.Time
		open         bool
		nextOpen     time.Time
		nextClose    time.Time
		nextCloseErr error
	}{
		{"open morning", c, tm(t, msk, "2026-03-02 10:00"), true, tm(t, msk, "2026-03-02 10:00"), tm(t, msk, "2026-03-02 13:00"), nil},
		{"opening instant is open", c, tm(t, msk, "2026-03-02 09:00"), true, tm(t, msk, "2026-03-02 09:00"), tm(t, msk, "2026-03-02 13:00"), nil},
		{"closing instant is closed", c, tm(t, msk, "2026-03-02 13:00"), false, tm(t, msk, "2026-03-02 14:00"), tm(t, msk, "2026-03-02 13:00"), nil},
		{"saturday", c, tm(t, msk, "2026-03-07 12:00"), false, tm(t, msk, "2026-03-09 09:00"), tm(t, msk, "2026-03-07 12:00"), nil},
		{"holiday", c, tm(t, msk, "2026-05-01 10:00"), false, tm(t, msk, "2026-05-04 09:00"), tm(t, msk, "2026-05-01 10:00"), nil},
		{"special short day", c, tm(t, msk, "2026-04-30 15:00"), true, tm(t, msk, "2026-04-30 15:00"), tm(t, msk, "2026-04-30 16:00"), nil},
		{"24/7", hours.MustCompile(hours.AlwaysOpen()), tm(t, nyc, "2026-03-08 03:30"), true, tm(t, nyc, "2026-03-08 03:30"), time.Time{}, hours.ErrAlwaysOpen},
		{"all week but one closed date", compile(t, hours.Schedule{Name: "x", Zone: nyc,
			Week:   hours.Every(hours.AllDay(), time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday),
			Closed: []hours.Date{date(t, "2026-12-25")}}),
			tm(t, nyc, "2026-12-20 10:00"), true, tm(t, nyc, "2026-12-20 10:00"), tm(t, nyc, "2026-12-25 00:00"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.open, tc.c.IsOpen(tc.at), "IsOpen")
			no, err := tc.c.NextOpen(tc.at)
			if assert.NoError(t, err) {
				assert.Truef(t, no.Equal(tc.nextOpen), "NextOpen = %s, want %s", no, tc.nextOpen)
			}
			nc, err := tc.c.NextClose(tc.at)
			if tc.nextCloseErr != nil {
				assert.ErrorIs(t, err, tc.nextCloseErr, "NextClose")
				return
			}
			if assert.NoError(t, err) {
				assert.Truef(t, nc.Equal(tc.nextClose), "NextClose = %s, want %s", nc, tc.nextClose)
			}
		})
	}
}

func TestNeverOpen(t *testing.T) {
	const msk = "Europe/Moscow"
	closed := compile(t, hours.Schedule{Name: "closed", Zone: msk})
	at := tm(t, msk, "2026-03-02 10:00")
	require.False(t, closed.IsOpen(at), "a schedule without hours is open")
	_, err := closed.NextOpen(at)
	require.ErrorIs(t, err, hours.ErrNeverOpen, "NextOpen")
	_, err = closed.Add(at, time.Minute)
	require.ErrorIs(t, err, hours.ErrNeverOpen, "Add")
	got, err := closed.NextClose(at)
	require.NoError(t, err)
	require.Truef(t, got.Equal(at), "NextClose = %s", got)
	el, err := closed.Elapsed(at, hours.MaxTime().Add(-time.Second))
	require.NoError(t, err)
	require.Zero(t, el)

	once := compile(t, hours.Schedule{Name: "one day", Zone: msk,
		Special: []hours.SpecialDate{{Date: date(t, "2026-06-01"), Hours: hours.Hours(hours.At(10, 0), hours.At(12, 0))}}})
	_, err = once.Add(at, 3*time.Hour)
	require.ErrorIs(t, err, hours.ErrNeverOpen, "Add past the only open day")
	got, err = once.Add(at, 2*time.Hour)
	require.NoError(t, err)
	require.Truef(t, got.Equal(tm(t, msk, "2026-06-01 12:00")), "Add within the only open day = %s", got)
	_, err = once.NextOpen(tm(t, msk, "2026-06-01 12:00"))
	require.ErrorIs(t, err, hours.ErrNeverOpen, "NextOpen after the only open day")
}

func TestArgumentErrors(t *testing.T) {
	c := office(t)
	_, err := c.Add(tm(t, "UTC", "2026-03-02 10:00"), -time.Second)
	assert.ErrorIs(t, err, hours.ErrInvalid, "negative duration")
	for _, at := range []time.Time{hours.MinTime().Add(-time.Nanosecond), hours.MaxTime(), {}} {
		_, err := c.NextOpen(at)
		assert.ErrorIs(t, err, hours.ErrOutOfRange, "NextOpen(%s)", at)
		_, err = c.Add(at, time.Hour)
		assert.ErrorIs(t, err, hours.ErrOutOfRange, "Add(%s)", at)
		assert.False(t, c.IsOpen(at), "IsOpen(%s)", at)
	}
	_, err = c.Add(hours.MaxTime().Add(-time.Hour), 100*time.Hour)
	assert.ErrorIs(t, err, hours.ErrOutOfRange, "Add past MaxTime()")
}
