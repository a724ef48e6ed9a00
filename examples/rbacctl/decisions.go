package main

import (
	"flag"
	"io"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/report"
)

func decisionCommands() []*command {
	return []*command{
		{name: "check", args: "LOGIN PERMISSION", summary: "exit 0 if LOGIN may perform PERMISSION, 1 if not", run: (*cli).check},
		{name: "explain", args: "LOGIN PERMISSION", summary: "explain why LOGIN may or may not perform PERMISSION", run: (*cli).explain},
		{name: "who-can", args: "PERMISSION", summary: "list the active staff who may perform PERMISSION, with reasons", run: (*cli).whoCan},
		{name: "matrix", summary: "print the access matrix (staff × permissions)",
			flags: func(fs *flag.FlagSet) {
				fs.String("format", "table", "table, csv or markdown")
				fs.Var(&multi{}, "perm", "permission column function:action (repeatable; default: the whole catalog)")
				fs.Var(&multi{}, "function", "every action of this function as columns (repeatable)")
			},
			run: (*cli).matrix},
	}
}

// decision parses LOGIN PERMISSION and explains it.
func (c *cli) decision(args []string) (rbac.Decision, error) {
	if err := c.nargs(args, 2); err != nil {
		return rbac.Decision{}, err
	}
	perms, err := c.permissions(args[1:])
	if err != nil {
		return rbac.Decision{}, err
	}
	if err := c.need(rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return rbac.Decision{}, err
	}
	st, err := c.staff(args[0])
	if err != nil {
		return rbac.Decision{}, err
	}
	return c.svc.Explain(st.ID, perms[0]), nil
}

func (c *cli) check(args []string) error {
	d, err := c.decision(args)
	if err != nil {
		return err
	}
	word := map[bool]string{true: "allowed", false: "denied"}[d.Allowed]
	if err := c.done(map[string]any{"allowed": d.Allowed, "permission": d.Permission}, "%s", word); err != nil {
		return err
	}
	if !d.Allowed {
		return errDenied
	}
	return nil
}

func (c *cli) explain(args []string) error {
	d, err := c.decision(args)
	if err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	var sources []string
	for _, s := range d.Sources {
		sources = append(sources, c.sourceName(s, names))
	}
	return c.done(map[string]any{"allowed": d.Allowed, "permission": d.Permission, "sources": sources,
		"explanation": c.svc.Describe(c.ctx, d)}, "%s", c.svc.Describe(c.ctx, d))
}

func (c *cli) whoCan(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	perms, err := c.permissions(args)
	if err != nil {
		return err
	}
	if err := c.need(rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	type holder struct {
		Login   string   `json:"login"`
		Sources []string `json:"sources"`
	}
	holders := []holder{}
	var rows [][]string
	for h := range c.svc.WhoCan(perms[0]).All() {
		st, err := c.svc.StaffMember(c.ctx, h.Staff)
		if err != nil {
			return err
		}
		v := holder{Login: st.Login}
		for _, s := range h.Sources {
			v.Sources = append(v.Sources, c.sourceName(s, names))
		}
		holders = append(holders, v)
		rows = append(rows, []string{st.Login, strings.Join(v.Sources, ", ")})
	}
	return c.emit(holders, func(w io.Writer) error { return table(w, []string{"LOGIN", "REASONS"}, rows) })
}

func (c *cli) matrix(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	f, err := report.ParseFormat(c.str("format"))
	if err != nil {
		return err
	}
	perms, err := c.permissions(c.list("perm"))
	if err != nil {
		return err
	}
	for _, fn := range c.list("function") {
		found := false
		for _, fi := range c.svc.Catalog().Functions() {
			if string(fi.Function) == fn {
				found = true
				for _, a := range fi.Actions {
					perms = append(perms, rbac.Perm(fi.Function, a))
				}
			}
		}
		if !found {
			return usagef("unknown function %q", fn)
		}
	}
	if err := c.need(rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return err
	}
	m, err := report.BuildMatrix(c.ctx, c.svc, perms)
	if err != nil {
		return err
	}
	if c.g.json {
		out := []map[string]any{}
		for _, r := range m.Rows {
			row := map[string]any{"login": r.Staff.Login, "status": r.Staff.Status.String()}
			for i, p := range m.Permissions {
				row[p.String()] = r.Cells[i].Mark()
			}
			out = append(out, row)
		}
		return c.emit(out, nil)
	}
	return m.Write(c.out, f)
}
