package clients_test

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

type clientExplorer struct {
	t      *testing.T
	e      *env
	ctx    context.Context
	seen   map[string]bool
	cur    cxState  // the state last captured
	actors []string // who acts
	staff  map[string]rbac.StaffID
	tables map[string]string // table → its stored name

	steps, committed, refused, failed, noops int
}

func newClientExplorer(t *testing.T, b testdb.Backend) *clientExplorer {
	e := newEnv(t, b)
	x := &clientExplorer{t: t, e: e, ctx: e.ctx, seen: map[string]bool{}, actors: cxAllActors,
		staff: map[string]rbac.StaffID{"admin": e.boot.Admin.ID}}
	grant := func(login string, perms ...rbac.Permission) rbac.StaffID {
		id := e.staffIn(login)
		require.NoError(t, e.staff.Grant(e.ctx, e.boot.Admin.ID, id, perms...))
		x.staff[login] = id
		return id
	}
	edit, add := rbac.Perm(rbac.FuncClients, rbac.ActEdit), rbac.Perm(rbac.FuncClients, rbac.ActAdd)
	grant("manager", add, edit, rbac.Perm(rbac.FuncServices, rbac.ActView), rbac.Perm(rbac.FuncServices, rbac.ActEdit),
		rbac.Perm(rbac.FuncInvoices, rbac.ActView)) // one of finance:view's two counterparts
	grant("clerk", edit)
	var all []rbac.Permission
	for _, p := range e.svc.Catalog().Permissions() {
		all = append(all, cxCounterparts(p)...)
	}
	former := grant("former", append(all, add, edit)...)
	off := rbac.StatusDisabled
	_, err := e.staff.UpdateStaff(e.ctx, e.boot.Admin.ID, former, rbac.StaffUpdate{Status: &off})
	require.NoError(t, err)

	// A section no resource kind is in: only full access holds its rights.
	require.NoError(t, e.svc.Catalog().RegisterSection(cxKindless, "Domains"))
	a, z := e.client("alice"), e.client("zed")
	_, err = e.svc.UpdateClient(e.ctx, e.admin, a.ID, clients.ClientUpdate{Name: ptr("A")})
	require.NoError(t, err)
	_, err = e.svc.UpdateClient(e.ctx, e.admin, z.ID, clients.ClientUpdate{Name: ptr("Z")})
	require.NoError(t, err)
	owner := clients.ByUser(a.FirstUser)
	acct := e.role(owner, a.ID, "Accountant", cxRights[2])
	viewer := e.role(owner, a.ID, "Viewer", cxRights[0])
	e.role(clients.ByUser(z.FirstUser), z.ID, "Helpdesk", cxRights[3])
	e.user(owner, a.ID, "bob", acct.ID)
	carol := e.user(owner, a.ID, "carol", viewer.ID)
	_, err = e.svc.UpdateUser(e.ctx, owner, carol.ID, clients.UserUpdate{Status: &off})
	require.NoError(t, err)
	_, err = e.svc.UpdateClient(e.ctx, e.admin, z.ID, clients.ClientUpdate{Status: &off})
	require.NoError(t, err)
	return x
}

func ptr[T any](v T) *T { return &v }

// actor returns the Actor of a name: a staff login or a client login; a
// deleted client user keeps trying under an ID that does not exist.
func (x *clientExplorer) actor(name string) clients.Actor {
	if id, ok := x.staff[name]; ok {
		return clients.ByStaff(id)
	}
	return clients.ByUser(x.userID(name))
}

func (x *clientExplorer) userID(login string) clients.ClientUserID {
	if u, ok := x.cur.users[login]; ok {
		return u.id
	}
	return 999998
}

func (x *clientExplorer) clientID(name string) clients.ClientID {
	if id, ok := x.cur.clientIDs[name]; ok {
		return id
	}
	return 999998
}

func (x *clientExplorer) roleID(name string) clients.RoleID {
	if id, ok := x.cur.roleIDs[name]; ok {
		return id
	}
	return 999998
}

// cxTables are the tables client operations write, in the order their
// references need, with their keys and the rows of theirs in play.
var cxTables = []struct{ table, key, where string }{
	{"billingrbac_clients", "id", ""}, {"billingrbac_client_users", "id", ""}, {"billingrbac_client_roles", "id", ""},
	{"billingrbac_casbin_rule", "id", "ptype IN ('p2', 'g3', 'g4')"},
}

// tableOf returns the stored name of the library's table n: n itself or
// n under the library's table prefix.
func (x *clientExplorer) tableOf(n string) string {
	if x.tables == nil {
		names, err := x.e.st.DB().WithContext(x.ctx).Migrator().GetTables()
		x.must(err)
		x.tables = map[string]string{}
		for _, t := range cxTables {
			for _, name := range names {
				if name == t.table || name == "billingrbac_"+t.table {
					x.tables[t.table] = name
				}
			}
		}
	}
	if name, ok := x.tables[n]; ok {
		return name
	}
	x.t.Fatalf("no table %s", n)
	return ""
}

