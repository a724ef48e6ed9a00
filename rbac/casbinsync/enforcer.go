package casbinsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/casbin/casbin/v2"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
)

// Enforcer is a casbin.SyncedEnforcer kept in step with a Service.
type Enforcer struct {
	ce    *casbin.SyncedEnforcer
	ad    *storeAdapter
	sub   *rbac.Subscription
	log   *slog.Logger
	done  chan struct{}
	close sync.Once

	mu      sync.Mutex
	moved   chan struct{} // closed and replaced when version moves
	version int64
	err     error // the last reload's failure, nil once one succeeds
}

// Options configures New. The zero value works.
type Options struct {
	// Logger receives reload failures; nil means slog.Default().
	Logger *slog.Logger
}

// Subject is the Casbin request subject of staff member id ("staff:7").
func Subject(id rbac.StaffID) string { return policy.Staff(id) }

// New returns an enforcer holding st's stored policy and following svc,
// which must run over st. Close it when done; closing svc closes its
// subscription, after which the enforcer stops following.
func New(ctx context.Context, svc *rbac.Service, st rbac.Store, opts Options) (*Enforcer, error) {
	m, err := policy.NewModel()
	if err != nil {
		return nil, fmt.Errorf("casbinsync: %w", err)
	}
	ad := &storeAdapter{st: st, ctx: ctx}
	// Subscribe first: every change after the load arrives as an event,
	// and those the load already holds are skipped by version.
	sub := svc.Subscribe()
	ce, err := casbin.NewSyncedEnforcer(m, ad) // loads the policy
	if err != nil {
		sub.Close()
		return nil, fmt.Errorf("casbinsync: load policy: %w", err)
	}
	ce.EnableAutoSave(false)
	ad.ctx = context.Background() // later reloads outlive New's context
	e := &Enforcer{ce: ce, ad: ad, sub: sub, log: opts.Logger, done: make(chan struct{}), moved: make(chan struct{})}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.version = ad.version.Load()
	go e.follow()
	return e, nil
}

// Casbin returns the enforcer. Read from it; do not write to it.
func (e *Enforcer) Casbin() *casbin.SyncedEnforcer { return e.ce }

// Version is the version of the last change the enforcer holds.
func (e *Enforcer) Version() int64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.version
}

// WaitFor returns once the enforcer holds version v (e.g. the Service's
// Version after a write), or the context's error.
func (e *Enforcer) WaitFor(ctx context.Context, v int64) error {
	for {
		e.mu.Lock()
		cur, moved := e.version, e.moved
		e.mu.Unlock()
		if cur >= v {
			return nil
		}
		select {
		case <-moved:
		case <-ctx.Done():
			return ctx.Err()
		case <-e.done:
			return errors.New("casbinsync: enforcer closed")
		}
	}
}

// Close stops following the Service.
func (e *Enforcer) Close() error {
	e.close.Do(func() { e.sub.Close() })
	<-e.done
	return nil
}

func (e *Enforcer) follow() {
	defer close(e.done)
	for ev := range e.sub.C() {
		if ev.Reload {
			if err := e.reload(context.Background()); err != nil {
				e.log.Error("casbinsync: reload failed; the enforcer keeps its last policy", "err", err)
			}
			continue
		}
		if err := e.apply(ev); err != nil {
			// An entry it cannot apply (a rule kind it does not know):
			// the whole policy again is always right.
			e.log.Warn("casbinsync: reloading after an entry it could not apply", "version", ev.Change.Version, "err", err)
			if err := e.reload(context.Background()); err != nil {
				e.log.Error("casbinsync: reload failed; the enforcer keeps its last policy", "err", err)
			}
		}
	}
}

// apply applies one event's policy delta.
func (e *Enforcer) apply(ev rbac.Event) error {
	if ev.Change.Version <= e.Version() {
		return nil // already in the loaded policy
	}
	if ev.Change.Domain == rbac.DomainStaff {
		for _, r := range ev.Change.Policy.Remove {
			l, err := policy.ToLine(r)
			if err != nil {
				return err
			}
			if l.Sec == "p" {
				_, err = e.ce.RemoveNamedPolicy(l.Ptype, l.Values)
			} else {
				_, err = e.ce.RemoveNamedGroupingPolicy(l.Ptype, l.Values)
			}
			if err != nil {
				return err
			}
		}
		if err := add(e.ce, ev.Change.Policy.Add); err != nil {
			return err
		}
	}
	e.moveTo(ev.Change.Version)
	return nil
}

// reload replaces the policy with the stored one, atomically for
// readers (Casbin swaps the model under its lock).
func (e *Enforcer) reload(context.Context) error {
	if err := e.ce.LoadPolicy(); err != nil {
		return fmt.Errorf("casbinsync: load policy: %w", err)
	}
	e.mu.Lock()
	e.version = 0 // moveTo publishes the loaded version even when it is older
	e.mu.Unlock()
	e.moveTo(e.ad.version.Load())
	return nil
}

func (e *Enforcer) moveTo(v int64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if v > e.version {
		e.version = v
		close(e.moved)
		e.moved = make(chan struct{})
	}
}

// add adds rules in bulk, one call per rule type.
func add(ce *casbin.SyncedEnforcer, rules []rbac.Rule) error {
	byType := map[string][][]string{}
	var order []string
	sec := map[string]string{}
	for _, r := range rules {
		l, err := policy.ToLine(r)
		if err != nil {
			return err
		}
		if _, ok := byType[l.Ptype]; !ok {
			order = append(order, l.Ptype)
			sec[l.Ptype] = l.Sec
		}
		byType[l.Ptype] = append(byType[l.Ptype], l.Values)
	}
	for _, pt := range order {
		var err error
		if sec[pt] == "p" {
			_, err = ce.AddNamedPoliciesEx(pt, byType[pt])
		} else {
			_, err = ce.AddNamedGroupingPoliciesEx(pt, byType[pt])
		}
		if err != nil {
			return err
		}
	}
	return nil
}
