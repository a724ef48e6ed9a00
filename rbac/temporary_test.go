package rbac_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

// newTestClock returns an injectable clock (Options.Now, see
// schedule_test.go) set at t.
func newTestClock(t time.Time) *testClock {
	c := &testClock{}
	c.set(t)
	return c
}

// clockInstance opens another pool and Service on dsn with clock c.
func clockInstance(t *testing.T, dsn string, c *testClock) *rbac.Service {
	t.Helper()
	st := testdb.OpenWith(t, dsn, store.Options{ListenerName: uniqueName("tmp")})
	svc, err := rbac.New(context.Background(), st, rbac.Options{Now: c.now, Accounts: rbac.AccountOptions{HashParams: fastHash}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	return svc
}

var t0 = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// A temporary grant and a temporary membership are allowed one nanosecond
// before their end and denied at it, on an instance that wrote them and on
// one that only heard of them, without any further write; Explain,
// EffectivePermissions, WhoCan and IsMember follow the same instant.
func TestTemporaryEndsOnEveryInstance(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk := newClockEnv(t, b)
		clk.set(t0)
		other := clockInstance(t, e.dsn, clk)
		billing := e.dept("Billing", pPayments)
		ann := e.staff("ann")
		until := t0.Add(2 * time.Hour)

		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Until(until), pReports))
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, ann, billing, rbac.Until(until.Add(time.Hour))))
		v := e.svc.Version()
		require.NoError(t, other.Sync(e.ctx))
		waitFor(t, other, v)
		late := clockInstance(t, e.dsn, clk) // loaded from the database

		for name, svc := range map[string]*rbac.Service{"writer": e.svc, "listener": other, "loaded": late} {
			clk.set(until.Add(-time.Nanosecond))
			assert.True(t, svc.Can(ann, pReports), "%s: reports 1ns before its end", name)
			assert.True(t, svc.Can(ann, pPayments), "%s: payments through the temporary membership", name)
			d := svc.Explain(ann, pReports)
			require.Equal(t, []rbac.Source{{Kind: rbac.SourceDirect, Until: until}}, d.Sources, name)
			assert.Contains(t, d.String(), "direct grant until "+until.Format(time.RFC3339Nano))
			assert.Equal(t, []rbac.StaffID{e.admin, ann}, ids(slices.Collect(svc.WhoCan(pReports).All())), name)
			assert.Equal(t, 2, svc.WhoCanCount(pReports), name)
			assert.Equal(t, []rbac.StaffID{e.admin, ann}, slices.Collect(svc.WhoCanIDs(pReports)), name)
			assert.Equal(t, []rbac.StaffID{ann}, ids(svc.WhoCanPage(pReports, e.admin, 5)), name)
			assert.True(t, svc.IsMember(ann, billing), name)
			eff := svc.EffectivePermissions(ann)
			require.Len(t, eff, 2, name)

			clk.set(until)
			assert.False(t, svc.Can(ann, pReports), "%s: reports at its end", name)
			assert.NoError(t, svc.Check(ann, pPayments), "%s: the membership lasts an hour more", name)
			assert.Equal(t, []rbac.StaffID{e.admin}, ids(slices.Collect(svc.WhoCan(pReports).All())), name)
			assert.Equal(t, 1, svc.WhoCanCount(pReports), name)
			assert.Len(t, svc.EffectivePermissions(ann), 1, name)
			assert.False(t, svc.Explain(ann, pReports).Allowed, name)

			clk.set(until.Add(time.Hour))
			assert.False(t, svc.Can(ann, pPayments), "%s: payments at the membership's end", name)
			assert.False(t, svc.IsMember(ann, billing), name)
			assert.Empty(t, svc.MemberDepartments(ann), name)
			assert.Empty(t, svc.EffectivePermissions(ann), name)
			assert.Equal(t, v, svc.Version(), "%s: nothing was written", name)
		}
	})
}

func ids(hs []rbac.Holder) []rbac.StaffID {
	var out []rbac.StaffID
	for _, h := range hs {
		out = append(out, h.Staff)
	}
	return out
}

