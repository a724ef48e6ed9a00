package admin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/httpauthz"
)

// The JSON API: the screens' operations under /api, documented by the
// OpenAPI document at OpenAPIPath. Every route identifies the actor, and
// every operation is the library's, with its rules and its errors
// (RFC 9457 problems through httpauthz.Problems).
func (h *Handler) apiRoutes() []route {
	return []route{
		{"GET", "/api/departments", h.apiDepartments},
		{"POST", "/api/departments", h.apiSaveDepartment},
		{"GET", "/api/departments/{id}", h.apiDepartment},
		{"PUT", "/api/departments/{id}", h.apiSaveDepartment},
		{"DELETE", "/api/departments/{id}", h.apiDeleteDepartment},
		{"PUT", "/api/departments/{id}/status", h.apiDepartmentStatus},
		{"GET", "/api/departments/{id}/permissions", h.apiDepartmentPermissions},
		{"PUT", "/api/departments/{id}/permissions", h.apiSetDepartmentPermissions},
		{"GET", "/api/staff", h.apiStaffList},
		{"POST", "/api/staff", h.apiSaveStaff},
		{"GET", "/api/staff/{id}", h.apiStaff},
		{"PUT", "/api/staff/{id}", h.apiSaveStaff},
		{"PUT", "/api/staff/{id}/status", h.apiStaffStatus},
		{"POST", "/api/staff/{id}/password", h.apiResetPassword},
		{"GET", "/api/staff/{id}/avatar", h.apiAvatar},
		{"PUT", "/api/staff/{id}/avatar", h.apiSetAvatar},
		{"GET", "/api/staff/{id}/rights", h.apiRights},
		{"PUT", "/api/staff/{id}/grants", h.apiSetGrants},
		{"GET", "/api/log", h.apiLog},
	}
}

// apiHandler identifies the actor and runs fn.
func (h *Handler) apiHandler(fn func(w http.ResponseWriter, r *http.Request, actor rbac.StaffID)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		actor, err := h.identify(r)
		if err != nil {
			h.apiError(w, r, err)
			return
		}
		fn(w, r, actor)
	})
}

// apiError writes err as a problem; a denial always names the permission
// the actor lacks.
func (h *Handler) apiError(w http.ResponseWriter, r *http.Request, err error) {
	p := h.opts.Problems.For(r, err)
	if m, ok := missing(err); ok {
		p.Permission = m.String()
	}
	if p.Status == http.StatusInternalServerError {
		h.internal(r, err)
	}
	h.opts.Problems.Write(w, p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body (at most 1 MiB, no unknown fields).
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("decode request", "body", "json", err.Error())
	}
	return nil
}

type departmentJSON struct {
	ID                    rbac.DepartmentID  `json:"id"`
	Name                  rbac.LocalizedText `json:"name"`
	AcceptsClientRequests bool               `json:"accepts_client_requests"`
	TaskLanguage          string             `json:"task_language"`
	SortOrder             int                `json:"sort_order"`
	Status                string             `json:"status"`
	Members               int                `json:"members"`
	Permissions           []rbac.Permission  `json:"permissions"`
	Schedule              rbac.ScheduleID    `json:"schedule"`
	ResponseTarget        int64              `json:"response_target_seconds"`
}

func departmentJSONOf(d departmentOut) departmentJSON {
	return departmentJSON{ID: d.ID, Name: d.Name, AcceptsClientRequests: d.AcceptsClientRequests,
		TaskLanguage: d.TaskLanguage.String(), SortOrder: d.SortOrder, Status: d.Status.String(), Members: d.Members,
		Permissions: d.Permissions, Schedule: d.Hours.Schedule, ResponseTarget: int64(d.Hours.Target / time.Second)}
}

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

