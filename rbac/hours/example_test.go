package hours_test

import (
	"fmt"
	"time"

	"github.com/billingrbac/billingrbac/rbac/hours"
)

// A request reaches Technical support on Thursday evening before the 1 May
// holiday; its 4 business hours start on Monday morning.
func Example() {
	support := hours.Schedule{
		Name: "Technical support",
		Zone: "Europe/Moscow",
		// 09:00-13:00 and 14:00-18:00 with a lunch break, Monday to Friday.
		Week: hours.Every(hours.Day{
			{Start: hours.At(9, 0), End: hours.At(13, 0)},
			{Start: hours.At(14, 0), End: hours.At(18, 0)},
		}, hours.Workweek()...),
		Closed: []hours.Date{{Year: 2026, Month: time.May, Day: 1}},
	}
	c, err := hours.Compile(support)
	if err != nil {
		fmt.Println(err)
		return
	}
	received := time.Date(2026, time.April, 30, 17, 0, 0, 0, time.UTC) // 20:00 in Moscow
	due, err := c.Add(received, 4*time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("open when received:", c.IsOpen(received))
	fmt.Println("due:", due.In(c.Location()).Format("Mon 2006-01-02 15:04 MST"))
	spent, _ := c.Elapsed(received, due.Add(-time.Hour))
	fmt.Println("business time one hour before the deadline:", spent)
	// Output:
	// open when received: false
	// due: Mon 2026-05-04 13:00 MSK
	// business time one hour before the deadline: 3h0m0s
}

// The built-in 24/7 schedule counts every hour, and never closes.
func ExampleAlwaysOpen() {
	c := hours.MustCompile(hours.AlwaysOpen())
	received := time.Date(2026, time.March, 7, 12, 0, 0, 0, time.UTC)
	due, _ := c.Add(received, 24*time.Hour)
	fmt.Println(due.Format(time.RFC3339))
	_, err := c.NextClose(received)
	fmt.Println(err)
	// Output:
	// 2026-03-08T12:00:00Z
	// hours: next close after 2026-03-07T12:00:00Z: schedule "24/7": schedule never closes
}
