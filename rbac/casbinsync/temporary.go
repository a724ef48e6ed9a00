package casbinsync

import (
	"time"

	"github.com/casbin/casbin/v2"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// Casbin has no notion of a rule's time. The enforcer holds a temporary
// rule (a grant or membership with an rbac.Window) as an ordinary line
// while its window contains the present, adding and removing it at the
// window's edges from a timer: Casbin's answer changes within a
// timer's precision of the edge, where the Service's changes at the exact
// instant.
type temporary struct {
	rules map[rbac.Rule]rbac.Window // by the rule without its window
	in    map[rbac.Rule]bool        // held by the enforcer now
	timer *time.Timer
	now   func() time.Time
}

func newTemporary(now func() time.Time) *temporary {
	return &temporary{rules: map[rbac.Rule]rbac.Window{}, in: map[rbac.Rule]bool{}, now: now}
}

func key(r rbac.Rule) rbac.Rule {
	r.Window = rbac.Window{}
	return r
}

// reset forgets every temporary rule (after a full load, which holds none
// of them as lines).
func (t *temporary) reset() {
	clear(t.rules)
	clear(t.in)
}

// put records r's window; drop forgets r, taking its line away if held.
func (t *temporary) put(r rbac.Rule) { t.rules[key(r)] = r.Window }

func (t *temporary) drop(ce *casbin.SyncedEnforcer, r rbac.Rule) (bool, error) {
	k := key(r)
	if _, ok := t.rules[k]; !ok {
		return false, nil
	}
	delete(t.rules, k)
	if t.in[k] {
		delete(t.in, k)
		return true, line(ce, k, false)
	}
	return true, nil
}

// settle makes the enforcer hold exactly the temporary rules counting now
// and returns the next edge (zero: none).
func (t *temporary) settle(ce *casbin.SyncedEnforcer) (time.Time, error) {
	now := t.now()
	var next time.Time
	for k, w := range t.rules {
		want := w.Contains(now)
		if want != t.in[k] {
			if err := line(ce, k, want); err != nil {
				return time.Time{}, err
			}
			if want {
				t.in[k] = true
			} else {
				delete(t.in, k)
			}
		}
		for _, edge := range []time.Time{w.From, w.Until} {
			if edge.After(now) && (next.IsZero() || edge.Before(next)) {
				next = edge
			}
		}
	}
	return next, nil
}

// line adds or removes the permanent line of k.
func line(ce *casbin.SyncedEnforcer, k rbac.Rule, add bool) error {
	l, err := policy.ToLine(k)
	if err != nil {
		return err
	}
	switch {
	case add && l.Sec == "p":
		_, err = ce.AddNamedPolicy(l.Ptype, l.Values)
	case add:
		_, err = ce.AddNamedGroupingPolicy(l.Ptype, l.Values)
	case l.Sec == "p":
		_, err = ce.RemoveNamedPolicy(l.Ptype, l.Values)
	default:
		_, err = ce.RemoveNamedGroupingPolicy(l.Ptype, l.Values)
	}
	return err
}
