package admin

import (
	"net/http"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// The JSON API of departments and their permissions.

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

func (h *Handler) apiDepartmentStatus(w http.ResponseWriter, r *http.Request, actor rbac.StaffID) {
	id, err := pathDepartment(r)
	var st rbac.Status
	if err == nil {
		st, err = decodeStatus(r)
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