// A window that has not started denies; it allows from its start.
func TestTemporaryNotYetStarted(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk := newClockEnv(t, b)
		clk.set(t0)
		ann := e.staff("ann")
		w := rbac.Window{From: t0.Add(time.Hour), Until: t0.Add(2 * time.Hour)}
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, w, pReports))
		e.can(ann, pReports, false)
		assert.Empty(t, e.svc.EffectivePermissions(ann))
		clk.set(w.From.Add(-time.Nanosecond))
		e.can(ann, pReports, false)
		clk.set(w.From)
		e.can(ann, pReports, true)
		assert.Equal(t, []rbac.Source{{Kind: rbac.SourceDirect, Until: w.Until}}, e.svc.Explain(ann, pReports).Sources)
		clk.set(w.Until)
		e.can(ann, pReports, false)
	})
}

// The change log records the window; granting again replaces it, Grant
// makes the grant permanent, Revoke takes it, and deleting the staff
// member removes temporary rules with the rest.
func TestTemporaryChangesAndReplacement(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk := newClockEnv(t, b)
		clk.set(t0)
		sales := e.dept("Sales ops", pInvoicesView)
		ann := e.staff("ann")
		w := rbac.Until(t0.Add(time.Hour))
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, w, pReports))
		last := func() rbac.Change {
			chs, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{AfterVersion: e.svc.Version() - 1})
			require.NoError(t, err)
			require.Len(t, chs, 1)
			return chs[0]
		}
		want := rbac.GrantRule(rbac.StaffSubject(ann), pReports).Within(w)
		require.Equal(t, []rbac.Rule{want}, last().Policy.Add)
		assert.Equal(t, []rbac.Permission{pReports}, last().Effect.Staff[0].Gained)

		// Same window: nothing to do.
		v := e.svc.Version()
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, w, pReports))
		assert.Equal(t, v, e.svc.Version())

		// A longer window replaces the first.
		w2 := rbac.Until(t0.Add(3 * time.Hour))
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, w2, pReports))
		ch := last()
		assert.Equal(t, []rbac.Rule{want}, ch.Policy.Remove)
		assert.Equal(t, []rbac.Rule{rbac.GrantRule(rbac.StaffSubject(ann), pReports).Within(w2)}, ch.Policy.Add)
		clk.set(t0.Add(2 * time.Hour))
		e.can(ann, pReports, true)

		// Grant makes it permanent.
		require.NoError(t, e.svc.Grant(e.ctx, e.admin, ann, pReports))
		clk.set(t0.Add(4 * time.Hour))
		e.can(ann, pReports, true)
		assert.Equal(t, []rbac.Source{{Kind: rbac.SourceDirect}}, e.svc.Explain(ann, pReports).Sources)

		// A temporary membership over a permanent one, then Revoke and
		// delete with temporary rules in place.
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, ann, sales))
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, ann, sales, rbac.Until(t0.Add(5*time.Hour))))
		e.can(ann, pInvoicesView, true)
		clk.set(t0.Add(5 * time.Hour))
		e.can(ann, pInvoicesView, false)
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Until(t0.Add(6*time.Hour)), pReports))
		require.NoError(t, e.svc.Revoke(e.ctx, e.admin, ann, pReports))
		e.can(ann, pReports, false)
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Until(t0.Add(6*time.Hour)), pReports))
		require.NoError(t, e.svc.DeleteStaff(e.ctx, e.admin, ann))
		e.can(ann, pReports, false)
		rules, _, err := e.st.LoadPolicy(e.ctx)
		require.NoError(t, err)
		for _, r := range rules {
			assert.NotEqual(t, ann, r.Subject.Staff, "rule %s left after deleting ann", r)
		}

		// The whole history replays on a fresh instance.
		fresh := clockInstance(t, e.dsn, clk)
		assert.Equal(t, e.svc.Version(), fresh.Version())
	})
}

