package admin

import (
	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

//go:embed templates/*.html assets/*
var files embed.FS

// pages holds one template set per page, each with the layout.
type pages struct{ sets map[string]*template.Template }

func loadPages() *pages {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	ps := &pages{sets: map[string]*template.Template{}}
	for _, n := range names {
		if b := path.Base(n); b == "layout.html" || strings.HasPrefix(b, "_") {
			continue
		}
		t := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/_*.html", n))
		ps.sets[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return ps
}

var funcs = template.FuncMap{
	"join":    strings.Join,
	"hasDept": slices.Contains[[]rbac.DepartmentID],
	"schedIs": func(p *rbac.ScheduleID, id rbac.ScheduleID) bool { return p != nil && *p == id },
	"minutes": func(seconds int64) int64 { return seconds / 60 },
	"gridOf": func(v *view, g grid, readOnly bool) gridData {
		return gridData{View: v, Grid: g, ReadOnly: readOnly}
	},
}

// gridData is what the "grid" template receives.
type gridData struct {
	View     *view
	Grid     grid
	ReadOnly bool
}

// view is what every page's template receives.
type view struct {
	tr     translator
	h      *Handler
	Base   string
	Nonce  string
	Lang   string
	Path   string // the page's path inside the Handler, for the language switch
	Actor  rbac.Staff
	Nav    map[string]bool // which sections the actor may open
	Title  string
	Flash  string
	Error  *pageError
	Data   any
	Secret string // a password shown this once
}

// pageError is what a refused or failed request shows.
type pageError struct {
	Status  int
	Title   string
	Reason  string
	Missing string
	Fields  []rbac.FieldError
}

func (v *view) L(key string) string              { return v.tr.T(key) }
func (v *view) Fn(f rbac.FunctionInfo) string    { return v.tr.function(f) }
func (v *view) Act(a rbac.Action) string         { return v.tr.action(a) }
func (v *view) Text(t rbac.LocalizedText) string { return t.In(v.h.svc.DefaultLanguage(), v.tr.lang) }

// FieldError returns the message of the first error of field, for the
// form's inline messages.
func (v *view) FieldError(field string) string {
	if v.Error == nil {
		return ""
	}
	for _, f := range v.Error.Fields {
		if f.Field == field || strings.HasPrefix(f.Field, field+"[") {
			return f.Message
		}
	}
	return ""
}

// pageFunc serves one page for the signed-in actor; an error it returns is
// shown as an error page with the status httpauthz.Status gives it.
type pageFunc func(w http.ResponseWriter, r *http.Request, v *view) error

type pageRoute struct {
	method, path string
	fn           pageFunc
}

// page identifies the actor, prepares the view and runs fn.
func (h *Handler) page(fn pageFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := uiLanguage(r)
		v := &view{tr: translator{lang}, h: h, Base: h.base(r), Nonce: nonce(), Lang: lang.String(),
			Path: r.URL.Path, Nav: map[string]bool{}}
		actor, err := h.identify(r)
		if err == nil {
			v.Actor, err = h.svc.StaffMember(r.Context(), actor)
		}
		if err != nil {
			if errors.Is(err, rbac.ErrNotFound) {
				err = httpauthz.ErrNoIdentity
			}
			h.fail(w, r, v, err)
			return
		}
		for section, p := range map[string]rbac.Permission{
			"departments": rbac.Perm(rbac.FuncDepartments, rbac.ActView),
			"staff":       rbac.Perm(rbac.FuncStaff, rbac.ActView),
			"log":         rbac.Perm(rbac.FuncActionLog, rbac.ActView),
		} {
			v.Nav[section] = h.svc.Can(actor, p)
		}
		if err := fn(w, r, v); err != nil {
			h.fail(w, r, v, err)
		}
	})
}

// render writes template name with status.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, v *view, name string, status int) {
	t, ok := h.pages.sets[name]
	if !ok {
		panic("admin: no template " + name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, v); err != nil {
		h.internal(r, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Security-Policy", csp(v.Nonce))
	hd.Set("Content-Language", v.Lang)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// fail shows err as an error page: a denial with the library's reason and
// the missing permission, bad input with every field, others by status.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, v *view, err error) {
	status, code := httpauthz.Status(err)
	pe := &pageError{Status: status}
	switch code {
	case "permission-denied", "last-full-access", "account-disabled", "cross-client":
		pe.Title = v.L("denied")
		var de *rbac.DeniedError
		if errors.As(err, &de) {
			pe.Reason = de.Reason
		}
		if p, ok := missing(err); ok {
			pe.Missing = p.String()
		}
	case "unauthenticated", "bad-credentials":
		pe.Title = v.L("unauthenticated")
	case "invalid":
		pe.Title = v.L("invalid")
		pe.Reason = err.Error()
		var ve *rbac.ValidationError
		if errors.As(err, &ve) {
			pe.Fields = ve.Fields
		}
	case "not-found":
		pe.Title, pe.Reason = v.L("not_found"), err.Error()
	case "conflict", "inherited-permission":
		pe.Title, pe.Reason = v.L("conflict"), err.Error()
	default:
		pe.Title = v.L("error")
		if status == http.StatusInternalServerError {
			h.internal(r, err)
		}
	}
	v.Error = pe
	v.Title = pe.Title
	h.render(w, r, v, "error", status)
}

// asset serves the style sheet and the one script.
func (h *Handler) asset(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := files.ReadFile("assets/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(name) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(b)
}

// languagesOf returns the UI's languages followed by the others t holds:
// the inputs of a localized-name field.
func languagesOf(t rbac.LocalizedText) []language.Tag {
	out := append([]language.Tag(nil), uiLanguages...)
	for _, tag := range t.Languages() {
		known := false
		for _, u := range out {
			known = known || u == tag
		}
		if !known {
			out = append(out, tag)
		}
	}
	return out
}

// localized reads a localized text from form fields prefix.TAG.
func localized(r *http.Request, prefix string) rbac.LocalizedText {
	out := rbac.LocalizedText{}
	for key, vals := range r.PostForm {
		tagText, ok := strings.CutPrefix(key, prefix+".")
		if !ok || len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			continue
		}
		tag, err := language.Parse(tagText)
		if err != nil {
			continue
		}
		out[tag] = vals[0]
	}
	return out
}
