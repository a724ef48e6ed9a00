package rbactest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// check evaluates one expectation on in (an administrative one on a copy
// of it) and returns what failed, "" when it held. Names were checked by
// CheckNames and shapes by Validate.
func (in *Instance) check(ctx context.Context, e *Expectation) string {
	switch e.kind() {
	case "staff":
		return in.checkStaff(ctx, e)
	case "explain":
		p, _ := rbac.ParsePermission(e.Explain)
		why := in.describe(ctx, in.Service.Explain(in.StaffID(e.Staff), p))
		if !strings.Contains(why, e.Says) {
			return fmt.Sprintf("%s explain %s says %q: got: %s", e.Staff, p, e.Says, why)
		}
	case "who_can":
		return in.checkWhoCan(ctx, e)
	case "client_user":
		return in.checkClient(e)
	case "due":
		return in.checkDue(ctx, e)
	case "support_departments":
		return in.checkSupport(ctx, e)
	case "sign_in":
		_, err := in.Service.Authenticate(ctx, e.SignIn, e.Password)
		switch {
		case err != nil && !e.Refused:
			return fmt.Sprintf("%s signs in: got %v", e.SignIn, err)
		case err == nil && e.Refused:
			return fmt.Sprintf("%s sign-in refused: got signed in", e.SignIn)
		}
	case "as":
		return in.checkAdmin(ctx, e)
	}
	return ""
}

// describe explains a staff decision with logins and department names.
func (in *Instance) describe(ctx context.Context, d rbac.Decision) string {
	return in.Service.Describe(ctx, d)
}

func (in *Instance) checkStaff(ctx context.Context, e *Expectation) string {
	perm, wantAllowed, verb := e.Can, true, "can"
	if perm == "" {
		perm, wantAllowed, verb = e.Cannot, false, "cannot"
	}
	p, _ := rbac.ParsePermission(perm)
	d := in.Service.Explain(in.StaffID(e.Staff), p)
	why := in.describe(ctx, d)
	what := fmt.Sprintf("%s %s %s", e.Staff, verb, p)
	if len(e.Because) > 0 {
		what += " because " + reasonList(e.Because)
	}
	switch {
	case d.Allowed != wantAllowed:
		return fmt.Sprintf("%s: got %s: %s", what, verdict(d.Allowed), why)
	case len(e.Because) == 0:
	case wantAllowed:
		if got := in.reasons(d); !sameReasons(got, e.Because) {
			return fmt.Sprintf("%s: got because %s: %s", what, reasonList(got), why)
		}
	case !d.Disabled:
		return fmt.Sprintf("%s: denied, but the account is not disabled: %s", what, why)
	}
	return ""
}

func verdict(allowed bool) string {
	if allowed {
		return "allowed"
	}
	return "denied"
}

func (in *Instance) checkWhoCan(ctx context.Context, e *Expectation) string {
	p, _ := rbac.ParsePermission(e.WhoCan)
	var got, detail []string
	for h := range in.Service.WhoCan(p).All() {
		login := in.logins[h.Staff]
		got = append(got, login)
		detail = append(detail, login+": "+in.describe(ctx, rbac.Decision{Staff: h.Staff, Permission: p, Allowed: true, Sources: h.Sources}))
	}
	want := slices.Clone(e.Are)
	for i := range want {
		want[i] = strings.ToLower(want[i])
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		return fmt.Sprintf("who_can %s: want %v, got %v:\n  %s", p, want, got, strings.Join(detail, "\n  "))
	}
	return ""
}

func (in *Instance) checkClient(e *Expectation) string {
	action, wantAllowed, verb := e.Can, true, "can"
	if action == "" {
		action, wantAllowed, verb = e.Cannot, false, "cannot"
	}
	a, _ := clients.ParseAction(action)
	res := clients.Resource{Kind: clients.ResourceKind(e.Kind), Owner: in.ClientID(e.Owner)}
	d := in.Clients.Explain(in.ClientUserID(e.ClientUser), a, res)
	what := fmt.Sprintf("client user %s %s %s %s of %q", e.ClientUser, verb, a, e.Kind, e.Owner)
	if len(e.Because) > 0 {
		what += " because " + reasonList(e.Because)
	}
	got := in.clientReasons(d)
	why := fmt.Sprintf("%s (%s)", reasonList(got), d)
	switch {
	case d.Allowed != wantAllowed:
		return fmt.Sprintf("%s: got %s: %s", what, verdict(d.Allowed), why)
	case len(e.Because) > 0 && !sameReasons(got, e.Because):
		return fmt.Sprintf("%s: got because %s", what, why)
	}
	return ""
}