// cxUser is a client user as the stored rows and rules say.
type cxUser struct {
	id                    clients.ClientUserID
	client                string // the client's name
	clientID              clients.ClientID
	email, name           string
	first, disabled       bool
	roles                 []string // "A/Accountant"
	rights, potential     map[clients.Permission]bool
	userFlag, accountFlag bool
}

// cxState is one explored state: what the database stores and what the
// Service decides.
type cxState struct {
	key       string
	version   int64
	rows      map[string]map[int64]map[string]any // table → id → row
	rules     []string
	decisions string
	users     map[string]cxUser // login → user
	clientIDs map[string]clients.ClientID
	clientOf  map[clients.ClientID]string
	mail      map[string]string               // client name → contact e-mail
	flags     map[string]bool                 // client name → disabled
	roleIDs   map[string]clients.RoleID       // "A/Accountant" → ID
	rights    map[string][]clients.Permission // role → rights, in cxRights order
}

func (x *clientExplorer) must(err error) {
	x.t.Helper()
	if err != nil {
		x.t.Fatal(err)
	}
}

func (x *clientExplorer) rowsOf(db *gorm.DB, table, key, where string) map[int64]map[string]any {
	var rows []map[string]any
	q := db.Table(x.tableOf(table))
	if where != "" {
		q = q.Where(where)
	}
	x.must(q.Find(&rows).Error)
	out := map[int64]map[string]any{}
	for _, r := range rows {
		out[toInt(r[key])] = r
	}
	return out
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int32:
		return int64(n)
	case int:
		return int64(n)
	}
	panic(fmt.Sprintf("id %T", v))
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// capture reads the current state and makes it the explorer's current one.
func (x *clientExplorer) capture() cxState {
	x.t.Helper()
	e := x.e
	s := cxState{rows: map[string]map[int64]map[string]any{}, users: map[string]cxUser{},
		clientIDs: map[string]clients.ClientID{}, clientOf: map[clients.ClientID]string{}, mail: map[string]string{},
		flags: map[string]bool{}, roleIDs: map[string]clients.RoleID{}, rights: map[string][]clients.Permission{}}
	db := e.st.DB().WithContext(x.ctx)
	for _, t := range cxTables {
		s.rows[t.table] = x.rowsOf(db, t.table, t.key, t.where)
	}
	st, err := e.st.ClientStore().Load(x.ctx)
	x.must(err)
	s.version = e.svc.Version()
	for _, r := range st.Rules {
		s.rules = append(s.rules, r.String())
	}
	slices.Sort(s.rules)
	for id, r := range s.rows["billingrbac_clients"] {
		s.clientIDs[str(r["name"])] = clients.ClientID(id)
		s.clientOf[clients.ClientID(id)] = str(r["name"])
		s.mail[str(r["name"])] = str(r["email"])
	}
	roleName := map[clients.RoleID]string{}
	roleClient := map[clients.RoleID]clients.ClientID{}
	for id, r := range s.rows["billingrbac_client_roles"] {
		c := clients.ClientID(toInt(r["client_id"]))
		n := s.clientOf[c] + "/" + str(r["name"])
		s.roleIDs[n], roleName[clients.RoleID(id)], roleClient[clients.RoleID(id)] = clients.RoleID(id), n, c
	}
	roleRights := map[clients.RoleID]map[clients.Permission]bool{}
	for _, r := range st.Rules {
		if r.Kind == clients.RulePermission && roleClient[r.Role] == r.Client {
			if roleRights[r.Role] == nil {
				roleRights[r.Role] = map[clients.Permission]bool{}
			}
			roleRights[r.Role][r.Permission] = true
		}
		if r.Kind == clients.RuleDisabled && r.User == 0 {
			s.flags[s.clientOf[r.Client]] = true
		}
	}
	for id, n := range roleName {
		for _, p := range cxRights {
			if roleRights[id][p] {
				s.rights[n] = append(s.rights[n], p)
			}
		}
	}
	all := e.svc.Catalog().Permissions()
	for id, r := range s.rows["billingrbac_client_users"] {
		u := cxUser{id: clients.ClientUserID(id), clientID: clients.ClientID(toInt(r["client_id"])),
			email: str(r["email"]), name: str(r["name"]),
			rights: map[clients.Permission]bool{}, potential: map[clients.Permission]bool{}}
		u.client = s.clientOf[u.clientID]
		for _, rule := range st.Rules {
			switch {
			case rule.Kind == clients.RuleFirstUser && rule.User == u.id && rule.Client == u.clientID:
				u.first = true
			case rule.Kind == clients.RuleDisabled && rule.User == u.id:
				u.userFlag = true
			case rule.Kind == clients.RuleAssignment && rule.User == u.id && rule.Client == u.clientID && roleClient[rule.Role] == u.clientID:
				u.roles = append(u.roles, roleName[rule.Role])
				maps.Copy(u.potential, roleRights[rule.Role])
			}
		}
		slices.Sort(u.roles)
		if u.first {
			for _, p := range all {
				u.potential[p] = true
			}
		}
		u.accountFlag = s.flags[u.client]
		u.disabled = u.userFlag || u.accountFlag
		if !u.disabled {
			maps.Copy(u.rights, u.potential)
		}
		s.users[str(r["login"])] = u
	}
	s.decisions = x.decisions(s)
	s.key = s.canonical()
	x.cur = s
	return s
}

