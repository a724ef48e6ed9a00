package admin

import (
	"context"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// staffInput is a staff member's form and the API's body alike.
type staffInput struct {
	Login       string              `json:"login"`
	FullName    rbac.LocalizedText  `json:"full_name"`
	Email       string              `json:"email,omitempty"`
	Phone       string              `json:"phone,omitempty"`
	Departments []rbac.DepartmentID `json:"departments"`
	FullAccess  bool                `json:"full_access"`
	// Password sets the first password of a new account;
	// GeneratePassword has the library generate one instead, returned once.
	Password         string `json:"password,omitempty"`
	GeneratePassword bool   `json:"generate_password,omitempty"`
}

// saveStaff creates (id 0) or updates a staff member and their
// departments, each in one change of the library's, authorized for the
// actor.
func (h *Handler) saveStaff(ctx context.Context, actor, id rbac.StaffID, in staffInput) (rbac.Staff, string, error) {
	if id == 0 {
		st, err := h.svc.CreateStaff(ctx, actor, rbac.NewStaff{Login: in.Login, FullName: in.FullName, Email: in.Email,
			Phone: in.Phone, Departments: in.Departments, FullAccess: in.FullAccess, Password: in.Password})
		if err != nil || !in.GeneratePassword || in.Password != "" {
			return st, "", err
		}
		secret, err := h.svc.ResetPassword(ctx, actor, st.ID)
		return st, secret, err
	}
	cur, err := h.svc.StaffMember(ctx, id)
	if err != nil {
		return rbac.Staff{}, "", err
	}
	// One change: the profile fields that differ and the departments,
	// all saved or, when the library refuses any part, none.
	var up rbac.StaffUpdate
	if in.Login != cur.Login {
		up.Login = &in.Login
	}
	if !maps.Equal(in.FullName, cur.FullName) {
		up.FullName = in.FullName
	}
	if in.Email != cur.Email {
		up.Email = &in.Email
	}
	if in.Phone != cur.Phone {
		up.Phone = &in.Phone
	}
	if in.FullAccess != cur.FullAccess {
		up.FullAccess = &in.FullAccess
	}
	if !sameSet(in.Departments, cur.Departments) {
		up.Departments = &in.Departments
	}
	if up.Login != nil || up.FullName != nil || up.Email != nil || up.Phone != nil || up.FullAccess != nil || up.Departments != nil {
		if _, err := h.svc.UpdateStaff(ctx, actor, id, up); err != nil {
			return cur, "", err
		}
	}
	st, err := h.svc.StaffMember(ctx, id)
	return st, "", err
}

// staffPage is one page of the staff list, filtered by a search, a
// department and a status, with the cursor of the next page.
type staffPage struct {
	Query      string
	Department rbac.DepartmentID
	Status     string // "", "active" or "disabled"
	Staff      []rbac.Staff
	After      rbac.StaffID // this page's cursor (0: the first page)
	Next       rbac.StaffID // the next page's cursor (0: last page)
	DeptNames  map[rbac.DepartmentID]string
}

// staffFilter is the staff list's query, from the page's or the API's.
type staffFilter struct {
	Query      string
	Department rbac.DepartmentID
	Status     string
	After      rbac.StaffID
}

func staffFilterOf(q url.Values) staffFilter {
	f := staffFilter{Query: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}
	f.Department, _ = rbac.ParseDepartmentID(q.Get("department"))
	f.After, _ = rbac.ParseStaffID(q.Get("after"))
	return f
}

// searchStaff reads one page from the library's ListStaff (login, e-mail
// and full name in any language, ignoring case).
func (h *Handler) searchStaff(ctx context.Context, actor rbac.StaffID, f staffFilter) (staffPage, error) {
	if err := h.may(actor, rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return staffPage{}, err
	}
	q := rbac.StaffQuery{Search: f.Query, Department: f.Department, After: f.After, Limit: h.opts.PageSize}
	if f.Status != "" {
		st, err := parseStatus(f.Status)
		if err != nil {
			return staffPage{}, err
		}
		q.Status = &st
	}
	p, err := h.svc.ListStaff(ctx, q)
	if err != nil {
		return staffPage{}, err
	}
	return staffPage{Query: f.Query, Department: f.Department, Status: f.Status, Staff: p.Staff, After: f.After, Next: p.Next}, nil
}

func (h *Handler) departmentNames(ctx context.Context, v *view) map[rbac.DepartmentID]string {
	ds, _ := h.svc.Departments(ctx)
	out := make(map[rbac.DepartmentID]string, len(ds))
	for _, d := range ds {
		out[d.ID] = v.Text(d.Name)
	}
	return out
}

func (h *Handler) staffPages() []pageRoute {
	return []pageRoute{
		{"GET", "/staff", h.staffListPage},
		{"GET", "/staff/new", h.staffFormPage},
		{"POST", "/staff", h.staffSubmit},
		{"GET", "/staff/{id}", h.staffFormPage},
		{"POST", "/staff/{id}", h.staffSubmit},
		{"POST", "/staff/{id}/status", h.staffStatusSubmit},
		{"POST", "/staff/{id}/password", h.staffPasswordSubmit},
		{"POST", "/staff/{id}/avatar", h.avatarSubmit},
		{"GET", "/staff/{id}/avatar", h.avatarImage},
	}
}

func (h *Handler) staffListPage(w http.ResponseWriter, r *http.Request, v *view) error {
	sp, err := h.searchStaff(r.Context(), v.Actor.ID, staffFilterOf(r.URL.Query()))
	if err != nil {
		return err
	}
	sp.DeptNames = h.departmentNames(r.Context(), v)
	v.Title, v.Data, v.Flash = v.L("staff"), sp, flash(r, v)
	h.render(w, r, v, "staff_list", http.StatusOK)
	return nil
}

// staffForm is the data of the staff form page.
type staffForm struct {
	ID          rbac.StaffID
	In          staffInput
	Status      rbac.Status
	Languages   []language.Tag
	Departments []rbac.Department
	HasAvatar   bool
}

func pathStaff(r *http.Request) (rbac.StaffID, error) {
	if r.PathValue("id") == "" {
		return 0, nil
	}
	return rbac.ParseStaffID(r.PathValue("id"))
}

func (h *Handler) staffFormPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathStaff(r)
	if err != nil {
		return err
	}
	need := rbac.Perm(rbac.FuncStaff, rbac.ActAdd)
	if id != 0 {
		need = rbac.Perm(rbac.FuncStaff, rbac.ActView)
	}
	if err := h.may(v.Actor.ID, need); err != nil {
		return err
	}
	f := staffForm{ID: id, In: staffInput{GeneratePassword: true}}
	if id != 0 {
		st, err := h.svc.StaffMember(r.Context(), id)
		if err != nil {
			return err
		}
		f.In = staffInput{Login: st.Login, FullName: st.FullName, Email: st.Email, Phone: st.Phone,
			Departments: st.Departments, FullAccess: st.FullAccess}
		f.Status = st.Status
		_, err = h.svc.Avatar(r.Context(), id)
		f.HasAvatar = err == nil
	}
	return h.showStaffForm(w, r, v, f, http.StatusOK)
}

