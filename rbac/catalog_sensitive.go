package rbac

import (
	"fmt"

	"github.com/billingrbac/billingrbac/internal/display"
)

// MaxSensitiveReason is the longest reason MarkSensitive takes, in
// characters.
const MaxSensitiveReason = 200

// MarkSensitive marks registered permissions as sensitive, with the reason
// a reviewer reads ("moves money", "reads financial reports"). Access
// reviews list who holds each sensitive permission and flag it in every
// grid. Marking again replaces the reason; marks only add, like the
// catalog. Errors: ErrInvalid when a permission is not registered, the
// list is empty or the reason is empty or breaks the display-text rule.
func (c *Catalog) MarkSensitive(reason string, perms ...Permission) error {
	var fe fieldErrors
	if reason == "" {
		fe.add("reason", "required", "a sensitive permission needs a reason for the reviewer")
	} else if rule, msg := display.Check(reason, MaxSensitiveReason); rule != "" {
		fe.add("reason", rule, "%s", msg)
	}
	if len(perms) > MaxPermissionsPerCall {
		fe.add("permissions", "max_count", "at most %d permissions a call, not %d", MaxPermissionsPerCall, len(perms))
	} else {
		perms = c.check(&fe, "permissions", perms)
	}
	if err := fe.err("mark sensitive"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range perms {
		c.sensitive[p] = reason
	}
	return nil
}

// Sensitive reports whether p is marked sensitive, and why.
func (c *Catalog) Sensitive(p Permission) (reason string, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	reason, ok = c.sensitive[p]
	return reason, ok
}

// SensitivePermissions returns the sensitive permissions in catalog order.
func (c *Catalog) SensitivePermissions() []Permission {
	var out []Permission
	for _, p := range c.Permissions() {
		if _, ok := c.Sensitive(p); ok {
			out = append(out, p)
		}
	}
	return out
}

// markBuiltinSensitive marks what gives power over other accounts or over
// money among the built-in functions.
func (c *Catalog) markBuiltinSensitive() {
	for _, m := range []struct {
		reason string
		perms  []Permission
	}{
		{"controls staff accounts: who signs in and with what", []Permission{
			Perm(FuncStaff, ActAdd), Perm(FuncStaff, ActEdit), Perm(FuncStaff, ActDelete)}},
		{"decides what departments hold and so what their members may do", []Permission{
			Perm(FuncDepartments, ActAdd), Perm(FuncDepartments, ActEdit), Perm(FuncDepartments, ActDelete)}},
		{"changes the billing configuration", []Permission{Perm(FuncSettings, ActEdit)}},
		{"reads or exports the financial reports", []Permission{Perm(FuncReports, ActView), Perm(FuncReports, ActExport)}},
		{"changes or removes recorded money", []Permission{
			Perm(FuncPayments, ActEdit), Perm(FuncPayments, ActDelete), Perm(FuncInvoices, ActDelete), Perm(FuncExpenses, ActDelete)}},
	} {
		if err := c.MarkSensitive(m.reason, m.perms...); err != nil {
			panic(fmt.Sprintf("built-in sensitive marks: %v", err)) // static table: a bug here
		}
	}
}
