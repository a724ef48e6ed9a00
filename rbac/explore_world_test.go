package rbac_test

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

// exState is one explored state: what the database stores and what the
// Service decides.
type exState struct {
	key     string    // canonical: by login and department name
	full    fullState // every table and the watched decisions
	version int64
	rules   []rbac.Rule
	rows    map[string]map[int64]map[string]any // table → key → row (see restored)
	staff   map[int64]map[string]any            // staff rows by id
	depts   map[int64]map[string]any            // department rows by id
	ids     map[string]rbac.StaffID             // login → ID
	deptIDs map[string]rbac.DepartmentID
	names   map[rbac.DepartmentID]string
	access  map[string]exAccess // login → effective access, from the rules
	// lastOp and lastTarget are the change log's last entry.
	lastOp     rbac.Operation
	lastTarget string
}

// exAccess is what the explorer's own evaluator derives from stored rules.
type exAccess struct {
	full, disabled, fullFlag bool
	perms                    map[rbac.Permission]bool // effective
	potential                map[rbac.Permission]bool // whatever the disabled flags say, later windows included
	pending                  map[rbac.Permission]bool // effective only once a temporary rule's window opens
}

func (a exAccess) can(p rbac.Permission) bool { return !a.disabled && (a.full || a.perms[p]) }

func (x *explorer) staffID(login string) rbac.StaffID {
	if id := x.cur.ids[login]; id != 0 {
		return id
	}
	return 999998
}

func (x *explorer) deptID(name string) rbac.DepartmentID {
	if id := x.cur.deptIDs[name]; id != 0 {
		return id
	}
	return 999998
}

// restored lists the tables the explorer's operations write rows to, in
// an order that respects their references, with their keys.
var restored = []struct{ table, key string }{{"billingrbac_departments", "id"}, {"billingrbac_staff", "id"}, {"billingrbac_staff_avatars", "staff_id"},
	{"billingrbac_staff_totp", "staff_id"}, {"billingrbac_signin_policies", "id"}, {"billingrbac_duty_conflicts", "id"}}

func rowsOf(x *explorer, db *gorm.DB, table, key string) map[int64]map[string]any {
	var rows []map[string]any
	x.must(db.Table(table).Find(&rows).Error)
	out := map[int64]map[string]any{}
	for _, r := range rows {
		out[toInt(r[key])] = r
	}
	return out
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	}
	panic(fmt.Sprintf("id %T", v))
}

func (x *explorer) must(err error) {
	x.t.Helper()
	if err != nil {
		x.t.Fatal(err)
	}
}

// capture reads the current state and makes it the explorer's current one.
func (x *explorer) capture() exState {
	x.t.Helper()
	e := x.e
	w := exState{ids: map[string]rbac.StaffID{}, deptIDs: map[string]rbac.DepartmentID{}, names: map[rbac.DepartmentID]string{}}
	var err error
	w.rules, w.version, err = e.st.LoadPolicy(x.ctx)
	x.must(err)
	if v := e.svc.Version(); v != w.version {
		x.t.Fatalf("service at version %d, store at %d", v, w.version)
	}
	if w.version > 0 {
		last, err := e.st.Changes(x.ctx, rbac.ChangeQuery{AfterVersion: w.version - 1, Limit: 1})
		x.must(err)
		if len(last) == 1 {
			w.lastOp, w.lastTarget = last[0].Op, last[0].Target
		}
	}
	w.rows = map[string]map[int64]map[string]any{}
	for _, r := range restored {
		w.rows[r.table] = rowsOf(x, e.st.DB().WithContext(x.ctx), r.table, r.key)
	}
	w.staff, w.depts = w.rows["billingrbac_staff"], w.rows["billingrbac_departments"]
	for id, r := range w.staff {
		w.ids[r["login"].(string)] = rbac.StaffID(id)
	}
	for id, r := range w.depts {
		n := r["name"].(string) // JSON of the localized name; the English one is unique
		for _, d := range exDepts {
			if strings.Contains(n, `"`+d+`"`) {
				w.deptIDs[d] = rbac.DepartmentID(id)
				w.names[rbac.DepartmentID(id)] = d
			}
		}
	}
	var watch []rbac.StaffID
	for _, l := range exLogins {
		if id := w.ids[l]; id != 0 {
			watch = append(watch, id)
		}
	}
	w.full = captureAll(x.t, e, watch)
	w.access = map[string]exAccess{}
	for _, l := range exLogins {
		if id := w.ids[l]; id != 0 {
			a := evaluate(w.rules, id)
			w.access[l] = a
			for _, p := range e.svc.Catalog().Permissions() { // the index agrees with the rules
				if got := e.svc.Can(id, p); got != a.can(p) {
					x.t.Fatalf("Can(%s, %s) = %t, the stored rules say %t", l, p, got, a.can(p))
				}
			}
		}
	}
	w.key = w.canonical()
	x.cur = w
	return w
}

