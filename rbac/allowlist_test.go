package rbac_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func prefixes(t *testing.T, ss ...string) []netip.Prefix {
	t.Helper()
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// TestAllowLists: a staff member's and a department's allow-lists both
// apply, to sign-in and to CheckAddress, in IPv4 and IPv6; an address
// outside either, or none at all, is refused with ErrAddressNotAllowed
// after a correct password, and a wrong password stays ErrBadCredentials.
func TestAllowLists(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		// Throttling off: the test tries wrong passwords on purpose.
		e, _, open := newSecurityEnv(t, b, rbac.SignInOptions{Throttle: rbac.ThrottleOptions{Off: true}})
		billing := e.dept("Billing", pInvoicesView)
		kate := e.person("kate", goodPW, billing)

		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.StaffSubject(kate.ID),
			rbac.SignInPolicy{Networks: prefixes(t, "203.0.113.0/24", "2001:db8::/32")}))
		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.DepartmentSubject(billing),
			rbac.SignInPolicy{Networks: prefixes(t, "203.0.113.128/25", "2001:db8:1::/48")}))
		other := open() // a second instance reads the same policies

		for _, c := range []struct {
			addr string
			ok   bool
		}{
			{"203.0.113.200", true},
			{"::ffff:203.0.113.200", true}, // IPv4-mapped: matched as IPv4
			{"203.0.113.5", false},         // kate's list, not Billing's
			{"198.51.100.1", false},
			{"2001:db8:1::42", true},
			{"2001:db8:2::42", false}, // kate's list, not Billing's
			{"2001:db9::1", false},
			{"", false}, // no address given: refused when a list applies
		} {
			var a netip.Addr
			if c.addr != "" {
				a = netip.MustParseAddr(c.addr)
			}
			for _, svc := range []*rbac.Service{e.svc, other} {
				got, err := svc.AuthenticateFrom(e.ctx, "kate", goodPW, a)
				if c.ok {
					require.NoError(t, err, c.addr)
					assert.Equal(t, kate.ID, got.ID)
					require.NoError(t, svc.CheckAddress(e.ctx, kate.ID, a), c.addr)
					continue
				}
				require.ErrorIs(t, err, rbac.ErrAddressNotAllowed, c.addr)
				var ae *rbac.AddressError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, kate.ID, ae.Staff)
				require.ErrorIs(t, svc.CheckAddress(e.ctx, kate.ID, a), rbac.ErrAddressNotAllowed, c.addr)
				_, err = svc.AuthenticateFrom(e.ctx, "kate", "wrong-password-1", a)
				require.ErrorIs(t, err, rbac.ErrBadCredentials, "the list is checked after the password")
			}
		}
		// Nobody else is restricted.
		require.NoError(t, e.svc.CheckAddress(e.ctx, e.admin, netip.MustParseAddr("198.51.100.1")))

		// Lifting kate's list leaves Billing's.
		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.StaffSubject(kate.ID), rbac.SignInPolicy{}))
		_, err := e.svc.AuthenticateFrom(e.ctx, "kate", goodPW, netip.MustParseAddr("2001:db8:1::42"))
		require.NoError(t, err)
		_, err = e.svc.AuthenticateFrom(e.ctx, "kate", goodPW, netip.MustParseAddr("203.0.113.5"))
		require.ErrorIs(t, err, rbac.ErrAddressNotAllowed)

		// Each change is in the log, with the lists before and after.
		chs := e.changesOf(rbac.OpSignInPolicy)
		require.Len(t, chs, 3)
		assert.JSONEq(t, `{"networks":["203.0.113.0/24","2001:db8::/32"]}`, string(chs[2].Before))
		assert.JSONEq(t, `{}`, string(chs[2].After))
		assert.Equal(t, []rbac.StaffID{kate.ID}, chs[1].Effect.Control, "a department's list: control of its members")
	})
}