// A temporary gain is a gain: the effect check refuses an actor who does
// not hold what a temporary membership gives, also when it only extends
// one that has ended (and is still in the policy), or starts later.
func TestTemporaryGainIsAGain(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk := newClockEnv(t, b)
		clk.set(t0)
		billing := e.dept("Billing", pPayments)
		hr := e.dept("HR", pStaffEdit, pDeptEdit)
		bob := e.staff("bob", hr) // may edit staff, lacks payments
		ann := e.staff("ann")
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, ann, billing, rbac.Until(t0.Add(time.Hour))))
		clk.set(t0.Add(2 * time.Hour)) // ended, not swept

		for name, w := range map[string]rbac.Window{
			"extend": rbac.Until(t0.Add(3 * time.Hour)),
			"later":  {From: t0.Add(10 * time.Hour), Until: t0.Add(11 * time.Hour)},
		} {
			err := e.svc.AddToDepartment(e.ctx, bob, ann, billing, w)
			var de *rbac.DeniedError
			require.ErrorAs(t, err, &de, name)
			assert.Equal(t, pPayments, de.Missing, name)
		}
		err := e.svc.GrantTemporary(e.ctx, bob, ann, rbac.Until(t0.Add(3*time.Hour)), pPayments)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		e.can(ann, pPayments, false)

		// A department change reaches temporary members: giving Billing a
		// permission gives it to ann while her membership counts.
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, ann, billing, rbac.Until(t0.Add(3*time.Hour))))
		carl := e.staff("carl", hr)
		require.NoError(t, e.svc.Grant(e.ctx, e.admin, carl, pPayments))
		err = e.svc.EnablePermissions(e.ctx, carl, billing, pReports)
		var de *rbac.DeniedError
		require.ErrorAs(t, err, &de)
		assert.Equal(t, pReports, de.Missing)
	})
}

// Bad windows are refused before anything is written, naming the field
// and the rule.
func TestTemporaryValidation(t *testing.T) {
	e, clk := newClockEnv(t, testdb.SQLite)
	clk.set(t0)
	ann := e.staff("ann")
	d := e.dept("D", pReports)
	v := e.svc.Version()
	for name, tc := range map[string]struct {
		call func() error
		rule string
	}{
		"no end": {func() error { return e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Window{From: t0}, pReports) }, "required"},
		"past":   {func() error { return e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Until(t0), pReports) }, "future"},
		"reversed": {func() error {
			return e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Window{From: t0.Add(2 * time.Hour), Until: t0.Add(time.Hour)}, pReports)
		}, "after_from"},
		"beyond 2262": {func() error {
			return e.svc.AddToDepartment(e.ctx, e.admin, ann, d, rbac.Until(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)))
		}, "range"},
		"membership in the past": {func() error { return e.svc.AddToDepartment(e.ctx, e.admin, ann, d, rbac.Until(t0.Add(-1))) }, "future"},
		"two windows": {func() error {
			return e.svc.AddToDepartment(e.ctx, e.admin, ann, d, rbac.Until(t0.Add(time.Hour)), rbac.Until(t0.Add(2*time.Hour)))
		}, "max_count"},
	} {
		err := tc.call()
		var ve *rbac.ValidationError
		require.ErrorAs(t, err, &ve, name)
		require.ErrorIs(t, err, rbac.ErrInvalid, name)
		require.Len(t, ve.Fields, 1, name)
		assert.True(t, strings.HasPrefix(ve.Fields[0].Field, "window"), name)
		assert.Equal(t, tc.rule, ve.Fields[0].Rule, name)
	}
	assert.Equal(t, v, e.svc.Version(), "nothing written")
	require.ErrorIs(t, e.svc.Check(ann, pReports), rbac.ErrPermissionDenied)
}

// ExampleService_GrantTemporary gives a permission for two hours.
func ExampleService_GrantTemporary() {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	clock := newTestClock(now)
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		panic(err)
	}
	if err := st.Migrate(ctx); err != nil {
		panic(err)
	}
	svc, err := rbac.New(ctx, st, rbac.Options{Now: clock.now})
	if err != nil {
		panic(err)
	}
	defer svc.Close()
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	if err != nil {
		panic(err)
	}
	ann, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: "ann", FullName: rbac.Text(language.English, "Ann")})
	if err != nil {
		panic(err)
	}
	reports := rbac.Perm(rbac.FuncReports, rbac.ActView)
	if err := svc.GrantTemporary(ctx, boot.Admin.ID, ann.ID, rbac.Until(now.Add(2*time.Hour)), reports); err != nil {
		panic(err)
	}
	fmt.Println(svc.Explain(ann.ID, reports).Sources[0])
	clock.set(now.Add(2 * time.Hour)) // no write, no sweeper
	fmt.Println(svc.Can(ann.ID, reports))
	// Output:
	// direct grant until 2026-12-01T11:00:00Z
	// false
}

