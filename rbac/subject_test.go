package rbac_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func subj(s string) *rbac.ExternalSubject { x := rbac.ExternalSubject(s); return &x }

// A staff member carries the application's name for them: set at
// creation or later, found by it exactly (case-sensitive), unique among
// staff, removable; bad subjects are refused naming the field.
func TestStaffSubject(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		kate, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "kate",
			FullName: rbac.Text(language.English, "Kate"), Subject: "auth0|5f7c8ec7c33c6c004bbafe82"})
		require.NoError(t, err)
		assert.Equal(t, rbac.ExternalSubject("auth0|5f7c8ec7c33c6c004bbafe82"), kate.Subject)

		got, err := e.svc.StaffBySubject(e.ctx, "auth0|5f7c8ec7c33c6c004bbafe82")
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)
		assert.Equal(t, kate.Subject, got.Subject)
		_, err = e.svc.StaffBySubject(e.ctx, "AUTH0|5F7C8EC7C33C6C004BBAFE82")
		require.ErrorIs(t, err, rbac.ErrNotFound, "compared exactly")

		// Unique: at creation and on update, as a field error and a conflict.
		_, err = e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "copy",
			FullName: rbac.Text(language.English, "C"), Subject: kate.Subject})
		require.ErrorIs(t, err, rbac.ErrConflict)
		requireField(t, err, "subject", "unique")
		bob := e.staff("bob")
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, bob, rbac.StaffUpdate{Subject: &kate.Subject})
		require.ErrorIs(t, err, rbac.ErrConflict)
		requireField(t, err, "subject", "unique")
		_, err = e.svc.StaffBySubject(e.ctx, "")
		require.ErrorIs(t, err, rbac.ErrInvalid)

		// Staff without a subject do not collide with each other.
		e.staff("carol")
		e.staff("dave")

		// Set, then moved from kate to bob, then removed.
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, bob, rbac.StaffUpdate{Subject: subj("1042")})
		require.NoError(t, err)
		got, err = e.svc.StaffBySubject(e.ctx, "1042")
		require.NoError(t, err)
		assert.Equal(t, bob, got.ID)
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, kate.ID, rbac.StaffUpdate{Subject: subj("")})
		require.NoError(t, err)
		_, err = e.svc.StaffBySubject(e.ctx, kate.Subject)
		require.ErrorIs(t, err, rbac.ErrNotFound)
		_, err = e.svc.UpdateStaff(e.ctx, e.admin, bob, rbac.StaffUpdate{Subject: &kate.Subject})
		require.NoError(t, err, "free again")
		st, err := e.svc.StaffMember(e.ctx, bob)
		require.NoError(t, err)
		assert.Equal(t, kate.Subject, st.Subject)

		// The change log records it like any profile field.
		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffUpdate})
		require.NoError(t, err)
		require.NotEmpty(t, chs)
		assert.Contains(t, string(chs[len(chs)-1].After), string(kate.Subject))

		for _, bad := range []struct{ in, rule string }{
			{"has space", "format"},
			{"tab\there", "format"},
			{"ünïcode", "format"},
			{strings.Repeat("x", rbac.MaxSubjectLen+1), "max_length"},
		} {
			_, err := e.svc.UpdateStaff(e.ctx, e.admin, bob, rbac.StaffUpdate{Subject: subj(bad.in)})
			requireField(t, err, "subject", bad.rule)
			_, err = e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: "badsub", FullName: rbac.Text(language.English, "B"), Subject: rbac.ExternalSubject(bad.in)})
			requireField(t, err, "subject", bad.rule)
			_, err = e.svc.StaffBySubject(e.ctx, rbac.ExternalSubject(bad.in))
			requireField(t, err, "subject", bad.rule)
		}
		_, err = rbac.ParseExternalSubject(strings.Repeat("x", rbac.MaxSubjectLen))
		require.NoError(t, err)
	})
}

