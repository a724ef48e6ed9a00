package rbac_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// importPassword is the password behind the imported hashes.
const importPassword = "imported secret"

// importEnv is an installation that accepts bcrypt hashes up to cost 5.
func importEnv(t *testing.T, b testdb.Backend) *env {
	return newAccountEnv(t, b, rbac.AccountOptions{LegacyBcryptCost: 5})
}

var importPerms = []rbac.Permission{pInvoicesSend, pInvoicesView, pReports, pSettingsEdit, pTickets, pServicesView, pPayments}

// importDoc generates a document of depts departments and n staff
// members in 1-3 departments each (some of them existing: those named in
// existing), with direct grants, flags and every kind of password.
func importDoc(t *testing.T, e *env, seed uint64, depts, n int, existing ...string) rbac.ImportDocument {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 17))
	lang := e.svc.DefaultLanguage()
	argon, err := rbac.HashPassword(importPassword, fastHash)
	require.NoError(t, err)
	legacy := bcryptHash(t, importPassword, 4, "$2y$")
	var doc rbac.ImportDocument
	names := slices.Clone(existing)
	for i := range depts {
		var ps []rbac.Permission
		for _, p := range importPerms {
			if rng.IntN(3) == 0 {
				ps = append(ps, p)
			}
		}
		name := fmt.Sprintf("Imported %d", i)
		names = append(names, name)
		doc.Departments = append(doc.Departments, rbac.ImportDepartment{Name: rbac.Text(lang, name), Permissions: ps})
	}
	for i := range n {
		st := rbac.ImportStaff{Login: fmt.Sprintf("imp%04d", i), FullName: rbac.Text(lang, fmt.Sprintf("Imported %d", i)),
			Email: fmt.Sprintf("imp%d@example.com", i)}
		for _, j := range rng.Perm(len(names))[:1+rng.IntN(3)] {
			st.Departments = append(st.Departments, names[j])
		}
		if rng.IntN(5) == 0 {
			st.Grants = []rbac.Permission{importPerms[rng.IntN(len(importPerms))]}
		}
		switch rng.IntN(4) {
		case 0:
			st.PasswordHash = argon
		case 1:
			st.PasswordHash = legacy
		case 2:
			st.Password = "Correct-Horse-Battery-Staple!"
		}
		st.FullAccess = rng.IntN(40) == 0
		if rng.IntN(20) == 0 {
			st.Status = rbac.StatusDisabled
		}
		doc.Staff = append(doc.Staff, st)
	}
	return doc
}

// importedIDs returns the IDs of the document's staff that exist, by
// login order.
func importedIDs(t *testing.T, e *env, doc rbac.ImportDocument) []rbac.StaffID {
	t.Helper()
	var out []rbac.StaffID
	for _, s := range doc.Staff {
		st, err := e.st.StaffByLogin(e.ctx, s.Login)
		if errors.Is(err, rbac.ErrNotFound) {
			continue
		}
		require.NoError(t, err)
		out = append(out, st.ID)
	}
	return out
}

