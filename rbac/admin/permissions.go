package admin

import (
	"context"
	"net/http"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// grid is the functions × actions table of checkboxes of a department's
// permissions and of a staff member's rights.
type grid struct {
	Actions []rbac.Action
	Rows    []gridRow
}

type gridRow struct {
	Info  rbac.FunctionInfo
	Cells []gridCell
}

type gridCell struct {
	Perm     rbac.Permission
	Exists   bool // the function has this action
	Checked  bool
	Disabled bool     // shown, not editable (inherited)
	Direct   bool     // held by a direct grant
	From     []string // where an inherited permission comes from
}

// newGrid lays the catalog out; cell fills each cell.
func newGrid(cat *rbac.Catalog, cell func(c *gridCell)) grid {
	// The common actions first, in this order, then the others as the
	// catalog lists them.
	g := grid{Actions: []rbac.Action{rbac.ActView, rbac.ActAdd, rbac.ActEdit, rbac.ActDelete}}
	fns := cat.Functions()
	for _, f := range fns {
		for _, a := range f.Actions {
			if !slices.Contains(g.Actions, a) {
				g.Actions = append(g.Actions, a)
			}
		}
	}
	g.Actions = slices.DeleteFunc(g.Actions, func(a rbac.Action) bool {
		for _, f := range fns {
			if slices.Contains(f.Actions, a) {
				return false
			}
		}
		return true
	})
	for _, f := range fns {
		row := gridRow{Info: f}
		for _, a := range g.Actions {
			c := gridCell{Perm: rbac.Perm(f.Function, a), Exists: slices.Contains(f.Actions, a)}
			if c.Exists {
				cell(&c)
			}
			row.Cells = append(row.Cells, c)
		}
		g.Rows = append(g.Rows, row)
	}
	return g
}

// formPermissions reads the checked boxes (field "perm") of a grid form.
func formPermissions(r *http.Request) ([]rbac.Permission, error) {
	var out []rbac.Permission
	for i, s := range r.PostForm["perm"] {
		if i >= 4096 {
			return nil, invalid("read permissions", "perm", "max_count", "too many permissions")
		}
		p, err := rbac.ParsePermission(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// permissionChange is what saving a department's grid would change: the
// permissions added and taken away, the department's members, and the
// library's dry run of the change: who gains and loses what.
type permissionChange struct {
	Department rbac.Department   `json:"department"`
	Want       []rbac.Permission `json:"permissions"`
	Added      []rbac.Permission `json:"added"`
	Removed    []rbac.Permission `json:"removed"`
	Members    []rbac.StaffID    `json:"members"`
	Effect     rbac.Effect       `json:"effect"`
	// Lines say, per permission added or taken away, who would gain or
	// lose it ("this gives 12 people reports:view").
	Lines []effectLine `json:"-"`
}

type effectLine struct {
	Permission rbac.Permission
	Gain       bool
	Staff      []string // logins
}

// planDepartmentPermissions runs SetDepartmentPermissions as a dry run:
// the library stages, computes and authorizes the change and rolls it
// back, so a refusal is shown at the review, before the click that would
// save.
func (h *Handler) planDepartmentPermissions(ctx context.Context, actor rbac.StaffID, id rbac.DepartmentID, want []rbac.Permission) (permissionChange, error) {
	d, err := h.svc.Department(ctx, id)
	if err != nil {
		return permissionChange{}, err
	}
	var plan rbac.Plan
	if err := h.svc.SetDepartmentPermissions(rbac.WithDryRun(ctx, &plan), actor, id, want...); err != nil {
		return permissionChange{}, err
	}
	have := h.svc.DepartmentPermissions(id)
	pc := permissionChange{Department: d, Want: want, Added: []rbac.Permission{}, Removed: []rbac.Permission{},
		Members: h.svc.DepartmentMembers(id), Effect: plan.Effect()}
	for _, p := range h.svc.Catalog().Permissions() {
		switch in, had := slices.Contains(want, p), slices.Contains(have, p); {
		case in && !had:
			pc.Added = append(pc.Added, p)
		case had && !in:
			pc.Removed = append(pc.Removed, p)
		}
	}
	for _, p := range have {
		if !h.svc.Catalog().Has(p) && !slices.Contains(want, p) {
			pc.Removed = append(pc.Removed, p)
		}
	}
	if pc.Members == nil {
		pc.Members = []rbac.StaffID{}
	}
	login := func(ids []rbac.StaffID) []string {
		out := make([]string, 0, len(ids))
		for _, id := range ids {
			if st, err := h.svc.StaffMember(ctx, id); err == nil {
				out = append(out, st.Login)
			}
		}
		return out
	}
	for _, p := range pc.Added {
		pc.Lines = append(pc.Lines, effectLine{Permission: p, Gain: true, Staff: login(pc.Effect.Gaining(p))})
	}
	for _, p := range pc.Removed {
		pc.Lines = append(pc.Lines, effectLine{Permission: p, Staff: login(pc.Effect.Losing(p))})
	}
	return pc, nil
}

func (h *Handler) permissionPages() []pageRoute {
	return []pageRoute{
		{"GET", "/departments/{id}/permissions", h.permissionsPage},
		{"POST", "/departments/{id}/permissions", h.permissionsSubmit},
	}
}

// permissionsView is the data of the grid page and of its review.
type permissionsView struct {
	Department rbac.Department
	Grid       grid
	Review     *permissionChange
	Members    []rbac.Staff
}

func (h *Handler) permissionsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := rbac.ParseDepartmentID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.may(v.Actor.ID, rbac.Perm(rbac.FuncDepartments, rbac.ActView)); err != nil {
		return err
	}
	d, err := h.svc.Department(r.Context(), id)
	if err != nil {
		return err
	}
	have := h.svc.DepartmentPermissions(id)
	pv := permissionsView{Department: d, Grid: newGrid(h.svc.Catalog(), func(c *gridCell) {
		c.Checked = slices.Contains(have, c.Perm)
	})}
	v.Title, v.Data, v.Flash = v.L("permissions")+": "+v.Text(d.Name), pv, flash(r, v)
	h.render(w, r, v, "permissions", http.StatusOK)
	return nil
}

// permissionsSubmit reviews the grid (op=review: what it would change,
// nothing saved) or saves it as one change (op=save).
func (h *Handler) permissionsSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := rbac.ParseDepartmentID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return invalid("save permissions", "form", "format", err.Error())
	}
	want, err := formPermissions(r)
	if err != nil {
		return err
	}
	if r.PostForm.Get("op") == "save" {
		if err := h.svc.SetDepartmentPermissions(r.Context(), v.Actor.ID, id, want...); err != nil {
			return err
		}
		http.Redirect(w, r, v.Base+"/departments/"+id.String()+"/permissions?saved=1", http.StatusSeeOther)
		return nil
	}
	pc, err := h.planDepartmentPermissions(r.Context(), v.Actor.ID, id, want)
	if err != nil {
		return err
	}
	pv := permissionsView{Department: pc.Department, Review: &pc, Grid: newGrid(h.svc.Catalog(), func(c *gridCell) {
		c.Checked = slices.Contains(want, c.Perm)
	})}
	for _, m := range pc.Members {
		if st, err := h.svc.StaffMember(r.Context(), m); err == nil {
			pv.Members = append(pv.Members, st)
		}
	}
	v.Title, v.Data = v.L("review")+": "+v.Text(pc.Department.Name), pv
	h.render(w, r, v, "permissions", http.StatusOK)
	return nil
}
