// Command httpserver is a small billing admin API protected by package
// httpauthz, on the embedded SQLite default:
//
//	GET  /clients                 needs clients:view
//	GET  /invoices                needs invoices:view
//	POST /services/{id}/suspend   needs services:suspend
//	/admin/access/...             the admin screens and their JSON API
//	                              (package rbac/admin), for any signed-in
//	                              staff member; each page and save is
//	                              authorized by the library
//
// Run it and try it:
//
//	go run ./examples/httpserver -addr 127.0.0.1:8080
//	curl -H 'X-Staff-Login: john' 127.0.0.1:8080/invoices            # 200
//	curl -XPOST -H 'X-Staff-Login: john' 127.0.0.1:8080/services/1/suspend   # 403, problem+json
//	curl 127.0.0.1:8080/clients                                     # 401
//	curl -H 'X-Staff-Login: admin' 127.0.0.1:8080/admin/access/api/departments  # 200
//	curl -H 'X-Staff-Login: john' 127.0.0.1:8080/admin/access/api/log           # 403: actionlog:view
//
// On a fresh database it bootstraps the defaults and adds john (Sales
// department, plus invoices:view by a direct grant) and mary (Technical
// support). The X-Staff-Login header stands in for real authentication
// (a session or a token): never trust such a header in production.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/admin"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
	"github.com/billingrbac/billingrbac/store"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	dsn := flag.String("db", "", `database: "" (the embedded file billingrbac.db), ":memory:", a SQLite path or postgres://...`)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	app, err := open(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	defer app.close()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("billing admin API on http://%s (identify with the X-Staff-Login header)", ln.Addr())
	srv := &http.Server{Handler: app.handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

// app is the example's state: the access-control service and some demo
// billing data kept in memory.
type app struct {
	st  *store.Store
	svc *rbac.Service

	mu        sync.Mutex
	suspended map[int]bool
}

// open opens and migrates the database, bootstraps it when fresh and seeds
// the demo staff.
func open(ctx context.Context, dsn string) (*app, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	svc, err := rbac.New(ctx, st, rbac.Options{})
	if err != nil {
		_ = st.Close()
		return nil, err
	}
	a := &app{st: st, svc: svc, suspended: map[int]bool{}}
	if err := a.seed(ctx); err != nil {
		a.close()
		return nil, err
	}
	return a, nil
}

func (a *app) seed(ctx context.Context) error {
	boot, err := a.svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil || !boot.Created {
		return err // already seeded (or failed)
	}
	admin := boot.Admin.ID
	john, err := a.svc.CreateStaff(ctx, admin, rbac.NewStaff{Login: "john",
		FullName: rbac.Text(language.English, "John Smith"), Departments: []rbac.DepartmentID{boot.Sales.ID}})
	if err != nil {
		return err
	}
	if err := a.svc.Grant(ctx, admin, john.ID, rbac.Perm(rbac.FuncInvoices, rbac.ActView)); err != nil {
		return err
	}
	_, err = a.svc.CreateStaff(ctx, admin, rbac.NewStaff{Login: "mary",
		FullName: rbac.Text(language.English, "Mary Jones"), Departments: []rbac.DepartmentID{boot.Support.ID}})
	return err
}

func (a *app) close() {
	_ = a.svc.Close()
	_ = a.st.Close()
}

// identify finds the acting staff member. Demo only: a real application
// reads its session or token here.
func (a *app) identify(r *http.Request) (rbac.StaffID, error) {
	login := r.Header.Get("X-Staff-Login")
	if login == "" {
		return 0, httpauthz.ErrNoIdentity
	}
	st, err := a.st.StaffByLogin(r.Context(), login)
	if errors.Is(err, rbac.ErrNotFound) {
		return 0, fmt.Errorf("unknown login %q: %w", login, httpauthz.ErrNoIdentity)
	}
	return st.ID, err
}

// handler routes the API, each route behind the permission it needs.
func (a *app) handler() http.Handler {
	guard := httpauthz.New(httpauthz.Staff(a.svc, a.identify), httpauthz.Options{
		OnError: func(r *http.Request, err error) { log.Printf("%s %s: %v", r.Method, r.URL.Path, err) },
	})
	mux := http.NewServeMux()
	mux.Handle("GET /clients", guard.RequireFunc(rbac.Perm(rbac.FuncClients, rbac.ActView), a.clients))
	mux.Handle("GET /invoices", guard.RequireFunc(rbac.Perm(rbac.FuncInvoices, rbac.ActView), a.invoices))
	mux.Handle("POST /services/{id}/suspend", guard.RequireFunc(rbac.Perm(rbac.FuncServices, rbac.ActSuspend), a.suspend))
	mux.Handle("/admin/access/", guard.SignedIn(http.StripPrefix("/admin/access", admin.New(a.svc, admin.Options{}))))
	return mux
}

type client struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

type invoice struct {
	ID     int    `json:"id"`
	Client int    `json:"client"`
	Amount string `json:"amount"`
	Status string `json:"status"`
}

var (
	demoClients  = []client{{1, "Acme Hosting Ltd"}, {2, "Globex Web"}}
	demoInvoices = []invoice{{101, 1, "120.00 EUR", "paid"}, {102, 2, "35.50 EUR", "unpaid"}}
)

func (a *app) clients(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, demoClients)
}

func (a *app) invoices(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, demoInvoices)
}

func (a *app) suspend(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		http.Error(w, "service id must be a positive integer", http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	a.suspended[id] = true
	a.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"service": id, "status": "suspended"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
