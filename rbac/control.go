package rbac

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// Control of an account is derived from what a change writes, not
// declared by each operation: the staging code sees the store's Tx only
// through controlTx, which notes every staff row written and every
// account whose sign-in the write sets. controlTx implements Tx method by
// method, without embedding, so a method added to Tx does not compile
// until someone decides here whether it lets its caller act as an account.
// Optional capabilities that write what belongs to an account are reached
// through txn methods that do the same, classified here:
//   - AvatarTx (avatarTx): a profile write, not control;
//   - SecondFactorTx (factorTx, below): enrolling, confirming and
//     removing a second factor are writes of the account's sign-in,
//     control: without its second factor the account opens to whoever
//     has its password;
//   - SignInPolicyTx (SetSignInPolicy): control of every account the
//     policy applies to (the staff member, or each member of the
//     department), since it changes from where and how they sign in;
//   - ThrottleTx (ClearSignInLock): control, it lets whoever has the
//     password try again;
//   - leaving a department that has a sign-in policy (a membership
//     removed: leavingPolicies; the department deleted: DeleteDepartment
//     below) is control of the member, as if its policy were lifted.
type controlTx struct {
	tx Tx
	w  *txn
}

var _ Tx = (*controlTx)(nil)

// wrote notes a write of id's row; signIn that it sets id's sign-in.
func (w *txn) wrote(id StaffID, signIn bool) {
	if w.written == nil {
		w.written = map[StaffID]struct{}{}
		w.control = map[StaffID]struct{}{}
	}
	w.written[id] = struct{}{}
	if signIn {
		w.control[id] = struct{}{}
	}
}

// signInFields keeps of a staff row what lets someone sign in as it or
// receive its password: everything except the fields listed here as
// profile or policy (login, e-mail, phone and the external subject, by
// which the application's single sign-on signs someone in, all stay). A
// field added to Staff counts as sign-in until it is listed.
func signInFields(s Staff) Staff {
	s.FullName = nil
	s.Departments, s.FullAccess, s.Status = nil, false, 0 // policy, checked on the effect
	s.CreatedAt, s.UpdatedAt = time.Time{}, time.Time{}
	return s
}

func (c *controlTx) Version() int64                          { return c.tx.Version() }
func (c *controlTx) PrevHash() string                        { return c.tx.PrevHash() }
func (c *controlTx) Changes(q ChangeQuery) ([]Change, error) { return c.tx.Changes(q) }
func (c *controlTx) LoadPolicy() ([]Rule, error)             { return c.tx.LoadPolicy() }
func (c *controlTx) StreamPolicy(batch func([]Rule) error) error {
	return streamTx(c.tx, batch)
}

func (c *controlTx) CreateDepartment(d *Department) error           { return c.tx.CreateDepartment(d) }
func (c *controlTx) UpdateDepartment(d *Department) error           { return c.tx.UpdateDepartment(d) }
func (c *controlTx) Department(id DepartmentID) (Department, error) { return c.tx.Department(id) }
func (c *controlTx) Departments() ([]Department, error)             { return c.tx.Departments() }
func (c *controlTx) StaffMember(id StaffID) (Staff, error)          { return c.tx.StaffMember(id) }
func (c *controlTx) ApplyPolicy(d PolicyDelta) error                { return c.tx.ApplyPolicy(d) }
func (c *controlTx) RecordChange(ch Change) error                   { return c.tx.RecordChange(ch) }

// DeleteDepartment: a department with a sign-in policy takes it away from
// its members, as if it were lifted: control of each (read before the
// row, and the policy with it, is gone). Members leaving a department
// that stays are noted at authorization (leavingPolicies).
func (c *controlTx) DeleteDepartment(id DepartmentID) error {
	if pt, ok := c.tx.(SignInPolicyTx); ok {
		p, err := pt.SignInPolicyOf(DepartmentSubject(id))
		if err != nil {
			return err
		}
		if de := c.w.snap.dept(id); de != nil && !p.IsZero() {
			for m := range de.members.all() {
				c.w.wrote(m, true)
			}
		}
	}
	return c.tx.DeleteDepartment(id)
}

// CreateStaff: whoever creates an account chooses its login and e-mail.
func (c *controlTx) CreateStaff(s *Staff) error {
	if err := c.tx.CreateStaff(s); err != nil {
		return err
	}
	c.w.wrote(s.ID, true)
	return nil
}

// UpdateStaff: control when a sign-in field changes.
func (c *controlTx) UpdateStaff(s *Staff) error {
	cur, err := c.tx.StaffMember(s.ID)
	if err != nil {
		return fmt.Errorf("staff %s: %w", s.ID, err)
	}
	if err := c.tx.UpdateStaff(s); err != nil {
		return err
	}
	c.w.wrote(s.ID, !reflect.DeepEqual(signInFields(cur), signInFields(*s)))
	return nil
}

// DeleteStaff writes the row away; what the account loses is on the
// effect.
func (c *controlTx) DeleteStaff(id StaffID) error {
	if err := c.tx.DeleteStaff(id); err != nil {
		return err
	}
	c.w.wrote(id, false)
	return nil
}

// SetPasswordHash: whoever sets a password can sign in with it.
func (c *controlTx) SetPasswordHash(id StaffID, hash string) error {
	if err := c.tx.SetPasswordHash(id, hash); err != nil {
		return err
	}
	c.w.wrote(id, true)
	return nil
}

// factorTx returns the store's SecondFactorTx, each of whose writes is
// noted as setting id's sign-in (control: see controlTx).
func (w *txn) factorTx(op string) (SecondFactorTx, error) {
	ft, ok := w.raw.(SecondFactorTx)
	if !ok {
		return nil, fmt.Errorf("%s: store keeps no second factors: %w", op, errors.ErrUnsupported)
	}
	return factorWrites{ft, w}, nil
}

type factorWrites struct {
	ft SecondFactorTx
	w  *txn
}

func (f factorWrites) TOTPOf(id StaffID) (TOTPRecord, error) { return f.ft.TOTPOf(id) }
func (f factorWrites) SetTOTP(id StaffID, sealed string) error {
	f.w.wrote(id, true)
	return f.ft.SetTOTP(id, sealed)
}
func (f factorWrites) ConfirmTOTP(id StaffID, step int64, rc []CodeHash) error {
	f.w.wrote(id, true)
	return f.ft.ConfirmTOTP(id, step, rc)
}
func (f factorWrites) RemoveTOTP(id StaffID) error {
	f.w.wrote(id, true)
	return f.ft.RemoveTOTP(id)
}
