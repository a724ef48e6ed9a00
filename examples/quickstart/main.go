// Command quickstart runs the product's own scenario on the embedded SQLite
// default: the default departments, John in Sales who additionally gets
// Invoices by a direct grant, an access matrix, the explanation of John's
// right to send invoices, and the audit trail of it all.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

func main() {
	dsn := flag.String("db", ":memory:", `database: ":memory:", a SQLite file, or postgres://...`)
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *dsn); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, out io.Writer, dsn string) error {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		return err
	}
	defer svc.Close()

	// The defaults: Sales department, Technical support and admin.
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		return err
	}
	if !boot.Created {
		return fmt.Errorf("database %q is already bootstrapped; run on a fresh one", dsn)
	}
	admin := boot.Admin.ID
	fmt.Fprintf(out, "bootstrapped: admin %q (password generated, shown once: %d characters)\n\n", boot.Admin.Login, len(boot.AdminPassword))

	// John joins Sales and, individually, may send invoices.
	john, err := svc.CreateStaff(ctx, admin, rbac.NewStaff{
		Login:       "john",
		FullName:    rbac.LocalizedText{language.English: "John Smith", language.Russian: "Джон Смит"},
		Email:       "john@example.com",
		Departments: []rbac.DepartmentID{boot.Sales.ID},
	})
	if err != nil {
		return err
	}
	sendInvoices := rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
	viewInvoices := rbac.Perm(rbac.FuncInvoices, rbac.ActView)
	if err := svc.Grant(rbac.WithReason(ctx, "John sends invoices to his customers"), admin, john.ID, viewInvoices, sendInvoices); err != nil {
		return err
	}
	mary, err := svc.CreateStaff(ctx, admin, rbac.NewStaff{
		Login: "mary", FullName: rbac.Text(language.English, "Mary Jones"),
		Departments: []rbac.DepartmentID{boot.Support.ID},
	})
	if err != nil {
		return err
	}

	// The access matrix: staff × permissions.
	people := []rbac.Staff{boot.Admin, john, mary}
	perms := []rbac.Permission{
		rbac.Perm(rbac.FuncClients, rbac.ActView),
		rbac.Perm(rbac.FuncServices, rbac.ActSuspend),
		rbac.Perm(rbac.FuncPayments, rbac.ActView),
		viewInvoices, sendInvoices,
		rbac.Perm(rbac.FuncSupport, rbac.ActReply),
		rbac.Perm(rbac.FuncReports, rbac.ActView),
		rbac.Perm(rbac.FuncSettings, rbac.ActEdit),
	}
	fmt.Fprintf(out, "%-8s", "staff")
	for _, p := range perms {
		fmt.Fprintf(out, " %-16s", p)
	}
	fmt.Fprintln(out)
	for _, s := range people {
		fmt.Fprintf(out, "%-8s", s.Login)
		for _, p := range perms {
			mark := "-"
			if svc.Can(s.ID, p) {
				mark = "yes"
			}
			fmt.Fprintf(out, " %-16s", mark)
		}
		fmt.Fprintln(out)
	}

	// Why may John send invoices, and what does his admin screen show?
	fmt.Fprintln(out)
	fmt.Fprintln(out, svc.Describe(ctx, svc.Explain(john.ID, sendInvoices)))
	fmt.Fprintln(out, svc.Describe(ctx, svc.Explain(john.ID, rbac.Perm(rbac.FuncPayments, rbac.ActView))))
	fmt.Fprintln(out, svc.Describe(ctx, svc.Explain(mary.ID, sendInvoices)))
	fmt.Fprintln(out, "\nJohn's permissions (inherited ones cannot be edited on him):")
	for _, ep := range svc.EffectivePermissions(john.ID) {
		srcs := make([]string, len(ep.Sources))
		for i, s := range ep.Sources {
			srcs[i] = svc.DescribeSource(ctx, s)
		}
		edit := "inherited"
		if ep.Editable {
			edit = "editable"
		}
		fmt.Fprintf(out, "  %-18s %-9s %s\n", ep.Permission, edit, strings.Join(srcs, ", "))
	}
	if err := svc.Revoke(ctx, admin, john.ID, rbac.Perm(rbac.FuncPayments, rbac.ActView)); err != nil {
		fmt.Fprintf(out, "\nrevoking payments:view from John: %v\n", err)
	}

	// The audit trail: who changed what, when and why.
	changes, err := svc.AuditLog(ctx, admin, rbac.ChangeQuery{})
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "\naudit trail:")
	login := map[rbac.StaffID]string{rbac.SystemActor: "system"}
	for _, s := range people {
		login[s.ID] = s.Login
	}
	target := func(t string) string { // "staff:2" → "john"
		for id, l := range login {
			if t == rbac.StaffSubject(id).String() {
				return l
			}
		}
		return t
	}
	for _, c := range changes {
		actor := login[c.Actor]
		line := fmt.Sprintf("  v%d %-10s %-18s %-9s +%d/-%d rules", c.Version, actor, c.Op, target(c.Target), len(c.Policy.Add), len(c.Policy.Remove))
		if c.Reason != "" {
			line += "  reason: " + c.Reason
		}
		fmt.Fprintln(out, line)
	}
	return nil
}