// clientReasons translates a client decision into Reasons.
func (in *Instance) clientReasons(d clients.Decision) []Reason {
	switch d.Reason {
	case clients.AllowedFirstUser:
		return []Reason{{Kind: ReasonFirstUser}}
	case clients.AllowedByRole:
		out := make([]Reason, len(d.Roles))
		for i, r := range d.Roles {
			out[i] = Reason{Kind: ReasonRole, Name: in.roleName[r]}
		}
		return out
	case clients.DeniedNotOwner:
		return []Reason{{Kind: ReasonNotOwner}}
	case clients.DeniedDisabled:
		return []Reason{{Kind: ReasonDisabled}}
	case clients.DeniedNoRole:
		return []Reason{{Kind: ReasonNoRole}}
	}
	return []Reason{{Kind: ReasonKind(d.Reason.String())}}
}

func (in *Instance) checkDue(ctx context.Context, e *Expectation) string {
	received, _ := time.Parse(time.RFC3339, e.Received)
	want, _ := time.Parse(time.RFC3339, e.Is)
	id := in.DepartmentID(e.Due)
	got, err := in.Service.ResponseDue(ctx, id, received)
	what := fmt.Sprintf("due %q for a request received %s", e.Due, e.Received)
	if err != nil {
		return fmt.Sprintf("%s: %v", what, err)
	}
	if got.Equal(want) {
		return ""
	}
	h, herr := in.Service.DepartmentHours(ctx, id)
	sched := "?"
	if herr == nil {
		sched = "always open"
		if st, err := in.Service.Schedule(ctx, h.Schedule); err == nil && h.Schedule != rbac.AlwaysOpenSchedule {
			sched = fmt.Sprintf("schedule %q in %s", st.Schedule.Name, st.Schedule.Zone)
		}
	}
	return fmt.Sprintf("%s: want %s, got %s (%s, response target %s)", what, want.Format(time.RFC3339),
		got.In(want.Location()).Format(time.RFC3339), sched, h.Target)
}

func (in *Instance) checkSupport(ctx context.Context, e *Expectation) string {
	lang := language.English
	if e.Language != "" {
		lang, _ = language.Parse(e.Language)
	}
	ds, err := in.Service.SupportDepartments(ctx, lang)
	if err != nil {
		return fmt.Sprintf("support_departments: %v", err)
	}
	var got []string
	for _, d := range ds {
		got = append(got, in.names[d.ID])
	}
	want := e.SupportDepartments
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		var detail []string
		for _, d := range ds {
			detail = append(detail, fmt.Sprintf("%s (shown as %q, open %v, target %s)", in.names[d.ID], d.Name, d.Open, d.Target))
		}
		return fmt.Sprintf("support_departments: want %q, got %q: %s", want, got, strings.Join(detail, "; "))
	}
	return ""
}

// reasons translates a staff decision's sources into Reasons.
func (in *Instance) reasons(d rbac.Decision) []Reason {
	out := make([]Reason, 0, len(d.Sources))
	for _, s := range d.Sources {
		switch s.Kind {
		case rbac.SourceFullAccess:
			out = append(out, Reason{Kind: ReasonFullAccess})
		case rbac.SourceDirect:
			out = append(out, Reason{Kind: ReasonDirect})
		case rbac.SourceDepartment:
			name, ok := in.names[s.Department]
			if !ok {
				name = "#" + s.Department.String()
			}
			out = append(out, Reason{Kind: ReasonDepartment, Name: name})
		}
	}
	return out
}

func sameReasons(a, b []Reason) bool {
	key := func(rs []Reason) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.String()
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(key(a), key(b))
}

func reasonList(rs []Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

var errNoCopy = errors.New("needs a copy of the instance: not against a live database")
