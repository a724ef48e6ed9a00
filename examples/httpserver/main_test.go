package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// TestServer starts the example on a loopback port and drives it with
// net/http requests: 200 when permitted, 403 with a problem body naming
// the permission, 401 without an identity.
func TestServer(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		a, err := open(ctx, testdb.DSN(t, b))
		if err != nil {
			t.Fatal(err)
		}
		defer a.close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		srv := &http.Server{Handler: a.handler()}
		served := make(chan error, 1)
		go func() { served <- srv.Serve(ln) }()
		defer func() {
			_ = srv.Shutdown(ctx)
			if err := <-served; !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("serve: %v", err)
			}
		}()
		base := "http://" + ln.Addr().String()

		call := func(method, path, login string) (int, http.Header, string) {
			t.Helper()
			req, err := http.NewRequestWithContext(ctx, method, base+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if login != "" {
				req.Header.Set("X-Staff-Login", login)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, err := io.ReadAll(res.Body)
			if err != nil {
				t.Fatal(err)
			}
			return res.StatusCode, res.Header, string(body)
		}
		problem := func(h http.Header, body string) httpauthz.Problem {
			t.Helper()
			if ct := h.Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("Content-Type = %q, want application/problem+json", ct)
			}
			var p httpauthz.Problem
			if err := json.Unmarshal([]byte(body), &p); err != nil {
				t.Fatalf("problem body %q: %v", body, err)
			}
			return p
		}

		// Permitted: john holds invoices:view by a direct grant, clients:view from Sales.
		if code, _, body := call("GET", "/invoices", "john"); code != 200 ||
			body != `[{"id":101,"client":1,"amount":"120.00 EUR","status":"paid"},{"id":102,"client":2,"amount":"35.50 EUR","status":"unpaid"}]`+"\n" {
			t.Fatalf("john GET /invoices: %d %s", code, body)
		}
		if code, _, body := call("GET", "/clients", "john"); code != 200 || body != `[{"id":1,"name":"Acme Hosting Ltd"},{"id":2,"name":"Globex Web"}]`+"\n" {
			t.Fatalf("john GET /clients: %d %s", code, body)
		}
		if code, _, body := call("POST", "/services/7/suspend", "mary"); code != 200 || body != `{"service":7,"status":"suspended"}`+"\n" {
			t.Fatalf("mary POST suspend: %d %s", code, body)
		}
		if code, _, _ := call("POST", "/services/8/suspend", "admin"); code != 200 {
			t.Fatalf("admin POST suspend: %d", code)
		}

		// Denied: john (Sales) may not suspend services; mary may not see invoices.
		code, h, body := call("POST", "/services/7/suspend", "john")
		p := problem(h, body)
		// Explanations name departments: off unless the Guard is told to show them.
		if code != 403 || p.Status != 403 || p.Title != "Forbidden" || p.Permission != "services:suspend" ||
			p.Detail != "staff 2 lacks the permission services:suspend" || p.Explanation != "" {
			t.Fatalf("john POST suspend: %d %+v", code, p)
		}
		code, h, body = call("GET", "/invoices", "mary")
		p = problem(h, body)
		if code != 403 || p.Permission != "invoices:view" || p.Code != "permission-denied" {
			t.Fatalf("mary GET /invoices: %d %+v", code, p)
		}

		// No identity, or an unknown login: 401.
		for _, login := range []string{"", "nobody"} {
			code, h, body = call("GET", "/clients", login)
			p = problem(h, body)
			if code != 401 || p.Status != 401 || p.Permission != "clients:view" {
				t.Fatalf("login %q GET /clients: %d %+v", login, code, p)
			}
		}

		// The mux still answers routes it does not know and bad input itself.
		if code, _, _ := call("GET", "/nowhere", "admin"); code != 404 {
			t.Fatalf("GET /nowhere: %d", code)
		}
		if code, _, _ := call("POST", "/services/x/suspend", "admin"); code != 400 {
			t.Fatalf("POST /services/x/suspend: %d", code)
		}
	})
}

// Opening an already seeded database keeps its staff.
func TestOpenTwice(t *testing.T) {
	ctx := context.Background()
	dsn := testdb.DSN(t, testdb.SQLite)
	a, err := open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	a.close()
	a, err = open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	all, err := a.svc.StaffMembers(ctx)
	if err != nil || len(all) != 3 {
		t.Fatalf("staff after reopening: %d, %v; want 3", len(all), err)
	}
}
