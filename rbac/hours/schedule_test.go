package hours_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

func TestValidate(t *testing.T) {
	d := func(s string) hours.Date { return date(t, s) }
	tooMany := make(hours.Day, hours.MaxIntervals+1)
	for i := range tooMany {
		tooMany[i] = hours.Interval{Start: hours.Clock(i * 60), End: hours.Clock(i*60 + 30)}
	}
	tests := []struct {
		name  string
		s     hours.Schedule
		field string
		rule  string
	}{
		{"name required", hours.Schedule{Name: "  ", Zone: "UTC"}, "name", "required"},
		{"name too long", hours.Schedule{Name: strings.Repeat("x", hours.MaxNameLength+1), Zone: "UTC"}, "name", "max_length"},
		{"name control character", hours.Schedule{Name: "a\nb", Zone: "UTC"}, "name", "characters"},
		{"zone required", hours.Schedule{Name: "x"}, "zone", "required"},
		{"zone unknown", hours.Schedule{Name: "x", Zone: "Mars/Olympus"}, "zone", "zone"},
		{"zone local refused", hours.Schedule{Name: "x", Zone: "Local"}, "zone", "zone"},
		{"end before start", hours.Schedule{Name: "x", Zone: "UTC",
			Week: hours.Every(hours.Hours(hours.At(18, 0), hours.At(9, 0)), time.Monday)}, "week[monday][0].end", "order"},
		{"empty interval", hours.Schedule{Name: "x", Zone: "UTC",
			Week: hours.Every(hours.Hours(hours.At(9, 0), hours.At(9, 0)), time.Tuesday)}, "week[tuesday][0].end", "order"},
		{"overnight must end before start", hours.Schedule{Name: "x", Zone: "UTC",
			Week: hours.Every(hours.Day{{Start: hours.At(9, 0), End: hours.At(18, 0), Overnight: true}}, time.Friday)}, "week[friday][0].end", "order"},
		{"overnight cannot end at 24:00", hours.Schedule{Name: "x", Zone: "UTC",
			Week: hours.Every(hours.Day{{Start: hours.At(9, 0), End: hours.Midnight, Overnight: true}}, time.Friday)}, "week[friday][0].end", "range"},
		{"start out of range", hours.Schedule{Name: "x", Zone: "UTC",
			Week: hours.Every(hours.Hours(-1, hours.At(9, 0)), time.Sunday)}, "week[sunday][0].start", "range"},
		{"end out of range", hours.Schedule{Name: "x", Zone: "UTC",
			Week: hours.Every(hours.Hours(0, hours.Midnight+1), time.Sunday)}, "week[sunday][0].end", "range"},
		{"too many intervals", hours.Schedule{Name: "x", Zone: "UTC", Week: [7]hours.Day{time.Monday: tooMany}}, "week[monday]", "max_count"},
		{"bad closed date", hours.Schedule{Name: "x", Zone: "UTC", Closed: []hours.Date{{Year: 2026, Month: 2, Day: 29}}}, "closed[0]", "date"},
		{"closed date out of range", hours.Schedule{Name: "x", Zone: "UTC", Closed: []hours.Date{{Year: 1899, Month: 12, Day: 31}}}, "closed[0]", "date"},
		{"duplicate closed date", hours.Schedule{Name: "x", Zone: "UTC", Closed: []hours.Date{d("2026-01-01"), d("2026-01-01")}}, "closed[1]", "duplicate"},
		{"closed and special", hours.Schedule{Name: "x", Zone: "UTC", Closed: []hours.Date{d("2026-01-01")},
			Special: []hours.SpecialDate{{Date: d("2026-01-01")}}}, "special[0].date", "duplicate"},
		{"bad special hours", hours.Schedule{Name: "x", Zone: "UTC",
			Special: []hours.SpecialDate{{Date: d("2026-01-02"), Hours: hours.Hours(hours.At(12, 0), hours.At(11, 0))}}}, "special[0].hours[0].end", "order"},
		{"too many closed dates", hours.Schedule{Name: "x", Zone: "UTC", Closed: make([]hours.Date, hours.MaxClosedDates+1)}, "closed", "max_count"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.Validate()
			var ve *hours.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, hours.ErrInvalid) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if !ve.Has(tc.field, tc.rule) {
				t.Fatalf("err = %v, want %s/%s", err, tc.field, tc.rule)
			}
			if _, err := hours.Compile(tc.s); !errors.Is(err, hours.ErrInvalid) {
				t.Fatalf("Compile err = %v", err)
			}
		})
	}

	t.Run("every bad field at once", func(t *testing.T) {
		s := hours.Schedule{Zone: "Nowhere/Town", Week: hours.Every(hours.Hours(hours.At(18, 0), hours.At(9, 0)), time.Monday, time.Tuesday)}
		var ve *hours.ValidationError
		if err := s.Validate(); !errors.As(err, &ve) {
			t.Fatalf("err = %v", err)
		}
		var got []string
		for _, f := range ve.Fields {
			got = append(got, f.Field+"/"+f.Rule)
		}
		want := []string{"name/required", "zone/zone", "week[monday][0].end/order", "week[tuesday][0].end/order"}
		if !slices.Equal(got, want) {
			t.Fatalf("fields = %v, want %v", got, want)
		}
	})

	t.Run("valid schedules", func(t *testing.T) {
		for _, s := range []hours.Schedule{
			hours.AlwaysOpen(),
			{Name: "  spaced  ", Zone: "Australia/Lord_Howe"},
			{Name: "overlaps merged", Zone: "UTC", Week: [7]hours.Day{time.Monday: {
				{Start: hours.At(9, 0), End: hours.At(13, 0)}, {Start: hours.At(12, 0), End: hours.At(18, 0)},
				{Start: hours.At(22, 0), End: hours.At(0, 0), Overnight: true}}}},
		} {
			if err := s.Validate(); err != nil {
				t.Errorf("%q: %v", s.Name, err)
			}
		}
	})
}

