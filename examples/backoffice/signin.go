package main

import (
	"errors"
	"net/http"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// signIn takes {"login", "password"}: a session cookie and 204, or the
// library's answer as a problem (401 bad credentials, 403 disabled
// account, 403 passwords-disabled on an SSO-only installation).
func (a *App) signIn(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Login    string `json:"login"`
		Password string `json:"password"`
	}
	if !a.decode(w, r, &in) {
		return
	}
	st, err := a.svc.Authenticate(r.Context(), in.Login, in.Password)
	if err != nil {
		a.refuse(w, r, err)
		return
	}
	a.sessions.Start(w, st.ID)
	w.WriteHeader(http.StatusNoContent)
}

// ssoSignIn turns the subject the authenticating proxy vouched for into a
// session: 204, 401 without the header, 403 for a disabled account or a
// subject no staff member carries (the proxy authenticated someone who is
// not staff).
func (a *App) ssoSignIn(w http.ResponseWriter, r *http.Request) {
	sub := r.Header.Get(a.cfg.SSOHeader)
	if sub == "" {
		a.problems.WriteError(w, r, httpauthz.ErrNoIdentity)
		return
	}
	st, err := a.svc.AuthenticateSubject(r.Context(), rbac.ExternalSubject(sub))
	if errors.Is(err, rbac.ErrNotFound) || errors.Is(err, rbac.ErrInvalid) {
		err = rbac.ErrPermissionDenied // not staff: say no more
	}
	if err != nil {
		a.refuse(w, r, err)
		return
	}
	a.sessions.Start(w, st.ID)
	w.WriteHeader(http.StatusNoContent)
}

func (a *App) refuse(w http.ResponseWriter, r *http.Request, err error) {
	if status, _ := httpauthz.Status(err); status >= 500 {
		a.fail(w, r, err)
		return
	}
	a.problems.WriteError(w, r, err)
}

func (a *App) signOut(w http.ResponseWriter, r *http.Request) {
	a.sessions.End(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// me answers who is signed in, from the identity the guard put in the
// request's context.
func (a *App) me(w http.ResponseWriter, r *http.Request) {
	id, _ := httpauthz.StaffFrom(r.Context())
	st, err := a.svc.StaffMember(r.Context(), id)
	if err != nil {
		a.refuse(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": st.ID, "login": st.Login, "subject": st.Subject,
		"departments": st.Departments, "full_access": st.FullAccess})
}
