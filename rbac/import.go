package rbac

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Bounds of Import.
const (
	// DefaultImportBatch is the batch size when ImportOptions.BatchSize
	// is zero: records (departments or staff members) per change.
	DefaultImportBatch = 1000
	// MaxImportBatch is the largest batch size.
	MaxImportBatch = 10000
	// MaxImportDepartments and MaxImportStaff bound one document.
	MaxImportDepartments = 10000
	MaxImportStaff       = 1_000_000
	// maxImportProblems caps the field errors one refused document
	// reports: a bad export of a million rows is not listed row by row.
	maxImportProblems = 100
)

// OpImport is the change-log operation of one batch of Import.
const OpImport Operation = "import"

// ImportDocument is what Import creates: departments with their
// permissions, then staff members with their memberships, direct grants,
// flags and passwords. Records are identified by name, not by ID: a
// department by its name in the Service's default language, a staff
// member by login, so that the same document can be imported again.
type ImportDocument struct {
	Departments []ImportDepartment
	Staff       []ImportStaff
}

// ImportDepartment is one department of an ImportDocument.
type ImportDepartment struct {
	// Name must have the Service's default language: that name identifies
	// the department in the document (ImportStaff.Departments) and in the
	// database (a department of that name is reused as it is).
	Name                  LocalizedText
	AcceptsClientRequests bool
	TaskLanguage          language.Tag // und: the Service's default language
	SortOrder             int
	// Permissions the department holds once created.
	Permissions []Permission
}

// ImportStaff is one staff member of an ImportDocument.
type ImportStaff struct {
	Login      string
	FullName   LocalizedText
	Email      string
	Phone      string
	FullAccess bool
	Status     Status
	// Departments are department names in the Service's default language:
	// departments of the document or existing ones.
	Departments []string
	// Grants are direct grants, on top of what the departments give.
	Grants []Permission
	// PasswordHash is a hash exported from another system, stored as it
	// is (no Argon2id at import): the library's Argon2id PHC string
	// ($argon2id$...) or bcrypt ($2a$, $2b$, $2y$) up to
	// AccountOptions.LegacyBcryptCost, which sign-in verifies and re-makes
	// with Argon2id. Its form is checked, never its content.
	PasswordHash string
	// Password is an initial password in clear: checked against the
	// PasswordPolicy and hashed with Argon2id in the Service's bounded
	// pool. At most one of Password and PasswordHash.
	Password string
}

// ImportOptions configures Import. The zero value works.
type ImportOptions struct {
	// BatchSize is how many records (departments or staff members) one
	// change holds; 0 means DefaultImportBatch, at most MaxImportBatch.
	BatchSize int
	// GeneratePasswords gives every staff member without Password or
	// PasswordHash a generated password that satisfies the policy,
	// returned in ImportResult.Passwords (and hashed in the pool).
	GeneratePasswords bool
	// Progress, when set, is called after each batch with the records
	// done (created or skipped) and the total, from Import's goroutine.
	Progress func(done, total int)
}

// ImportResult is what Import did.
type ImportResult struct {
	// Departments and Staff count the records created; Skipped those
	// that existed already (left as they are).
	Departments, Staff, Skipped int
	// Versions are the versions of the changes recorded, one per batch
	// that created something.
	Versions []int64
	// Passwords are the generated passwords (ImportOptions.GeneratePasswords)
	// of the staff members created, in document order.
	Passwords []GeneratedPassword
}

// GeneratedPassword is the initial password Import gave a staff member.
type GeneratedPassword struct {
	Login    string
	Password string
}

// ImportError reports the batch Import stopped at. Batches before it are
// committed; nothing of Batch is stored. Import the same document again to
// resume: what exists is skipped. It unwraps to the batch's error.
type ImportError struct {
	Batch int // 0-based
	Done  int // records committed (created or skipped) before Batch
	Err   error
}

func (e *ImportError) Error() string {
	return fmt.Sprintf("import: batch %d (after %d records): %v", e.Batch, e.Done, e.Err)
}

func (e *ImportError) Unwrap() error { return e.Err }

