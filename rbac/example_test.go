package rbac_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// open returns a bootstrapped service on a private in-memory database.
func open() (*rbac.Service, rbac.BootstrapResult) {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		log.Fatal(err)
	}
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "correct horse battery staple"})
	if err != nil {
		log.Fatal(err)
	}
	return svc, boot
}

func Example() {
	ctx := context.Background()
	svc, boot := open()
	defer svc.Close()

	john, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{
		Login:       "John",
		FullName:    rbac.Text(language.English, "John Smith"),
		Departments: []rbac.DepartmentID{boot.Sales.ID},
	})
	if err != nil {
		log.Fatal(err)
	}
	send := rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
	fmt.Println(john.Login, "may send invoices:", svc.Can(john.ID, send))
	if err := svc.Grant(ctx, boot.Admin.ID, john.ID, send); err != nil {
		log.Fatal(err)
	}
	fmt.Println(john.Login, "may send invoices:", svc.Can(john.ID, send))
	fmt.Println(svc.Explain(john.ID, send))
	fmt.Println(svc.Explain(john.ID, rbac.Perm(rbac.FuncPayments, rbac.ActView)))
	// Output:
	// john may send invoices: false
	// john may send invoices: true
	// staff 2 may invoices:send: allowed by direct grant
	// staff 2 may payments:view: allowed by department 1
}

func ExampleService_Explain() {
	svc, boot := open()
	defer svc.Close()
	reports := rbac.Perm(rbac.FuncReports, rbac.ActView)
	fmt.Println(svc.Explain(boot.Admin.ID, reports))
	d := svc.Explain(999, rbac.Perm(rbac.FuncSupport, rbac.ActReply))
	fmt.Println(d.Allowed, d.WouldGrant)
	// Output:
	// staff 1 may reports:view: allowed by full access
	// false [2]
}

func ExampleService_Revoke() {
	ctx := context.Background()
	svc, boot := open()
	defer svc.Close()
	mary, _ := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "mary",
		FullName: rbac.Text(language.English, "Mary"), Departments: []rbac.DepartmentID{boot.Support.ID}})
	err := svc.Revoke(ctx, boot.Admin.ID, mary.ID, rbac.Perm(rbac.FuncSupport, rbac.ActReply))
	var ie *rbac.InheritedError
	fmt.Println(errors.Is(err, rbac.ErrInheritedPermission), errors.As(err, &ie) && ie.Departments[0] == boot.Support.ID)
	// Output: true true
}

func ExampleService_WhoCan() {
	ctx := context.Background()
	svc, boot := open()
	defer svc.Close()
	mary, _ := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "mary",
		FullName: rbac.Text(language.English, "Mary"), Departments: []rbac.DepartmentID{boot.Support.ID, boot.Sales.ID}})
	holders := svc.WhoCan(rbac.Perm(rbac.FuncServices, rbac.ActView))
	fmt.Println("holders:", holders.Len())
	for h := range holders.All() {
		fmt.Println(h.Staff, h.Sources)
	}
	fmt.Println(holders.Staff(1) == mary.ID, holders.Sources(1))
	// Output:
	// holders: 2
	// 1 [full access]
	// 2 [department 1 department 2]
	// true [department 1 department 2]
}

func ExampleService_EffectivePermissions() {
	ctx := context.Background()
	svc, boot := open()
	defer svc.Close()
	d, _ := svc.CreateDepartment(ctx, boot.Admin.ID, rbac.NewDepartment{Name: rbac.Text(language.English, "Accounting")})
	_ = svc.EnablePermissions(ctx, boot.Admin.ID, d.ID, rbac.Perm(rbac.FuncReports, rbac.ActView))
	ann, _ := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "ann",
		FullName: rbac.Text(language.English, "Ann"), Departments: []rbac.DepartmentID{d.ID}})
	_ = svc.Grant(ctx, boot.Admin.ID, ann.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActView))
	for _, ep := range svc.EffectivePermissions(ann.ID) {
		fmt.Println(ep.Permission, ep.Sources, "editable:", ep.Editable)
	}
	// Output:
	// invoices:view [direct grant] editable: true
	// reports:view [department 3] editable: false
}

func ExampleService_AuditLog() {
	ctx := context.Background()
	svc, boot := open()
	defer svc.Close()
	_, _ = svc.CreateDepartment(rbac.WithReason(ctx, "new billing team"), boot.Admin.ID,
		rbac.NewDepartment{Name: rbac.Text(language.English, "Billing")})
	changes, err := svc.AuditLog(ctx, boot.Admin.ID, rbac.ChangeQuery{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range changes {
		fmt.Printf("v%d actor %s %s %s reason=%q\n", c.Version, c.Actor, c.Op, c.Target, c.Reason)
	}
	// Output:
	// v1 actor 0 bootstrap staff:1 reason=""
	// v2 actor 1 department.create dept:3 reason="new billing team"

}
