package report

import (
	"context"
	"slices"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// builder holds what the parts of a review share: the rows read once,
// the provenance and the tallies of one pass over the staff.
type builder struct {
	ctx  context.Context
	svc  *rbac.Service
	opts ReviewOptions
	lang language.Tag

	depts    []rbac.Department
	deptName map[rbac.DepartmentID]string
	deptHeld map[rbac.DepartmentID][]rbac.Permission
	deptSet  map[rbac.DepartmentID]map[rbac.Permission]bool
	members  map[rbac.DepartmentID][]rbac.StaffID
	staff    []rbac.Staff
	login    map[rbac.StaffID]string

	prov     map[rbac.Rule]*Provenance // nil: no provenance
	provNote string
	recent   []ChangeLine
	signOffs []SignOffLine

	// per permission, from the pass over the staff
	holders map[rbac.Permission]int
	direct  map[rbac.Permission][]string
	full    int
}

func newBuilder(ctx context.Context, svc *rbac.Service, opts ReviewOptions) (*builder, error) {
	b := &builder{ctx: ctx, svc: svc, opts: opts, lang: svc.DefaultLanguage(),
		deptName: map[rbac.DepartmentID]string{}, login: map[rbac.StaffID]string{},
		deptHeld: map[rbac.DepartmentID][]rbac.Permission{}, deptSet: map[rbac.DepartmentID]map[rbac.Permission]bool{},
		members: map[rbac.DepartmentID][]rbac.StaffID{},
		holders: map[rbac.Permission]int{}, direct: map[rbac.Permission][]string{}}
	var err error
	if b.depts, err = svc.Departments(ctx); err != nil {
		return nil, reportErr(err)
	}
	for _, d := range b.depts {
		b.deptName[d.ID] = d.Name.In(b.lang)
		b.deptHeld[d.ID] = svc.DepartmentPermissions(d.ID)
		b.deptSet[d.ID] = map[rbac.Permission]bool{}
		for _, p := range b.deptHeld[d.ID] {
			b.deptSet[d.ID][p] = true
		}
		b.members[d.ID] = svc.DepartmentMembers(d.ID)
	}
	if b.staff, err = svc.StaffMembers(ctx); err != nil {
		return nil, reportErr(err)
	}
	slices.SortFunc(b.staff, func(x, y rbac.Staff) int { return int(x.ID - y.ID) })
	for _, st := range b.staff {
		b.login[st.ID] = st.Login
	}
	if err := b.readLog(); err != nil {
		return nil, err
	}
	return b, nil
}

func (b *builder) names(ids []rbac.DepartmentID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = b.deptName[id]
	}
	return out
}

func (b *builder) departments(funcs []FunctionColumn) []DepartmentRow {
	cat := b.svc.Catalog()
	out := make([]DepartmentRow, 0, len(b.depts))
	for _, d := range b.depts {
		held, members := b.deptHeld[d.ID], b.members[d.ID]
		row := DepartmentRow{Department: d, Name: b.deptName[d.ID], Members: len(members)}
		for _, m := range members {
			row.Logins = append(row.Logins, b.login[m])
		}
		sortedLogins(row.Logins)
		for _, fc := range funcs {
			c := HeatCell{Total: len(fc.Actions)}
			for _, a := range fc.Actions {
				if slices.Contains(held, rbac.Perm(fc.Function, a)) {
					c.Held = append(c.Held, a)
					if slices.Contains(fc.Sensitive, a) {
						c.Sensitive = append(c.Sensitive, a)
					}
				}
			}
			row.Cells = append(row.Cells, c)
		}
		for _, p := range held {
			_, sens := cat.Sensitive(p)
			row.Grants = append(row.Grants, GrantLine{Permission: p, Sensitive: sens,
				Provenance: b.provenance(rbac.GrantRule(rbac.DepartmentSubject(d.ID), p))})
		}
		if d.Status == rbac.StatusDisabled {
			row.Restores = b.restores(members, held)
		}
		out = append(out, row)
	}
	return out
}

// restores counts, for each permission of a disabled department, the
// active members who do not hold it otherwise.
func (b *builder) restores(members []rbac.StaffID, held []rbac.Permission) []Restore {
	var out []Restore
	for _, p := range held {
		n := 0
		for _, m := range members {
			if !b.svc.IsFullAccess(m) && b.active(m) && !b.svc.Can(m, p) {
				n++
			}
		}
		out = append(out, Restore{Permission: p, Members: n})
	}
	return out
}

func (b *builder) active(id rbac.StaffID) bool {
	i, ok := slices.BinarySearchFunc(b.staff, id, func(s rbac.Staff, id rbac.StaffID) int { return int(s.ID - id) })
	return ok && b.staff[i].Status == rbac.StatusActive
}

