package policy

import (
	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/persist"

	"github.com/billingrbac/billingrbac/rbac"
)

// Lines translates rules into Casbin lines, in order.
func Lines(rules []rbac.Rule) ([]Line, error) {
	out := make([]Line, 0, len(rules))
	for _, r := range rules {
		l, err := ToLine(r)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// NewBulkEnforcer builds a plain Casbin enforcer holding rules the way an
// adapter's LoadPolicy does (straight into the model, then role links),
// which is much faster than adding rules one by one at 100,000s of rules.
// Synced selects casbin.SyncedCachedEnforcer over casbin.Enforcer.
func NewBulkEnforcer(rules []rbac.Rule, cached bool) (casbin.IEnforcer, error) {
	m, err := NewModel()
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		l, err := ToLine(r)
		if err != nil {
			return nil, err
		}
		if err := persist.LoadPolicyArray(append([]string{l.Ptype}, l.Values...), m); err != nil {
			return nil, err
		}
	}
	var e casbin.IEnforcer
	if cached {
		e, err = casbin.NewSyncedCachedEnforcer(m)
	} else {
		e, err = casbin.NewEnforcer(m)
	}
	if err != nil {
		return nil, err
	}
	if err := e.BuildRoleLinks(); err != nil {
		return nil, err
	}
	return e, nil
}
