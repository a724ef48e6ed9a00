package report_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
	"github.com/billingrbac/billingrbac/rbac/report"
)

func exampleInstance() *rbactest.Instance {
	in, err := rbactest.Build(context.Background(), rbactest.Fixture{Staff: []rbactest.FixtureStaff{
		{Login: "john", Departments: []string{"Sales department"}, Grants: []string{"invoices:send"}},
		{Login: "mary", Departments: []string{"Technical support"}},
	}}, rbac.Options{})
	if err != nil {
		panic(err)
	}
	return in
}

func ExampleBuildMatrix() {
	in := exampleInstance()
	defer in.Close()
	m, err := report.BuildMatrix(context.Background(), in.Service, []rbac.Permission{
		rbac.Perm(rbac.FuncClients, rbac.ActView),
		rbac.Perm(rbac.FuncInvoices, rbac.ActSend),
		rbac.Perm(rbac.FuncServices, rbac.ActSuspend),
	})
	if err != nil {
		panic(err)
	}
	_ = m.Write(os.Stdout, report.FormatTable)
	// Output:
	// staff  status  clients:view  invoices:send  services:suspend
	// admin  active  full          full           full
	// john   active  dept          direct         -
	// mary   active  dept          -              dept
}

func ExampleMatrix_Write() {
	in := exampleInstance()
	defer in.Close()
	m, _ := report.BuildMatrix(context.Background(), in.Service, []rbac.Permission{rbac.Perm(rbac.FuncInvoices, rbac.ActSend)})
	_ = m.Write(os.Stdout, report.FormatMarkdown)
	_ = m.Write(os.Stdout, report.FormatCSV)
	// Output:
	// | staff | status | invoices:send |
	// |---|---|:---:|
	// | admin | active | full |
	// | john | active | direct |
	// | mary | active | - |
	// staff,status,invoices:send
	// admin,active,full
	// john,active,direct
	// mary,active,-
}

func ExampleParseFormat() {
	f, err := report.ParseFormat("md")
	fmt.Println(f, err)
	_, err = report.ParseFormat("pdf")
	fmt.Println(err)
	// Output:
	// markdown <nil>
	// parse format: invalid input: format: want table, csv or markdown, got "pdf" (enum)
}

func ExampleBuildReview() {
	in := exampleInstance()
	defer in.Close()
	r, err := report.BuildReview(context.Background(), in.Service, report.ReviewOptions{})
	if err != nil {
		panic(err)
	}
	for _, s := range r.Staff {
		fmt.Printf("%s full=%v inherited=%d direct=%v\n", s.Staff.Login, s.Staff.FullAccess, len(s.Inherited), s.Direct)
	}
	// Output:
	// admin full=true inherited=0 direct=[]
	// john full=false inherited=12 direct=[invoices:send]
	// mary full=false inherited=10 direct=[]
}

func ExampleReview_WriteHTML() {
	in := exampleInstance()
	defer in.Close()
	r, _ := report.BuildReview(context.Background(), in.Service, report.ReviewOptions{
		Title: "Q1 access review",
		Now:   func() time.Time { return time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC) },
	})
	var b strings.Builder
	_ = r.WriteHTML(&b) // write it to a file and open it in a browser
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.Contains(line, "<title>") || strings.HasPrefix(line, "<tr data-login") {
			fmt.Println(line)
		}
	}
	// Output:
	// <title>Q1 access review</title>
	// <tr data-login="admin" class="full-access">
	// <tr data-login="john" class="">
	// <tr data-login="mary" class="">
}