// Import creates the departments and staff members of doc in batches of
// opts.BatchSize records, each batch one change through the change flow:
// one transaction, one change-log entry (OpImport) with its effect,
// authorized like any change (the actor needs departments:add to create
// departments and staff:add to create staff, must hold every permission
// the batch gives anyone, and full access to create full-access accounts;
// nobody imports into their own account). A batch is all or nothing.
//
// The whole document is checked before anything is hashed or stored:
// every record's fields (errors name the record, as "staff[12].login"),
// duplicates within the document, department references, and whether the
// actor could give what the document gives. Departments come first, then
// staff members, in document order.
//
// Import is resumable: a department whose default-language name exists,
// or a staff member whose login exists, is skipped (not updated), so
// importing the same document again after a failed batch creates what is
// missing and a second complete run changes nothing.
//
// Errors: ErrInvalid (a *ValidationError), ErrPermissionDenied, ErrConflict
// (an e-mail or a department name in another language already used),
// ErrClosed, and after a failed batch an *ImportError wrapping the cause.
func (s *Service) Import(ctx context.Context, actor StaffID, doc ImportDocument, opts ImportOptions) (ImportResult, error) {
	const op = "import"
	if err := checkReason(reasonFrom(ctx)); err != nil {
		return ImportResult{}, err
	}
	batch := opts.BatchSize
	if batch == 0 {
		batch = DefaultImportBatch
	}
	var fe fieldErrors
	if batch < 0 || batch > MaxImportBatch {
		fe.add("batch_size", "range", "must be between 1 and %d", MaxImportBatch)
	}
	existing, err := s.store.Departments(ctx)
	if err != nil {
		return ImportResult{}, fmt.Errorf("%s: %w", op, err)
	}
	plan := s.checkImport(&fe, doc, existing)
	if err := fe.err(op); err != nil {
		return ImportResult{}, err
	}
	if err := s.precheckImport(ctx, op, actor, plan); err != nil {
		return ImportResult{}, err
	}
	if plan.clear {
		// The password policy's strength estimate costs about a
		// millisecond a password: only for an actor allowed to import.
		s.checkImportPasswords(&fe, plan)
		if err := fe.err(op); err != nil {
			return ImportResult{}, err
		}
	}

	var res ImportResult
	total := len(plan.depts) + len(plan.staff)
	done, n := 0, 0
	progress := func() {
		if opts.Progress != nil {
			opts.Progress(done, total)
		}
	}
	fail := func(err error) (ImportResult, error) {
		if errors.Is(err, ErrClosed) && done == 0 {
			return res, err
		}
		return res, &ImportError{Batch: n, Done: done, Err: err}
	}
	for i := 0; i < len(plan.depts); i += batch {
		part := plan.depts[i:min(i+batch, len(plan.depts))]
		out, err := s.importDepartments(ctx, actor, part)
		if err != nil {
			return fail(err)
		}
		res.add(out)
		done += len(part)
		n++
		progress()
	}
	for i := 0; i < len(plan.staff); i += batch {
		part := plan.staff[i:min(i+batch, len(plan.staff))]
		if err := s.importPasswords(ctx, part, opts.GeneratePasswords); err != nil {
			return fail(err)
		}
		out, err := s.importStaff(ctx, actor, part)
		if err != nil {
			return fail(err)
		}
		res.add(out)
		for _, st := range part {
			if st.generated != "" && st.created {
				res.Passwords = append(res.Passwords, GeneratedPassword{Login: st.in.Login, Password: st.generated})
			}
		}
		done += len(part)
		n++
		progress()
	}
	if total == 0 {
		progress()
	}
	return res, nil
}

func (r *ImportResult) add(b batchResult) {
	r.Departments += b.departments
	r.Staff += b.staff
	r.Skipped += b.skipped
	if b.version != 0 {
		r.Versions = append(r.Versions, b.version)
	}
}

// importPlan is a checked document: normalized records and what the
// actor must be able to give.
type importPlan struct {
	depts []*importDept
	staff []*importStaff
	gives map[Permission]struct{} // every permission the document gives
	full  bool                    // it creates a full-access account
	clear bool                    // some staff have a Password
	// existing departments the staff join, by default-language key
	joins map[DepartmentID]struct{}
}

type importDept struct {
	idx int // in the document
	in  ImportDepartment
	key string // lower-case default-language name
}

type importStaff struct {
	idx       int // in the document
	in        ImportStaff
	depts     []string // keys
	hash      string   // what is stored: PasswordHash, or the Argon2id of Password or generated
	generated string
	created   bool
}

func nameKey(s string) string { return strings.ToLower(s) }