// TestImport: a document in batches, one change per batch with its
// effect; the decisions agree with Casbin on the stored policy, on this
// instance and on a new one; hashes are kept as given; a second run
// changes nothing.
func TestImport(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := importEnv(t, b)
		sales := e.boot.Sales.Name.In(e.svc.DefaultLanguage())
		doc := importDoc(t, e, 1, 5, 250, sales)
		doc.Staff[7].Password, doc.Staff[7].PasswordHash = "", ""
		var calls [][2]int
		v0 := e.svc.Version()
		res, err := e.svc.Import(e.ctx, e.admin, doc, rbac.ImportOptions{BatchSize: 100, GeneratePasswords: true,
			Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
		require.NoError(t, err)
		assert.Equal(t, 5, res.Departments)
		assert.Equal(t, 250, res.Staff)
		assert.Zero(t, res.Skipped)
		assert.Equal(t, [][2]int{{5, 255}, {105, 255}, {205, 255}, {255, 255}}, calls)
		require.Equal(t, []int64{v0 + 1, v0 + 2, v0 + 3, v0 + 4}, res.Versions)
		assert.Equal(t, v0+4, e.svc.Version())

		changes, err := e.st.Changes(e.ctx, rbac.ChangeQuery{AfterVersion: v0})
		require.NoError(t, err)
		require.Len(t, changes, 4)
		for i, c := range changes {
			assert.Equal(t, rbac.OpImport, c.Op)
			assert.Equal(t, e.admin, c.Actor)
			// New departments move nobody's access; each staff batch does.
			assert.Equal(t, i == 0, c.Effect.Empty(), "version %d", c.Version)
		}
		assert.Len(t, changes[1].Effect.Control, 100) // every account created

		ids := importedIDs(t, e, doc)
		require.Len(t, ids, 250)
		for i, s := range doc.Staff {
			_, hash, err := e.st.PasswordHash(e.ctx, s.Login)
			require.NoError(t, err)
			switch {
			case s.PasswordHash != "":
				assert.Equal(t, s.PasswordHash, hash, s.Login)
				if i < 40 && s.Status == rbac.StatusActive { // kept hashes sign in (bcrypt ones are re-made)
					_, err := e.svc.Authenticate(e.ctx, s.Login, importPassword)
					assert.NoError(t, err, "%s with %.4s", s.Login, s.PasswordHash)
				}
			default: // a clear or generated password, hashed at import
				assert.True(t, strings.HasPrefix(hash, "$argon2id$"), "%s: %q", s.Login, hash)
				assert.NotEqual(t, s.Password != "", slices.ContainsFunc(res.Passwords, func(g rbac.GeneratedPassword) bool { return g.Login == s.Login }), s.Login)
			}
			assert.Equal(t, s.FullAccess, e.svc.IsFullAccess(ids[i]) || (s.FullAccess && s.Status == rbac.StatusDisabled))
			assert.Len(t, e.svc.MemberDepartments(ids[i]), len(s.Departments), s.Login)
		}
		var gen []string
		for _, g := range res.Passwords {
			gen = append(gen, g.Login)
		}
		assert.Contains(t, gen, doc.Staff[7].Login)
		for _, g := range res.Passwords {
			if g.Login == doc.Staff[7].Login {
				_, err := e.svc.Authenticate(e.ctx, g.Login, g.Password)
				assert.NoError(t, err, "a generated password signs in")
			}
		}

		all := append([]rbac.StaffID{e.admin}, ids...)
		agree(t, e.svc, storedEnforcer(t, e.st), all, importPerms)
		fresh, err := rbac.New(e.ctx, e.st, rbac.Options{})
		require.NoError(t, err)
		defer fresh.Close()
		agree(t, fresh, storedEnforcer(t, e.st), all, importPerms)

		v1 := e.svc.Version() // the bcrypt sign-ins recorded their rehash
		again, err := e.svc.Import(e.ctx, e.admin, doc, rbac.ImportOptions{BatchSize: 100})
		require.NoError(t, err)
		assert.Equal(t, rbac.ImportResult{Skipped: 255}, again)
		assert.Equal(t, v1, e.svc.Version(), "a second run records nothing")
	})
}

// failAfterLogin makes the first statement whose SQL contains match fail
// once a statement binding login has run.
func failAfterLogin(t *testing.T, db *gorm.DB, login, match string) {
	var armed, fired atomic.Bool
	testdb.SetFault(t, db, func(db *gorm.DB) {
		if armed.Load() && strings.Contains(db.Statement.SQL.String(), match) && !fired.Swap(true) {
			_ = db.AddError(errInjected)
		}
		if slices.Contains(db.Statement.Vars, any(login)) {
			armed.Store(true)
		}
	})
}

