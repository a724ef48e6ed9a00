package main

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"sync"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// sessionCookie names the cookie that carries a session token.
const sessionCookie = "backoffice_session"

// Sessions is the minimal server-side session store: a random token in
// an HttpOnly cookie, the staff member and an idle deadline in memory. A
// real deployment with several servers keeps them in a shared store
// (Redis, its database); what matters here is that sessions can be ended
// by staff member, which the change subscription does.
type Sessions struct {
	ttl    time.Duration
	secure bool
	now    func() time.Time

	mu      sync.Mutex
	byToken map[string]*session
	byStaff map[rbac.StaffID]map[string]struct{}
}

type session struct {
	staff rbac.StaffID
	until time.Time
}

// NewSessions returns an empty store whose sessions end after ttl without
// a request. Secure marks the cookie Secure (HTTPS only): on in
// production, off for tests on plain HTTP.
func NewSessions(ttl time.Duration, secure bool) *Sessions {
	return &Sessions{ttl: ttl, secure: secure, now: time.Now,
		byToken: map[string]*session{}, byStaff: map[rbac.StaffID]map[string]struct{}{}}
}

// Start opens a session for staff and sets its cookie on w.
func (s *Sessions) Start(w http.ResponseWriter, staff rbac.StaffID) {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand never fails on supported platforms
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	s.mu.Lock()
	s.byToken[tok] = &session{staff: staff, until: s.now().Add(s.ttl)}
	if s.byStaff[staff] == nil {
		s.byStaff[staff] = map[string]struct{}{}
	}
	s.byStaff[staff][tok] = struct{}{}
	s.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// Staff returns the staff member of r's session and extends it, or false.
func (s *Sessions) Staff(r *http.Request) (rbac.StaffID, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return 0, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.byToken[c.Value]
	if !ok {
		return 0, false
	}
	now := s.now()
	if now.After(ss.until) {
		s.endLocked(c.Value, ss.staff)
		return 0, false
	}
	ss.until = now.Add(s.ttl)
	return ss.staff, true
}

// End ends r's session, if any, and clears its cookie.
func (s *Sessions) End(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		if ss, ok := s.byToken[c.Value]; ok {
			s.endLocked(c.Value, ss.staff)
		}
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// EndAll ends every session of staff and returns how many there were.
func (s *Sessions) EndAll(staff rbac.StaffID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := len(s.byStaff[staff])
	for tok := range s.byStaff[staff] {
		delete(s.byToken, tok)
	}
	delete(s.byStaff, staff)
	return n
}

// Holders returns the staff members with at least one session.
func (s *Sessions) Holders() []rbac.StaffID {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]rbac.StaffID, 0, len(s.byStaff))
	for id := range s.byStaff {
		out = append(out, id)
	}
	return out
}

// Count returns staff's open sessions.
func (s *Sessions) Count(staff rbac.StaffID) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byStaff[staff])
}

func (s *Sessions) endLocked(tok string, staff rbac.StaffID) {
	delete(s.byToken, tok)
	delete(s.byStaff[staff], tok)
	if len(s.byStaff[staff]) == 0 {
		delete(s.byStaff, staff)
	}
}