// An SSO-only installation end to end: no password is taken, set or
// generated anywhere; the admin and every staff member sign in by
// subject; a disabled account is refused; password calls answer
// ErrPasswordsDisabled at once, without hashing.
func TestSSOOnly(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		dsn := testdb.DSN(t, b)
		st := testdb.Open(t, dsn)
		require.NoError(t, st.Migrate(t.Context()))
		ctx := t.Context()
		svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{SSOOnly: true, HashParams: fastHash}})
		require.NoError(t, err)
		t.Cleanup(func() { _ = svc.Close() })
		hashes := observe(svc)

		_, err = svc.Bootstrap(ctx, rbac.BootstrapOptions{})
		requireField(t, err, "admin_subject", "required")
		_, err = svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminSubject: "oidc-admin", AdminPassword: goodPW})
		require.ErrorIs(t, err, rbac.ErrPasswordsDisabled)
		boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{AdminSubject: "oidc-admin"})
		require.NoError(t, err)
		require.True(t, boot.Created)
		assert.Empty(t, boot.AdminPassword, "no password generated")
		_, h, err := st.PasswordHash(ctx, "admin")
		require.NoError(t, err)
		assert.Empty(t, h, "no password stored")

		admin, err := svc.AuthenticateSubject(ctx, "oidc-admin")
		require.NoError(t, err)
		assert.Equal(t, boot.Admin.ID, admin.ID)
		assert.True(t, admin.FullAccess)

		_, err = svc.CreateStaff(ctx, admin.ID, rbac.NewStaff{Login: "kate", FullName: rbac.Text(language.English, "Kate"), Password: goodPW})
		require.ErrorIs(t, err, rbac.ErrPasswordsDisabled)
		kate, err := svc.CreateStaff(ctx, admin.ID, rbac.NewStaff{Login: "kate", FullName: rbac.Text(language.English, "Kate"),
			Subject: "oidc-kate", Departments: []rbac.DepartmentID{boot.Sales.ID}})
		require.NoError(t, err)
		got, err := svc.AuthenticateSubject(ctx, "oidc-kate")
		require.NoError(t, err)
		assert.Equal(t, kate.ID, got.ID)
		assert.Equal(t, []rbac.DepartmentID{boot.Sales.ID}, got.Departments)

		_, err = svc.Authenticate(ctx, "kate", goodPW)
		require.ErrorIs(t, err, rbac.ErrPasswordsDisabled)
		_, err = svc.Authenticate(ctx, "nobody", goodPW)
		require.ErrorIs(t, err, rbac.ErrPasswordsDisabled, "the same answer for every login")
		_, err = svc.ResetPassword(ctx, admin.ID, kate.ID)
		require.ErrorIs(t, err, rbac.ErrPasswordsDisabled)
		require.ErrorIs(t, svc.ChangePassword(ctx, kate.ID, "", goodPW), rbac.ErrPasswordsDisabled)
		assert.Empty(t, hashes.take(), "no password work at all")

		_, err = svc.AuthenticateSubject(ctx, "oidc-nobody")
		require.ErrorIs(t, err, rbac.ErrNotFound)
		off := rbac.StatusDisabled
		_, err = svc.UpdateStaff(ctx, admin.ID, kate.ID, rbac.StaffUpdate{Status: &off})
		require.NoError(t, err)
		_, err = svc.AuthenticateSubject(ctx, "oidc-kate")
		require.ErrorIs(t, err, rbac.ErrAccountDisabled)
		who, err := svc.StaffBySubject(ctx, "oidc-kate")
		require.NoError(t, err, "the lookup itself finds disabled staff")
		assert.Equal(t, rbac.StatusDisabled, who.Status)

		// Every later start-up bootstraps again: it finds the admin, with
		// or without the subject given.
		for _, opts := range []rbac.BootstrapOptions{{AdminSubject: "oidc-admin"}, {}} {
			again, err := svc.Bootstrap(ctx, opts)
			require.NoError(t, err)
			assert.False(t, again.Created)
			assert.Equal(t, admin.ID, again.Admin.ID)
		}
	})
}

func TestSSOOnlyRefusesLegacyBcrypt(t *testing.T) {
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	_, err := rbac.New(t.Context(), st, rbac.Options{Accounts: rbac.AccountOptions{SSOOnly: true, LegacyBcryptCost: 10}})
	requireField(t, err, "legacy_bcrypt_cost", "sso_only")
}
