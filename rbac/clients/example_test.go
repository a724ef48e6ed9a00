package clients_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/store"
)

func Example() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	staff, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fast}})
	defer staff.Close()
	boot, _ := staff.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "correct horse battery staple"})
	cs, _ := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
	admin := clients.ByStaff(boot.Admin.ID)

	acme, _ := cs.CreateClient(ctx, admin, clients.NewClient{Name: "Acme", FirstUser: clients.NewUser{Login: "ann", Name: "Ann"}})
	other, _ := cs.CreateClient(ctx, admin, clients.NewClient{Name: "Other", FirstUser: clients.NewUser{Login: "olga", Name: "Olga"}})

	// Acme's first user defines a role and gives it to a new user.
	owner := clients.ByUser(acme.FirstUser)
	acct, _ := cs.CreateRole(ctx, owner, acme.ID, clients.NewRole{Name: "Accountant"})
	perms := []clients.Permission{clients.Perm(clients.SectionFinance, clients.View), clients.Perm(clients.SectionFinance, clients.Add)}
	_, _ = cs.UpdateRole(ctx, owner, acct.ID, clients.RoleUpdate{Permissions: &perms})
	bob, _ := cs.CreateUser(ctx, owner, acme.ID, clients.NewUser{Login: "bob", Name: "Bob", Roles: []clients.RoleID{acct.ID}})

	invoice := clients.Resource{Kind: clients.KindInvoice, ID: 42, Owner: acme.ID}
	fmt.Println(cs.Explain(bob.ID, clients.View, invoice))
	fmt.Println(cs.Explain(bob.ID, clients.Delete, invoice))
	fmt.Println(cs.Explain(bob.ID, clients.View, clients.Resource{Kind: clients.KindInvoice, ID: 43, Owner: other.ID}))
	fmt.Println(cs.Explain(acme.FirstUser, clients.Modify, clients.Resource{Kind: clients.KindService, ID: 7, Owner: acme.ID}))

	// Olga (another client) cannot give Acme's role to anyone.
	err := cs.AssignRole(ctx, clients.ByUser(other.FirstUser), bob.ID, acct.ID)
	fmt.Println(errors.Is(err, clients.ErrCrossClient))
	// Nobody deletes the first user.
	err = cs.DeleteUser(ctx, owner, acme.FirstUser)
	fmt.Println(errors.Is(err, clients.ErrFirstUser))
	// Output:
	// client user 3 (client 1) view on invoice 42 of client 1: allowed by role(s) 1 holding finance:view
	// client user 3 (client 1) delete on invoice 42 of client 1: denied: no role holds finance:delete
	// client user 3 (client 1) view on invoice 43 of client 2: denied: the resource belongs to another client
	// client user 1 (client 1) modify on service 7 of client 1: allowed: the client's first user
	// true
	// true
}

// ExampleService_StaffCan: staff act on any client's resources through
// their staff permissions.
func ExampleService_StaffCan() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	staff, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fast}})
	defer staff.Close()
	boot, _ := staff.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "correct horse battery staple"})
	tech, _ := staff.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "tia", FullName: rbac.Text(boot.Support.TaskLanguage, "Tia"),
		Departments: []rbac.DepartmentID{boot.Support.ID}})
	sales, _ := staff.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "sam", FullName: rbac.Text(boot.Sales.TaskLanguage, "Sam"),
		Departments: []rbac.DepartmentID{boot.Sales.ID}})
	cs, _ := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
	acme, _ := cs.CreateClient(ctx, clients.ByStaff(boot.Admin.ID), clients.NewClient{Name: "Acme", FirstUser: clients.NewUser{Login: "ann", Name: "Ann"}})

	svc := clients.Resource{Kind: clients.KindService, ID: 7, Owner: acme.ID}
	fmt.Println(cs.StaffCan(tech.ID, rbac.ActSuspend, svc))
	fmt.Println(cs.StaffCan(sales.ID, rbac.ActSuspend, svc))
	fmt.Println(cs.StaffFilter(sales.ID, clients.KindService).All)
	fmt.Println(cs.UserFilter(acme.FirstUser, clients.KindService).Owner)
	// Output:
	// true
	// false
	// true
	// 1
}

// ExampleService_StaffCounterparts: staff with clients:edit set a client
// user's sign-in only when their staff permissions already do all that
// the user can; a dry run shows who a role change would give what.
func ExampleService_StaffCounterparts() {
	ctx := context.Background()
	st, _ := store.Open(ctx, ":memory:")
	defer st.Close()
	_ = st.Migrate(ctx)
	fast := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // production: leave zero
	staff, _ := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fast}})
	defer staff.Close()
	boot, _ := staff.Bootstrap(ctx, rbac.BootstrapOptions{AdminPassword: "correct horse battery staple"})
	cs, _ := clients.New(ctx, st.ClientStore(), staff, clients.Options{})
	acme, _ := cs.CreateClient(ctx, clients.ByStaff(boot.Admin.ID), clients.NewClient{Name: "Acme", FirstUser: clients.NewUser{Login: "ann", Name: "Ann"}})
	owner := clients.ByUser(acme.FirstUser)
	acct, _ := cs.CreateRole(ctx, owner, acme.ID, clients.NewRole{Name: "Accountant"})
	bob, _ := cs.CreateUser(ctx, owner, acme.ID, clients.NewUser{Login: "bob", Name: "Bob", Roles: []clients.RoleID{acct.ID}})

	finView := clients.Perm(clients.SectionFinance, clients.View)
	var plan rbac.Plan
	perms := []clients.Permission{finView}
	_, _ = cs.UpdateRole(rbac.WithDryRun(ctx, &plan), owner, acct.ID, clients.RoleUpdate{Permissions: &perms})
	for _, ue := range clients.UserEffects(plan.Effect()) {
		fmt.Println("would give client user", ue.User, ue.Gained)
	}
	_, _ = cs.UpdateRole(ctx, owner, acct.ID, clients.RoleUpdate{Permissions: &perms})

	fmt.Println(cs.StaffCounterparts(finView))
	ed, _ := staff.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "eddie", FullName: rbac.Text(boot.Sales.TaskLanguage, "Ed")})
	_ = staff.Grant(ctx, boot.Admin.ID, ed.ID, rbac.Perm(rbac.FuncClients, rbac.ActEdit))
	mail := "eddie@example.com"
	_, err := cs.UpdateUser(ctx, clients.ByStaff(ed.ID), bob.ID, clients.UserUpdate{Email: &mail})
	var de *clients.DeniedError
	if errors.As(err, &de) {
		fmt.Println(de.Control, de.Target, de.Right, de.Missing)
	}
	_ = staff.Grant(ctx, boot.Admin.ID, ed.ID, cs.StaffCounterparts(finView)...)
	_, err = cs.UpdateUser(ctx, clients.ByStaff(ed.ID), bob.ID, clients.UserUpdate{Email: &mail})
	fmt.Println(err)
	// Output:
	// would give client user 2 [finance:view]
	// [invoices:view payments:view]
	// true 2 finance:view invoices:view
	// <nil>
}
