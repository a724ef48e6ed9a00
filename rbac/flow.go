package rbac

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/billingrbac/billingrbac/internal/engine"
)

// The staff domain on the change flow (internal/engine): this file adapts
// the public Store to the engine, stages staff changes as engine stages
// and applies committed staff entries to the decision index.

func init() {
	engine.SetHost(func(host any) *engine.Engine {
		if s, ok := host.(*Service); ok && s != nil {
			return s.eng
		}
		return nil
	})
}

// write runs one staff change through the change flow: fn validates and
// stages against the index as of the locked version (every domain caught
// up); then the pre-commit hook computes the staged change's effect and
// authorizes it (authorizeEffect: the one check every write passes), the
// rules, the chained change-log entry with the effect, commit, and the
// decisions the effect was computed on are published. If fn stages
// nothing, the transaction rolls back and write returns nil. Under
// WithDryRun everything up to the commit happens, then the transaction
// rolls back and the plan receives the change.
func (s *Service) write(ctx context.Context, fn func(w *txn) error) (Change, error) {
	if s.tel == nil {
		return s.writeOnce(ctx, fn)
	}
	ctx, done := s.tel.startWrite(ctx)
	ch, err := s.writeOnce(ctx, fn)
	done(ch, err)
	return ch, err
}

// writeRules is write for a change that only changes rules (grants,
// memberships, a department's permissions): it is first tried on this
// instance's head, in one statement on PostgreSQL (OptimisticStore).
func (s *Service) writeRules(ctx context.Context, fn func(w *txn) error) (Change, error) {
	return s.write(engine.WithAttempt(ctx), fn)
}

func (s *Service) writeOnce(ctx context.Context, fn func(w *txn) error) (Change, error) {
	if s.eng.Closed() {
		return Change{}, ErrClosed
	}
	if err := checkReason(reasonFrom(ctx)); err != nil {
		return Change{}, err
	}
	_, en, err := engine.Write(ctx, s.eng, func(tx engine.Tx) (*staffStage, error) {
		w := newTxn(s, tx.Raw().(Tx), ctx)
		st := &staffStage{w: w, version: tx.Version()}
		return st, fn(w)
	})
	switch {
	case errors.Is(err, engine.ErrClosed):
		return Change{}, ErrClosed
	case errors.Is(err, engine.ErrDryRun):
		return Change{}, nil
	case err != nil || en.Version == 0:
		return Change{}, err
	}
	return changeOf(en), nil
}

// errNoChange, returned by a staging function, rolls back a write that
// turned out to change nothing.
var errNoChange = engine.ErrNoChange

// staffStage is the staff domain's engine.Stage: the staged txn, its
// effect and the decisions after it.
type staffStage struct {
	w       *txn
	version int64
	after   *snapshot // the index after the change, computed with its effect
}

// staffLocal is what an instance keeps in memory of its own staff entry:
// the delta, the index it was staged on and the index after it.
type staffLocal struct {
	delta       PolicyDelta
	effect      Effect // typed, so recording and returning the change decode nothing
	base, after *snapshot
}

// Empty: nothing staged, no row touched.
func (st *staffStage) Empty() bool { return st.w.delta.Empty() && !st.w.touched }

// Authorize is the pre-commit hook: the effect of the whole staged change,
// authorized by one check (authorizeEffect). A dry run (WithDryRun: the
// engine's) stops after it.
func (st *staffStage) Authorize() error {
	w := st.w
	if err := w.leavingPolicies(); err != nil {
		return err
	}
	after, eff := w.effectOf()
	w.change.Version = st.version
	w.change.At = w.s.now().UTC()
	w.change.Domain = DomainStaff
	w.change.Policy = w.delta
	w.change.Effect = eff
	if w.change.Reason == "" {
		w.change.Reason = reasonFrom(w.ctx)
	}
	if err := w.authorizeEffect(after, eff); err != nil {
		return err
	}
	st.after = after
	return nil
}

