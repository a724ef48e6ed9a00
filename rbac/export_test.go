package rbac

import "github.com/billingrbac/billingrbac/internal/engine"

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