// TestImportAllOrNothingAndResume: a failure in the middle of a batch
// (its staff rows written, its rules not) keeps nothing of that batch and
// everything of the batches before it, in the database and in the
// decisions; importing the same document again completes it, and the
// result is the installation a clean import gives.
func TestImportAllOrNothingAndResume(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := importEnv(t, b)
		doc := importDoc(t, e, 2, 4, 300)
		before := capture(t, e, nil)
		// Batch 0 holds the departments, batch 1 staff 0-99, batch 2
		// staff 100-199: it fails on its rules, after its staff rows.
		failAfterLogin(t, e.st.DB(), doc.Staff[150].Login, "INSERT INTO billingrbac_casbin_rule")
		_, err := e.svc.Import(e.ctx, e.admin, doc, rbac.ImportOptions{BatchSize: 100})
		require.ErrorIs(t, err, errInjected)
		var ie *rbac.ImportError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, 2, ie.Batch)
		assert.Equal(t, 4+100, ie.Done)
		testdb.SetFault(t, e.st.DB(), nil)

		after := capture(t, e, nil)
		assert.Equal(t, before.depts+4, after.depts)
		assert.Equal(t, before.staff+100, after.staff, "batch 1 stays, nothing of batch 2")
		assert.Equal(t, before.changes+2, after.changes)
		assert.Equal(t, before.version+2, after.version)
		assert.Equal(t, before.version+2, e.svc.Version())
		stored := importedIDs(t, e, doc)
		require.Len(t, stored, 100)
		for _, s := range doc.Staff[100:200] {
			_, err := e.st.StaffByLogin(e.ctx, s.Login)
			assert.ErrorIs(t, err, rbac.ErrNotFound, "%s of the failed batch", s.Login)
		}
		agree(t, e.svc, storedEnforcer(t, e.st), append([]rbac.StaffID{e.admin}, stored...), importPerms)

		res, err := e.svc.Import(e.ctx, e.admin, doc, rbac.ImportOptions{BatchSize: 100})
		require.NoError(t, err)
		assert.Equal(t, 0, res.Departments)
		assert.Equal(t, 200, res.Staff)
		assert.Equal(t, 104, res.Skipped)
		ids := importedIDs(t, e, doc)
		require.Len(t, ids, 300)
		agree(t, e.svc, storedEnforcer(t, e.st), append([]rbac.StaffID{e.admin}, ids...), importPerms)

		clean := importEnv(t, b)
		_, err = clean.svc.Import(clean.ctx, clean.admin, importDoc(t, clean, 2, 4, 300), rbac.ImportOptions{BatchSize: 100})
		require.NoError(t, err)
		cleanIDs := importedIDs(t, clean, doc)
		for i := range ids {
			for _, p := range importPerms {
				require.Equal(t, clean.svc.Can(cleanIDs[i], p), e.svc.Can(ids[i], p), "%s %s", doc.Staff[i].Login, p)
			}
		}
	})
}

// TestImportRefused: an actor who lacks what the document gives is
// refused before anything is hashed or stored; so is an actor without
// staff:add, and a full-access account by a non-full-access actor.
func TestImportRefused(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		hr := e.dept("HR", pStaffAdd, pStaffEdit, pInvoicesView)
		clerk := e.staff("clerk", hr)
		var hashes atomic.Int64
		e.svc.ObserveHashesForTest(func(rbac.HashParams) { hashes.Add(1) })
		lang := e.svc.DefaultLanguage()
		staff := func(login string) rbac.ImportStaff {
			return rbac.ImportStaff{Login: login, FullName: rbac.Text(lang, login), Password: "Correct-Horse-Battery-7!", Departments: []string{"HR"}}
		}
		cases := map[string]struct {
			actor rbac.StaffID
			doc   rbac.ImportDocument
		}{
			"a department's permission it lacks": {clerk, rbac.ImportDocument{
				Departments: []rbac.ImportDepartment{{Name: rbac.Text(lang, "Money"), Permissions: []rbac.Permission{pPayments}}}}},
			"a grant it lacks": {clerk, rbac.ImportDocument{Staff: []rbac.ImportStaff{
				staff("impa1"), func() rbac.ImportStaff { s := staff("impa2"); s.Grants = []rbac.Permission{pReports}; return s }()}}},
			"an existing department it lacks": {clerk, rbac.ImportDocument{Staff: []rbac.ImportStaff{
				func() rbac.ImportStaff {
					s := staff("impa3")
					s.Departments = []string{e.boot.Support.Name.In(lang)}
					return s
				}()}}},
			"full access": {clerk, rbac.ImportDocument{Staff: []rbac.ImportStaff{
				func() rbac.ImportStaff { s := staff("impa4"); s.FullAccess = true; return s }()}}},
			"no staff:add": {e.staff("nobody"), rbac.ImportDocument{Staff: []rbac.ImportStaff{staff("impa5")}}},
			"the system":   {rbac.SystemActor, rbac.ImportDocument{Staff: []rbac.ImportStaff{staff("impa6")}}},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				before := capture(t, e, nil)
				_, err := e.svc.Import(e.ctx, c.actor, c.doc, rbac.ImportOptions{})
				require.ErrorIs(t, err, rbac.ErrPermissionDenied)
				var ie *rbac.ImportError
				assert.False(t, errors.As(err, &ie), "refused before the first batch")
				assert.True(t, before.equal(capture(t, e, nil)), "nothing stored")
				assert.Zero(t, hashes.Load(), "nothing hashed")
			})
		}
		// What the clerk holds, it may give.
		res, err := e.svc.Import(e.ctx, clerk, rbac.ImportDocument{Staff: []rbac.ImportStaff{staff("impok1")}}, rbac.ImportOptions{})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Staff)
	})
}