// Persist writes the staged rules.
func (st *staffStage) Persist(engine.Tx) error {
	if st.w.delta.Empty() {
		return nil
	}
	return st.w.raw.ApplyPolicy(st.w.delta)
}

// Entry is the change-log entry of the staged change.
func (st *staffStage) Entry() engine.Entry {
	w := st.w
	c := w.change
	rules := marshalDelta(w.delta)
	eff := marshalEffect(c.Effect)
	kind := engine.ActorStaff
	if c.Actor == SystemActor {
		kind = engine.ActorSystem
	}
	return engine.Entry{Domain: string(DomainStaff), Actor: engine.Actor{Kind: kind, ID: int64(c.Actor)},
		Op: string(c.Op), Target: c.Target, Before: c.Before, After: c.After, Reason: c.Reason,
		Rules: rules, Effect: eff, Local: &staffLocal{delta: w.delta, effect: c.Effect, base: w.snap, after: st.after}}
}

// staffDomain applies staff entries to the decision index.
type staffDomain struct{ s *Service }

func (staffDomain) Name() string { return string(DomainStaff) }

var errUnknownChange = errors.New("rbac: change holds rules this version does not know")

// policyOf returns the staff rules of a committed entry.
func policyOf(en engine.Entry) (PolicyDelta, error) {
	switch l := en.Local.(type) {
	case PolicyDelta:
		return l, nil
	case *staffLocal:
		return l.delta, nil
	}
	var d PolicyDelta
	if len(en.Rules) > 0 && string(en.Rules) != "null" {
		if err := json.Unmarshal(en.Rules, &d); err != nil {
			return PolicyDelta{}, fmt.Errorf("rbac: change %d: %w", en.Version, err)
		}
	}
	return d, nil
}

func (d staffDomain) Apply(es []engine.Entry, version int64) (func(), error) {
	cur := d.s.snap.Load()
	if l, ok := es[0].Local.(*staffLocal); ok && len(es) == 1 && l.after != nil && l.base == cur {
		// This instance's own change, on the index it was staged on: the
		// index after it is already built (with its effect).
		next := l.after
		next.version = version
		return func() { d.s.snap.Store(next) }, nil
	}
	b := newBuilder(cur)
	for _, en := range es {
		delta, err := policyOf(en)
		if err != nil {
			return nil, err
		}
		if !delta.valid() {
			return nil, fmt.Errorf("%w (version %d)", errUnknownChange, en.Version)
		}
		b.applyDelta(delta)
	}
	next := b.finish()
	next.version = version
	return func() { d.s.snap.Store(next) }, nil
}

func (d staffDomain) Load(tx engine.Tx) (func(), error) {
	raw := tx.Raw().(Tx)
	next, err := buildStreamed(func(batch func([]Rule) error) error { return streamTx(raw, batch) }, d.s.now)
	if err != nil {
		return nil, err
	}
	next.version = tx.Prev().Version
	foreign, counted, err := foreignAtLoad(raw)
	if err != nil {
		return nil, err
	}
	return func() {
		d.s.snap.Store(next)
		if counted {
			d.s.foreignSeen.Store(foreign)
		}
	}, nil
}

// engineStore adapts the public Store to the engine.
type engineStore struct{ st Store }

func (e engineStore) Update(ctx context.Context, fn func(engine.Tx) error) error {
	return e.st.Update(ctx, func(tx Tx) error { return fn(engineTx{tx}) })
}

func (e engineStore) Entries(ctx context.Context, after int64, limit int) ([]engine.Entry, error) {
	chs, err := e.st.Changes(ctx, ChangeQuery{AfterVersion: after, Limit: limit})
	return entriesOf(chs), err
}

// LogHeadStore is an optional capability of a Store: the version and
// hash of the last committed change, read without its content (package
// store's Store has it). With it, catching up when nothing was committed
// since this instance's version reads one small row.
type LogHeadStore interface {
	LogHead(ctx context.Context) (version int64, hash string, err error)
}

var errNoLogHead = errors.New("rbac: store cannot read the change log's head alone")