// decisions lists every check of every user on every client's resources,
// and checks the index against the stored rules.
func (x *clientExplorer) decisions(s cxState) string {
	var b strings.Builder
	kinds := []clients.ResourceKind{clients.KindService, clients.KindInvoice, clients.KindPayment, clients.KindTicket}
	for _, l := range cxLogins {
		u, ok := s.users[l]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "%s:", l)
		for _, c := range cxClients {
			owner, ok := s.clientIDs[c]
			if !ok {
				continue
			}
			for _, k := range kinds {
				ki, _ := x.e.svc.Catalog().Kind(k)
				for _, a := range clients.Actions() {
					got := x.e.svc.Can(u.id, a, clients.Resource{Kind: k, Owner: owner})
					if want := owner == u.clientID && u.rights[clients.Perm(ki.Section, a)]; got != want {
						x.t.Fatalf("Can(%s, %s, %s of %s) = %t, the stored rules say %t", l, a, k, c, got, want)
					}
					if got {
						b.WriteByte('1')
					} else {
						b.WriteByte('0')
					}
				}
			}
		}
		b.WriteByte(' ')
	}
	return b.String()
}

// canonical names the state by client, login and role names.
func (s cxState) canonical() string {
	var b strings.Builder
	for _, c := range cxClients {
		if _, ok := s.clientIDs[c]; ok {
			fmt.Fprintf(&b, "%s{mail=%s off=%t} ", c, s.mail[c], s.flags[c])
		}
	}
	for _, l := range cxLogins {
		if u, ok := s.users[l]; ok {
			fmt.Fprintf(&b, "%s{%s mail=%s name=%s first=%t off=%t %v} ", l, u.client, u.email, u.name, u.first, u.userFlag, u.roles)
		}
	}
	for _, r := range cxRoles {
		if _, ok := s.roleIDs[r]; ok {
			fmt.Fprintf(&b, "%s%v ", r, s.rights[r])
		}
	}
	return b.String()
}

// diff names what differs in the database or the decisions.
func (s cxState) diff(o cxState) string {
	var out []string
	if s.version != o.version {
		out = append(out, fmt.Sprintf("version %d → %d", s.version, o.version))
	}
	for _, t := range cxTables {
		if !reflect.DeepEqual(s.rows[t.table], o.rows[t.table]) {
			out = append(out, "table "+t.table)
		}
	}
	if !slices.Equal(s.rules, o.rules) {
		out = append(out, "rules")
	}
	if s.decisions != o.decisions {
		out = append(out, "decisions "+s.decisions+" → "+o.decisions)
	}
	return strings.Join(out, "; ")
}

// restore makes s the current state again: rows and client rules as they
// were, then a client Service loaded from them (the staff side is never
// written by client operations).
func (x *clientExplorer) restore(s cxState) cxState {
	x.t.Helper()
	db := x.e.st.DB().WithContext(x.ctx)
	x.must(db.Transaction(func(tx *gorm.DB) error {
		have := map[string]map[int64]map[string]any{}
		for i := len(cxTables) - 1; i >= 0; i-- { // referencing rows first
			t := cxTables[i]
			have[t.table] = x.rowsOf(tx, t.table, t.key, t.where)
			for id := range have[t.table] {
				if _, ok := s.rows[t.table][id]; !ok {
					if err := tx.Table(x.tableOf(t.table)).Where(t.key+" = ?", id).Delete(nil).Error; err != nil {
						return err
					}
				}
			}
		}
		for _, t := range cxTables {
			for id, r := range s.rows[t.table] {
				h, ok := have[t.table][id]
				switch {
				case !ok:
					if err := tx.Table(x.tableOf(t.table)).Create(maps.Clone(r)).Error; err != nil {
						return err
					}
				case !reflect.DeepEqual(h, r):
					cols := maps.Clone(r)
					delete(cols, t.key)
					if err := tx.Table(x.tableOf(t.table)).Where(t.key+" = ?", id).Updates(cols).Error; err != nil {
						return err
					}
				}
			}
		}
		return nil
	}))
	if x.cur.key != s.key || !reflect.DeepEqual(x.cur.rows, s.rows) {
		x.must(x.e.svc.Close())
		svc, err := clients.New(x.ctx, x.e.st.ClientStore(), x.e.staff, clients.Options{Catalog: x.e.svc.Catalog()})
		x.must(err)
		x.e.svc = svc
	}
	got := x.capture()
	if got.key != s.key || got.decisions != s.decisions {
		x.t.Fatalf("restore: got %s, want %s", got.key, s.key)
	}
	return got
}
