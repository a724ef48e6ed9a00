package admin

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// logFilter is the action log's filter, from the page's query or the API's.
type logFilter struct {
	Actor  string // a login
	Op     string
	Target string // "staff:7", "dept:3"
	Since  string // YYYY-MM-DD, inclusive
	Until  string // YYYY-MM-DD, inclusive
	After  int64  // the page cursor: versions after it
}

func logFilterOf(q url.Values) logFilter {
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	return logFilter{Actor: strings.TrimSpace(q.Get("actor")), Op: q.Get("op"), Target: strings.TrimSpace(q.Get("target")),
		Since: q.Get("since"), Until: q.Get("until"), After: after}
}

// logPage is one page of the action log with the names it mentions.
type logPage struct {
	Filter  logFilter
	Ops     []rbac.Operation
	Entries []logEntry
	Next    string // the query of the next page; "" on the last
}

type logEntry struct {
	rbac.Change
	ActorName  string
	TargetName string
	Rules      []string // "+ …" and "- …"
}

var operations = []rbac.Operation{rbac.OpBootstrap, rbac.OpDepartmentCreate, rbac.OpDepartmentUpdate,
	rbac.OpDepartmentDelete, rbac.OpDepartmentEnable, rbac.OpDepartmentDisable, rbac.OpDepartmentPermissions,
	rbac.OpDepartmentSchedule, rbac.OpStaffCreate, rbac.OpStaffUpdate, rbac.OpStaffDelete, rbac.OpStaffJoin,
	rbac.OpStaffLeave, rbac.OpStaffGrant, rbac.OpStaffRevoke, rbac.OpStaffPassword, rbac.OpStaffAvatar,
	rbac.OpScheduleCreate, rbac.OpScheduleUpdate, rbac.OpScheduleDelete}

// readLog reads one page of the action log: the library checks
// actionlog:view.
func (h *Handler) readLog(ctx context.Context, actor rbac.StaffID, f logFilter, names namer) (logPage, error) {
	if err := h.may(actor, rbac.Perm(rbac.FuncActionLog, rbac.ActView)); err != nil {
		return logPage{}, err
	}
	q := rbac.ChangeQuery{Op: rbac.Operation(f.Op), Target: f.Target, AfterVersion: f.After, Limit: h.opts.PageSize + 1}
	var bad []rbac.FieldError
	if f.Actor != "" {
		id, ok := names.staffByLogin(f.Actor)
		if !ok {
			return logPage{Filter: f, Ops: operations}, nil // nobody by that login did anything
		}
		q.Actor = &id
	}
	for _, d := range []struct {
		field, s string
		to       *time.Time
		add      time.Duration
	}{{"since", f.Since, &q.Since, 0}, {"until", f.Until, &q.Until, 24 * time.Hour}} {
		if d.s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, d.s)
		if err != nil {
			bad = append(bad, rbac.FieldError{Field: d.field, Rule: "format", Message: "a date YYYY-MM-DD"})
			continue
		}
		*d.to = t.Add(d.add)
	}
	if bad != nil {
		return logPage{}, &rbac.ValidationError{Op: "read action log", Fields: bad}
	}
	cs, err := h.svc.AuditLog(ctx, actor, q)
	if err != nil {
		return logPage{}, err
	}
	lp := logPage{Filter: f, Ops: operations}
	if len(cs) > h.opts.PageSize {
		cs = cs[:h.opts.PageSize]
		next := url.Values{"actor": {f.Actor}, "op": {f.Op}, "target": {f.Target}, "since": {f.Since},
			"until": {f.Until}, "after": {strconv.FormatInt(cs[len(cs)-1].Version, 10)}}
		lp.Next = next.Encode()
	}
	for _, c := range cs {
		e := logEntry{Change: c, ActorName: names.subject(rbac.StaffSubject(c.Actor)), TargetName: names.target(c.Target)}
		if c.Actor == rbac.SystemActor {
			e.ActorName = "system"
		}
		for _, r := range c.Policy.Add {
			e.Rules = append(e.Rules, "+ "+names.rule(r))
		}
		for _, r := range c.Policy.Remove {
			e.Rules = append(e.Rules, "− "+names.rule(r))
		}
		lp.Entries = append(lp.Entries, e)
	}
	return lp, nil
}

// namer renders subjects by login and department name.
type namer struct {
	staff map[rbac.StaffID]string
	depts map[rbac.DepartmentID]string
}

func (h *Handler) namer(ctx context.Context, v *view) namer {
	n := namer{staff: map[rbac.StaffID]string{}, depts: h.departmentNames(ctx, v)}
	if all, err := h.svc.StaffMembers(ctx); err == nil {
		for _, s := range all {
			n.staff[s.ID] = s.Login
		}
	}
	return n
}

func (n namer) staffByLogin(login string) (rbac.StaffID, bool) {
	for id, l := range n.staff {
		if strings.EqualFold(l, login) {
			return id, true
		}
	}
	return 0, false
}

func (n namer) subject(s rbac.Subject) string {
	if s.Department != 0 {
		if name, ok := n.depts[s.Department]; ok {
			return name
		}
		return s.String()
	}
	if login, ok := n.staff[s.Staff]; ok {
		return login
	}
	return s.String()
}

func (n namer) target(t string) string {
	kind, num, ok := strings.Cut(t, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	switch {
	case !ok || err != nil:
		return t
	case kind == "staff":
		return n.subject(rbac.StaffSubject(rbac.StaffID(id)))
	case kind == "dept":
		return n.subject(rbac.DepartmentSubject(rbac.DepartmentID(id)))
	}
	return t
}

func (n namer) rule(r rbac.Rule) string {
	switch r.Kind {
	case rbac.RuleGrant:
		return n.subject(r.Subject) + ": " + r.Permission.String()
	case rbac.RuleMember:
		return n.subject(r.Subject) + " ∈ " + n.subject(rbac.DepartmentSubject(r.Department))
	case rbac.RuleFlag:
		return n.subject(r.Subject) + ": " + string(r.Flag)
	}
	return r.String()
}

func (h *Handler) logPages() []pageRoute {
	return []pageRoute{{"GET", "/log", h.logPage}}
}

func (h *Handler) logPage(w http.ResponseWriter, r *http.Request, v *view) error {
	lp, err := h.readLog(r.Context(), v.Actor.ID, logFilterOf(r.URL.Query()), h.namer(r.Context(), v))
	if err != nil {
		return err
	}
	v.Title, v.Data = v.L("log"), lp
	h.render(w, r, v, "log", http.StatusOK)
	return nil
}
