package policy

import (
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// At returns the rules that count at instant t, as Casbin lines would
// hold them: permanent rules, and temporary ones (a direct grant or a
// membership with an rbac.Window) whose window contains t, without their
// window. Casbin has no notion of a rule's time, so this is how temporary
// rules map to it: an enforcer built from At(rules, t) is the reference
// for the decisions of the moment t. The store keeps temporary rules out
// of casbin_rule, so an enforcer loaded from that table is At(rules, t)
// for any t at which no temporary rule counts.
func At(rules []rbac.Rule, t time.Time) []rbac.Rule {
	out := make([]rbac.Rule, 0, len(rules))
	for _, r := range rules {
		if r.Window.IsZero() {
			out = append(out, r)
		} else if !t.Before(r.Window.From) && t.Before(r.Window.Until) { // not Window.Contains: an oracle of its own

			r.Window = rbac.Window{}
			out = append(out, r)
		}
	}
	return out
}
