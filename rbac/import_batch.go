package rbac

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
)

// One batch of Import: one change through the change flow (s.write), so
// it is locked, caught up, authorized by its effect (authorizeEffect),
// logged with its effect and published like any other change.

type batchResult struct {
	departments, staff, skipped int
	version                     int64
}

// importSummary is the After of an import change: what the batch created.
type importSummary struct {
	Departments []importedDept  `json:"departments,omitempty"`
	Staff       []importedStaff `json:"staff,omitempty"`
}

type importedDept struct {
	ID   DepartmentID `json:"id"`
	Name string       `json:"name"`
}

type importedStaff struct {
	ID    StaffID `json:"id"`
	Login string  `json:"login"`
}

// precheckImport refuses, from this instance's decisions and before any
// hashing, an actor who could not make the document's changes: the
// operations' permissions, every permission the document gives (new
// departments' permissions, direct grants, the permissions of existing
// departments staff join) and full access for full-access accounts. The
// change flow checks each batch again on its effect.
func (s *Service) precheckImport(ctx context.Context, op string, actor StaffID, plan *importPlan) error {
	if len(plan.depts) > 0 {
		if err := s.precheck(ctx, op, actor, Perm(FuncDepartments, ActAdd), 0); err != nil {
			return err
		}
	}
	if len(plan.staff) > 0 || len(plan.depts) == 0 {
		if err := s.precheck(ctx, op, actor, Perm(FuncStaff, ActAdd), 0); err != nil {
			return err
		}
	}
	snap := s.snap.Load()
	if rowFlags(snap, actor)&hotFull != 0 {
		return nil
	}
	if plan.full {
		return denied(op, actor, DenialFullAccessOnly, "only a full-access account may create a full-access account")
	}
	for p := range plan.gives {
		if !snap.can(actor, p) {
			return &DeniedError{Op: op, Actor: actor, Missing: p,
				Reason: fmt.Sprintf("%s cannot give %s without holding it", s.who(ctx, actor), p)}
		}
	}
	joins := make([]DepartmentID, 0, len(plan.joins))
	for d := range plan.joins {
		joins = append(joins, d)
	}
	return s.precheckGive(ctx, op, actor, joins, false)
}

// checkImportedHash checks an exported password hash as sign-in will
// read it (accounts.acceptHash: the library's Argon2id PHC string, or
// bcrypt $2a$, $2b$, $2y$ up to AccountOptions.LegacyBcryptCost, re-made
// with Argon2id at the next sign-in). No hashing work is done.
func (s *Service) checkImportedHash(fe *fieldErrors, h string) {
	if _, err := s.acct.acceptHash(h); err != nil {
		fe.add("password_hash", "format", "must be an Argon2id PHC string or a bcrypt hash this installation accepts: %v", err)
	}
}

// importPasswords hashes the batch's clear and generated passwords in the
// Service's bounded pool, a few at a time (the pool bounds the memory;
// the workers only keep the CPUs busy). Staff members that will be
// skipped are hashed too: which ones exist is known only under the lock.
func (s *Service) importPasswords(ctx context.Context, part []*importStaff, generate bool) error {
	var todo []*importStaff
	for _, st := range part {
		switch {
		case st.hash != "":
		case st.in.Password != "":
			todo = append(todo, st)
		case generate:
			pw, err := s.acct.policy.Generate(GeneratorOptions{}, Staff{Login: st.in.Login, Email: st.in.Email, FullName: st.in.FullName})
			if err != nil {
				return fmt.Errorf("import: generate a password for %q: %w", st.in.Login, err)
			}
			st.generated = pw
			todo = append(todo, st)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan *importStaff)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for st := range next {
				pw := st.in.Password
				if pw == "" {
					pw = st.generated
				}
				h, err := s.acct.hash(ctx, pw)
				if err != nil {
					once.Do(func() { first = err; cancel() })
					continue
				}
				st.hash = h
			}
		}()
	}
	for _, st := range todo {
		if ctx.Err() != nil {
			break
		}
		next <- st
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	if first != nil {
		return fmt.Errorf("import: hash passwords: %w", first)
	}
	return nil
}

// addNew stages rules that are all additions (an import only creates):
// those the index holds already are left out, so the delta holds only
// effective changes, as txn.add keeps it, without its linear search.
func (w *txn) addNew(rs []Rule) {
	if len(w.delta.Add) > 0 || len(w.delta.Remove) > 0 {
		for _, r := range rs {
			w.add(r)
		}
		return
	}
	seen := make(map[Rule]struct{}, len(rs))
	for _, r := range rs {
		if _, dup := seen[r]; dup || w.snap.hasRule(r) {
			continue
		}
		seen[r] = struct{}{}
		w.delta.Add = append(w.delta.Add, r)
	}
}

