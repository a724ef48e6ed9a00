package rbac_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/hours"
	"github.com/billingrbac/billingrbac/store"
)

// Technical support answers within 4 business hours, Monday to Friday in
// Moscow with a lunch break: a request sent on Friday evening is due on
// Monday.
func ExampleService_ResponseDue() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	moscow, _ := time.LoadLocation("Europe/Moscow")
	now := time.Date(2026, time.March, 6, 19, 0, 0, 0, moscow)                        // Friday evening
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	svc, _ := rbac.New(ctx, st, rbac.Options{Now: func() time.Time { return now }, Accounts: rbac.AccountOptions{HashParams: fast}})
	defer svc.Close()
	boot, _ := svc.Bootstrap(ctx, rbac.BootstrapOptions{})

	sch, err := svc.CreateSchedule(ctx, boot.Admin.ID, hours.Schedule{
		Name: "Moscow office",
		Zone: "Europe/Moscow",
		Week: hours.Every(hours.Day{
			{Start: hours.At(9, 0), End: hours.At(13, 0)},
			{Start: hours.At(14, 0), End: hours.At(18, 0)},
		}, hours.Workweek()...),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	support := boot.Support.ID
	if _, err := svc.SetDepartmentHours(ctx, boot.Admin.ID, support, sch.ID, 4*time.Hour); err != nil {
		fmt.Println(err)
		return
	}

	open, _ := svc.DepartmentOpen(ctx, support)
	due, _ := svc.ResponseDue(ctx, support, now)
	fmt.Println("open now:", open)
	fmt.Println("answer by:", due.Format("Mon 02 Jan 15:04 MST"))
	desks, _ := svc.SupportDepartments(ctx, language.Russian)
	for _, d := range desks {
		fmt.Printf("%s (open: %v, reply within %s)\n", d.Name, d.Open, d.Target)
	}
	// Output:
	// open now: false
	// answer by: Mon 09 Mar 13:00 MSK
	// Техническая поддержка (open: false, reply within 4h0m0s)
}
