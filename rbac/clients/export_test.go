package clients

import "github.com/billingrbac/billingrbac/internal/engine"

// WriteInMemory is the in-memory part of one client write, without the
// database: it stages d as actor against s's index, runs the pre-commit
// hook (the effect and its authorization) and applies the entry as this
// instance's own commit does, then publishes the next index.
func WriteInMemory(s *Service, actor Actor, d Delta) error {
	w := &txn{s: s, snap: s.snap.Load(), actor: actor, delta: d, op: OpRoleUpdate}
	if err := w.Authorize(); err != nil {
		return err
	}
	pub, err := (&clientDomain{s: s}).Apply([]engine.Entry{w.Entry()}, w.snap.version+1)
	if err != nil {
		return err
	}
	pub()
	return nil
}
