package rbac

import (
	"github.com/billingrbac/billingrbac/internal/engine"
	"github.com/billingrbac/billingrbac/internal/password"
)

// ApplyForTest applies a committed change to the decision index exactly as
// the change flow does after commit, without a database: benchmarks use it
// to measure the in-memory cost of one change.
func (s *Service) ApplyForTest(version int64, d PolicyDelta) bool {
	pub, err := staffDomain{s}.Apply([]engine.Entry{{Version: version, Domain: string(DomainStaff), Local: d}}, version)
	if err != nil {
		return false
	}
	pub()
	return true
}

// ObserveHashesForTest makes f see the parameters of every Argon2id
// evaluation the Service starts (hash, verification, equalizing work), so
// tests count work instead of timing it. Call it before the Service is
// used concurrently.
func (s *Service) ObserveHashesForTest(f func(HashParams)) {
	s.acct.pool.Observe(func(p password.Params) func() { f(HashParams(p)); return nil })
}

// ObserveBcryptForTest makes f see the cost of every bcrypt evaluation
// the Service starts (verification, equalizing work).
func (s *Service) ObserveBcryptForTest(f func(cost int)) { s.acct.pool.ObserveBcrypt(f) }

// EffectForTest computes and authorizes the effect of delta staged by
// actor against the current decisions, as write does before commit,
// without a database: benchmarks use it to measure the effect's cost.
func (s *Service) EffectForTest(actor StaffID, d PolicyDelta) (Effect, error) {
	w := newTxn(s, nil, nil)
	w.delta = d
	w.change.Actor = actor
	after, eff := w.effectOf()
	return eff, w.authorizeEffect(after, eff)
}
