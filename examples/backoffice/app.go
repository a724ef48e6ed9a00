package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/admin"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
	"github.com/billingrbac/billingrbac/store"
)

// Config configures the back office. The zero value signs staff in with
// passwords.
type Config struct {
	// SSOHeader, when set, is the request header that an authenticating
	// proxy in front of the back office (oauth2-proxy, Pomerium, an
	// identity-aware load balancer) sets to the signed-in user's subject
	// after it ran the OpenID Connect flow; GET /sso/signin turns it into
	// a session. The back office trusts the header as it is: it must be
	// reachable only through that proxy, which strips the header from
	// client requests. Use it with an SSO-only Service
	// (rbac.AccountOptions.SSOOnly).
	SSOHeader string
	// SecureCookies marks the session cookie Secure (HTTPS only).
	SecureCookies bool
	// SessionTTL is the idle lifetime of a session; 0 means 8 hours.
	SessionTTL time.Duration
	// Logger receives the back office's log; nil discards it.
	Logger *slog.Logger
}

// App is the back office: its own tables and handlers next to the
// library's Service, on one database.
type App struct {
	svc      *rbac.Service
	db       *gorm.DB // the same database as the library's tables
	cfg      Config
	log      *slog.Logger
	problems httpauthz.Problems
	sessions *Sessions
	sub      *rbac.Subscription
	done     sync.WaitGroup
}

// New wires the back office on a migrated store and its Service: it
// migrates its own tables (GORM AutoMigrate, beside the library's SQL
// migrations) and starts following the Service's changes. Close stops
// it; the caller closes svc and st after.
func New(ctx context.Context, st *store.Store, svc *rbac.Service, cfg Config) (*App, error) {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 8 * time.Hour
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	db := st.DB().WithContext(ctx)
	if err := db.AutoMigrate(&Client{}, &Invoice{}); err != nil {
		return nil, fmt.Errorf("backoffice: migrate: %w", err)
	}
	a := &App{svc: svc, db: st.DB(), cfg: cfg, log: log, sessions: NewSessions(cfg.SessionTTL, cfg.SecureCookies)}
	a.sub = svc.Subscribe()
	a.done.Add(1)
	go func() {
		defer a.done.Done()
		followChanges(a.sub, svc, a.sessions, log)
	}()
	return a, nil
}

// Close stops following changes.
func (a *App) Close() {
	a.sub.Close()
	a.done.Wait()
}

// identify is the guards' identity function: the session's staff member.
func (a *App) identify(r *http.Request) (rbac.StaffID, error) {
	id, ok := a.sessions.Staff(r)
	if !ok {
		return 0, httpauthz.ErrNoIdentity
	}
	return id, nil
}

// Handler routes the back office:
//
//	POST /signin                  {"login", "password"} → session cookie (password installations)
//	GET  /sso/signin              the SSO proxy's header → session cookie (SSO installations)
//	POST /signout
//	GET  /me                      signed in
//	GET  /clients                 clients:view
//	POST /clients                 clients:add
//	GET  /invoices                invoices:view
//	POST /invoices                invoices:add
//	POST /invoices/{id}/send      invoices:send
//	/admin/access/...             the library's admin screens and API,
//	                              for any signed-in staff member (each
//	                              page and write is authorized by the
//	                              library)
//
// Unsafe cross-origin requests are refused (http.CrossOriginProtection):
// the session is a cookie.
func (a *App) Handler() http.Handler {
	guard := httpauthz.New(httpauthz.Staff(a.svc, a.identify), httpauthz.Options{
		OnError: func(r *http.Request, err error) { a.log.Error("backoffice: guard", "path", r.URL.Path, "err", err) },
	})
	perm := func(f rbac.Function, act rbac.Action) func(http.Handler) http.Handler {
		return guard.Middleware(rbac.Perm(f, act))
	}
	r := chi.NewRouter()
	r.Post("/signin", a.signIn)
	if a.cfg.SSOHeader != "" {
		r.Get("/sso/signin", a.ssoSignIn)
	}
	r.Post("/signout", a.signOut)
	r.Group(func(r chi.Router) {
		r.Use(guard.SignedIn)
		r.Get("/me", a.me)
		r.Mount("/admin/access", http.StripPrefix("/admin/access", admin.New(a.svc, admin.Options{Logger: a.log})))
	})
	r.With(perm(rbac.FuncClients, rbac.ActView)).Get("/clients", a.listClients)
	r.With(perm(rbac.FuncClients, rbac.ActAdd)).Post("/clients", a.createClient)
	r.With(perm(rbac.FuncInvoices, rbac.ActView)).Get("/invoices", a.listInvoices)
	r.With(perm(rbac.FuncInvoices, rbac.ActAdd)).Post("/invoices", a.createInvoice)
	r.With(perm(rbac.FuncInvoices, rbac.ActSend)).Post("/invoices/{id}/send", a.sendInvoice)
	return http.NewCrossOriginProtection().Handler(r)
}
