package httpauthz_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
	"github.com/billingrbac/billingrbac/store"
)

// exampleService returns a bootstrapped service on a private in-memory
// database: staff 1 is the full-access admin.
func exampleService() *rbac.Service {
	ctx := context.Background()
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		panic(err)
	}
	if err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash}})
	if err != nil {
		panic(err)
	}
	if _, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{}); err != nil {
		panic(err)
	}
	return svc
}

func show(h http.Handler, method, path, staff string) {
	req := httptest.NewRequest(method, path, nil)
	if staff != "" {
		req.Header.Set("X-Staff-ID", staff)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	fmt.Printf("%d %s %s", rec.Code, rec.Header().Get("Content-Type"), body)
}

func ExampleGuard_Require() {
	svc := exampleService()
	defer svc.Close()
	// Demo identity: the staff ID in a header. Use your authentication.
	identify := func(r *http.Request) (rbac.StaffID, error) {
		if v := r.Header.Get("X-Staff-ID"); v != "" {
			return rbac.ParseStaffID(v)
		}
		return 0, httpauthz.ErrNoIdentity
	}
	guard := httpauthz.New(httpauthz.Staff(svc, identify), httpauthz.Options{})
	mux := http.NewServeMux()
	mux.Handle("POST /services/{id}/suspend", guard.Require(rbac.Perm(rbac.FuncServices, rbac.ActSuspend),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			who, _ := httpauthz.StaffFrom(r.Context()) // the identity the guard found
			fmt.Fprintf(w, "service %s suspended by staff %s\n", r.PathValue("id"), who)
		})))

	show(mux, "POST", "/services/7/suspend", "1")
	show(mux, "POST", "/services/7/suspend", "")
	// Output:
	// 200 text/plain; charset=utf-8 service 7 suspended by staff 1
	// 401 application/problem+json {"type":"about:blank","title":"Unauthorized","status":401,"detail":"this request needs an authenticated party holding the permission services:suspend","instance":"/services/7/suspend","code":"unauthenticated","permission":"services:suspend"}
}

func ExampleStaff() {
	svc := exampleService()
	defer svc.Close()
	// Staff 99 does not exist: it holds nothing.
	d := httpauthz.Staff(svc, func(*http.Request) (rbac.StaffID, error) { return 99, nil })
	req := httptest.NewRequest("GET", "/invoices", nil)
	perm := rbac.Perm(rbac.FuncInvoices, rbac.ActView)
	out, err := d.Decide(req, perm)
	fmt.Println(out.Allowed, out.Subject, err)
	fmt.Println(d.Explain(req, out, perm)) // only computed when a Guard shows explanations
	// Output:
	// false staff 99 <nil>
	// staff member 99 may not invoices:view: missing invoices:view
}

func ExampleNew() {
	// Any Decider: here one that allows only reads.
	d := httpauthz.DeciderFunc(func(r *http.Request, p rbac.Permission) (httpauthz.Outcome, error) {
		return httpauthz.Outcome{Allowed: p.Action == rbac.ActView, Subject: "anyone", Explanation: "read-only API"}, nil
	})
	g := httpauthz.New(d, httpauthz.Options{ProblemTypeBase: "https://billing.example/problems/", ExplainDenials: true})
	h := g.RequireFunc(rbac.Perm(rbac.FuncInvoices, rbac.ActEdit), func(w http.ResponseWriter, r *http.Request) {})
	show(h, "PUT", "/invoices/3", "")
	// Output:
	// 403 application/problem+json {"type":"https://billing.example/problems/permission-denied","title":"Forbidden","status":403,"detail":"anyone lacks the permission invoices:edit","instance":"/invoices/3","code":"permission-denied","permission":"invoices:edit","explanation":"read-only API"}
}

func ExampleGuard_Middleware() {
	g := httpauthz.New(httpauthz.DeciderFunc(func(*http.Request, rbac.Permission) (httpauthz.Outcome, error) {
		return httpauthz.Outcome{Allowed: true}, nil
	}), httpauthz.Options{})
	// The func(http.Handler) http.Handler shape routers' Use methods take.
	requireView := g.Middleware(rbac.Perm(rbac.FuncClients, rbac.ActView))
	show(requireView(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "clients") })), "GET", "/clients", "")
	// Output:
	// 200 text/plain; charset=utf-8 clients
}

func ExampleGuard_RequireFunc() {
	svc := exampleService()
	defer svc.Close()
	g := httpauthz.New(httpauthz.Staff(svc, func(r *http.Request) (rbac.StaffID, error) {
		return 1, nil // the admin, whatever the request
	}), httpauthz.Options{})
	h := g.RequireFunc(rbac.Perm(rbac.FuncInvoices, rbac.ActView), func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "invoices")
	})
	show(h, "GET", "/invoices", "")
	// Output:
	// 200 text/plain; charset=utf-8 invoices
}

func ExampleDeciderFunc() {
	// A client acting on what it owns, decided by the application.
	owns := map[string]bool{"7/invoices/101": true}
	d := httpauthz.DeciderFunc(func(r *http.Request, p rbac.Permission) (httpauthz.Outcome, error) {
		client := r.Header.Get("X-Client")
		if client == "" {
			return httpauthz.Outcome{}, httpauthz.ErrNoIdentity
		}
		ok := p.Action == rbac.ActView && owns[client+r.URL.Path]
		return httpauthz.Outcome{Allowed: ok, Subject: "client " + client, Explanation: "clients see only their own invoices"}, nil
	})
	h := httpauthz.New(d, httpauthz.Options{}).Require(rbac.Perm(rbac.FuncInvoices, rbac.ActView),
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "invoice", r.URL.Path) }))
	for _, path := range []string{"/invoices/101", "/invoices/102"} {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("X-Client", "7")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 200
	// 403
}

func ExampleGuard_Any() {
	svc := exampleService()
	defer svc.Close()
	g := httpauthz.New(httpauthz.Staff(svc, func(r *http.Request) (rbac.StaffID, error) {
		return rbac.ParseStaffID(r.Header.Get("X-Staff-ID"))
	}), httpauthz.Options{})
	// Either right opens the invoice list.
	h := g.Any(rbac.Perm(rbac.FuncInvoices, rbac.ActView), rbac.Perm(rbac.FuncInvoices, rbac.ActEdit))(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "invoices") }))
	show(h, "GET", "/invoices", "1")
	// Output:
	// 200 text/plain; charset=utf-8 invoices
}

func ExampleProblems_WriteError() {
	// The application's own handlers answer the library's errors the way
	// the Guard does: one status and problem code per sentinel.
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := fmt.Errorf("update staff 7: %w", rbac.ErrNotFound)
		httpauthz.Problems{}.WriteError(w, r, err)
	})
	show(h, "PUT", "/staff/7", "")
	// Output:
	// 404 application/problem+json {"type":"about:blank","title":"Not Found","status":404,"detail":"update staff 7: not found","instance":"/staff/7","code":"not-found"}
}