// LastHead implements engine.HeadReader.
func (e engineStore) LastHead(ctx context.Context) (engine.Head, error) {
	hs, ok := e.st.(LogHeadStore)
	if !ok {
		return engine.Head{}, errNoLogHead
	}
	v, h, err := hs.LogHead(ctx)
	return engine.Head{Version: v, Hash: h}, err
}

type engineTx struct{ tx Tx }

func (t engineTx) Version() int64 { return t.tx.Version() }
func (t engineTx) Prev() engine.Head {
	return engine.Head{Version: t.tx.Version() - 1, Hash: t.tx.PrevHash()}
}
func (t engineTx) Raw() any { return t.tx }
func (t engineTx) Entries(after int64, limit int) ([]engine.Entry, error) {
	chs, err := t.tx.Changes(ChangeQuery{AfterVersion: after, Limit: limit})
	return entriesOf(chs), err
}
func (t engineTx) Append(en engine.Entry) error {
	c := changeOf(en)
	if len(en.Effect) > 0 && string(en.Effect) != "null" {
		c.effectJSON = en.Effect // what Hash covers: json.Marshal of c.Effect
	}
	return t.tx.RecordChange(c)
}

func entriesOf(chs []Change) []engine.Entry {
	out := make([]engine.Entry, len(chs))
	for i, c := range chs {
		out[i] = entryOf(c)
	}
	return out
}

func entryOf(c Change) engine.Entry {
	a := engine.Actor{Kind: engine.ActorStaff, ID: int64(c.Actor)}
	switch {
	case c.ClientUser != 0:
		a = engine.Actor{Kind: engine.ActorClientUser, ID: c.ClientUser}
	case c.Actor == SystemActor:
		a.Kind = engine.ActorSystem
	}
	en := engine.Entry{Version: c.Version, Hash: c.Hash, Domain: string(c.Domain), At: c.At, Actor: a,
		Op: string(c.Op), Target: c.Target, Before: c.Before, After: c.After, Reason: c.Reason,
		Rules: c.Rules}
	if c.Domain == DomainStaff || c.Domain == "" {
		en.Domain = string(DomainStaff)
		en.Local = c.Policy
	}
	if !c.Effect.Empty() {
		en.Effect = marshalEffect(c.Effect)
	}
	return en
}

func changeOf(en engine.Entry) Change {
	c := Change{Version: en.Version, Domain: Domain(en.Domain), At: en.At, Op: Operation(en.Op), Target: en.Target,
		Before: en.Before, After: en.After, Reason: en.Reason, Rules: en.Rules, Hash: en.Hash}
	switch en.Actor.Kind {
	case engine.ActorStaff:
		c.Actor = StaffID(en.Actor.ID)
	case engine.ActorClientUser:
		c.ClientUser = en.Actor.ID
	}
	if c.Domain == DomainStaff {
		c.Policy, _ = policyOf(en)
	}
	if l, ok := en.Local.(*staffLocal); ok {
		c.Effect = l.effect
	} else if len(en.Effect) > 0 && string(en.Effect) != "null" {
		_ = json.Unmarshal(en.Effect, &c.Effect) // a domain wrote it as an Effect
	}
	return c
}

// Sync applies the changes other instances committed since this
// instance's version, or reloads when the change log has a gap or is not
// the log this instance applied; then it checks that nothing wrote policy
// rows behind the library's back (see docs/database.md) and reloads if
// something did. The listener and the periodic catch-up call it; call it
// yourself on a store that does not notify.
func (s *Service) Sync(ctx context.Context) error {
	if err := s.eng.Sync(ctx); err != nil {
		return fmt.Errorf("rbac: sync: %w", err)
	}
	return nil
}

// WaitFor blocks until this instance has applied at least version v (so a
// request routed here after a change elsewhere sees it), ctx is done or the
// Service is closed (ErrClosed). Versions count the changes of every
// domain (staff, clients, tasks).
func (s *Service) WaitFor(ctx context.Context, v int64) error {
	err := s.eng.WaitFor(ctx, v)
	if errors.Is(err, engine.ErrClosed) {
		return ErrClosed
	}
	return err
}