// importDepartments creates one batch of departments with their
// permissions: one change.
func (s *Service) importDepartments(ctx context.Context, actor StaffID, part []*importDept) (batchResult, error) {
	const op = "import"
	var out batchResult
	ch, err := s.write(ctx, func(w *txn) error {
		out = batchResult{}
		if err := w.authorize(op, actor, Perm(FuncDepartments, ActAdd)); err != nil {
			return err
		}
		all, err := w.tx.Departments()
		if err != nil {
			return err
		}
		byName := map[string]map[string]DepartmentID{} // language -> lower-case name -> id
		taken := func(tag, name string) (DepartmentID, bool) {
			id, ok := byName[tag][nameKey(name)]
			return id, ok
		}
		note := func(d Department) {
			for tag, v := range d.Name {
				t := tag.String()
				if byName[t] == nil {
					byName[t] = map[string]DepartmentID{}
				}
				byName[t][nameKey(v)] = d.ID
			}
		}
		for _, d := range all {
			note(d)
		}
		var sum importSummary
		var rules []Rule
		for _, it := range part {
			if _, ok := taken(s.lang.String(), it.in.Name[s.lang]); ok {
				out.skipped++
				continue
			}
			for tag, v := range it.in.Name {
				if id, ok := taken(tag.String(), v); ok {
					return fmt.Errorf("%s: department %q: name %q (%s) is used by department %s: %w", op, it.in.Name[s.lang], v, tag, id, ErrConflict)
				}
			}
			d := Department{Name: it.in.Name, AcceptsClientRequests: it.in.AcceptsClientRequests,
				TaskLanguage: it.in.TaskLanguage, SortOrder: it.in.SortOrder}
			if err := w.tx.CreateDepartment(&d); err != nil {
				return fmt.Errorf("%s: department %q: %w", op, it.in.Name[s.lang], err)
			}
			note(d)
			for _, p := range it.in.Permissions {
				rules = append(rules, GrantRule(DepartmentSubject(d.ID), p))
			}
			sum.Departments = append(sum.Departments, importedDept{ID: d.ID, Name: it.in.Name[s.lang]})
			out.departments++
		}
		if out.departments == 0 {
			return nil
		}
		w.addNew(rules)
		w.record(actor, OpImport, "import", nil, sum)
		return nil
	})
	out.version = ch.Version
	return out, err
}

// importStaff creates one batch of staff members with their memberships,
// grants, flags and password hashes: one change.
func (s *Service) importStaff(ctx context.Context, actor StaffID, part []*importStaff) (batchResult, error) {
	const op = "import"
	var out batchResult
	ch, err := s.write(ctx, func(w *txn) error {
		out = batchResult{}
		for _, st := range part {
			st.created = false
		}
		if err := w.authorize(op, actor, Perm(FuncStaff, ActAdd)); err != nil {
			return err
		}
		all, err := w.tx.Departments()
		if err != nil {
			return err
		}
		depts := make(map[string]DepartmentID, len(all))
		for _, d := range all {
			if n := d.Name[s.lang]; n != "" {
				depts[nameKey(n)] = d.ID
			}
		}
		bt := w.bulk()
		logins := make([]string, len(part))
		var emails []string
		for i, st := range part {
			logins[i] = st.in.Login
			if st.in.Email != "" {
				emails = append(emails, st.in.Email)
			}
		}
		haveLogin, err := bt.StaffIDsByLogin(logins)
		if err != nil {
			return err
		}
		haveEmail, err := bt.StaffIDsByEmail(emails)
		if err != nil {
			return err
		}
		var fe fieldErrors
		var rows []Staff
		var hashes []string
		var todo []*importStaff
		for _, st := range part {
			if _, ok := haveLogin[st.in.Login]; ok {
				out.skipped++
				continue
			}
			if _, ok := haveEmail[strings.ToLower(st.in.Email)]; ok && st.in.Email != "" {
				fe.add(fmt.Sprintf("staff[%d].email", st.idx), "unique", "is already used by another staff member")
				continue
			}
			for _, k := range st.depts {
				if _, ok := depts[k]; !ok {
					return fmt.Errorf("%s: staff %q: department %q: %w", op, st.in.Login, k, ErrNotFound)
				}
			}
			rows = append(rows, Staff{Login: st.in.Login, FullName: st.in.FullName, Email: st.in.Email, Phone: st.in.Phone})
			hashes = append(hashes, st.hash)
			todo = append(todo, st)
		}
		if len(fe) > 0 {
			return &uniqueError{&ValidationError{Op: op, Fields: fe}}
		}
		if len(rows) == 0 {
			return nil
		}
		if err := bt.CreateStaffBatch(rows, hashes); err != nil {
			return fmt.Errorf("%s: %d staff members: %w", op, len(rows), err)
		}
		rules := make([]Rule, 0, len(rows)*3)
		sum := importSummary{Staff: make([]importedStaff, 0, len(rows))}
		for i, st := range todo {
			id := rows[i].ID
			w.wrote(id, true) // whoever creates an account chooses its login and password
			sub := StaffSubject(id)
			for _, k := range st.depts {
				rules = append(rules, MemberRule(id, depts[k]))
			}
			for _, p := range st.in.Grants {
				rules = append(rules, GrantRule(sub, p))
			}
			if st.in.FullAccess {
				rules = append(rules, FlagRule(sub, FlagFullAccess))
			}
			if st.in.Status == StatusDisabled {
				rules = append(rules, FlagRule(sub, FlagDisabled))
			}
			sum.Staff = append(sum.Staff, importedStaff{ID: id, Login: st.in.Login})
			st.created = true
		}
		out.staff = len(rows)
		w.addNew(rules)
		w.record(actor, OpImport, "import", nil, sum)
		return nil
	})
	if err != nil {
		for _, st := range part {
			st.created = false
		}
	}
	out.version = ch.Version
	return out, err
}
