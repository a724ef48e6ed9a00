package casbinsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

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

	tmu sync.Mutex // the policy's writers: follow and the edge timer
	tmp *temporary

	mu      sync.Mutex
	moved   chan struct{} // closed and replaced when version moves
	version int64
	err     error // the last reload's failure, nil once one succeeds
}

// Options configures New. The zero value works.
type Options struct {
	// Logger receives reload failures; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock for temporary rules' windows; nil means
	// time.Now. Give the Service's clock (rbac.Options) if it has one.
	Now func() time.Time
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
	now := opts.Now
	if now == nil {
		now = time.Now
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
	e := &Enforcer{ce: ce, ad: ad, sub: sub, log: opts.Logger, done: make(chan struct{}), moved: make(chan struct{}),
		tmp: newTemporary(now)}
	if e.log == nil {
		e.log = slog.Default()
	}
	e.version = ad.version.Load()
	e.tmu.Lock()
	for _, r := range ad.temp {
		e.tmp.put(r)
	}
	err = e.settle()
	e.tmu.Unlock()
	if err != nil {
		sub.Close()
		return nil, fmt.Errorf("casbinsync: %w", err)
	}
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
	e.tmu.Lock()
	if e.tmp.timer != nil {
		e.tmp.timer.Stop()
	}
	e.tmp.timer = nil
	e.tmu.Unlock()
	return nil
}

// settle brings the temporary rules to the present and sets the timer for
// the next window edge. Call with tmu held.
func (e *Enforcer) settle() error {
	next, err := e.tmp.settle(e.ce)
	if err != nil {
		return err
	}
	if e.tmp.timer != nil {
		e.tmp.timer.Stop()
		e.tmp.timer = nil
	}
	if !next.IsZero() {
		select {
		case <-e.done:
			return nil // closed: no more timers
		default:
		}
		e.tmp.timer = time.AfterFunc(time.Until(next), func() {
			e.tmu.Lock()
			defer e.tmu.Unlock()
			if err := e.settle(); err != nil {
				e.log.Error("casbinsync: temporary rules could not be applied", "err", err)
			}
		})
	}
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
		e.tmu.Lock()
		err := e.applyDelta(ev.Change.Policy)
		e.tmu.Unlock()
		if err != nil {
			return err
		}
	}
	e.moveTo(ev.Change.Version)
	return nil
}

func (e *Enforcer) applyDelta(d rbac.PolicyDelta) error {
	for _, r := range d.Remove {
		if was, err := e.tmp.drop(e.ce, r); was || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		if err := line(e.ce, r, false); err != nil {
			return err
		}
	}
	var permanent []rbac.Rule
	for _, r := range d.Add {
		if r.Window.IsZero() {
			permanent = append(permanent, r)
		} else {
			e.tmp.put(r)
		}
	}
	if err := add(e.ce, permanent); err != nil {
		return err
	}
	return e.settle()
}

// reload replaces the policy with the stored one, atomically for
// readers (Casbin swaps the model under its lock).
func (e *Enforcer) reload(context.Context) error {
	e.tmu.Lock()
	defer e.tmu.Unlock()
	if err := e.ce.LoadPolicy(); err != nil {
		return fmt.Errorf("casbinsync: load policy: %w", err)
	}
	e.tmp.reset()
	for _, r := range e.ad.temp {
		e.tmp.put(r)
	}
	if err := e.settle(); err != nil {
		return fmt.Errorf("casbinsync: %w", err)
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
