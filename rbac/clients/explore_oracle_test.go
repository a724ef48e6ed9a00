package clients_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// cxCounterparts is the explorer's own table of the staff permissions
// that do to any client's resources what a client right does in its
// account (written here, not taken from the library): per section the
// staff functions of its resource kinds, per action the staff action;
// staff answer tickets (support:reply) rather than open or edit them.
func cxCounterparts(p clients.Permission) []rbac.Permission {
	funcs := map[clients.Section][]rbac.Function{
		clients.SectionServices: {rbac.FuncServices},
		clients.SectionFinance:  {rbac.FuncInvoices, rbac.FuncPayments},
		clients.SectionSupport:  {rbac.FuncSupport},
	}[p.Section]
	acts := map[clients.Action]rbac.Action{clients.View: rbac.ActView, clients.Add: rbac.ActAdd,
		clients.Modify: rbac.ActEdit, clients.Delete: rbac.ActDelete}
	var out []rbac.Permission
	for _, f := range funcs {
		a := acts[p.Action]
		if f == rbac.FuncSupport && (p.Action == clients.Add || p.Action == clients.Modify) {
			a = rbac.ActReply
		}
		out = append(out, rbac.Perm(f, a))
	}
	return out
}

// violation checks one committed step against the invariant, from the
// states before and after alone (stored rows and rules, the explorer's own
// evaluation of them, and the staff decisions of a staff actor). It
// returns "" or what was broken.
func (x *clientExplorer) violation(before, after cxState, o cxOp) string {
	var holds func(p clients.Permission) bool
	var own *cxUser
	if id, ok := x.staff[o.actor]; ok {
		staff := x.e.staff
		if !staff.Can(id, o.need) {
			return fmt.Sprintf("staff member %s lacks %s, which the operation needs", o.actor, o.need)
		}
		holds = func(p clients.Permission) bool {
			if staff.IsFullAccess(id) {
				return true
			}
			if len(cxCounterparts(p)) == 0 {
				return false // no staff permission does what the right does
			}
			for _, sp := range cxCounterparts(p) {
				if !staff.Can(id, sp) {
					return false
				}
			}
			return true
		}
	} else {
		u, ok := before.users[o.actor]
		switch {
		case !ok:
			return "a client user that does not exist changed something"
		case u.disabled:
			return "a disabled client user (or one of a disabled account) changed something"
		case !u.first:
			return "a client user that is not its account's first user administered it"
		}
		own = &u
		holds = func(p clients.Permission) bool { return u.rights[p] }
	}

	// What moved: users (rows or rules), roles, accounts.
	changedUsers := map[string]bool{}
	for _, l := range cxLogins {
		b, inB := before.users[l]
		a, inA := after.users[l]
		if inB != inA || inB && (b.id != a.id || b.email != a.email || b.name != a.name || b.first != a.first ||
			b.userFlag != a.userFlag || !slices.Equal(b.roles, a.roles)) {
			changedUsers[l] = true
		}
	}
	changedRoles := map[string]bool{}
	for _, r := range cxRoles {
		_, inB := before.roleIDs[r]
		_, inA := after.roleIDs[r]
		if inB != inA || !slices.Equal(before.rights[r], after.rights[r]) {
			changedRoles[r] = true
		}
	}
	changedAccounts := map[string]bool{}
	for _, c := range cxClients {
		_, inB := before.clientIDs[c]
		_, inA := after.clientIDs[c]
		if inB != inA || before.mail[c] != after.mail[c] || before.flags[c] != after.flags[c] {
			changedAccounts[c] = true
		}
	}
	clientOf := func(l string) string {
		if u, ok := before.users[l]; ok {
			return u.client
		}
		return after.users[l].client
	}

	if own != nil {
		// Never across clients; never the account, its first user, or
		// the actor's own access.
		for l := range changedUsers {
			if c := clientOf(l); c != own.client {
				return fmt.Sprintf("client user %s of %s changed user %s of %s", o.actor, own.client, l, c)
			}
			if before.users[l].first || after.users[l].first {
				return "a client user changed first user " + l
			}
		}
		for r := range changedRoles {
			if !strings.HasPrefix(r, own.client+"/") {
				return fmt.Sprintf("client user %s of %s changed role %s", o.actor, own.client, r)
			}
		}
		for c := range changedAccounts {
			return "a client user changed account " + c
		}
		if a, ok := after.users[o.actor]; !ok || !maps.Equal(a.rights, own.rights) || a.disabled != own.disabled {
			return "the actor's own access changed"
		}
		if changedUsers[o.actor] && !slices.Equal(before.users[o.actor].roles, after.users[o.actor].roles) {
			return "a rule about the actor changed"
		}
	}

	// Rights given to or taken from a role: held by the actor.
	for r := range changedRoles {
		for _, p := range cxRights {
			if slices.Contains(before.rights[r], p) != slices.Contains(after.rights[r], p) && !holds(p) {
				return fmt.Sprintf("role %s was given or lost %s, which the actor does not hold", r, p)
			}
		}
	}
	for _, l := range cxLogins {
		a, inA := after.users[l]
		if !inA {
			continue
		}
		b, inB := before.users[l]
		// Gains: held by the actor.
		for p := range a.rights {
			if !(inB && b.rights[p]) && !holds(p) {
				return fmt.Sprintf("%s gained %s, which the actor does not hold", l, p)
			}
		}
		if l == o.actor {
			continue
		}
		// Control is power.
		control := !inB || b.id != a.id || b.email != a.email || b.disabled && !a.disabled ||
			a.first && before.mail[a.client] != after.mail[a.client]
		if control {
			for p := range a.potential {
				if !holds(p) {
					return fmt.Sprintf("the actor gained control of %s, who holds %s, which the actor does not hold", l, p)
				}
			}
		}
	}
	return ""
}
