package rbac_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestListStaffPagesEqualTheFilteredList: for random queries, the pages of
// ListStaff, followed by their cursors, concatenate to exactly what
// filtering the whole staff list gives.
func TestListStaffPagesEqualTheFilteredList(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		rng := rand.New(rand.NewPCG(7, 11))
		depts := []rbac.DepartmentID{e.boot.Sales.ID, e.boot.Support.ID, e.dept("Billing")}
		words := []string{"anna", "boris", "en", "x_y", "100%", "ivan"}
		disabled := rbac.StatusDisabled
		for i := range 40 {
			w := words[rng.IntN(len(words))]
			login := fmt.Sprintf("u%s%d", strings.NewReplacer("%", "pct", "_", "-").Replace(w), i)
			var in []rbac.DepartmentID
			for _, d := range depts {
				if rng.IntN(3) == 0 {
					in = append(in, d)
				}
			}
			st, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: login,
				FullName: rbac.LocalizedText{language.English: "Mr " + w, language.Russian: "Иван " + w},
				Email:    fmt.Sprintf("%s%d@example.com", login, i), Departments: in})
			require.NoError(t, err)
			if rng.IntN(4) == 0 {
				_, err := e.svc.UpdateStaff(e.ctx, e.admin, st.ID, rbac.StaffUpdate{Status: &disabled})
				require.NoError(t, err)
			}
		}
		all, err := e.svc.StaffMembers(e.ctx)
		require.NoError(t, err)
		want := func(q rbac.StaffQuery) []rbac.StaffID {
			var out []rbac.StaffID
			for _, st := range all {
				if q.Department != 0 && !e.svc.IsMember(st.ID, q.Department) {
					continue
				}
				if q.Status != nil && st.Status != *q.Status {
					continue
				}
				if s := strings.ToLower(q.Search); s != "" && !strings.Contains(st.Login, s) &&
					!strings.Contains(strings.ToLower(st.Email), s) &&
					!strings.Contains(strings.ToLower(st.FullName[language.English]), s) &&
					!strings.Contains(strings.ToLower(st.FullName[language.Russian]), s) {
					continue
				}
				out = append(out, st.ID)
			}
			return out
		}
		active := rbac.StatusActive
		for round := range 60 {
			q := rbac.StaffQuery{Limit: 1 + rng.IntN(7)}
			if rng.IntN(2) == 0 {
				q.Search = []string{"AN", "en", "x_y", "100%", "иван", "example", "nobody"}[rng.IntN(7)]
			}
			if rng.IntN(2) == 0 {
				q.Department = depts[rng.IntN(len(depts))]
			}
			switch rng.IntN(3) {
			case 0:
				q.Status = &disabled
			case 1:
				q.Status = &active
			}
			var got []rbac.StaffID
			for pages := 0; ; pages++ {
				require.Less(t, pages, 100, "pagination does not end")
				page, err := e.svc.ListStaff(e.ctx, q)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page.Staff), q.Limit)
				for _, st := range page.Staff {
					got = append(got, st.ID)
				}
				if page.Next == 0 {
					break
				}
				q.After = page.Next
			}
			q.After = 0
			assert.Equal(t, want(q), got, "round %d, query %+v", round, q)
		}
	})
}

func TestListStaffRefusesBadQueries(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	bad := rbac.Status(7)
	for _, q := range []rbac.StaffQuery{
		{Limit: rbac.MaxPageSize + 1}, {Limit: -1}, {Search: strings.Repeat("a", 201)},
		{Search: "a\x00"}, {Search: "\xff"}, {After: -1}, {Status: &bad},
	} {
		_, err := e.svc.ListStaff(e.ctx, q)
		assert.ErrorIs(t, err, rbac.ErrInvalid, "%+v", q)
	}
}

func TestListDepartments(t *testing.T) {
	e := newEnv(t, testdb.SQLite)
	billing := e.dept("Billing")
	disabled := rbac.StatusDisabled
	_, err := e.svc.UpdateDepartment(e.ctx, e.admin, billing, rbac.DepartmentUpdate{Status: &disabled})
	require.NoError(t, err)
	ids := func(q rbac.DepartmentQuery) (out []rbac.DepartmentID) {
		for {
			page, err := e.svc.ListDepartments(e.ctx, q)
			require.NoError(t, err)
			for _, d := range page.Departments {
				out = append(out, d.ID)
			}
			if page.Next == 0 {
				return out
			}
			q.After = page.Next
		}
	}
	assert.Equal(t, []rbac.DepartmentID{e.boot.Sales.ID, e.boot.Support.ID, billing}, ids(rbac.DepartmentQuery{Limit: 1}))
	assert.Equal(t, []rbac.DepartmentID{e.boot.Sales.ID}, ids(rbac.DepartmentQuery{Search: "SALES"}))
	assert.Equal(t, []rbac.DepartmentID{e.boot.Sales.ID}, ids(rbac.DepartmentQuery{Search: "продаж"}), "the Russian name")
	assert.Equal(t, []rbac.DepartmentID{billing}, ids(rbac.DepartmentQuery{Status: &disabled, Limit: 2}))
	_, err = e.svc.ListDepartments(e.ctx, rbac.DepartmentQuery{Limit: rbac.MaxPageSize + 1})
	assert.ErrorIs(t, err, rbac.ErrInvalid)
}
