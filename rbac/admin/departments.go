package admin

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// departmentInput is a department's form and the API's body alike.
type departmentInput struct {
	Name                  rbac.LocalizedText `json:"name"`
	AcceptsClientRequests bool               `json:"accepts_client_requests"`
	TaskLanguage          string             `json:"task_language,omitempty"`
	SortOrder             int                `json:"sort_order"`
	// Schedule and ResponseTarget (seconds of business time) set the
	// department's hours when Schedule is given.
	Schedule       *rbac.ScheduleID `json:"schedule,omitempty"`
	ResponseTarget int64            `json:"response_target_seconds,omitempty"`
}

// departmentOut is a department as the API and the list show it.
type departmentOut struct {
	rbac.Department
	Members     int                  `json:"members"`
	Permissions []rbac.Permission    `json:"permissions"`
	Hours       rbac.DepartmentHours `json:"hours"`
}

func invalid(op, field, rule, msg string) error {
	return &rbac.ValidationError{Op: op, Fields: []rbac.FieldError{{Field: field, Rule: rule, Message: msg}}}
}

// saveDepartment creates (id 0) or updates a department, then sets its
// hours when they are given and differ: every write is the library's, with
// the actor's rights.
func (h *Handler) saveDepartment(ctx context.Context, actor rbac.StaffID, id rbac.DepartmentID, in departmentInput) (rbac.Department, error) {
	op := "save department"
	tag := language.Und
	if in.TaskLanguage != "" {
		t, err := language.Parse(in.TaskLanguage)
		if err != nil {
			return rbac.Department{}, invalid(op, "task_language", "format", "not a BCP 47 language tag")
		}
		tag = t
	}
	var d rbac.Department
	var err error
	if id == 0 {
		d, err = h.svc.CreateDepartment(ctx, actor, rbac.NewDepartment{Name: in.Name,
			AcceptsClientRequests: in.AcceptsClientRequests, TaskLanguage: tag, SortOrder: in.SortOrder})
	} else {
		up := rbac.DepartmentUpdate{Name: in.Name, AcceptsClientRequests: &in.AcceptsClientRequests, SortOrder: &in.SortOrder}
		if !tag.IsRoot() {
			up.TaskLanguage = &tag
		}
		d, err = h.svc.UpdateDepartment(ctx, actor, id, up)
	}
	if err != nil || in.Schedule == nil {
		return d, err
	}
	target := time.Duration(in.ResponseTarget) * time.Second
	if cur, err := h.svc.DepartmentHours(ctx, d.ID); err == nil && cur.Schedule == *in.Schedule && cur.Target == target {
		return d, nil
	}
	_, err = h.svc.SetDepartmentHours(ctx, actor, d.ID, *in.Schedule, target)
	return d, err
}

// setDepartmentStatus enables or disables a department.
func (h *Handler) setDepartmentStatus(ctx context.Context, actor rbac.StaffID, id rbac.DepartmentID, st rbac.Status) (rbac.Department, error) {
	return h.svc.UpdateDepartment(ctx, actor, id, rbac.DepartmentUpdate{Status: &st})
}

func (h *Handler) departmentOut(ctx context.Context, d rbac.Department) departmentOut {
	hrs, _ := h.svc.DepartmentHours(ctx, d.ID)
	perms := h.svc.DepartmentPermissions(d.ID)
	if perms == nil {
		perms = []rbac.Permission{}
	}
	return departmentOut{Department: d, Members: len(h.svc.DepartmentMembers(d.ID)), Permissions: perms, Hours: hrs}
}

func (h *Handler) listDepartments(ctx context.Context, actor rbac.StaffID) ([]departmentOut, error) {
	if err := h.may(actor, rbac.Perm(rbac.FuncDepartments, rbac.ActView)); err != nil {
		return nil, err
	}
	ds, err := h.svc.Departments(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]departmentOut, len(ds))
	for i, d := range ds {
		out[i] = h.departmentOut(ctx, d)
	}
	return out, nil
}

// departmentForm is the data of the department form page.
type departmentForm struct {
	ID        rbac.DepartmentID
	In        departmentInput
	Languages []language.Tag
	Schedules []rbac.StoredSchedule
}

func (h *Handler) departmentPages() []pageRoute {
	return []pageRoute{
		{"GET", "/departments", h.departmentsPage},
		{"GET", "/departments/new", h.departmentFormPage},
		{"POST", "/departments", h.departmentSubmit},
		{"GET", "/departments/{id}", h.departmentFormPage},
		{"POST", "/departments/{id}", h.departmentSubmit},
		{"POST", "/departments/{id}/status", h.departmentStatusSubmit},
		{"POST", "/departments/{id}/delete", h.departmentDeleteSubmit},
	}
}

