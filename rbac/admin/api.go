package admin

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

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

// decodeStatus reads a {"status": "active"|"disabled"} body.
func decodeStatus(r *http.Request) (rbac.Status, error) {
	var in statusJSON
	if err := decode(r, &in); err != nil {
		return 0, err
	}
	return parseStatus(in.Status)
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