func (h *Handler) apiDepartments(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	ds, err := h.listDepartments(r.Context(), actor)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	out := make([]departmentJSON, len(ds))
	for i, d := range ds {
		out[i] = departmentJSONOf(d)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) apiDepartment(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := rbac.ParseDepartmentID(r.PathValue("id"))
	if err == nil {
		err = h.may(actor, rbac.Perm(rbac.FuncDepartments, rbac.ActView))
	}
	var d rbac.Department
	if err == nil {
		d, err = h.svc.Department(r.Context(), id)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, departmentJSONOf(h.departmentOut(r.Context(), d)))
}

func (h *Handler) apiSaveDepartment(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathDepartment(r)
	var in departmentInput
	if err == nil {
		err = decode(r, &in)
	}
	var d rbac.Department
	if err == nil {
		d, err = h.saveDepartment(r.Context(), actor, id, in)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	d, _ = h.svc.Department(r.Context(), d.ID)
	writeJSON(w, status, departmentJSONOf(h.departmentOut(r.Context(), d)))
}

func (h *Handler) apiDeleteDepartment(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathDepartment(r)
	if err == nil {
		err = h.svc.DeleteDepartment(r.Context(), actor, id)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type statusJSON struct {
	Status string `json:"status"`
}

func parseStatus(s string) (rbac.Status, error) {
	switch s {
	case "active":
		return rbac.StatusActive, nil
	case "disabled":
		return rbac.StatusDisabled, nil
	}
	return 0, invalid("set status", "status", "enum", `"active" or "disabled"`)
}

func (h *Handler) apiDepartmentStatus(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathDepartment(r)
	var in statusJSON
	if err == nil {
		err = decode(r, &in)
	}
	var st rbac.Status
	if err == nil {
		st, err = parseStatus(in.Status)
	}
	var d rbac.Department
	if err == nil {
		d, err = h.setDepartmentStatus(r.Context(), actor, id, st)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, departmentJSONOf(h.departmentOut(r.Context(), d)))
}

type permissionsJSON struct {
	Permissions []rbac.Permission `json:"permissions"`
}

func (h *Handler) apiDepartmentPermissions(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathDepartment(r)
	if err == nil {
		err = h.may(actor, rbac.Perm(rbac.FuncDepartments, rbac.ActView))
	}
	if err == nil {
		_, err = h.svc.Department(r.Context(), id)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	ps := h.svc.DepartmentPermissions(id)
	if ps == nil {
		ps = []rbac.Permission{}
	}
	writeJSON(w, http.StatusOK, permissionsJSON{Permissions: ps})
}

// apiSetDepartmentPermissions replaces the set in one change, or with
// ?dry_run=true says what it would change.
func (h *Handler) apiSetDepartmentPermissions(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathDepartment(r)
	var in permissionsJSON
	if err == nil {
		err = decode(r, &in)
	}
	if err == nil && r.URL.Query().Get("dry_run") == "true" {
		pc, err := h.planDepartmentPermissions(r.Context(), actor, id, in.Permissions)
		if err != nil {
			h.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, pc)
		return
	}
	if err == nil {
		err = h.svc.SetDepartmentPermissions(r.Context(), actor, id, in.Permissions...)
	}
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	h.apiDepartmentPermissions(w, r, actor)
}

type staffListJSON struct {
	Staff []staffJSON `json:"staff"`
	Page  int         `json:"page"`
	Pages int         `json:"pages"`
	Total int         `json:"total"`
}

func (h *Handler) apiStaffList(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	sp, err := h.searchStaff(r.Context(), actor, r.URL.Query().Get("q"), page)
	if err != nil {
		h.apiError(w, r, err)
		return
	}
	out := staffListJSON{Staff: make([]staffJSON, len(sp.Staff)), Page: sp.Page, Pages: sp.Pages, Total: sp.Total}
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
	var in statusJSON
	if err == nil {
		err = decode(r, &in)
	}
	var st rbac.Status
	if err == nil {
		st, err = parseStatus(in.Status)
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

// statusOf and fieldsOf classify an error for a form.
func statusOf(err error) (int, string) { return httpauthz.Status(err) }

func fieldsOf(err error) []rbac.FieldError {
	var ve *rbac.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}