func (h *Handler) departmentsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	ds, err := h.listDepartments(r.Context(), v.Actor.ID)
	if err != nil {
		return err
	}
	v.Title, v.Data = v.L("departments"), ds
	v.Flash = flash(r, v)
	h.render(w, r, v, "departments", http.StatusOK)
	return nil
}

// pathDepartment reads the {id} of the path; a missing one is 0 (new).
func pathDepartment(r *http.Request) (rbac.DepartmentID, error) {
	if r.PathValue("id") == "" {
		return 0, nil
	}
	return rbac.ParseDepartmentID(r.PathValue("id"))
}

func (h *Handler) departmentFormPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathDepartment(r)
	if err != nil {
		return err
	}
	need := rbac.Perm(rbac.FuncDepartments, rbac.ActAdd)
	f := departmentForm{ID: id}
	if id != 0 {
		need = rbac.Perm(rbac.FuncDepartments, rbac.ActEdit)
	}
	if err := h.may(v.Actor.ID, need); err != nil {
		return err
	}
	if id != 0 {
		d, err := h.svc.Department(r.Context(), id)
		if err != nil {
			return err
		}
		hrs, _ := h.svc.DepartmentHours(r.Context(), id)
		sch := hrs.Schedule
		f.In = departmentInput{Name: d.Name, AcceptsClientRequests: d.AcceptsClientRequests,
			TaskLanguage: d.TaskLanguage.String(), SortOrder: d.SortOrder, Schedule: &sch,
			ResponseTarget: int64(hrs.Target / time.Second)}
	}
	return h.showDepartmentForm(w, r, v, f, http.StatusOK)
}

func (h *Handler) showDepartmentForm(w http.ResponseWriter, r *http.Request, v *view, f departmentForm, status int) error {
	f.Languages = languagesOf(f.In.Name)
	f.Schedules, _ = h.svc.Schedules(r.Context())
	v.Title, v.Data = v.L("new_department"), f
	if f.ID != 0 {
		v.Title = v.L("edit_department")
	}
	h.render(w, r, v, "department", status)
	return nil
}

func (h *Handler) departmentSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathDepartment(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return invalid("save department", "form", "format", err.Error())
	}
	in := departmentInput{Name: localized(r, "name"), AcceptsClientRequests: r.PostForm.Get("accepts") == "on",
		TaskLanguage: strings.TrimSpace(r.PostForm.Get("task_language"))}
	in.SortOrder, _ = strconv.Atoi(r.PostForm.Get("sort_order"))
	if s := r.PostForm.Get("schedule"); s != "" {
		sch, err := rbac.ParseScheduleID(s)
		if err != nil {
			return err
		}
		in.Schedule = &sch
		minutes, _ := strconv.ParseInt(r.PostForm.Get("target_minutes"), 10, 64)
		in.ResponseTarget = minutes * 60
	}
	d, err := h.saveDepartment(r.Context(), v.Actor.ID, id, in)
	if err != nil {
		if status, code := statusOf(err); code == "invalid" || code == "conflict" {
			v.Error = &pageError{Status: status, Title: v.L("invalid"), Reason: err.Error(), Fields: fieldsOf(err)}
			return h.showDepartmentForm(w, r, v, departmentForm{ID: id, In: in}, status)
		}
		return err
	}
	http.Redirect(w, r, v.Base+"/departments?saved="+d.ID.String(), http.StatusSeeOther)
	return nil
}

func (h *Handler) departmentStatusSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathDepartment(r)
	if err != nil {
		return err
	}
	st := rbac.StatusActive
	if r.PostFormValue("status") == "disabled" {
		st = rbac.StatusDisabled
	}
	if _, err := h.setDepartmentStatus(r.Context(), v.Actor.ID, id, st); err != nil {
		return err
	}
	http.Redirect(w, r, v.Base+"/departments?saved="+id.String(), http.StatusSeeOther)
	return nil
}

func (h *Handler) departmentDeleteSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathDepartment(r)
	if err != nil {
		return err
	}
	if err := h.svc.DeleteDepartment(r.Context(), v.Actor.ID, id); err != nil {
		return err
	}
	http.Redirect(w, r, v.Base+"/departments", http.StatusSeeOther)
	return nil
}

// flash is the "saved" note of a page reached after a successful POST.
func flash(r *http.Request, v *view) string {
	if r.URL.Query().Get("saved") != "" {
		return v.L("saved")
	}
	return ""
}
