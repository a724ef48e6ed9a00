package admin

import (
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// The JSON API of staff, their rights and the action log.

type staffJSON struct {
	ID          rbac.StaffID        `json:"id"`
	Login       string              `json:"login"`
	FullName    rbac.LocalizedText  `json:"full_name"`
	Email       string              `json:"email"`
	Phone       string              `json:"phone"`
	Departments []rbac.DepartmentID `json:"departments"`
	FullAccess  bool                `json:"full_access"`
	Status      string              `json:"status"`
	Password    string              `json:"password,omitempty"` // generated, shown once
}

func staffJSONOf(s rbac.Staff) staffJSON {
	ds := s.Departments
	if ds == nil {
		ds = []rbac.DepartmentID{}
	}
	return staffJSON{ID: s.ID, Login: s.Login, FullName: s.FullName, Email: s.Email, Phone: s.Phone,
		Departments: ds, FullAccess: s.FullAccess, Status: s.Status.String()}
}

type staffListJSON struct {
	Staff []staffJSON  `json:"staff"`
	Next  rbac.StaffID `json:"next,omitempty"`
}

func (h *Handler) apiStaffList(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	sp, err := h.searchStaff(r.Context(), actor, staffFilterOf(r.URL.Query()))
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	out := staffListJSON{Staff: make([]staffJSON, len(sp.Staff)), Next: sp.Next}
	for i, s := range sp.Staff {
		out.Staff[i] = staffJSONOf(s)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) apiStaff(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	if err == nil {
		err = h.may(actor, rbac.Perm(rbac.FuncStaff, rbac.ActView))
	}
	var st rbac.Staff
	if err == nil {
		st, err = h.svc.StaffMember(r.Context(), id)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, staffJSONOf(st))
}

func (h *Handler) apiSaveStaff(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	var in staffInput
	if err == nil {
		err = decode(r, &in)
	}
	var st rbac.Staff
	var secret string
	if err == nil {
		st, secret, err = h.saveStaff(r.Context(), actor, id, in)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
		st, _ = h.svc.StaffMember(r.Context(), st.ID)
	}
	out := staffJSONOf(st)
	out.Password = secret
	writeJSON(w, status, out)
}

func (h *Handler) apiStaffStatus(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	var st rbac.Status
	if err == nil {
		st, err = decodeStatus(r)
	}
	var s rbac.Staff
	if err == nil {
		s, err = h.svc.UpdateStaff(r.Context(), actor, id, rbac.StaffUpdate{Status: &st})
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, staffJSONOf(s))
}

func (h *Handler) apiResetPassword(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	var secret string
	if err == nil {
		secret, err = h.svc.ResetPassword(r.Context(), actor, id)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"password": secret})
}

func (h *Handler) apiAvatar(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	if err == nil && id != actor {
		err = h.may(actor, rbac.Perm(rbac.FuncStaff, rbac.ActView))
	}
	var a rbac.Avatar
	if err == nil {
		a, err = h.svc.Avatar(r.Context(), id)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", a.ContentType)
	_, _ = w.Write(a.Data)
}

func (h *Handler) apiSetAvatar(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	var data []byte
	if err == nil {
		data, err = io.ReadAll(io.LimitReader(r.Body, rbac.MaxAvatarBytes+1))
	}
	if err == nil {
		_, err = h.svc.SetAvatar(r.Context(), actor, id, data)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type rightJSON struct {
	Permission rbac.Permission `json:"permission"`
	Sources    []sourceJSON    `json:"sources"`
	Editable   bool            `json:"editable"`
}

type sourceJSON struct {
	Kind       string            `json:"kind"` // "full_access", "department", "direct"
	Department rbac.DepartmentID `json:"department,omitempty"`
}

func (h *Handler) apiRights(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	if err == nil {
		err = h.may(actor, rbac.Perm(rbac.FuncStaff, rbac.ActView))
	}
	if err == nil {
		_, err = h.svc.StaffMember(r.Context(), id)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	out := []rightJSON{}
	for _, ep := range h.svc.EffectivePermissions(id) {
		rj := rightJSON{Permission: ep.Permission, Editable: ep.Editable}
		for _, s := range ep.Sources {
			kind := map[rbac.SourceKind]string{rbac.SourceFullAccess: "full_access", rbac.SourceDepartment: "department",
				rbac.SourceDirect: "direct"}[s.Kind]
			rj.Sources = append(rj.Sources, sourceJSON{Kind: kind, Department: s.Department})
		}
		out = append(out, rj)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) apiSetGrants(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathStaff(r)
	var in permissionsJSON
	if err == nil {
		err = decode(r, &in)
	}
	if err == nil {
		err = h.saveGrants(r.Context(), actor, id, in.Permissions)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	h.apiRights(w, r, actor)
}

type changeJSON struct {
	Version int64            `json:"version"`
	At      time.Time        `json:"at"`
	Actor   rbac.StaffID     `json:"actor"`
	Op      rbac.Operation   `json:"op"`
	Target  string           `json:"target"`
	Reason  string           `json:"reason,omitempty"`
	Before  json.RawMessage  `json:"before"`
	After   json.RawMessage  `json:"after"`
	Policy  rbac.PolicyDelta `json:"policy"`
}

func (h *Handler) apiLog(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	v := &view{tr: translator{uiLanguages[0]}, h: h}
	lp, err := h.readLog(r.Context(), actor, logFilterOf(r.URL.Query()), h.namer(r.Context(), v))
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	out := struct {
		Entries []changeJSON `json:"entries"`
		Next    string       `json:"next,omitempty"`
	}{Entries: []changeJSON{}, Next: lp.Next}
	for _, e := range lp.Entries {
		c := e.Change
		out.Entries = append(out.Entries, changeJSON{Version: c.Version, At: c.At, Actor: c.Actor, Op: c.Op,
			Target: c.Target, Reason: c.Reason, Before: nullIfEmpty(c.Before), After: nullIfEmpty(c.After), Policy: c.Policy})
	}
	writeJSON(w, http.StatusOK, out)
}

func nullIfEmpty(m json.RawMessage) json.RawMessage {
	if len(m) == 0 {
		return json.RawMessage("null")
	}
	return m
}
