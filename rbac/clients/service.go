package clients

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/billingrbac/billingrbac/internal/engine"
	"github.com/billingrbac/billingrbac/rbac"
)

// Options configures a Service. The zero value works.
type Options struct {
	// Catalog lists the sections and resource kinds. Nil means
	// NewCatalog().
	Catalog *Catalog
}

// Service is the client-side access control: client accounts, their users
// and roles, and the ownership checks. It answers checks from an in-memory
// index. Its changes go through the change flow of the rbac.Service it is
// given (one transaction, one version sequence, one change log and one
// listener for every domain), so other instances apply them from the log
// and it applies theirs. It is safe for concurrent use.
type Service struct {
	store   Store
	staff   *rbac.Service
	eng     *engine.Engine
	catalog *Catalog
	dom     *clientDomain

	snap   atomic.Pointer[snapshot]
	closed atomic.Bool
}

// New loads the client state from st and returns a ready Service attached
// to staff, the application's *rbac.Service: staff authorizes staff
// actors, and the client domain shares its change flow and listener. The
// schema must have been migrated. Errors: rbac.ErrInvalid (no Store or
// Service), rbac.ErrClosed (staff is closed).
func New(ctx context.Context, st Store, staff *rbac.Service, opts Options) (*Service, error) {
	if st == nil || staff == nil {
		return nil, fmt.Errorf("clients: New needs a Store and the *rbac.Service: %w", rbac.ErrInvalid)
	}
	eng := engine.Of(staff)
	if eng.Closed() {
		return nil, fmt.Errorf("clients: New: %w", rbac.ErrClosed)
	}
	s := &Service{store: st, staff: staff, eng: eng, catalog: opts.Catalog}
	if s.catalog == nil {
		s.catalog = NewCatalog()
	}
	s.snap.Store(newSnapshot())
	s.dom = &clientDomain{s}
	if err := eng.Attach(ctx, s.dom); err != nil {
		return nil, fmt.Errorf("clients: load: %w", err)
	}
	return s, nil
}

// Catalog returns the catalog of sections and resource kinds.
func (s *Service) Catalog() *Catalog { return s.catalog }

// Version returns the version of the last change (of any domain) applied
// to this instance: the version sequence is the rbac.Service's.
func (s *Service) Version() int64 { return s.eng.Version() }

// WaitFor blocks until this instance has applied at least version v (a
// Version read on another instance after a change there), ctx is done or
// the Service is closed (rbac.ErrClosed).
func (s *Service) WaitFor(ctx context.Context, v int64) error {
	if s.closed.Load() {
		return rbac.ErrClosed
	}
	err := s.eng.WaitFor(ctx, v)
	if errors.Is(err, engine.ErrClosed) {
		return rbac.ErrClosed
	}
	return err
}

// Close detaches the Service from the change flow: its checks keep
// answering from the last state, writes return rbac.ErrClosed. The
// listener belongs to the rbac.Service and stops with its Close.
func (s *Service) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		s.eng.Detach(s.dom)
	}
	return nil
}
