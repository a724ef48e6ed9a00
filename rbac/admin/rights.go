package admin

import (
	"context"
	"io"
	"net/http"
	"slices"

	"github.com/billingrbac/billingrbac/rbac"
)

// directGrants returns the permissions staff member id holds by a direct
// grant, in catalog order.
func (h *Handler) directGrants(id rbac.StaffID) []rbac.Permission {
	out := []rbac.Permission{}
	for _, ep := range h.svc.EffectivePermissions(id) {
		if ep.Editable {
			out = append(out, ep.Permission)
		}
	}
	return out
}

// saveGrants makes want the direct grants of staff member id, in one
// change of the library's (UpdateStaff with Grants), with its rules (a
// permission held only through departments is not a direct grant and
// cannot be revoked on the person).
func (h *Handler) saveGrants(ctx context.Context, actor, id rbac.StaffID, want []rbac.Permission) error {
	if _, err := h.svc.StaffMember(ctx, id); err != nil {
		return err
	}
	cur := h.directGrants(id)
	same := len(cur) == len(want)
	for _, p := range want {
		same = same && slices.Contains(cur, p)
	}
	if same {
		return nil
	}
	_, err := h.svc.UpdateStaff(ctx, actor, id, rbac.StaffUpdate{Grants: &want})
	return err
}

// rightsView is the data of a staff member's rights page.
type rightsView struct {
	Staff      rbac.Staff
	Grid       grid
	FullAccess bool
}

func (h *Handler) rightsPages() []pageRoute {
	return []pageRoute{
		{"GET", "/staff/{id}/rights", h.rightsPage},
		{"POST", "/staff/{id}/rights", h.rightsSubmit},
	}
}

func (h *Handler) rightsPage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := rbac.ParseStaffID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := h.may(v.Actor.ID, rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return err
	}
	st, err := h.svc.StaffMember(r.Context(), id)
	if err != nil {
		return err
	}
	names := h.departmentNames(r.Context(), v)
	held := map[rbac.Permission]rbac.EffectivePermission{}
	for _, ep := range h.svc.EffectivePermissions(id) {
		held[ep.Permission] = ep
	}
	rv := rightsView{Staff: st, FullAccess: h.svc.IsFullAccess(id)}
	rv.Grid = newGrid(h.svc.Catalog(), func(c *gridCell) {
		ep, ok := held[c.Perm]
		if !ok {
			return
		}
		c.Checked, c.Disabled, c.Direct = true, !ep.Editable, ep.Editable
		for _, s := range ep.Sources {
			switch s.Kind {
			case rbac.SourceDepartment:
				c.From = append(c.From, names[s.Department])
			case rbac.SourceFullAccess:
				c.From = append(c.From, v.L("full_access"))
			}
		}
	})
	v.Title, v.Data, v.Flash = v.L("rights")+": "+st.Login, rv, flash(r, v)
	h.render(w, r, v, "rights", http.StatusOK)
	return nil
}

func (h *Handler) rightsSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := rbac.ParseStaffID(r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return invalid("save rights", "form", "format", err.Error())
	}
	want, err := formPermissions(r)
	if err != nil {
		return err
	}
	if err := h.saveGrants(r.Context(), v.Actor.ID, id, want); err != nil {
		return err
	}
	http.Redirect(w, r, v.Base+"/staff/"+id.String()+"/rights?saved=1", http.StatusSeeOther)
	return nil
}

// avatarSubmit stores an uploaded avatar (field "avatar"): the library
// checks the picture and the actor's right.
func (h *Handler) avatarSubmit(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathStaff(r)
	if err != nil {
		return err
	}
	file, _, err := r.FormFile("avatar")
	if err != nil {
		return invalid("set avatar", "avatar", "required", "choose a picture to upload")
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, rbac.MaxAvatarBytes+1))
	if err != nil {
		return err
	}
	if _, err := h.svc.SetAvatar(r.Context(), v.Actor.ID, id, data); err != nil {
		return err
	}
	http.Redirect(w, r, v.Base+"/staff/"+id.String()+"?saved=1", http.StatusSeeOther)
	return nil
}

// avatarImage serves a staff member's avatar to whoever may see staff
// (and to its owner).
func (h *Handler) avatarImage(w http.ResponseWriter, r *http.Request, v *view) error {
	id, err := pathStaff(r)
	if err != nil {
		return err
	}
	if id != v.Actor.ID {
		if err := h.may(v.Actor.ID, rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
			return err
		}
	}
	a, err := h.svc.Avatar(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", a.ContentType)
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	_, _ = w.Write(a.Data)
	return nil
}
