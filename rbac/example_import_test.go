package rbac_test

import (
	"context"
	"fmt"
	"log"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// Onboarding from another panel: departments with their permissions, then
// staff with memberships and the password hashes the old panel kept, in
// batches of one change each. Importing the same document again skips
// what exists, so a run that stopped at a failed batch is resumed by
// running it again.
func ExampleService_Import() {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		log.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	// The old panel kept bcrypt hashes (PHP's password_hash, cost 10).
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{LegacyBcryptCost: 10}})
	if err != nil {
		log.Fatal(err)
	}
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		log.Fatal(err)
	}
	legacy, err := bcrypt.GenerateFromPassword([]byte("ann's old password"), 4)
	if err != nil {
		log.Fatal(err)
	}

	en := language.English
	doc := rbac.ImportDocument{
		Departments: []rbac.ImportDepartment{{
			Name:        rbac.Text(en, "Billing"),
			Permissions: []rbac.Permission{rbac.Perm(rbac.FuncInvoices, rbac.ActView), rbac.Perm(rbac.FuncInvoices, rbac.ActSend)},
		}},
		Staff: []rbac.ImportStaff{
			{Login: "ann", FullName: rbac.Text(en, "Ann"), Departments: []string{"Billing"},
				PasswordHash: string(legacy)}, // kept as it is; re-made with Argon2id at her next sign-in
			{Login: "bob", FullName: rbac.Text(en, "Bob"), Departments: []string{"Billing", "Technical support"},
				Grants: []rbac.Permission{rbac.Perm(rbac.FuncReports, rbac.ActView)}},
		},
	}
	progress := func(done, total int) { fmt.Printf("%d/%d\n", done, total) }
	res, err := svc.Import(ctx, boot.Admin.ID, doc, rbac.ImportOptions{BatchSize: 1, Progress: progress})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created", res.Departments, "departments and", res.Staff, "staff members in", len(res.Versions), "changes")

	all, err := svc.StaffMembers(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, st := range all {
		if st.Login == "bob" {
			fmt.Println("bob may send invoices:", svc.Can(st.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActSend)), "departments:", len(st.Departments))
		}
	}

	ann, err := svc.Authenticate(ctx, "ann", "ann's old password")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(ann.Login, "signed in with her old password")

	again, err := svc.Import(ctx, boot.Admin.ID, doc, rbac.ImportOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("again: skipped", again.Skipped, "changes", len(again.Versions))
	// Output:
	// 1/3
	// 2/3
	// 3/3
	// created 1 departments and 2 staff members in 3 changes
	// bob may send invoices: true departments: 2
	// ann signed in with her old password
	// again: skipped 3 changes 0
}