// staffRows makes the per-person rows and tallies who holds what.
func (b *builder) staffRows() []StaffRow {
	out := make([]StaffRow, 0, len(b.staff))
	for _, st := range b.staff {
		row := StaffRow{Staff: st, Name: st.FullName.In(b.lang), Departments: b.names(st.Departments)}
		active := st.Status == rbac.StatusActive
		if active && st.FullAccess {
			b.full++
		}
		for _, ep := range b.svc.EffectivePermissions(st.ID) {
			b.holders[ep.Permission]++
			if st.FullAccess {
				continue
			}
			if ep.Editable {
				row.Direct = append(row.Direct, ep.Permission)
				b.direct[ep.Permission] = append(b.direct[ep.Permission], st.Login)
			}
			if slices.ContainsFunc(ep.Sources, func(s rbac.Source) bool { return s.Kind == rbac.SourceDepartment }) {
				row.Inherited = append(row.Inherited, ep.Permission)
			}
		}
		out = append(out, row)
	}
	return out
}

func (b *builder) permissionRows() []PermissionRow {
	cat := b.svc.Catalog()
	titles := map[rbac.Function]string{}
	for _, fi := range cat.Functions() {
		titles[fi.Function] = fi.Title
	}
	givers := map[rbac.Permission][]DepartmentHolding{}
	for _, d := range b.depts {
		for _, p := range b.deptHeld[d.ID] {
			givers[p] = append(givers[p], DepartmentHolding{Name: b.deptName[d.ID],
				Members: len(b.members[d.ID]), Disabled: d.Status == rbac.StatusDisabled})
		}
	}
	var out []PermissionRow
	for _, p := range cat.Permissions() {
		why, _ := cat.Sensitive(p)
		out = append(out, PermissionRow{Permission: p, Title: titles[p.Function], Sensitive: why,
			Departments: givers[p], Holders: b.holders[p], Direct: sortedLogins(b.direct[p]), FullAccess: b.full})
	}
	return out
}

// exceptions lists the staff whose access their departments do not tell
// alone.
func (b *builder) exceptions() []ExceptionRow {
	cat := b.svc.Catalog()
	var out []ExceptionRow
	for _, st := range b.staff {
		sub := rbac.StaffSubject(st.ID)
		direct := b.svc.DirectGrants(st.ID)
		row := ExceptionRow{Login: st.Login, Name: st.FullName.In(b.lang), Status: st.Status, FullAccess: st.FullAccess,
			Departments: b.names(st.Departments)}
		if st.FullAccess {
			row.Why = append(row.Why, "full access")
			row.FullAccessBy = b.provenance(rbac.FlagRule(sub, rbac.FlagFullAccess))
		}
		if len(direct) > 0 {
			row.Why = append(row.Why, "direct grants")
		}
		if st.Status == rbac.StatusDisabled {
			row.Why = append(row.Why, "disabled")
			row.DisabledBy = b.provenance(rbac.FlagRule(sub, rbac.FlagDisabled))
			row.RestoresFull = st.FullAccess
			if !st.FullAccess {
				row.Restores = b.dormant(st, direct)
			}
		}
		if len(st.Departments) == 0 && !st.FullAccess {
			row.Why = append(row.Why, "no department")
		}
		if len(row.Why) == 0 {
			continue
		}
		for _, p := range direct {
			_, sens := cat.Sensitive(p)
			g := GrantLine{Permission: p, Sensitive: sens, Provenance: b.provenance(rbac.GrantRule(sub, p))}
			for _, d := range st.Departments {
				if !b.svc.DepartmentDisabled(d) && b.deptSet[d][p] {
					g.Also = append(g.Also, b.deptName[d])
				}
			}
			row.Direct = append(row.Direct, g)
		}
		out = append(out, row)
	}
	return out
}

// dormant is what switching a disabled account back on restores: its
// direct grants and what its active departments hold.
func (b *builder) dormant(st rbac.Staff, direct []rbac.Permission) []rbac.Permission {
	set := map[rbac.Permission]bool{}
	for _, p := range direct {
		set[p] = true
	}
	for _, d := range st.Departments {
		if !b.svc.DepartmentDisabled(d) {
			for _, p := range b.deptHeld[d] {
				set[p] = true
			}
		}
	}
	var out []rbac.Permission
	for _, p := range b.svc.Catalog().Permissions() {
		if set[p] {
			out = append(out, p)
		}
	}
	return out
}

func (b *builder) counts(c Counts) Counts {
	c.Staff, c.FullAccess, c.Departments = len(b.staff), b.full, len(b.depts)
	for _, st := range b.staff {
		if st.Status == rbac.StatusActive {
			c.Active++
		} else {
			c.Disabled++
		}
	}
	for _, d := range b.depts {
		if d.Status == rbac.StatusDisabled {
			c.DisabledDepartments++
		}
	}
	return c
}
