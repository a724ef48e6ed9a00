package main

import (
	"io"
	"strings"

	"github.com/billingrbac/billingrbac/rbac"
)

func permissionCommands() []*command {
	return []*command{
		{name: "permissions list", summary: "list the catalog: functions, actions, sensitive marks", run: (*cli).permissionsList},
		{name: "permissions enable", args: "DEPT PERMISSION...", summary: "give a department permissions (function:action)", run: (*cli).permissionsEnable},
		{name: "permissions disable", args: "DEPT PERMISSION...", summary: "take permissions from a department", run: (*cli).permissionsDisable},
	}
}

func (c *cli) permissionsList(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	type view struct {
		Permission rbac.Permission `json:"permission"`
		Function   string          `json:"function_title"`
		Sensitive  string          `json:"sensitive,omitempty"`
	}
	var views []view
	var rows [][]string
	cat := c.svc.Catalog()
	for _, fi := range cat.Functions() {
		for _, a := range fi.Actions {
			p := rbac.Perm(fi.Function, a)
			why, _ := cat.Sensitive(p)
			views = append(views, view{p, fi.Title, why})
			rows = append(rows, []string{p.String(), fi.Title, why})
		}
	}
	return c.emit(views, func(w io.Writer) error { return table(w, []string{"PERMISSION", "FUNCTION", "SENSITIVE"}, rows) })
}

func (c *cli) permissionsEnable(args []string) error  { return c.departmentPermissions(args, true) }
func (c *cli) permissionsDisable(args []string) error { return c.departmentPermissions(args, false) }

func (c *cli) departmentPermissions(args []string, on bool) error {
	if len(args) < 2 {
		return usagef("want DEPT and at least one PERMISSION")
	}
	perms, err := c.permissions(args[1:])
	if err != nil {
		return err
	}
	d, err := c.department(args[0])
	if err != nil {
		return err
	}
	verb := "enabled"
	if on {
		err = c.svc.EnablePermissions(c.ctx, c.me.ID, d.ID, perms...)
	} else {
		verb = "disabled"
		err = c.svc.DisablePermissions(c.ctx, c.me.ID, d.ID, perms...)
	}
	if err != nil {
		return err
	}
	return c.done(c.departmentView(d), "%s %s on department %s %q", verb, strings.Join(permStrings(perms), " "), d.ID, d.Name.In(c.svc.DefaultLanguage()))
}
