package admin

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// Options configures a Handler. The zero value works behind a Guard.
type Options struct {
	// Identify finds the signed-in staff member of a request (the
	// application's sessions or tokens). Nil means httpauthz.StaffFrom: the
	// Handler is mounted behind a Guard (Guard.SignedIn) that put the
	// identity in the request context.
	Identify httpauthz.StaffFunc
	// Problems writes the JSON API's errors (RFC 9457). The zero value
	// works; its Explain adds the library's reason to a denial's detail
	// (the "permission" member always names what was missing).
	Problems httpauthz.Problems
	// Prefix is the path the Handler is mounted at, such as
	// "/admin/access", for the links it renders. Empty means found from
	// each request: the part of the request's path that http.StripPrefix
	// took away.
	Prefix string
	// PageSize is the number of rows of the staff list and the action log
	// per page; 0 means 25.
	PageSize int
	// Logger receives unexpected errors (answered 500). Nil discards them.
	Logger *slog.Logger
}

// Handler serves the admin screens and their JSON API for one
// rbac.Service. It is safe for concurrent use.
type Handler struct {
	svc   *rbac.Service
	opts  Options
	pages *pages
	api   []route
	next  http.Handler
}

// route is one route of the JSON API: the table the OpenAPI document is
// checked against.
type route struct {
	method, path string
	fn           func(w http.ResponseWriter, r *http.Request, actor rbac.StaffID)
}

// New returns the Handler for svc. Mount it under a prefix with
// http.StripPrefix:
//
//	mux.Handle("/admin/access/", http.StripPrefix("/admin/access", admin.New(svc, admin.Options{})))
func New(svc *rbac.Service, opts Options) *Handler {
	if opts.PageSize <= 0 {
		opts.PageSize = 25
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	opts.Prefix = strings.TrimSuffix(opts.Prefix, "/")
	h := &Handler{svc: svc, opts: opts, pages: loadPages()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /assets/{file}", h.asset)
	mux.HandleFunc("GET /lang/{tag}", h.switchLanguage)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, h.base(r)+"/departments", http.StatusSeeOther)
	})
	for _, pr := range h.pageRoutes() {
		mux.Handle(pr.method+" "+pr.path, h.page(pr.fn))
	}
	mux.HandleFunc("GET "+OpenAPIPath, serveOpenAPI)
	h.api = h.apiRoutes()
	for _, ar := range h.api {
		mux.Handle(ar.method+" "+ar.path, h.apiHandler(ar.fn))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		h.opts.Problems.Write(w, httpauthz.Problem{Status: http.StatusNotFound, Code: "not-found", Detail: "no such API route"})
	})
	h.next = http.NewCrossOriginProtection().Handler(mux)
	return h
}

// ServeHTTP sets the security headers every response carries and serves
// the request. Unsafe methods from another origin are refused (403) by
// http.CrossOriginProtection.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, "/assets/") {
		hd.Set("Cache-Control", "no-store")
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	}
	h.next.ServeHTTP(w, r)
}

// maxBody bounds every request body: forms, JSON and avatar uploads
// (rbac.MaxAvatarBytes) fit well within it.
const maxBody = 1 << 20

// base returns the path the Handler is mounted at, without the final slash.
func (h *Handler) base(r *http.Request) string {
	if h.opts.Prefix != "" {
		return h.opts.Prefix
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		return ""
	}
	if p, ok := strings.CutSuffix(u.Path, r.URL.Path); ok {
		return p
	}
	return ""
}

// identify returns the signed-in staff member or an error wrapping
// httpauthz.ErrNoIdentity.
func (h *Handler) identify(r *http.Request) (rbac.StaffID, error) {
	if h.opts.Identify != nil {
		id, err := h.opts.Identify(r)
		if err == nil && id == 0 {
			err = httpauthz.ErrNoIdentity
		}
		return id, err
	}
	if id, ok := httpauthz.StaffFrom(r.Context()); ok && id != 0 {
		return id, nil
	}
	return 0, httpauthz.ErrNoIdentity
}

// may checks that actor holds p, with the library's decision and reason.
func (h *Handler) may(actor rbac.StaffID, p rbac.Permission) error {
	if err := h.svc.Check(actor, p); err != nil {
		return fmt.Errorf("admin: %w", err)
	}
	return nil
}

func (h *Handler) internal(r *http.Request, err error) {
	h.opts.Logger.ErrorContext(r.Context(), "admin: request failed", "path", r.URL.Path, "err", err)
}

// nonce returns a fresh value for the Content-Security-Policy of one page.
func nonce() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]) // no character HTML escapes
}

// csp is the policy of every HTML page: nothing but this Handler's own
// style sheet, images (and avatar previews) and the page's nonce'd script.
func csp(nonce string) string {
	return "default-src 'none'; style-src 'self'; img-src 'self' data: blob:; script-src 'nonce-" + nonce +
		"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
}

// missing returns the permission a denial names, if any.
func missing(err error) (rbac.Permission, bool) {
	var de *rbac.DeniedError
	if errors.As(err, &de) && de.Missing != (rbac.Permission{}) {
		return de.Missing, true
	}
	return rbac.Permission{}, false
}
