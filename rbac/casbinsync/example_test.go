package casbinsync_test

import (
	"context"
	"fmt"
	"log"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/casbinsync"
	"github.com/billingrbac/billingrbac/store"
)

func ExampleNew() {
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
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "correct horse battery staple"})
	if err != nil {
		log.Fatal(err)
	}

	e, err := casbinsync.New(ctx, svc, st, casbinsync.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()

	john, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "john",
		FullName: rbac.Text(language.English, "John"), Departments: []rbac.DepartmentID{boot.Sales.ID}})
	if err != nil {
		log.Fatal(err)
	}
	if err := e.WaitFor(ctx, svc.Version()); err != nil {
		log.Fatal(err)
	}
	ok, rule, _ := e.Casbin().EnforceEx(casbinsync.Subject(john.ID), "payments", "view")
	fmt.Println(ok, rule)
	ok, _ = e.Casbin().Enforce(casbinsync.Subject(john.ID), "reports", "view")
	fmt.Println(ok)
	// Output:
	// true [dept:1 payments view]
	// false
}
