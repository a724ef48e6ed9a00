package report

import (
	"cmp"
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// ReviewOptions configures BuildReview. The zero value works: a review
// without provenance, with DefaultConflicts.
type ReviewOptions struct {
	// Title heads the page; empty means "Access review".
	Title string
	// Now is the clock stamping the page; nil means time.Now.
	Now func() time.Time
	// Reader is the staff member on whose behalf the action log is read
	// for provenance (who granted what, when and why) and sign-offs; it
	// needs actionlog:view. Zero: the review is built without them and
	// says so.
	Reader rbac.StaffID
	// Conflicts are the risky combinations to look for; nil means
	// DefaultConflicts(), an empty non-nil slice none. The conflicts
	// declared on the Service (rbac.Service.DeclareConflict) are looked
	// for in any case, marked Enforced.
	Conflicts []Conflict
	// RecentChanges is how many of the latest changes to list; 0 means
	// 50, a negative number none.
	RecentChanges int
}

// Review is the data of an access review.
type Review struct {
	Title       string
	GeneratedAt time.Time
	Version     int64 // the policy version reviewed
	// Hash is the content hash a sign-off certifies: SHA-256 over what
	// the review prints except GeneratedAt, Version, Recent and SignOffs
	// (see ContentHash).
	Hash string

	Functions   []FunctionColumn
	Departments []DepartmentRow
	Staff       []StaffRow
	// Permissions lists, for every catalog permission, where it comes
	// from: the departments giving it, direct grants, full access.
	Permissions []PermissionRow
	// Exceptions are the staff members whose access is not just their
	// departments': direct grants, full access, disabled (with what
	// re-enabling restores) or no department.
	Exceptions []ExceptionRow
	Findings   []Finding
	Counts     Counts

	// Provenance says whether the action log was read (Reader set and
	// allowed); ProvenanceNote says why not when it was not.
	Provenance     bool
	ProvenanceNote string
	Recent         []ChangeLine
	SignOffs       []SignOffLine
}

// Counts are the review's totals.
type Counts struct {
	Staff, Active, Disabled, FullAccess int // FullAccess: active accounts
	Departments, DisabledDepartments    int
	Sensitive                           int // sensitive permissions in the catalog
}

// FunctionColumn is a catalog function as the grid shows it.
type FunctionColumn struct {
	rbac.FunctionInfo
	Sensitive []rbac.Action // its actions marked sensitive
}

// DepartmentRow is a department's line of the grid and its section.
type DepartmentRow struct {
	Department rbac.Department
	Name       string
	Members    int
	Logins     []string   // the members, sorted
	Cells      []HeatCell // one per Review.Functions
	// Grants are the permissions it holds, with provenance.
	Grants []GrantLine
	// Restores, for a disabled department: the permissions re-enabling it
	// would give back, with how many members would regain each (members
	// holding it otherwise do not count).
	Restores []Restore
}

// HeatCell is what a department holds of one function: its actions by
// name.
type HeatCell struct {
	Held      []rbac.Action // the function's actions the department holds
	Sensitive []rbac.Action // those of Held marked sensitive
	Total     int           // the function's actions
}

// Level buckets the share held into 0 (nothing) to 4 (everything), for
// the cell's colour.
func (c HeatCell) Level() int {
	switch {
	case len(c.Held) == 0 || c.Total == 0:
		return 0
	case len(c.Held) >= c.Total:
		return 4
	}
	return 1 + 3*len(c.Held)/c.Total
}

// IsSensitive reports whether action a of the cell is sensitive.
func (c HeatCell) IsSensitive(a rbac.Action) bool { return slices.Contains(c.Sensitive, a) }

// Restore is one permission a disabled department would give back.
type Restore struct {
	Permission rbac.Permission
	Members    int
}

// StaffRow is a staff member's line of the review data.
type StaffRow struct {
	Staff       rbac.Staff
	Name        string
	Departments []string // names
	// Inherited lists the permissions held through departments, Direct the
	// direct grants (a permission may be in both). Both are empty for a
	// full-access or disabled account.
	Inherited []rbac.Permission
	Direct    []rbac.Permission
}

// GrantLine is one permission a department or person holds, with where
// it comes from and who gave it.
type GrantLine struct {
	Permission rbac.Permission
	Sensitive  bool
	// Also names the other sources of a direct grant ("Sales department"):
	// a direct grant that a department gives too is redundant.
	Also       []string
	Provenance *Provenance // nil: not in the action log read
}

// PermissionRow is one catalog permission and everything that gives it.
type PermissionRow struct {
	Permission rbac.Permission
	Title      string // the function's title
	Sensitive  string // the reason, empty when not sensitive
	// Departments giving it, with their member counts; disabled ones give
	// nothing now and are marked.
	Departments []DepartmentHolding
	Holders     int      // active staff who may
	Direct      []string // logins of active staff holding it directly
	FullAccess  int      // active full-access accounts
}

// DepartmentHolding is a department giving a permission.
type DepartmentHolding struct {
	Name     string
	Members  int
	Disabled bool
}

// ExceptionRow is a staff member listed individually.
type ExceptionRow struct {
	Login, Name string
	Status      rbac.Status
	FullAccess  bool
	Departments []string
	Why         []string    // "direct grants", "full access", "disabled", "no department"
	Direct      []GrantLine // direct grants with provenance
	// Flags are the provenance of the account's full-access and disabled
	// flags, when set.
	FullAccessBy, DisabledBy *Provenance
	// Restores, for a disabled account: what re-enabling it gives back
	// (its direct grants and its active departments' permissions);
	// RestoresFull when that is full access.
	Restores     []rbac.Permission
	RestoresFull bool
}

// BuildReview collects the access review of svc's current state. Errors:
// those of reading the store; a Reader who may not read the action log is
// not an error (the review says provenance is missing).
func BuildReview(ctx context.Context, svc *rbac.Service, opts ReviewOptions) (Review, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	r := Review{Title: opts.Title, GeneratedAt: now().UTC(), Version: svc.Version()}
	if r.Title == "" {
		r.Title = "Access review"
	}
	cat := svc.Catalog()
	for _, fi := range cat.Functions() {
		fc := FunctionColumn{FunctionInfo: fi}
		for _, a := range fi.Actions {
			if _, ok := cat.Sensitive(rbac.Perm(fi.Function, a)); ok {
				fc.Sensitive = append(fc.Sensitive, a)
			}
		}
		r.Functions = append(r.Functions, fc)
	}
	r.Counts.Sensitive = len(cat.SensitivePermissions())
	b, err := newBuilder(ctx, svc, opts)
	if err != nil {
		return Review{}, err
	}
	r.Provenance, r.ProvenanceNote = b.prov != nil, b.provNote
	r.Departments = b.departments(r.Functions)
	r.Staff = b.staffRows()
	r.Permissions = b.permissionRows()
	if r.Findings, err = b.findings(); err != nil {
		return Review{}, reportErr(err)
	}
	r.Exceptions = b.exceptions()
	r.Counts = b.counts(r.Counts)
	r.Recent, r.SignOffs = b.recent, b.signOffs
	r.Hash, err = r.ContentHash()
	if err != nil {
		return Review{}, err
	}
	for i := range r.SignOffs {
		r.SignOffs[i].Current = r.SignOffs[i].Hash == r.Hash
	}
	return r, nil
}

// FullAccessCount returns how many active accounts have full access.
func (r Review) FullAccessCount() int { return r.Counts.FullAccess }

// FunctionGroups splits the functions into groups of at most
// maxGridFunctions, so that each grid fits an A4 landscape page width
// with every cell's actions written out.
func (r Review) FunctionGroups() []FunctionGroup {
	var out []FunctionGroup
	for i := 0; i < len(r.Functions); i += maxGridFunctions {
		out = append(out, FunctionGroup{From: i, Functions: r.Functions[i:min(i+maxGridFunctions, len(r.Functions))]})
	}
	return out
}

// FunctionGroup is a slice of the grid's columns starting at From.
type FunctionGroup struct {
	From      int
	Functions []FunctionColumn
}

// Cells returns the row's cells of group g.
func (d DepartmentRow) CellsOf(g FunctionGroup) []HeatCell {
	return d.Cells[g.From : g.From+len(g.Functions)]
}

const maxGridFunctions = 7

//go:embed review.html.tmpl
var reviewHTML string

var reviewTmpl = template.Must(template.New("review").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"day":  func(t time.Time) string { return t.UTC().Format("2006-01-02") },
}).Parse(reviewHTML))

// WriteHTML renders the review as one self-contained HTML page, laid out
// to print on A4 landscape.
func (r Review) WriteHTML(w io.Writer) error {
	return reviewTmpl.Execute(w, r)
}

func sortedLogins(s []string) []string {
	slices.SortFunc(s, cmp.Compare[string])
	return s
}

func reportErr(err error) error { return fmt.Errorf("report: %w", err) }
