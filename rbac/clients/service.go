package clients

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/billingrbac/billingrbac/rbac"
)

// StaffChecker answers staff permission checks: *rbac.Service implements
// it. Staff acting on client resources, and staff administering client
// accounts, are authorized through it.
type StaffChecker interface {
	Can(id rbac.StaffID, p rbac.Permission) bool
	Explain(id rbac.StaffID, p rbac.Permission) rbac.Decision
}

var _ StaffChecker = (*rbac.Service)(nil)

// Options configures a Service. The zero value works.
type Options struct {
	// Catalog lists the sections and resource kinds. Nil means
	// NewCatalog().
	Catalog *Catalog
}

// Service is the client-side access control: client accounts, their users
// and roles, and the ownership checks. It answers checks from an in-memory
// index and makes every change in one Store transaction, applying it to the
// index only after commit. It is safe for concurrent use.
type Service struct {
	store   Store
	staff   StaffChecker
	catalog *Catalog

	snap    atomic.Pointer[snapshot]
	writeMu sync.Mutex // one writer per process; the store serializes processes
	applyMu sync.Mutex // serializes changes to snap
}

// New loads the client state from st and returns a ready Service. staff
// authorizes staff actors (pass the application's *rbac.Service). The
// schema must have been migrated.
func New(ctx context.Context, st Store, staff StaffChecker, opts Options) (*Service, error) {
	if st == nil || staff == nil {
		return nil, errors.New("clients: New needs a Store and a StaffChecker")
	}
	s := &Service{store: st, staff: staff, catalog: opts.Catalog}
	if s.catalog == nil {
		s.catalog = NewCatalog()
	}
	state, err := st.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("clients: load: %w", err)
	}
	s.snap.Store(buildSnapshot(state))
	return s, nil
}

// Catalog returns the catalog of sections and resource kinds.
func (s *Service) Catalog() *Catalog { return s.catalog }

// Version returns the version of the last client change applied here.
func (s *Service) Version() int64 { return s.snap.Load().version }

// Sync reloads the client state when another instance committed client
// changes since this one's version; when none did, it costs one read of
// the version row. Several instances sharing a database call it
// periodically or when told of a change (this instance's own writes apply
// themselves, and every write catches up first).
func (s *Service) Sync(ctx context.Context) error {
	v, err := s.store.Version(ctx)
	if err != nil {
		return fmt.Errorf("clients: sync: %w", err)
	}
	if v <= s.snap.Load().version {
		return nil
	}
	st, err := s.store.Load(ctx)
	if err != nil {
		return fmt.Errorf("clients: sync: %w", err)
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if st.Version > s.snap.Load().version {
		s.snap.Store(buildSnapshot(st))
	}
	return nil
}

// errNoChange rolls back a write that changes nothing.
var errNoChange = errors.New("no change")

// txn stages one change: policy rules checked against the index plus what
// is already staged, and the rows created or deleted.
type txn struct {
	s       *Service
	tx      Tx
	snap    *snapshot
	delta   Delta
	en      entities
	touched bool
}

func (w *txn) has(r Rule) bool {
	if slices.Contains(w.delta.Add, r) {
		return true
	}
	if slices.Contains(w.delta.Remove, r) {
		return false
	}
	return w.snap.hasRule(r)
}

func (w *txn) add(r Rule) {
	if w.has(r) {
		return
	}
	if i := slices.Index(w.delta.Remove, r); i >= 0 {
		w.delta.Remove = slices.Delete(w.delta.Remove, i, i+1)
		return
	}
	w.delta.Add = append(w.delta.Add, r)
}

func (w *txn) remove(r Rule) {
	if !w.has(r) {
		return
	}
	if i := slices.Index(w.delta.Add, r); i >= 0 {
		w.delta.Add = slices.Delete(w.delta.Add, i, i+1)
		return
	}
	w.delta.Remove = append(w.delta.Remove, r)
}

func (w *txn) set(r Rule, on bool) {
	if on {
		w.add(r)
	} else {
		w.remove(r)
	}
}

// write is the change flow: lock, catch up with other instances, let fn
// validate, authorize and stage, write the policy rules, commit, then apply
// to the index. A write that stages nothing rolls back and returns nil.
func (s *Service) write(ctx context.Context, fn func(w *txn) error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	var done *txn
	var version int64
	err := s.store.Update(ctx, func(tx Tx) error {
		if err := s.catchUp(tx); err != nil {
			return err
		}
		w := &txn{s: s, tx: tx, snap: s.snap.Load()}
		if err := fn(w); err != nil {
			return err
		}
		if w.delta.Empty() && !w.touched {
			return errNoChange
		}
		if !w.delta.Empty() {
			if err := tx.ApplyPolicy(w.delta); err != nil {
				return err
			}
		}
		done, version = w, tx.Version()
		return nil
	})
	if errors.Is(err, errNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	cur := s.snap.Load()
	if cur.version == version-1 {
		b := newBuilder(cur)
		b.applyChange(done.en, done.delta)
		b.next.version = version
		s.snap.Store(b.next)
	}
	return nil
}

// catchUp makes the index current with the version just before tx's,
// reloading inside the lock when another instance wrote in between.
func (s *Service) catchUp(tx Tx) error {
	if s.snap.Load().version == tx.Version()-1 {
		return nil
	}
	st, err := tx.Load()
	if err != nil {
		return err
	}
	st.Version = tx.Version() - 1
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	s.snap.Store(buildSnapshot(st))
	return nil
}
