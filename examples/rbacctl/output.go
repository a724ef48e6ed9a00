package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// emit prints v as indented JSON with --json, and otherwise lets text
// print for people.
func (c *cli) emit(v any, text func(w io.Writer) error) error {
	if c.g.json {
		enc := json.NewEncoder(c.out)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return text(c.out)
}

// table prints aligned columns: a header and rows of cells.
func table(w io.Writer, header []string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(header, "\t"))
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// done reports a change: a sentence for people, the object for scripts.
func (c *cli) done(v any, format string, args ...any) error {
	return c.emit(v, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, format+"\n", args...)
		return err
	})
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func textMap(t rbac.LocalizedText) map[string]string {
	m := make(map[string]string, len(t))
	for tag, s := range t {
		m[tag.String()] = s
	}
	return m
}

func permStrings(ps []rbac.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// parseText reads LANG=TEXT values (a bare TEXT is English) into a
// localized text.
func parseText(field string, values []string) (rbac.LocalizedText, error) {
	t := rbac.LocalizedText{}
	for _, v := range values {
		lang, text, ok := strings.Cut(v, "=")
		if !ok {
			lang, text = "en", v
		}
		tag, err := language.Parse(lang)
		if err != nil {
			return nil, usagef("--%s %q: language %q: %v", field, v, lang, err)
		}
		t[tag] = text
	}
	return t, nil
}

// parseYesNo reads a tri-state flag: "" leaves a field unchanged.
func parseYesNo(field, v string) (*bool, error) {
	switch strings.ToLower(v) {
	case "":
		return nil, nil
	case "yes", "true", "on":
		b := true
		return &b, nil
	case "no", "false", "off":
		b := false
		return &b, nil
	}
	return nil, usagef("--%s: want yes or no, got %q", field, v)
}

// staffView is a staff member as scripts read it.
type staffView struct {
	ID           rbac.StaffID      `json:"id"`
	Login        string            `json:"login"`
	Name         map[string]string `json:"name"`
	Email        string            `json:"email,omitempty"`
	Phone        string            `json:"phone,omitempty"`
	Status       string            `json:"status"`
	FullAccess   bool              `json:"full_access"`
	Departments  []string          `json:"departments"`
	DirectGrants []string          `json:"direct_grants"`
}

func (c *cli) staffView(st rbac.Staff, names map[rbac.DepartmentID]string) staffView {
	v := staffView{ID: st.ID, Login: st.Login, Name: textMap(st.FullName), Email: st.Email, Phone: st.Phone,
		Status: st.Status.String(), FullAccess: st.FullAccess, Departments: []string{},
		DirectGrants: permStrings(c.svc.DirectGrants(st.ID))}
	for _, d := range st.Departments {
		v.Departments = append(v.Departments, names[d])
	}
	return v
}

// departmentView is a department as scripts read it.
type departmentView struct {
	ID                    rbac.DepartmentID `json:"id"`
	Name                  map[string]string `json:"name"`
	Status                string            `json:"status"`
	Members               int               `json:"members"`
	AcceptsClientRequests bool              `json:"accepts_client_requests"`
	TaskLanguage          string            `json:"task_language"`
	SortOrder             int               `json:"sort_order"`
	Permissions           []string          `json:"permissions"`
}

func (c *cli) departmentView(d rbac.Department) departmentView {
	return departmentView{ID: d.ID, Name: textMap(d.Name), Status: d.Status.String(), Members: len(c.svc.DepartmentMembers(d.ID)),
		AcceptsClientRequests: d.AcceptsClientRequests, TaskLanguage: d.TaskLanguage.String(), SortOrder: d.SortOrder,
		Permissions: permStrings(c.svc.DepartmentPermissions(d.ID))}
}
