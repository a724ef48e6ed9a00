package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/billingrbac/billingrbac/rbac"
)

// Format is an output format of a Matrix.
type Format string

// Formats.
const (
	FormatTable    Format = "table"    // aligned plain text
	FormatCSV      Format = "csv"      // RFC 4180, one header line
	FormatMarkdown Format = "markdown" // a GitHub-flavoured Markdown table
)

// ParseFormat parses "table", "csv" or "markdown" (also "md"). Errors wrap
// rbac.ErrInvalid.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "table", "":
		return FormatTable, nil
	case "csv":
		return FormatCSV, nil
	case "markdown", "md":
		return FormatMarkdown, nil
	}
	return "", &rbac.ValidationError{Op: "parse format", Fields: []rbac.FieldError{
		{Field: "format", Rule: "enum", Message: fmt.Sprintf("want table, csv or markdown, got %q", s)}}}
}

// Matrix is an access matrix: one row per staff member, one column per
// permission.
type Matrix struct {
	Permissions []rbac.Permission
	Rows        []Row
}

// Row is one staff member's line of a Matrix.
type Row struct {
	Staff rbac.Staff
	Cells []Cell // one per Matrix.Permissions
}

// Cell is one decision of a Matrix.
type Cell struct {
	Allowed bool
	Sources []rbac.Source // why, when allowed
}

// Mark is the cell's text: "-" when denied, otherwise where the permission
// comes from: "full", "dept", "direct" or a combination such as
// "dept+direct".
func (c Cell) Mark() string {
	if !c.Allowed {
		return "-"
	}
	var parts []string
	var full, dept, direct bool
	for _, s := range c.Sources {
		switch s.Kind {
		case rbac.SourceFullAccess:
			full = true
		case rbac.SourceDepartment:
			dept = true
		case rbac.SourceDirect:
			direct = true
		}
	}
	if full {
		parts = append(parts, "full")
	}
	if dept {
		parts = append(parts, "dept")
	}
	if direct {
		parts = append(parts, "direct")
	}
	return strings.Join(parts, "+")
}

// BuildMatrix decides every permission of perms for every staff member,
// by staff ID. Nil perms means every permission of the catalog. Errors:
// those of reading the staff rows.
func BuildMatrix(ctx context.Context, svc *rbac.Service, perms []rbac.Permission) (Matrix, error) {
	if perms == nil {
		perms = svc.Catalog().Permissions()
	}
	staff, err := svc.StaffMembers(ctx)
	if err != nil {
		return Matrix{}, fmt.Errorf("report: %w", err)
	}
	m := Matrix{Permissions: perms, Rows: make([]Row, len(staff))}
	for i, st := range staff {
		row := Row{Staff: st, Cells: make([]Cell, len(perms))}
		for j, p := range perms {
			d := svc.Explain(st.ID, p)
			row.Cells[j] = Cell{Allowed: d.Allowed, Sources: d.Sources}
		}
		m.Rows[i] = row
	}
	return m, nil
}

// Write renders the matrix in format f. The first two columns are the
// staff member's login and status (active or disabled).
func (m Matrix) Write(w io.Writer, f Format) error {
	switch f {
	case FormatTable:
		return m.writeTable(w)
	case FormatCSV:
		return m.writeCSV(w)
	case FormatMarkdown:
		return m.writeMarkdown(w)
	}
	_, err := ParseFormat(string(f))
	return err
}

func (m Matrix) header() []string {
	h := []string{"staff", "status"}
	for _, p := range m.Permissions {
		h = append(h, p.String())
	}
	return h
}

func (r Row) record() []string {
	rec := []string{r.Staff.Login, r.Staff.Status.String()}
	for _, c := range r.Cells {
		rec = append(rec, c.Mark())
	}
	return rec
}

func (m Matrix) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(m.header(), "\t"))
	for _, r := range m.Rows {
		fmt.Fprintln(tw, strings.Join(r.record(), "\t"))
	}
	return tw.Flush()
}

func (m Matrix) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(m.header()); err != nil {
		return err
	}
	for _, r := range m.Rows {
		if err := cw.Write(r.record()); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (m Matrix) writeMarkdown(w io.Writer) error {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + mdEscape(c) + " |")
		}
		b.WriteString("\n")
	}
	h := m.header()
	line(h)
	sep := make([]string, len(h))
	for i := range sep {
		sep[i] = "---"
		if i >= 2 {
			sep[i] = ":---:"
		}
	}
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range m.Rows {
		line(r.record())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdEscape keeps a cell from breaking the table.
func mdEscape(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", " ").Replace(s)
}
