package report

import (
	"context"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// ReviewOptions configures BuildReview. The zero value works.
type ReviewOptions struct {
	// Title heads the page; empty means "Access review".
	Title string
	// Now is the clock stamping the page; nil means time.Now.
	Now func() time.Time
}

// Review is the data of an access review page.
type Review struct {
	Title       string
	GeneratedAt time.Time
	Functions   []rbac.FunctionInfo
	Departments []DepartmentRow
	Staff       []StaffRow
}

// DepartmentRow is a department's line of the heat map.
type DepartmentRow struct {
	Department rbac.Department
	Name       string
	Members    int
	Cells      []HeatCell // one per Review.Functions
}

// HeatCell says how much of one function a department holds.
type HeatCell struct {
	Held  []rbac.Action // the function's actions the department holds
	Total int           // the function's actions
}

// Level buckets the share held into 0 (nothing) to 4 (everything), for
// the heat map's colour.
func (c HeatCell) Level() int {
	switch {
	case len(c.Held) == 0 || c.Total == 0:
		return 0
	case len(c.Held) >= c.Total:
		return 4
	}
	return 1 + 3*len(c.Held)/c.Total
}

// StaffRow is a staff member's line of the review.
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

// BuildReview collects the review of svc's current state: every department
// with what it holds of each catalog function, and every staff member with
// departments, inherited permissions and direct grants. Errors: those of
// reading the store.
func BuildReview(ctx context.Context, svc *rbac.Service, opts ReviewOptions) (Review, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	r := Review{Title: opts.Title, GeneratedAt: now().UTC(), Functions: svc.Catalog().Functions()}
	if r.Title == "" {
		r.Title = "Access review"
	}
	lang := svc.DefaultLanguage()
	depts, err := svc.Departments(ctx)
	if err != nil {
		return Review{}, fmt.Errorf("report: %w", err)
	}
	names := map[rbac.DepartmentID]string{}
	for _, d := range depts {
		names[d.ID] = d.Name.In(lang)
		held := svc.DepartmentPermissions(d.ID)
		row := DepartmentRow{Department: d, Name: d.Name.In(lang), Members: len(svc.DepartmentMembers(d.ID))}
		for _, fi := range r.Functions {
			c := HeatCell{Total: len(fi.Actions)}
			for _, a := range fi.Actions {
				if slices.Contains(held, rbac.Perm(fi.Function, a)) {
					c.Held = append(c.Held, a)
				}
			}
			row.Cells = append(row.Cells, c)
		}
		r.Departments = append(r.Departments, row)
	}
	staff, err := svc.StaffMembers(ctx)
	if err != nil {
		return Review{}, fmt.Errorf("report: %w", err)
	}
	for _, st := range staff {
		row := StaffRow{Staff: st, Name: st.FullName.In(lang)}
		for _, d := range st.Departments {
			row.Departments = append(row.Departments, names[d])
		}
		if !st.FullAccess {
			for _, ep := range svc.EffectivePermissions(st.ID) {
				if ep.Editable {
					row.Direct = append(row.Direct, ep.Permission)
				}
				if slices.ContainsFunc(ep.Sources, func(s rbac.Source) bool { return s.Kind == rbac.SourceDepartment }) {
					row.Inherited = append(row.Inherited, ep.Permission)
				}
			}
		}
		r.Staff = append(r.Staff, row)
	}
	return r, nil
}

// FullAccessCount returns how many active accounts have full access.
func (r Review) FullAccessCount() int {
	n := 0
	for _, s := range r.Staff {
		if s.Staff.FullAccess && s.Staff.Status == rbac.StatusActive {
			n++
		}
	}
	return n
}

//go:embed review.html.tmpl
var reviewHTML string

var reviewTmpl = template.Must(template.New("review").Parse(reviewHTML))

// WriteHTML renders the review as one self-contained HTML page.
func (r Review) WriteHTML(w io.Writer) error {
	return reviewTmpl.Execute(w, r)
}
