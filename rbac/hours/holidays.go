package hours

import (
	"fmt"
	"slices"

	"github.com/rickar/cal/v2"
)

// HolidayDates returns the observed dates (the days off) of holidays from
// a github.com/rickar/cal/v2 calendar, such as ru.Holidays or
// us.Holidays, in the years from to to inclusive: sorted, without
// duplicates, ready for Schedule.Closed. A holiday's observed date can
// fall in the year before or after (New Year's Day observed on a Friday
// 31 December). Errors: ErrInvalid (from > to, years outside
// [MinTime(), MaxTime()), more than MaxClosedDates dates).
func HolidayDates(from, to int, holidays ...*cal.Holiday) ([]Date, error) {
	if from > to || from < MinTime().Year() || to >= MaxTime().Year() {
		return nil, fmt.Errorf("hours: holiday dates %d..%d: %w: want from <= to within [%d, %d)",
			from, to, ErrInvalid, MinTime().Year(), MaxTime().Year())
	}
	var out []Date
	for y := from; y <= to; y++ {
		for _, h := range holidays {
			if h == nil {
				continue
			}
			_, observed := h.Calc(y)
			if observed.IsZero() {
				continue
			}
			d := DateOf(observed)
			if !d.valid() {
				continue
			}
			out = append(out, d)
			if len(out) > MaxClosedDates*2 {
				return nil, fmt.Errorf("hours: holiday dates %d..%d: %w: more than %d dates", from, to, ErrInvalid, MaxClosedDates)
			}
		}
	}
	slices.SortFunc(out, func(a, b Date) int { return int(a.days() - b.days()) })
	out = slices.Compact(out)
	if len(out) > MaxClosedDates {
		return nil, fmt.Errorf("hours: holiday dates %d..%d: %w: %d dates, at most %d", from, to, ErrInvalid, len(out), MaxClosedDates)
	}
	return out, nil
}
