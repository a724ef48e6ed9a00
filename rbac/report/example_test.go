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
		Title:  "Q1 access review",
		Now:    func() time.Time { return time.Date(2026, 3, 31, 9, 0, 0, 0, time.UTC) },
		Reader: in.Admin, // reads the action log: who granted what, when, why
	})
	var b strings.Builder
	_ = r.WriteHTML(&b) // write it to a file, open it in a browser or print it
	fmt.Println(strings.Contains(b.String(), "size: A4 landscape"))
	for _, e := range r.Exceptions { // the people listed individually
		fmt.Println(e.Login, e.Why)
	}
	// Output:
	// true
	// admin [full access]
	// john [direct grants]
}

func ExampleReview_SignOff() {
	in := exampleInstance()
	defer in.Close()
	ctx := context.Background()
	r, _ := report.BuildReview(ctx, in.Service, report.ReviewOptions{Reader: in.Admin})
	// The reviewer certifies this content; the action log keeps the hash.
	ch, err := in.Service.SignOffReview(ctx, in.Admin, r.SignOff("access reviewed, no findings"))
	fmt.Println(ch.Op, ch.Target == rbac.ReviewTarget(r.Hash), err)
	// Output:
	// review.signoff true <nil>
}
