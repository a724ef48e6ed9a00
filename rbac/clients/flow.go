package clients

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/billingrbac/billingrbac/internal/engine"
	"github.com/billingrbac/billingrbac/rbac"
)

// The client domain on the change flow (internal/engine): the staging of
// one change, its change-log entry, and the application of committed
// client entries to the index.

// Operations the client domain records in the change log.
const (
	OpClientCreate rbac.Operation = "client.create"
	OpClientUpdate rbac.Operation = "client.update"
	OpUserCreate   rbac.Operation = "client_user.create"
	OpUserUpdate   rbac.Operation = "client_user.update"
	OpUserDelete   rbac.Operation = "client_user.delete"
	OpRoleAssign   rbac.Operation = "client_user.assign"
	OpRoleUnassign rbac.Operation = "client_user.unassign"
	OpRoleCreate   rbac.Operation = "client_role.create"
	OpRoleUpdate   rbac.Operation = "client_role.update"
	OpRoleDelete   rbac.Operation = "client_role.delete"
)

// txn stages one change: policy rules checked against the index plus what
// is already staged, the rows created or deleted, and the audit record.
type txn struct {
	s       *Service
	tx      Tx
	snap    *snapshot
	delta   Delta
	en      entities
	touched bool // rows changed: recorded even without rules

	actor         Actor
	op            rbac.Operation
	target        string
	before, after any
	reason        string

	// What the staged change writes (noted by controlTx): the clients
	// whose rows it writes, the users whose rows it writes, and those
	// whose sign-in it sets.
	scope    map[ClientID]struct{}
	accounts map[ClientID]struct{} // client rows written
	users    map[ClientUserID]struct{}
	control  map[ClientUserID]struct{}
	eff      rbac.Effect  // computed by Authorize
	next     *snapshot    // the index after the change, computed by Authorize from snap
	perms    []Permission // the catalog's, when needed
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

// record fills the audit part of the change; it is written only if the
// change changes something.
func (w *txn) record(actor Actor, op rbac.Operation, target string, before, after any) {
	w.actor, w.op, w.target, w.before, w.after = actor, op, target, before, after
}

// write runs one client change through the change flow: fn validates,
// checks that the actor may use the operation at all (staff actors against
// the staff index, now current) and stages against the client index as of
// the locked version; then the pre-commit hook computes the staged
// change's effect and authorizes it (authorizeEffect). A write that stages
// nothing rolls back, records nothing and returns nil; so does one under
// rbac.WithDryRun, whose plan receives the change.
func (s *Service) write(ctx context.Context, fn func(w *txn) error) error {
	if s.closed.Load() || s.eng.Closed() {
		return rbac.ErrClosed
	}
	reason, err := rbac.ReasonOf(ctx)
	if err != nil {
		return err
	}
	_, _, err = engine.Write(ctx, s.eng, func(tx engine.Tx) (*txn, error) {
		w := &txn{s: s, snap: s.snap.Load(), reason: reason}
		ctx, err := s.store.ClientTx(tx.Raw().(rbac.Tx))
		if err != nil {
			return w, err
		}
		w.tx = &controlTx{tx: ctx, w: w}
		return w, fn(w)
	})
	switch {
	case errors.Is(err, engine.ErrClosed):
		return rbac.ErrClosed
	case errors.Is(err, engine.ErrDryRun):
		return nil
	}
	return err
}

// The txn is the client domain's engine.Stage.

func (w *txn) Empty() bool { return w.delta.Empty() && !w.touched }

// Authorize is the client domain's pre-commit hook: the effect of the
// whole staged change, decided by one check (authorizeEffect). A dry run
// (rbac.WithDryRun) stops after it.
func (w *txn) Authorize() error {
	after, eff := w.effectOf()
	w.eff, w.next = eff, after
	return w.authorizeEffect(after, eff)
}

func (w *txn) Persist(engine.Tx) error {
	if w.delta.Empty() {
		return nil
	}
	return w.tx.ApplyPolicy(w.delta)
}

func (w *txn) Entry() engine.Entry {
	lg := &ruleLog{Add: w.delta.Add, Remove: w.delta.Remove, Clients: w.en.clients, Users: w.en.users,
		Roles: w.en.roles, DelUsers: w.en.delUsers, DelRoles: w.en.delRoles, base: w.snap, next: w.next}
	rules, _ := json.Marshal(lg) // plain typed values always encode
	a := engine.Actor{Kind: engine.ActorStaff, ID: int64(w.actor.Staff)}
	if w.actor.User != 0 {
		a = engine.Actor{Kind: engine.ActorClientUser, ID: int64(w.actor.User)}
	}
	var eff json.RawMessage
	if !w.eff.Empty() {
		eff, _ = json.Marshal(w.eff) // plain typed values always encode
	}
	return engine.Entry{Domain: string(rbac.DomainClients), Actor: a, Op: string(w.op), Target: w.target,
		Before: marshalOrNull(w.before), After: marshalOrNull(w.after), Reason: w.reason, Rules: rules,
		Effect: eff, Local: lg}
}

func marshalOrNull(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}

// ruleLog is the client domain's Rules in the change log: the policy
// delta and the rows the change created or deleted, which the index needs
// beside the rules.
type ruleLog struct {
	Add      []Rule         `json:"add,omitempty"`
	Remove   []Rule         `json:"remove,omitempty"`
	Clients  []ClientID     `json:"clients,omitempty"`
	Users    []UserRef      `json:"users,omitempty"`
	Roles    []RoleRef      `json:"roles,omitempty"`
	DelUsers []ClientUserID `json:"deleted_users,omitempty"`
	DelRoles []RoleID       `json:"deleted_roles,omitempty"`

	// On the instance that staged the change: the index it was staged
	// against and the one after it, which Authorize computed (nil before
	// Authorize). Never encoded.
	base, next *snapshot
}

func (l *ruleLog) valid() bool {
	for _, rs := range [][]Rule{l.Add, l.Remove} {
		for _, r := range rs {
			if r.Kind < RulePermission || r.Kind > RuleDisabled {
				return false
			}
		}
	}
	return true
}

// DecodeRules returns the client rules a change-log entry of the client
// domain added and removed (rbac.Change.Rules). Errors: rbac.ErrInvalid (not
// a client entry, or not decodable).
func DecodeRules(c rbac.Change) (Delta, error) {
	if c.Domain != rbac.DomainClients {
		return Delta{}, fmt.Errorf("clients: change %d is of domain %q: %w", c.Version, c.Domain, rbac.ErrInvalid)
	}
	var lg ruleLog
	if err := json.Unmarshal(c.Rules, &lg); err != nil {
		return Delta{}, fmt.Errorf("clients: change %d: %v: %w", c.Version, err, rbac.ErrInvalid)
	}
	return Delta{Add: lg.Add, Remove: lg.Remove}, nil
}

// clientDomain applies client entries to the index.
type clientDomain struct{ s *Service }

func (*clientDomain) Name() string { return string(rbac.DomainClients) }

var errUnknownChange = errors.New("clients: change holds rules this version does not know")

func (d *clientDomain) Apply(es []engine.Entry, version int64) (func(), error) {
	cur := d.s.snap.Load()
	if len(es) == 1 {
		// This instance's own commit, applied to the index it was staged
		// against: the index Authorize computed from it is the one a
		// rebuild would give (the same entities and delta applied to the
		// same base), so it is published as it is.
		if lg, ok := es[0].Local.(*ruleLog); ok && lg.next != nil && lg.base == cur && lg.valid() {
			next := lg.next
			lg.next = nil // published once
			next.version = version
			return func() { d.s.snap.Store(next) }, nil
		}
	}
	b := newBuilder(cur)
	for _, en := range es {
		lg, ok := en.Local.(*ruleLog)
		if !ok {
			lg = &ruleLog{}
			if err := json.Unmarshal(en.Rules, lg); err != nil {
				return nil, fmt.Errorf("clients: change %d: %w", en.Version, err)
			}
		}
		if !lg.valid() {
			return nil, fmt.Errorf("%w (version %d)", errUnknownChange, en.Version)
		}
		b.applyChange(entities{clients: lg.Clients, users: lg.Users, roles: lg.Roles,
			delUsers: lg.DelUsers, delRoles: lg.DelRoles}, Delta{Add: lg.Add, Remove: lg.Remove})
	}
	b.next.version = version
	next := b.next
	return func() { d.s.snap.Store(next) }, nil
}

func (d *clientDomain) Load(tx engine.Tx) (func(), error) {
	ctx, err := d.s.store.ClientTx(tx.Raw().(rbac.Tx))
	if err != nil {
		return nil, err
	}
	st, err := ctx.Load()
	if err != nil {
		return nil, err
	}
	next := buildSnapshot(st)
	next.version = tx.Prev().Version
	return func() { d.s.snap.Store(next) }, nil
}