// TestSignInPolicyAuthorization: changing who can sign in as an account is
// control of it (staff:edit or departments:edit and every permission of
// every account concerned), never of one's own; bad input names the field.
func TestSignInPolicyAuthorization(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, _, _ := newSecurityEnv(t, b, rbac.SignInOptions{})
		ops := e.dept("Ops", pStaffEdit, pDeptEdit)
		billing := e.dept("Billing", pInvoicesView, pPayments)
		olga := e.person("olga", goodPW, ops)
		kate := e.person("kate", goodPW, billing)
		lists := rbac.SignInPolicy{Networks: prefixes(t, "10.0.0.0/8")}

		err := e.svc.SetSignInPolicy(e.ctx, olga.ID, rbac.DepartmentSubject(billing), lists)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied, "kate, a member, holds what olga does not")
		err = e.svc.SetSignInPolicy(e.ctx, olga.ID, rbac.StaffSubject(kate.ID), lists)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		err = e.svc.SetSignInPolicy(e.ctx, olga.ID, rbac.StaffSubject(e.admin), lists)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		err = e.svc.SetSignInPolicy(e.ctx, olga.ID, rbac.DepartmentSubject(ops), lists)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied, "her own department")
		err = e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.StaffSubject(e.admin), lists)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied, "her own")
		assert.Empty(t, e.changesOf(rbac.OpSignInPolicy))

		// Taking kate out of a department with a policy lifts it for her:
		// control too, so olga may not while kate keeps (through Cash)
		// what olga does not hold; deleting the department neither.
		cash := e.dept("Cash", pPayments)
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, kate.ID, cash))
		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.DepartmentSubject(billing), lists))
		require.NoError(t, e.svc.Grant(e.ctx, e.admin, olga.ID, rbac.Perm(rbac.FuncDepartments, rbac.ActDelete), pInvoicesView))
		v := e.svc.Version()
		err = e.svc.RemoveFromDepartment(e.ctx, olga.ID, kate.ID, billing)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		var de *rbac.DeniedError
		require.ErrorAs(t, err, &de)
		assert.True(t, de.Control)
		// Remote holds only what olga holds: deleting it is refused for
		// control of kate alone.
		remote := e.dept("Remote", pInvoicesView)
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, kate.ID, remote))
		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.DepartmentSubject(remote), lists))
		v = e.svc.Version()
		err = e.svc.DeleteDepartment(e.ctx, olga.ID, remote)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		require.ErrorAs(t, err, &de)
		assert.True(t, de.Control, "%v", err)
		assert.Equal(t, v, e.svc.Version())
		require.NoError(t, e.svc.DeleteDepartment(e.ctx, e.admin, remote))
		require.NoError(t, e.svc.RemoveFromDepartment(e.ctx, e.admin, kate.ID, cash))
		require.NoError(t, e.svc.RemoveFromDepartment(e.ctx, olga.ID, kate.ID, billing), "kate keeps nothing olga lacks")
		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.DepartmentSubject(billing), rbac.SignInPolicy{}))

		err = e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.StaffSubject(kate.ID), rbac.SignInPolicy{Networks: []netip.Prefix{{}}})
		assert.Equal(t, []string{"networks[0]/format"}, fieldRules(t, err))
		err = e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.Subject{}, lists)
		assert.Equal(t, []string{"subject/required"}, fieldRules(t, err))
		err = e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.StaffSubject(9999), lists)
		require.ErrorIs(t, err, rbac.ErrNotFound)

		// Canonical form: masked, IPv4-mapped as IPv4, sorted, unique.
		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.StaffSubject(kate.ID),
			rbac.SignInPolicy{Networks: prefixes(t, "::ffff:10.1.2.3/104", "10.1.2.3/8", "2001:db8::1/32")}))
		got, err := e.svc.SignInPolicyOf(e.ctx, rbac.StaffSubject(kate.ID))
		require.NoError(t, err)
		assert.Equal(t, prefixes(t, "10.0.0.0/8", "2001:db8::/32"), got.Networks)
	})
}

// TestDepartmentRequiresSecondFactor: a department's policy makes its
// members' sign-in ask for a second factor; a member who has none gets
// the step with Enrolled false, enrols, and completes it with a later
// code.
func TestDepartmentRequiresSecondFactor(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk, _ := newSecurityEnv(t, b, rbac.SignInOptions{})
		billing := e.dept("Billing", pInvoicesView)
		kate := e.person("kate", goodPW, billing)
		require.NoError(t, e.svc.SetSignInPolicy(e.ctx, e.admin, rbac.DepartmentSubject(billing),
			rbac.SignInPolicy{RequireSecondFactor: true}))

		sf := challengeOf(t, e.svc, "kate")
		assert.False(t, sf.Enrolled)
		_, err := e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, "123456")
		require.ErrorIs(t, err, rbac.ErrBadSecondFactor, "nothing enrolled: no code works")

		secret, _ := e.enrolled(clk, kate.ID)
		clk.set(clk.now().Add(30e9))
		got, err := e.svc.AuthenticateSecondFactor(e.ctx, sf.Challenge, codeAt(t, secret, clk.now()))
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)

		// Others are not asked.
		e.person("sam", goodPW)
		_, err = e.svc.Authenticate(e.ctx, "sam", goodPW)
		require.NoError(t, err)
	})
}