// evaluate derives staff member id's access from stored rules, as the
// model defines it: the union of direct grants and of the grants of the
// member's active departments, everything for an active full-access
// account, nothing for a disabled one.
func evaluate(rules []rbac.Rule, id rbac.StaffID) exAccess {
	a := exAccess{perms: map[rbac.Permission]bool{}, potential: map[rbac.Permission]bool{}, pending: map[rbac.Permission]bool{}}
	// A temporary rule counts now inside its window (From inclusive, Until
	// exclusive: compared here on its own, not with Window.Contains), and
	// is pending before it; the explorer's windows end an hour or a day
	// after the step, so none ends during a run.
	now := time.Now()
	counts := func(r rbac.Rule) (nowToo, later bool) {
		if r.Window.IsZero() {
			return true, false
		}
		if now.Before(r.Window.From) {
			return false, true
		}
		return now.Before(r.Window.Until), false
	}
	depts := map[rbac.DepartmentID]bool{}
	later := map[rbac.DepartmentID]bool{}
	off := map[rbac.DepartmentID]bool{}
	for _, r := range rules {
		switch {
		case r.Kind == rbac.RuleMember && r.Subject.Staff == id:
			if n, l := counts(r); n {
				depts[r.Department] = true
			} else if l {
				later[r.Department] = true
			}
		case r.Kind == rbac.RuleFlag && r.Subject.Department != 0 && r.Flag == rbac.FlagDisabled:
			off[r.Subject.Department] = true
		case r.Kind == rbac.RuleFlag && r.Subject.Staff == id:
			a.fullFlag = a.fullFlag || r.Flag == rbac.FlagFullAccess
			a.disabled = a.disabled || r.Flag == rbac.FlagDisabled
		}
	}
	for _, r := range rules {
		if r.Kind != rbac.RuleGrant {
			continue
		}
		direct := r.Subject.Staff == id
		nowToo, laterToo := counts(r)
		switch {
		case direct && nowToo, depts[r.Subject.Department]:
			a.potential[r.Permission] = true
			if direct || !off[r.Subject.Department] {
				a.perms[r.Permission] = true
			}
		case direct && laterToo, later[r.Subject.Department]:
			a.potential[r.Permission] = true
			if direct || !off[r.Subject.Department] {
				a.pending[r.Permission] = true
			}
		}
	}
	a.full = a.fullFlag && !a.disabled
	return a
}

// canonical names the state by logins and department names.
func (w exState) canonical() string {
	var b strings.Builder
	for _, l := range exLogins {
		id := w.ids[l]
		if id == 0 {
			continue
		}
		r := w.staff[int64(id)]
		_, totp := w.rows["billingrbac_staff_totp"][int64(id)]
		fmt.Fprintf(&b, "%s{mail=%v pw=%t totp=%t policy=%s", l, r["email"], r["password_hash"] != "", totp, w.policyOf("staff_id", int64(id)))
		var rs []string
		for _, rule := range w.rules {
			if rule.Subject.Staff == id {
				rs = append(rs, w.ruleName(rule))
			}
		}
		slices.Sort(rs)
		fmt.Fprintf(&b, " %s} ", strings.Join(rs, ","))
	}
	for _, d := range exDepts {
		id := w.deptIDs[d]
		if id == 0 {
			continue
		}
		var rs []string
		for _, rule := range w.rules {
			if rule.Subject.Department == id {
				rs = append(rs, w.ruleName(rule))
			}
		}
		slices.Sort(rs)
		fmt.Fprintf(&b, "%s{%s policy=%s} ", d, strings.Join(rs, ","), w.policyOf("department_id", int64(id)))
	}
	var cs []string
	for _, c := range w.conflicts() {
		if c.IsDepartments() {
			cs = append(cs, w.names[c.Departments[0]]+"+"+w.names[c.Departments[1]])
		} else {
			cs = append(cs, c.Permissions[0].String()+"+"+c.Permissions[1].String())
		}
	}
	slices.Sort(cs)
	fmt.Fprintf(&b, "conflicts{%s}", strings.Join(cs, ","))
	return b.String()
}

