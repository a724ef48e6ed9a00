package rbac

// ApplyForTest applies a committed change to the decision index exactly as
// the write path does after commit, without a database: benchmarks use it
// to measure the in-memory cost of one change.
func (s *Service) ApplyForTest(version int64, d PolicyDelta) bool {
	return s.applyCommitted([]Change{{Version: version, Policy: d}})
}
