package rbac

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sync"
)

// OpSignInPolicy records a change of a staff member's or department's
// sign-in policy (network allow-list, second factor required).
const OpSignInPolicy Operation = "signin.policy"

// ErrAddressNotAllowed is returned by Authenticate (after a correct
// password, like ErrAccountDisabled) and by CheckAddress when the source
// address is outside a network allow-list that applies to the account.
// The error is an *AddressError.
var ErrAddressNotAllowed = errors.New("source address not allowed")

// AddressError names the allow-list that refused an address. It unwraps
// to ErrAddressNotAllowed.
type AddressError struct {
	Staff   StaffID
	Address netip.Addr // invalid when none was given
	Subject Subject    // the staff member or department whose list refused it
}

func (e *AddressError) Error() string {
	a := "no address"
	if e.Address.IsValid() {
		a = e.Address.String()
	}
	return fmt.Sprintf("staff %s from %s: outside the allow-list of %s: %v", e.Staff, a, e.Subject, ErrAddressNotAllowed)
}

func (e *AddressError) Unwrap() error { return ErrAddressNotAllowed }

// MaxNetworks bounds a sign-in policy's allow-list.
const MaxNetworks = 64

// SignInPolicy is what a staff member's or department's sign-in must
// satisfy beyond the password. Every policy that applies to an account
// (its own and each of its departments', disabled ones too) is enforced:
// the address must be inside every non-empty allow-list, and a second
// factor is needed if any policy requires one.
type SignInPolicy struct {
	// RequireSecondFactor makes sign-in ask for a TOTP code (see
	// SecondFactorError).
	RequireSecondFactor bool `json:"require_second_factor,omitempty"`
	// Networks is the allow-list: sign-in (and, with the httpauthz
	// address guard, every request) only from addresses in one of these
	// prefixes, IPv4 or IPv6. Empty means from anywhere. IPv4-mapped
	// IPv6 addresses are matched as IPv4.
	Networks []netip.Prefix `json:"networks,omitempty"`
}

// IsZero reports whether p asks for nothing.
func (p SignInPolicy) IsZero() bool { return !p.RequireSecondFactor && len(p.Networks) == 0 }

// Validate reports every bad network at once: field "networks[i]", rules
// "format" (not a valid prefix) and "max_items" (more than MaxNetworks).
func (p SignInPolicy) Validate() error {
	var fe fieldErrors
	p.check(&fe)
	return fe.err("sign-in policy")
}

func (p SignInPolicy) check(fe *fieldErrors) {
	if len(p.Networks) > MaxNetworks {
		fe.add("networks", "max_items", "at most %d networks", MaxNetworks)
		return
	}
	for i, n := range p.Networks {
		if !n.IsValid() {
			fe.add(fmt.Sprintf("networks[%d]", i), "format", "is not a valid address prefix")
		}
	}
}

// canonical returns p with its networks masked, IPv4-mapped ones as
// IPv4, sorted and without duplicates.
func (p SignInPolicy) canonical() SignInPolicy {
	out := SignInPolicy{RequireSecondFactor: p.RequireSecondFactor}
	for _, n := range p.Networks {
		a := n.Addr()
		bits := n.Bits()
		if a.Is4In6() {
			a, bits = a.Unmap(), max(bits-96, 0)
		}
		out.Networks = append(out.Networks, netip.PrefixFrom(a, bits).Masked())
	}
	slices.SortFunc(out.Networks, func(a, b netip.Prefix) int {
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c
		}
		return a.Bits() - b.Bits()
	})
	out.Networks = slices.Compact(out.Networks)
	return out
}

// SignInPolicyStore is implemented by stores that keep sign-in policies.
type SignInPolicyStore interface {
	// SignInPolicies returns every stored policy by subject.
	SignInPolicies(ctx context.Context) (map[Subject]SignInPolicy, error)
}

// SignInPolicyTx is implemented by the Tx of stores that keep sign-in
// policies.
type SignInPolicyTx interface {
	// SignInPolicyOf returns sub's policy (zero when none).
	SignInPolicyOf(sub Subject) (SignInPolicy, error)
	// SetSignInPolicy stores sub's policy; a zero one deletes it. Errors:
	// ErrNotFound (no such staff member or department).
	SetSignInPolicy(sub Subject, p SignInPolicy) error
}

// SetSignInPolicy sets the sign-in policy of a staff member or a
// department. It changes who can sign in as the accounts it applies to
// (the staff member, or every member of the department), so it is
// authorized as control of each of them (see ResetPassword): the actor
// needs staff:edit (departments:edit for a department), may not change a
// policy of their own or of one of their departments, and must hold every
// permission of every account concerned. Errors: ErrInvalid,
// ErrNotFound, ErrPermissionDenied.
func (s *Service) SetSignInPolicy(ctx context.Context, actor StaffID, sub Subject, p SignInPolicy) error {
	const op = "set sign-in policy"
	var fe fieldErrors
	p.check(&fe)
	if (sub.Staff == 0) == (sub.Department == 0) {
		fe.add("subject", "required", "must name one staff member or one department")
	}
	if err := fe.err(op); err != nil {
		return err
	}
	p = p.canonical()
	need := Perm(FuncStaff, ActEdit)
	if sub.Department != 0 {
		need = Perm(FuncDepartments, ActEdit)
	}
	if err := s.precheck(ctx, op, actor, need, sub.Staff); err != nil {
		return err
	}
	_, err := s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, need); err != nil {
			return err
		}
		pt, ok := w.raw.(SignInPolicyTx)
		if !ok {
			return fmt.Errorf("%s: store keeps no sign-in policies: %w", op, errors.ErrUnsupported)
		}
		// The accounts it applies to: control of each (see controlTx).
		concerned := []StaffID{sub.Staff}
		if sub.Department != 0 {
			if _, err := w.tx.Department(sub.Department); err != nil {
				return fmt.Errorf("%s: department %s: %w", op, sub.Department, err)
			}
			concerned = nil
			if de := w.snap.dept(sub.Department); de != nil {
				for m := range de.members.all() {
					concerned = append(concerned, m)
				}
			}
		} else if _, err := w.tx.StaffMember(sub.Staff); err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, sub.Staff, err)
		}
		for _, id := range concerned {
			if id == actor {
				return &DeniedError{Op: op, Actor: actor, Target: actor,
					Reason: "staff members cannot change a sign-in policy that applies to themselves"}
			}
			w.wrote(id, true)
		}
		cur, err := pt.SignInPolicyOf(sub)
		if err != nil {
			return err
		}
		if policyEqual(cur, p) {
			return errNoChange
		}
		if err := pt.SetSignInPolicy(sub, p); err != nil {
			return fmt.Errorf("%s: %s: %w", op, sub, err)
		}
		w.record(actor, OpSignInPolicy, sub.String(), cur, p)
		return nil
	})
	return err
}