func (h *Handler) showStaffForm(w http.ResponseWriter, r *http.Request, v *view, f staffForm, status int) error {
	f.Languages = languagesOf(f.In.FullName)
	f.Departments, _ = h.svc.Departments(r.Context())
	v.Title, v.Data = v.L("new_staff"), f
	if v.Error == nil {
		v.Flash = flash(r, v)
	}
	if f.ID != 0 {
		v.Title = v.L("edit_staff") + ": " + f.In.Login
	}
	h.render(w, r, v, "staff", status)
	return nil
}

func (h *Handler) staffSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathStaff(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return invalid("save staff", "form", "format", err.Error())
	}
	f := r.PostForm
	in := staffInput{Login: strings.TrimSpace(f.Get("login")), FullName: localized(r, "full_name"),
		Email: strings.TrimSpace(f.Get("email")), Phone: strings.TrimSpace(f.Get("phone")),
		FullAccess: f.Get("full_access") == "on", Password: f.Get("password"),
		GeneratePassword: f.Get("generate_password") == "on"}
	for _, s := range f["department"] {
		d, err := rbac.ParseDepartmentID(s)
		if err != nil {
			return err
		}
		in.Departments = append(in.Departments, d)
	}
	st, secret, err := h.saveStaff(r.Context(), v.Actor.ID, id, in)
	if err != nil {
		if status, code := statusOf(err); code == "invalid" || code == "conflict" {
			v.Error = &pageError{Status: status, Title: v.L("invalid"), Reason: err.Error(), Fields: fieldsOf(err)}
			in.Password = ""
			return h.showStaffForm(w, r, v, staffForm{ID: id, In: in}, status)
		}
		return err
	}
	if secret != "" {
		return h.showSecret(w, r, v, st, secret)
	}
	http.Redirect(w, r, v.Base+"/staff/"+st.ID.String()+"?saved=1", http.StatusSeeOther)
	return nil
}

// showSecret shows a generated password once, on the answer to the POST
// that made it (never on a page that can be fetched again).
func (h *Handler) showSecret(w http.ResponseWriter, r *http.Request, v *view, st rbac.Staff, secret string) error {
	v.Secret, v.Title, v.Data = secret, v.L("password"), st
	h.render(w, r, v, "secret", http.StatusOK)
	return nil
}

func (h *Handler) staffStatusSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathStaff(r)
	if err != nil {
		return err
	}
	st := rbac.StatusActive
	if r.PostFormValue("status") == "disabled" {
		st = rbac.StatusDisabled
	}
	if _, err := h.svc.UpdateStaff(r.Context(), v.Actor.ID, id, rbac.StaffUpdate{Status: &st}); err != nil {
		return err
	}
	http.Redirect(w, r, v.Base+"/staff/"+id.String()+"?saved=1", http.StatusSeeOther)
	return nil
}

func (h *Handler) staffPasswordSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathStaff(r)
	if err != nil {
		return err
	}
	secret, err := h.svc.ResetPassword(r.Context(), v.Actor.ID, id)
	if err != nil {
		return err
	}
	st, err := h.svc.StaffMember(r.Context(), id)
	if err != nil {
		return err
	}
	return h.showSecret(w, r, v, st, secret)
}

// sameSet reports whether a and b hold the same departments.
func sameSet(a, b []rbac.DepartmentID) bool {
	if len(a) != len(b) {
		return false
	}
	for _, d := range a {
		if !slices.Contains(b, d) {
			return false
		}
	}
	return true
}
