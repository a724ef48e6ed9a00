package casbinsync

import (
	"context"
	"errors"
	"sync/atomic"

	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/persist"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// ErrReadOnly is returned by the enforcer's adapter for every write: the
// policy changes only through the Service.
var ErrReadOnly = errors.New("casbinsync: the enforcer is read-only; change access through rbac.Service")

// storeAdapter loads the stored policy for the enforcer's LoadPolicy
// (which swaps the whole policy under Casbin's lock and rebuilds the role
// links) and refuses every write.
type storeAdapter struct {
	st      rbac.Store
	ctx     context.Context
	version atomic.Int64 // the version of the last load
	temp    []rbac.Rule  // the last load's temporary rules, held apart
}

var _ persist.Adapter = (*storeAdapter)(nil)

func (a *storeAdapter) LoadPolicy(m model.Model) error {
	rules, v, err := a.st.LoadPolicy(a.ctx)
	if err != nil {
		return err
	}
	a.temp = a.temp[:0]
	for _, r := range rules {
		if !r.Window.IsZero() {
			a.temp = append(a.temp, r)
			continue
		}
		l, err := policy.ToLine(r)
		if err != nil {
			return err
		}
		if err := m.AddPolicy(l.Sec, l.Ptype, l.Values); err != nil {
			return err
		}
	}
	a.version.Store(v)
	return nil
}

func (a *storeAdapter) SavePolicy(model.Model) error                { return ErrReadOnly }
func (a *storeAdapter) AddPolicy(string, string, []string) error    { return ErrReadOnly }
func (a *storeAdapter) RemovePolicy(string, string, []string) error { return ErrReadOnly }
func (a *storeAdapter) RemoveFilteredPolicy(string, string, int, ...string) error {
	return ErrReadOnly
}