// leavingPolicies notes as control (see controlTx) every account the
// staged change takes out of a department that has a sign-in policy: the
// policy stops applying to it, as if it were lifted. One read per
// department, and none when the change removes no membership. (A deleted
// department's members are noted by controlTx.DeleteDepartment, before
// its policy goes with its row.)
func (w *txn) leavingPolicies() error {
	pt, ok := w.raw.(SignInPolicyTx)
	if !ok {
		return nil
	}
	has := map[DepartmentID]bool{}
	for _, r := range w.delta.Remove {
		if r.Kind != RuleMember {
			continue
		}
		d := r.Department
		if _, seen := has[d]; !seen {
			p, err := pt.SignInPolicyOf(DepartmentSubject(d))
			if err != nil {
				return err
			}
			has[d] = !p.IsZero()
		}
		if has[d] {
			w.wrote(r.Subject.Staff, true)
		}
	}
	return nil
}

func policyEqual(a, b SignInPolicy) bool {
	return a.RequireSecondFactor == b.RequireSecondFactor && slices.Equal(a.Networks, b.Networks)
}

// SignInPolicyOf returns sub's sign-in policy (zero when none is set).
func (s *Service) SignInPolicyOf(ctx context.Context, sub Subject) (SignInPolicy, error) {
	pols, err := s.policies(ctx)
	if err != nil {
		return SignInPolicy{}, fmt.Errorf("sign-in policy: %w", err)
	}
	return pols[sub], nil
}

// CheckAddress reports whether staff member id may work from addr under
// the allow-lists that apply to it, as Authenticate checks at sign-in:
// what the httpauthz address guard asks on every request. It reads this
// instance's policies (cached per change-log version). Errors:
// ErrAddressNotAllowed (an *AddressError), ErrNotFound.
func (s *Service) CheckAddress(ctx context.Context, id StaffID, addr netip.Addr) error {
	pols, err := s.policies(ctx)
	if err != nil {
		return fmt.Errorf("check address: %w", err)
	}
	if len(pols) == 0 {
		return nil
	}
	st := Staff{ID: id}
	fillStaff(s.snap.Load(), &st)
	return pols.allowed(st, addr)
}

// policySet is every stored sign-in policy.
type policySet map[Subject]SignInPolicy

// each calls fn for every policy that applies to st.
func (ps policySet) each(st Staff, fn func(Subject, SignInPolicy) bool) {
	if p, ok := ps[StaffSubject(st.ID)]; ok && !fn(StaffSubject(st.ID), p) {
		return
	}
	for _, d := range st.Departments {
		if p, ok := ps[DepartmentSubject(d)]; ok && !fn(DepartmentSubject(d), p) {
			return
		}
	}
}

func (ps policySet) allowed(st Staff, addr netip.Addr) error {
	var err error
	a := addr.Unmap()
	ps.each(st, func(sub Subject, p SignInPolicy) bool {
		if len(p.Networks) == 0 {
			return true
		}
		if a.IsValid() && slices.ContainsFunc(p.Networks, func(n netip.Prefix) bool { return n.Contains(a) }) {
			return true
		}
		err = &AddressError{Staff: st.ID, Address: addr, Subject: sub}
		return false
	})
	return err
}

func (ps policySet) requireSecondFactor(st Staff) bool {
	req := false
	ps.each(st, func(_ Subject, p SignInPolicy) bool {
		req = p.RequireSecondFactor
		return !req
	})
	return req
}

// policyCache keeps the stored policies for one change-log version: every
// policy change is a change, which moves the version on every instance as
// it applies it (the calendar cache's rule).
type policyCache struct {
	mu      sync.Mutex
	version int64
	set     policySet
}

// policies returns the stored sign-in policies as of this instance's
// version (none for a store that keeps none).
func (s *Service) policies(ctx context.Context) (policySet, error) {
	ps, ok := s.store.(SignInPolicyStore)
	if !ok {
		return nil, nil
	}
	v := s.Version()
	c := &s.sec.policies
	c.mu.Lock()
	if c.set != nil && c.version == v {
		set := c.set
		c.mu.Unlock()
		return set, nil
	}
	c.mu.Unlock()
	m, err := ps.SignInPolicies(ctx)
	if err != nil {
		return nil, err
	}
	set := policySet(m)
	if set == nil {
		set = policySet{}
	}
	c.mu.Lock()
	c.version, c.set = v, set
	c.mu.Unlock()
	return set, nil
}