// TestImportValidation: every bad record is reported at once, named by
// its place in the document, before anything is stored.
func TestImportValidation(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	lang := e.svc.DefaultLanguage()
	doc := rbac.ImportDocument{
		Departments: []rbac.ImportDepartment{
			{Name: rbac.Text(lang, "Ops")},
			{Name: rbac.Text(lang, "ops"), Permissions: []rbac.Permission{rbac.Perm("nope", "x")}},
		},
		Staff: []rbac.ImportStaff{
			{Login: "good", FullName: rbac.Text(lang, "Good"), Departments: []string{"Ops"}},
			{Login: "1bad", FullName: rbac.Text(lang, "Bad")},
			{Login: "good", FullName: rbac.Text(lang, "Twice")},
			{Login: "lost", FullName: rbac.Text(lang, "Lost"), Departments: []string{"Nowhere"}},
			{Login: "hashy", FullName: rbac.Text(lang, "Hashy"), PasswordHash: "$1$md5$notsupported"},
			{Login: "both", FullName: rbac.Text(lang, "Both"), PasswordHash: bcryptHash(t, "x", 4, "$2b$"), Password: "x"},
			{Login: "legacy", FullName: rbac.Text(lang, "Legacy"), PasswordHash: bcryptHash(t, "x", 4, "$2b$")},
		},
	}
	before := capture(t, e, nil)
	_, err := e.svc.Import(e.ctx, e.admin, doc, rbac.ImportOptions{BatchSize: MaxBatchPlusOne})
	require.ErrorIs(t, err, rbac.ErrInvalid)
	var ve *rbac.ValidationError
	require.ErrorAs(t, err, &ve)
	fields := map[string]string{}
	for _, f := range ve.Fields {
		if _, ok := fields[f.Field]; !ok {
			fields[f.Field] = f.Rule
		}
	}
	for field, rule := range map[string]string{
		"batch_size":                    "range",
		"departments[1].name":           "unique",
		"departments[1].permissions[0]": "unknown",
		"staff[1].login":                "format",
		"staff[2].login":                "unique",
		"staff[3].departments[0]":       "reference",
		"staff[4].password_hash":        "format",
		"staff[5].password_hash":        "exclusive",
	} {
		assert.Equal(t, rule, fields[field], field)
	}
	assert.NotContains(t, fields, "staff[0].login")
	assert.True(t, before.equal(capture(t, e, nil)))

	// Clear passwords are checked against the policy once the rest holds
	// and the actor may import (the strength estimate is the costly part).
	_, err = e.svc.Import(e.ctx, e.admin, rbac.ImportDocument{Staff: []rbac.ImportStaff{
		{Login: "fine", FullName: rbac.Text(lang, "Fine")},
		{Login: "weak", FullName: rbac.Text(lang, "Weak"), Password: "123"}}}, rbac.ImportOptions{})
	require.ErrorAs(t, err, &ve)
	require.NotEmpty(t, ve.Fields)
	assert.Equal(t, "staff[1].password", ve.Fields[0].Field)
	assert.True(t, before.equal(capture(t, e, nil)))
}

const MaxBatchPlusOne = rbac.MaxImportBatch + 1
