package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

func staffCommands() []*command {
	create := &command{name: "staff create", args: "LOGIN", summary: "create a staff member (no password until --reset-password or 'staff reset-password')",
		flags: func(fs *flag.FlagSet) {
			fs.Var(&multi{}, "name", "full name as LANG=TEXT (repeatable; a bare TEXT is English; default: the login)")
			fs.String("email", "", "e-mail address")
			fs.String("phone", "", "phone number (E.164)")
			fs.Var(&multi{}, "dept", "department name or ID (repeatable)")
			fs.Bool("full-access", false, "give full access")
			fs.Bool("disabled", false, "create it disabled")
			fs.Bool("reset-password", false, "generate a password and print it once")
		},
		run: (*cli).staffCreate}
	add := *create
	add.name, add.hidden = "staff add", true
	return []*command{
		{name: "staff list", summary: "list staff members with departments, flags and direct grants", run: (*cli).staffList},
		{name: "staff show", args: "LOGIN", summary: "show a staff member and every permission with its sources", run: (*cli).staffShow},
		create, &add,
		{name: "staff update", args: "LOGIN", summary: "change a staff member's login, name, e-mail, phone or full access",
			flags: func(fs *flag.FlagSet) {
				fs.String("new-login", "", "new login")
				fs.Var(&multi{}, "name", "full name as LANG=TEXT (repeatable; replaces every language)")
				fs.String("email", "", `e-mail address ("-": none)`)
				fs.String("phone", "", `phone number ("-": none)`)
				fs.String("full-access", "", "yes or no")
			}, run: (*cli).staffUpdate},
		{name: "staff delete", args: "LOGIN", summary: "delete a staff member", run: (*cli).staffDelete},
		{name: "staff disable", args: "LOGIN", summary: "switch an account off (it may do nothing, nor sign in)", run: (*cli).staffDisable},
		{name: "staff enable", args: "LOGIN", summary: "switch an account back on", run: (*cli).staffEnable},
		{name: "staff join", args: "LOGIN DEPT...", summary: "add a staff member to departments", run: (*cli).staffJoin},
		{name: "staff leave", args: "LOGIN DEPT...", summary: "remove a staff member from departments", run: (*cli).staffLeave},
		{name: "staff reset-password", args: "LOGIN", summary: "give a staff member a new generated password, printed once", run: (*cli).staffResetPassword},
	}
}

func (c *cli) staffList(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	if err := c.need(rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return err
	}
	all, err := c.svc.StaffMembers(c.ctx)
	if err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	views := make([]staffView, len(all))
	rows := make([][]string, len(all))
	for i, st := range all {
		v := c.staffView(st, names)
		views[i] = v
		rows[i] = []string{st.ID.String(), st.Login, st.FullName.In(c.svc.DefaultLanguage()), v.Status, yesNo(st.FullAccess),
			strings.Join(v.Departments, ", "), strings.Join(v.DirectGrants, " ")}
	}
	return c.emit(views, func(w io.Writer) error {
		return table(w, []string{"ID", "LOGIN", "NAME", "STATUS", "FULL ACCESS", "DEPARTMENTS", "DIRECT GRANTS"}, rows)
	})
}

func (c *cli) staffShow(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	if err := c.need(rbac.Perm(rbac.FuncStaff, rbac.ActView)); err != nil {
		return err
	}
	st, err := c.staff(args[0])
	if err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	type held struct {
		Permission rbac.Permission `json:"permission"`
		Sources    []string        `json:"sources"`
		Editable   bool            `json:"editable"`
	}
	v := struct {
		staffView
		Permissions []held `json:"permissions"`
	}{staffView: c.staffView(st, names), Permissions: []held{}}
	var rows [][]string
	for _, ep := range c.svc.EffectivePermissions(st.ID) {
		h := held{Permission: ep.Permission, Editable: ep.Editable}
		for _, s := range ep.Sources {
			h.Sources = append(h.Sources, c.sourceName(s, names))
		}
		v.Permissions = append(v.Permissions, h)
		rows = append(rows, []string{ep.Permission.String(), strings.Join(h.Sources, ", "), yesNo(ep.Editable)})
	}
	return c.emit(v, func(w io.Writer) error {
		fmt.Fprintf(w, "%s %s (%s), %s, full access %s, departments: %s, e-mail %q, phone %q\n\n", st.ID, st.Login,
			st.FullName.In(c.svc.DefaultLanguage()), v.Status, yesNo(st.FullAccess), strings.Join(v.Departments, ", "), st.Email, st.Phone)
		return table(w, []string{"PERMISSION", "FROM", "REVOCABLE ON THE PERSON"}, rows)
	})
}

func (c *cli) sourceName(s rbac.Source, names map[rbac.DepartmentID]string) string {
	if s.Kind == rbac.SourceDepartment {
		return fmt.Sprintf("department %q", names[s.Department])
	}
	return s.String()
}

