package hours_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

// scheduleFrom builds a schedule from fuzz bytes: zone picks a zone, week
// holds 3-byte intervals (weekday and overnight flag, start, end in
// quarter hours), dates holds 3-byte dates within the property window
// (closed, or special with one interval).
func scheduleFrom(zone uint8, week, dates []byte) hours.Schedule {
	s := hours.Schedule{Name: "fuzz", Zone: propZones[int(zone)%len(propZones)]}
	for i := 0; i+2 < len(week) && i < 3*7*4; i += 3 {
		wd := int(week[i]&0x7f) % 7
		iv := hours.Interval{Start: hours.Clock(int(week[i+1])%96) * 15, End: hours.Clock(int(week[i+2])%97) * 15,
			Overnight: week[i]&0x80 != 0}
		s.Week[wd] = append(s.Week[wd], iv)
	}
	seen := map[hours.Date]bool{}
	for i := 0; i+2 < len(dates) && i < 3*40; i += 3 {
		dd := hours.DateOf(propBase.AddDate(0, 0, (int(dates[i])<<8|int(dates[i+1]))%propDays))
		if seen[dd] {
			continue
		}
		seen[dd] = true
		k := dates[i+2]
		if k < 64 {
			s.Closed = append(s.Closed, dd)
			continue
		}
		a, b := hours.Clock(int(k)%24)*60, hours.Clock(int(k)%24+int(k)%5)*60
		day := hours.Day{}
		if a < b {
			day = hours.Hours(a, b)
		}
		s.Special = append(s.Special, hours.SpecialDate{Date: dd, Hours: day})
	}
	return s
}

// FuzzCalendar checks the calculation properties on arbitrary schedules
// and instants: no panic, no hang, no broken property. Invalid schedules
// must be refused with ErrInvalid, never panic.
func FuzzCalendar(f *testing.F) {
	f.Add(uint8(1), []byte{1, 36, 52, 1, 56, 72, 5, 36, 72}, []byte{0, 10, 0, 0, 20, 100}, int64(12345678901234), int64(4*time.Hour))
	f.Add(uint8(2), []byte{0x86, 88, 24, 0, 0, 96}, []byte{}, int64(98*24*time.Hour), int64(40*time.Hour))
	f.Add(uint8(3), []byte{0, 0, 96, 1, 0, 96, 2, 0, 96, 3, 0, 96, 4, 0, 96, 5, 0, 96, 6, 0, 96}, []byte{1, 50, 0}, int64(0), int64(time.Hour))
	f.Add(uint8(6), []byte{5, 0, 96}, []byte{}, int64(1), int64(time.Minute))
	f.Add(uint8(0), []byte{}, []byte{0, 5, 200}, int64(-5), int64(-time.Hour))
	f.Fuzz(func(t *testing.T, zone uint8, week, dates []byte, at, d int64) {
		s := scheduleFrom(zone, week, dates)
		c, err := hours.Compile(s)
		if err != nil {
			if s.Validate() == nil {
				t.Fatalf("Compile refused a valid schedule: %v", err)
			}
			return
		}
		window := int64(propDays * 24 * time.Hour)
		instant := propBase.Add(time.Duration(((at % window) + window) % window))
		dur := time.Duration(((d % int64(200*time.Hour)) + int64(200*time.Hour)) % int64(200*time.Hour))
		checkProps(t, c, instant, dur)
	})
}

// FuzzScheduleJSON feeds arbitrary JSON to a Schedule: decoding and
// compiling never panic, and what compiles round-trips.
func FuzzScheduleJSON(f *testing.F) {
	f.Add([]byte(`{"name":"x","zone":"Europe/Moscow","week":[null,[{"start":"09:00","end":"18:00"}]],"closed":["2026-01-01"]}`))
	f.Add([]byte(`{"name":"x","zone":"UTC","week":[[{"start":"22:00","end":"02:00","overnight":true}]],"special":[{"date":"2026-02-28","hours":[]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s hours.Schedule
		if err := json.Unmarshal(b, &s); err != nil {
			return
		}
		c, err := hours.Compile(s)
		if err != nil {
			return
		}
		out, err := json.Marshal(c.Schedule())
		if err != nil {
			t.Fatalf("marshal a compiled schedule: %v", err)
		}
		var back hours.Schedule
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("unmarshal %s: %v", out, err)
		}
		if _, err := hours.Compile(back); err != nil {
			t.Fatalf("round trip of %s no longer compiles: %v", out, err)
		}
	})
}