// checkImport validates doc as a whole into fe (bounded by
// maxImportProblems) and returns its normalized plan.
func (s *Service) checkImport(fe *fieldErrors, doc ImportDocument, existing []Department) *importPlan {
	plan := &importPlan{gives: map[Permission]struct{}{}, joins: map[DepartmentID]struct{}{}}
	full := func() bool { return len(*fe) >= maxImportProblems }
	tooBig := false
	if len(doc.Departments) > MaxImportDepartments {
		fe.add("departments", "max_count", "at most %d departments, not %d", MaxImportDepartments, len(doc.Departments))
		tooBig = true
	}
	if len(doc.Staff) > MaxImportStaff {
		fe.add("staff", "max_count", "at most %d staff members, not %d", MaxImportStaff, len(doc.Staff))
		tooBig = true
	}
	if tooBig {
		return plan
	}
	known := map[string]DepartmentID{}
	for _, d := range existing {
		if n := d.Name[s.lang]; n != "" {
			known[nameKey(n)] = d.ID
		}
	}
	inDoc := map[string]bool{}
	for i, d := range doc.Departments {
		if full() {
			return plan
		}
		rec := fmt.Sprintf("departments[%d]", i)
		var dfe fieldErrors
		nd := NewDepartment{Name: d.Name, AcceptsClientRequests: d.AcceptsClientRequests, TaskLanguage: d.TaskLanguage, SortOrder: d.SortOrder}
		nd.Name = nd.Name.normalized(&dfe, "name", maxNameRunes)
		key := nameKey(nd.Name[s.lang])
		switch {
		case nd.Name != nil && key == "":
			dfe.add("name", "required", "a name in %s is needed: it identifies the department", s.lang)
		case key != "" && inDoc[key]:
			dfe.add("name", "unique", "%q is listed twice", nd.Name[s.lang])
		}
		inDoc[key] = true
		var perms []Permission
		if len(d.Permissions) > 0 {
			perms = s.catalog.check(&dfe, "permissions", d.Permissions)
		}
		fe.nest(rec, dfe)
		d.Name, d.Permissions = nd.Name, perms
		if d.TaskLanguage.IsRoot() {
			d.TaskLanguage = s.lang
		}
		if _, ok := known[key]; !ok {
			for _, p := range perms {
				plan.gives[p] = struct{}{}
			}
		}
		plan.depts = append(plan.depts, &importDept{idx: i, in: d, key: key})
	}
	logins, emails := map[string]bool{}, map[string]bool{}
	for i, st := range doc.Staff {
		if full() {
			return plan
		}
		rec := fmt.Sprintf("staff[%d]", i)
		var sfe fieldErrors
		ns := NewStaff{Login: st.Login, FullName: st.FullName, Email: st.Email, Phone: st.Phone, Status: st.Status, FullAccess: st.FullAccess}
		ns.validate(&sfe, s.acct.region)
		if ns.Login != "" && logins[ns.Login] {
			sfe.add("login", "unique", "%q is listed twice", ns.Login)
		}
		logins[ns.Login] = true
		if e := strings.ToLower(ns.Email); e != "" {
			if emails[e] {
				sfe.add("email", "unique", "%q is listed twice", ns.Email)
			}
			emails[e] = true
		}
		if len(st.Departments) > MaxDepartmentsPerStaff {
			sfe.add("departments", "max_count", "at most %d departments, not %d", MaxDepartmentsPerStaff, len(st.Departments))
		}
		keys := make([]string, 0, len(st.Departments))
		for j, name := range st.Departments {
			if j >= MaxDepartmentsPerStaff {
				break
			}
			k := nameKey(strings.TrimSpace(name))
			field := fmt.Sprintf("departments[%d]", j)
			switch id, ok := known[k]; {
			case slices.Contains(keys, k):
				sfe.add(field, "unique", "department %q is listed twice", name)
				continue
			case ok: // existing (a department of the document by that name is skipped)
				plan.joins[id] = struct{}{}
			case inDoc[k]:
			default:
				sfe.add(field, "reference", "no department %q in the document or the database", name)
				continue
			}
			keys = append(keys, k)
		}
		var grants []Permission
		if len(st.Grants) > 0 {
			grants = s.catalog.check(&sfe, "grants", st.Grants)
		}
		switch {
		case st.Password != "" && st.PasswordHash != "":
			sfe.add("password_hash", "exclusive", "give a password or a password hash, not both")
		case st.PasswordHash != "":
			s.checkImportedHash(&sfe, st.PasswordHash)
		case st.Password != "":
			plan.clear = true // checked against the policy once the actor is known to be allowed
		}
		fe.nest(rec, sfe)
		for _, p := range grants {
			plan.gives[p] = struct{}{}
		}
		plan.full = plan.full || ns.FullAccess
		st.Login, st.FullName, st.Email, st.Phone, st.Grants = ns.Login, ns.FullName, ns.Email, ns.Phone, grants
		plan.staff = append(plan.staff, &importStaff{idx: i, in: st, depts: keys, hash: st.PasswordHash})
	}
	if full() {
		fe.add("document", "too_many_problems", "stopped after %d problems", maxImportProblems)
	}
	return plan
}

// checkImportPasswords checks clear passwords against the policy.
func (s *Service) checkImportPasswords(fe *fieldErrors, plan *importPlan) {
	for _, st := range plan.staff {
		if len(*fe) >= maxImportProblems {
			fe.add("document", "too_many_problems", "stopped after %d problems", maxImportProblems)
			return
		}
		if st.in.Password == "" {
			continue
		}
		var sfe fieldErrors
		s.acct.policy.check(&sfe, "password", st.in.Password, Staff{Login: st.in.Login, Email: st.in.Email, FullName: st.in.FullName})
		fe.nest(fmt.Sprintf("staff[%d]", st.idx), sfe)
	}
}

// nest adds inner's errors under record rec ("staff[3]" + ".login").
func (fe *fieldErrors) nest(rec string, inner fieldErrors) {
	for _, f := range inner {
		f.Field = rec + "." + f.Field
		*fe = append(*fe, f)
	}
}