func (c *cli) staffCreate(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	name, err := parseText("name", c.list("name"))
	if err != nil {
		return err
	}
	if len(name) == 0 {
		name = rbac.Text(language.English, args[0])
	}
	in := rbac.NewStaff{Login: args[0], FullName: name, Email: c.str("email"), Phone: c.str("phone"), FullAccess: c.boolean("full-access")}
	if c.boolean("disabled") {
		in.Status = rbac.StatusDisabled
	}
	for _, d := range c.list("dept") {
		dep, err := c.department(d)
		if err != nil {
			return err
		}
		in.Departments = append(in.Departments, dep.ID)
	}
	st, err := c.svc.CreateStaff(c.ctx, c.me.ID, in)
	if err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	if !c.boolean("reset-password") {
		return c.done(c.staffView(st, names), "created staff %s %q", st.ID, st.Login)
	}
	pw, err := c.svc.ResetPassword(c.ctx, c.me.ID, st.ID)
	if err != nil {
		return fmt.Errorf("staff %s created, but: %w", st.ID, err)
	}
	return c.done(struct {
		staffView
		Password string `json:"password"`
	}{c.staffView(st, names), pw}, "created staff %s %q with password: %s\nthe password is shown only this once", st.ID, st.Login, pw)
}

func (c *cli) staffUpdate(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	st, err := c.staff(args[0])
	if err != nil {
		return err
	}
	var in rbac.StaffUpdate
	if s := c.str("new-login"); s != "" {
		in.Login = &s
	}
	if names := c.list("name"); len(names) > 0 {
		if in.FullName, err = parseText("name", names); err != nil {
			return err
		}
	}
	for field, dst := range map[string]**string{"email": &in.Email, "phone": &in.Phone} {
		if s := c.str(field); s == "-" {
			empty := ""
			*dst = &empty
		} else if s != "" {
			*dst = &s
		}
	}
	if in.FullAccess, err = parseYesNo("full-access", c.str("full-access")); err != nil {
		return err
	}
	return c.updateStaff(st, in, "updated")
}

func (c *cli) updateStaff(st rbac.Staff, in rbac.StaffUpdate, verb string) error {
	out, err := c.svc.UpdateStaff(c.ctx, c.me.ID, st.ID, in)
	if err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	return c.done(c.staffView(out, names), "%s staff %s %q", verb, out.ID, out.Login)
}

func (c *cli) staffStatus(args []string, s rbac.Status, verb string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	st, err := c.staff(args[0])
	if err != nil {
		return err
	}
	return c.updateStaff(st, rbac.StaffUpdate{Status: &s}, verb)
}

func (c *cli) staffDisable(args []string) error {
	return c.staffStatus(args, rbac.StatusDisabled, "disabled")
}
func (c *cli) staffEnable(args []string) error {
	return c.staffStatus(args, rbac.StatusActive, "enabled")
}

func (c *cli) staffDelete(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	st, err := c.staff(args[0])
	if err != nil {
		return err
	}
	if err := c.svc.DeleteStaff(c.ctx, c.me.ID, st.ID); err != nil {
		return err
	}
	return c.done(map[string]any{"deleted": st.ID}, "deleted staff %s %q", st.ID, st.Login)
}

func (c *cli) staffJoin(args []string) error  { return c.membership(args, true) }
func (c *cli) staffLeave(args []string) error { return c.membership(args, false) }

func (c *cli) membership(args []string, join bool) error {
	if len(args) < 2 {
		return usagef("want LOGIN and at least one DEPT")
	}
	st, err := c.staff(args[0])
	if err != nil {
		return err
	}
	var done []string
	for _, a := range args[1:] {
		d, err := c.department(a)
		if err != nil {
			return err
		}
		if join {
			err = c.svc.AddToDepartment(c.ctx, c.me.ID, st.ID, d.ID)
		} else {
			err = c.svc.RemoveFromDepartment(c.ctx, c.me.ID, st.ID, d.ID)
		}
		if err != nil {
			return err
		}
		done = append(done, fmt.Sprintf("%q", d.Name.In(c.svc.DefaultLanguage())))
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	if st, err = c.svc.StaffMember(c.ctx, st.ID); err != nil {
		return err
	}
	verb := map[bool]string{true: "joined", false: "left"}[join]
	return c.done(c.staffView(st, names), "%s %s %s", st.Login, verb, strings.Join(done, ", "))
}

func (c *cli) staffResetPassword(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	st, err := c.staff(args[0])
	if err != nil {
		return err
	}
	pw, err := c.svc.ResetPassword(c.ctx, c.me.ID, st.ID)
	if err != nil {
		return err
	}
	return c.done(map[string]string{"login": st.Login, "password": pw}, "reset the password of %q; new password: %s\nthe password is shown only this once", st.Login, pw)
}

// departmentNames maps department IDs to names in the default language.
func (c *cli) departmentNames() (map[rbac.DepartmentID]string, error) {
	ds, err := c.svc.Departments(c.ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[rbac.DepartmentID]string, len(ds))
	for _, d := range ds {
		out[d.ID] = d.Name.In(c.svc.DefaultLanguage())
	}
	return out, nil
}
