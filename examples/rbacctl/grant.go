package main

import (
	"strings"
)

func grantCommands() []*command {
	return []*command{
		{name: "grant", args: "LOGIN PERMISSION...", summary: "grant permissions (function:action) directly to a staff member", run: (*cli).grant},
		{name: "revoke", args: "LOGIN PERMISSION...", summary: "revoke direct grants from a staff member", run: (*cli).revoke},
	}
}

func (c *cli) grant(args []string) error  { return c.grantOrRevoke(args, true) }
func (c *cli) revoke(args []string) error { return c.grantOrRevoke(args, false) }

func (c *cli) grantOrRevoke(args []string, on bool) error {
	if len(args) < 2 {
		return usagef("want LOGIN and at least one PERMISSION")
	}
	perms, err := c.permissions(args[1:])
	if err != nil {
		return err
	}
	target, err := c.staff(args[0])
	if err != nil {
		return err
	}
	verb := "granted"
	if on {
		err = c.svc.Grant(c.ctx, c.me.ID, target.ID, perms...)
	} else {
		verb = "revoked"
		err = c.svc.Revoke(c.ctx, c.me.ID, target.ID, perms...)
	}
	if err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	return c.done(c.staffView(target, names), "%s %s %s", verb, strings.Join(args[1:], " "), target.Login)
}
