package engine

import (
	"context"
	"slices"
)

// Verifier is a Domain that can tell, cheaply, whether its stored state
// moved without an entry in the change log (rows written behind the
// library's back). The engine asks it on every periodic catch-up; when it
// reports drift, the engine reloads every domain (subscribers get a
// Reload event) and logs it.
type Verifier interface {
	// Drifted reports whether the domain's stored state changed in ways
	// its last Load or Apply did not see, and what (for the log).
	Drifted(ctx context.Context) (drifted bool, what string, err error)
}

// verify asks every Verifier domain and reloads when one drifted.
func (e *Engine) verify(ctx context.Context) error {
	e.applyMu.Lock()
	domains := slices.Clone(e.domains) // Attach and Detach change the list under this lock
	e.applyMu.Unlock()
	for _, d := range domains {
		v, ok := d.(Verifier)
		if !ok {
			continue
		}
		drifted, what, err := v.Drifted(ctx)
		if err != nil {
			return err
		}
		if drifted {
			e.log.Error("billingrbac: stored state changed outside the change log; reloading", "domain", d.Name(), "what", what)
			return e.reload(ctx)
		}
	}
	return nil
}