// policyOf returns the stored sign-in policy of a staff member or
// department (by column) as text, "-" when none.
func (w exState) policyOf(col string, id int64) string {
	for _, r := range w.rows["billingrbac_signin_policies"] {
		if v, ok := r[col]; ok && v != nil && toInt(v) == id {
			return fmt.Sprintf("%v/%v", r["require_second_factor"], r["networks"])
		}
	}
	return "-"
}

// conflicts returns the stored conflicts of duties, read from their rows.
func (w exState) conflicts() []rbac.DutyConflict {
	var out []rbac.DutyConflict
	for _, r := range w.rows["billingrbac_duty_conflicts"] {
		if r["dept_a"] != nil {
			out = append(out, rbac.DepartmentConflict(rbac.DepartmentID(toInt(r["dept_a"])), rbac.DepartmentID(toInt(r["dept_b"])), ""))
			continue
		}
		a, err1 := rbac.ParsePermission(r["perm_a"].(string))
		b, err2 := rbac.ParsePermission(r["perm_b"].(string))
		if err1 != nil || err2 != nil {
			panic(fmt.Sprintf("stored conflict %v", r))
		}
		out = append(out, rbac.PermissionConflict(a, b, ""))
	}
	return out
}

func (w exState) ruleName(r rbac.Rule) string {
	temp := "" // by kind of window, not its instants, so states repeat
	switch {
	case !r.Window.From.IsZero():
		temp = " later"
	case !r.Window.IsZero():
		temp = " for now"
	}
	switch r.Kind {
	case rbac.RuleGrant:
		return r.Permission.String() + temp
	case rbac.RuleMember:
		return "in " + w.names[r.Department] + temp
	}
	return string(r.Flag)
}

// diff names what differs in the database or the decisions.
func (w exState) diff(o exState) string { return w.full.diff(o.full) }

// restore makes s the current state again: rows as they were, rules
// through one change-log entry the Service applies like any other.
func (x *explorer) restore(s exState) exState {
	x.t.Helper()
	db := x.e.st.DB().WithContext(x.ctx)
	x.must(db.Transaction(func(tx *gorm.DB) error {
		for _, t := range restored {
			table, want := t.table, s.rows[t.table]
			have := rowsOf(x, tx, table, t.key)
			for id, r := range have {
				if w, ok := want[id]; !ok || !reflect.DeepEqual(w, r) {
					if err := tx.Table(table).Where(t.key+" = ?", id).Delete(nil).Error; err != nil {
						return err
					}
				}
			}
			for id, r := range want {
				if h, ok := have[id]; !ok || !reflect.DeepEqual(h, r) {
					if err := tx.Table(table).Create(maps.Clone(r)).Error; err != nil {
						return err
					}
				}
			}
		}
		return nil
	}))
	cur, _, err := x.e.st.LoadPolicy(x.ctx)
	x.must(err)
	var d rbac.PolicyDelta
	for _, r := range s.rules {
		if !slices.Contains(cur, r) {
			d.Add = append(d.Add, r)
		}
	}
	for _, r := range cur {
		if !slices.Contains(s.rules, r) {
			d.Remove = append(d.Remove, r)
		}
	}
	if !d.Empty() {
		x.must(x.e.st.Update(x.ctx, func(tx rbac.Tx) error {
			if err := tx.ApplyPolicy(d); err != nil {
				return err
			}
			return tx.RecordChange(rbac.Change{Version: tx.Version(), Op: "test.restore", Policy: d})
		}))
		x.must(x.e.svc.Sync(x.ctx))
	}
	got := x.capture()
	if got.key != s.key {
		x.t.Fatalf("restore: got %s, want %s", got.key, s.key)
	}
	return got
}