func TestOverlapsMerged(t *testing.T) {
	c := compile(t, hours.Schedule{Name: "m", Zone: "UTC", Week: [7]hours.Day{
		time.Monday:  {{Start: hours.At(9, 0), End: hours.At(13, 0)}, {Start: hours.At(12, 0), End: hours.At(18, 0)}, {Start: hours.At(20, 0), End: hours.At(3, 0), Overnight: true}},
		time.Tuesday: {{Start: hours.At(1, 0), End: hours.At(10, 0)}},
	}})
	el, err := c.Elapsed(tm(t, "UTC", "2026-03-02 00:00"), tm(t, "UTC", "2026-03-04 00:00"))
	if err != nil || el != 9*time.Hour+14*time.Hour {
		t.Fatalf("Elapsed = %s, %v; want 23h", el, err)
	}
	nc, err := c.NextClose(tm(t, "UTC", "2026-03-02 21:00"))
	if err != nil || !nc.Equal(tm(t, "UTC", "2026-03-03 10:00")) {
		t.Fatalf("NextClose = %s, %v; the overnight shift and tuesday's hours are one stretch", nc, err)
	}
}

func TestJSONRoundTrip(t *testing.T) {
	s := hours.Schedule{
		Name:    "Support",
		Zone:    "Europe/Moscow",
		Week:    hours.Every(hours.Day{{Start: hours.At(9, 0), End: hours.At(13, 0)}, {Start: hours.At(22, 0), End: hours.At(2, 30), Overnight: true}}, time.Monday),
		Closed:  []hours.Date{date(t, "2026-01-01")},
		Special: []hours.SpecialDate{{Date: date(t, "2026-12-31"), Hours: hours.Hours(hours.At(9, 0), hours.Midnight)}},
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"name":"Support","zone":"Europe/Moscow","week":[null,[{"start":"09:00","end":"13:00"},{"start":"22:00","end":"02:30","overnight":true}],null,null,null,null,null],"closed":["2026-01-01"],"special":[{"date":"2026-12-31","hours":[{"start":"09:00","end":"24:00"}]}]}`
	if string(b) != want {
		t.Fatalf("json = %s\nwant   %s", b, want)
	}
	var back hours.Schedule
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b2) != want {
		t.Fatalf("round trip = %s", b2)
	}
	for _, bad := range []string{`{"week":[[{"start":"9:00","end":"10:00"}]]}`, `{"closed":["2026-02-30"]}`, `{"week":[[{"start":"24:01","end":"10:00"}]]}`} {
		if err := json.Unmarshal([]byte(bad), &back); !errors.Is(err, hours.ErrInvalid) {
			t.Errorf("Unmarshal(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]hours.Clock{"00:00": 0, "09:30": 570, "24:00": hours.Midnight, "23:59": 1439} {
		if got, err := hours.ParseClock(in); err != nil || got != want || got.String() != in {
			t.Errorf("ParseClock(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "9:30", "24:01", "12:60", "-1:00", "+1:00", "12-00", "ab:cd", "12:+5"} {
		if _, err := hours.ParseClock(in); !errors.Is(err, hours.ErrInvalid) {
			t.Errorf("ParseClock(%q) err = %v", in, err)
		}
	}
}