// agreementClock drives runAgreementWith's temporary rules: windows with
// edges among a few instants after start, checked at each edge and one
// nanosecond either side of it.
type agreementClock struct {
	start time.Time
	clk   *testClock
	edges []time.Time
}

func newAgreementClock() *agreementClock {
	c := &agreementClock{start: t0}
	for i := 1; i <= 3; i++ {
		c.edges = append(c.edges, t0.Add(time.Duration(i)*time.Hour))
	}
	return c
}

func (c *agreementClock) window(rng *rand.Rand) rbac.Window {
	i := rng.IntN(len(c.edges))
	w := rbac.Until(c.edges[i])
	if i > 0 && rng.IntN(2) == 0 {
		w.From = c.edges[rng.IntN(i)]
	}
	return w
}

// agree compares e's decisions with Casbin at every instant of interest,
// then puts the clock back at the start (where every window is open or
// pending, so the next change may give any of them).
func (c *agreementClock) agree(t *testing.T, e *env, staff []rbac.StaffID, perms []rbac.Permission) {
	t.Helper()
	rules, _, err := e.st.LoadPolicy(e.ctx)
	require.NoError(t, err)
	instants := []time.Time{c.start}
	for _, edge := range c.edges {
		instants = append(instants, edge.Add(-time.Nanosecond), edge, edge.Add(time.Nanosecond))
	}
	for _, at := range instants {
		c.clk.set(at)
		ce, err := policy.NewEnforcer(policy.At(rules, at))
		require.NoError(t, err)
		agree(t, e.svc, ce, staff, perms)
	}
	// After every window, Casbin over casbin_rule (which never holds a
	// temporary rule) is the reference too.
	agree(t, e.svc, storedEnforcer(t, e.st), staff, perms)
	c.clk.set(c.start)
}

// TestTemporaryAgreementWithCasbin is TestAgreementWithCasbin with
// temporary grants and memberships: at every instant around the windows'
// edges the index decides as Casbin over the rules counting then.
func TestTemporaryAgreementWithCasbin(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		seeds := []uint64{11, 12}
		steps := 40
		if testing.Short() {
			seeds, steps = seeds[:1], 20
		}
		for _, seed := range seeds {
			t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
				runAgreementWith(t, b, seed, steps, newAgreementClock())
			})
		}
	})
}

// Saving a staff member's whole set of departments and grants (as the
// admin screens do) keeps the windows of the temporary ones it lists and
// drops those it does not.
func TestTemporaryKeptBySetUpdate(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e, clk := newClockEnv(t, b)
		clk.set(t0)
		billing, hr := e.dept("Billing", pPayments), e.dept("HR", pTickets)
		ann := e.staff("ann")
		end := t0.Add(time.Hour)
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Until(end), pReports))
		require.NoError(t, e.svc.GrantTemporary(e.ctx, e.admin, ann, rbac.Until(end), pInvoicesView))
		require.NoError(t, e.svc.AddToDepartment(e.ctx, e.admin, ann, billing, rbac.Until(end)))
		depts, grants := []rbac.DepartmentID{billing, hr}, []rbac.Permission{pReports}
		_, err := e.svc.UpdateStaff(e.ctx, e.admin, ann, rbac.StaffUpdate{Departments: &depts, Grants: &grants})
		require.NoError(t, err)
		e.can(ann, pReports, true)
		e.can(ann, pInvoicesView, false) // not listed: revoked
		e.can(ann, pPayments, true)
		e.can(ann, pTickets, true) // HR is new, permanent
		clk.set(end)
		e.can(ann, pReports, false)
		e.can(ann, pPayments, false)
		e.can(ann, pTickets, true)
	})
}
