package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

func departmentCommands() []*command {
	fields := func(create bool) func(fs *flag.FlagSet) {
		return func(fs *flag.FlagSet) {
			fs.Var(&multi{}, "name", "name as LANG=TEXT (repeatable; a bare TEXT is English)"+map[bool]string{true: "; added to NAME", false: "; replaces every language"}[create])
			fs.String("client-requests", "", "clients may send it requests: yes or no")
			fs.String("task-language", "", "language of the tasks generated for it (BCP 47, e.g. en, ru)")
			fs.String("sort", "", "sort order (a number)")
			if create {
				fs.Var(&multi{}, "perm", "permission it holds, function:action (repeatable)")
			}
		}
	}
	return []*command{
		{name: "departments list", summary: "list departments with their permissions", run: (*cli).departmentsList},
		{name: "departments show", args: "DEPT", summary: "show a department: fields, hours, permissions, members", run: (*cli).departmentsShow},
		{name: "departments create", args: "NAME", summary: "create a department (NAME in English), optionally with permissions", flags: fields(true), run: (*cli).departmentsCreate},
		{name: "departments update", args: "DEPT", summary: "change a department's name, client requests, task language or sort order", flags: fields(false), run: (*cli).departmentsUpdate},
		{name: "departments delete", args: "DEPT", summary: "delete a department", run: (*cli).departmentsDelete},
		{name: "departments enable", args: "DEPT", summary: "switch a department back on (its members get its permissions again)", run: (*cli).departmentsEnable},
		{name: "departments disable", args: "DEPT", summary: "switch a department off (it grants nothing)", run: (*cli).departmentsDisable},
		{name: "departments hours", args: "DEPT", summary: "set a department's business hours schedule and response target",
			flags: func(fs *flag.FlagSet) {
				fs.String("schedule", "0", "schedule name or ID (0: always open)")
				fs.Duration("target", 0, "response target in business time (e.g. 4h; 0: none)")
			}, run: (*cli).departmentsHours},
	}
}

func (c *cli) departmentsList(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	if err := c.need(rbac.Perm(rbac.FuncDepartments, rbac.ActView)); err != nil {
		return err
	}
	ds, err := c.svc.Departments(c.ctx)
	if err != nil {
		return err
	}
	views := make([]departmentView, len(ds))
	rows := make([][]string, len(ds))
	for i, d := range ds {
		views[i] = c.departmentView(d)
		rows[i] = []string{d.ID.String(), d.Name.In(c.svc.DefaultLanguage()), d.Status.String(), strconv.Itoa(views[i].Members),
			yesNo(d.AcceptsClientRequests), strings.Join(views[i].Permissions, " ")}
	}
	return c.emit(views, func(w io.Writer) error {
		return table(w, []string{"ID", "NAME", "STATUS", "MEMBERS", "CLIENT REQUESTS", "PERMISSIONS"}, rows)
	})
}

func (c *cli) departmentsShow(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	if err := c.need(rbac.Perm(rbac.FuncDepartments, rbac.ActView)); err != nil {
		return err
	}
	d, err := c.department(args[0])
	if err != nil {
		return err
	}
	h, err := c.svc.DepartmentHours(c.ctx, d.ID)
	if err != nil {
		return err
	}
	v := struct {
		departmentView
		Schedule rbac.ScheduleID `json:"schedule"`
		Target   string          `json:"response_target"`
		Logins   []string        `json:"member_logins"`
	}{departmentView: c.departmentView(d), Schedule: h.Schedule, Target: h.Target.String(), Logins: []string{}}
	for _, id := range c.svc.DepartmentMembers(d.ID) {
		st, err := c.svc.StaffMember(c.ctx, id)
		if err != nil {
			return err
		}
		v.Logins = append(v.Logins, st.Login)
	}
	return c.emit(v, func(w io.Writer) error {
		var names []string
		for tag, n := range d.Name {
			names = append(names, tag.String()+"="+n)
		}
		return table(w, []string{"FIELD", "VALUE"}, [][]string{
			{"id", d.ID.String()}, {"name", strings.Join(slices.Sorted(slices.Values(names)), ", ")}, {"status", d.Status.String()},
			{"client requests", yesNo(d.AcceptsClientRequests)}, {"task language", d.TaskLanguage.String()},
			{"sort order", strconv.Itoa(d.SortOrder)}, {"schedule", h.Schedule.String()}, {"response target", h.Target.String()},
			{"permissions", strings.Join(v.Permissions, " ")}, {"members", strings.Join(v.Logins, " ")},
		})
	})
}

func (c *cli) departmentsCreate(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	name, err := parseText("name", c.list("name"))
	if err != nil {
		return err
	}
	name[language.English] = args[0]
	in := rbac.NewDepartment{Name: name}
	if b, err := parseYesNo("client-requests", c.str("client-requests")); err != nil {
		return err
	} else if b != nil {
		in.AcceptsClientRequests = *b
	}
	if s := c.str("task-language"); s != "" {
		if in.TaskLanguage, err = language.Parse(s); err != nil {
			return usagef("--task-language %q: %v", s, err)
		}
	}
	if s := c.str("sort"); s != "" {
		if in.SortOrder, err = strconv.Atoi(s); err != nil {
			return usagef("--sort %q: want a number", s)
		}
	}
	perms, err := c.permissions(c.list("perm"))
	if err != nil {
		return err
	}
	d, err := c.svc.CreateDepartment(c.ctx, c.me.ID, in)
	if err != nil {
		return err
	}
	if len(perms) > 0 {
		if err := c.svc.EnablePermissions(c.ctx, c.me.ID, d.ID, perms...); err != nil {
			return fmt.Errorf("department %s created, but: %w", d.ID, err)
		}
	}
	return c.done(c.departmentView(d), "created department %s %q", d.ID, args[0])
}

func (c *cli) departmentsUpdate(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	d, err := c.department(args[0])
	if err != nil {
		return err
	}
	var in rbac.DepartmentUpdate
	if names := c.list("name"); len(names) > 0 {
		if in.Name, err = parseText("name", names); err != nil {
			return err
		}
	}
	if in.AcceptsClientRequests, err = parseYesNo("client-requests", c.str("client-requests")); err != nil {
		return err
	}
	if s := c.str("task-language"); s != "" {
		tag, err := language.Parse(s)
		if err != nil {
			return usagef("--task-language %q: %v", s, err)
		}
		in.TaskLanguage = &tag
	}
	if s := c.str("sort"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return usagef("--sort %q: want a number", s)
		}
		in.SortOrder = &n
	}
	return c.updateDepartment(d, in, "updated")
}

func (c *cli) updateDepartment(d rbac.Department, in rbac.DepartmentUpdate, verb string) error {
	out, err := c.svc.UpdateDepartment(c.ctx, c.me.ID, d.ID, in)
	if err != nil {
		return err
	}
	return c.done(c.departmentView(out), "%s department %s %q", verb, out.ID, out.Name.In(c.svc.DefaultLanguage()))
}

func (c *cli) departmentsStatus(args []string, s rbac.Status, verb string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	d, err := c.department(args[0])
	if err != nil {
		return err
	}
	return c.updateDepartment(d, rbac.DepartmentUpdate{Status: &s}, verb)
}

func (c *cli) departmentsEnable(args []string) error {
	return c.departmentsStatus(args, rbac.StatusActive, "enabled")
}

func (c *cli) departmentsDisable(args []string) error {
	return c.departmentsStatus(args, rbac.StatusDisabled, "disabled")
}

func (c *cli) departmentsDelete(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	d, err := c.department(args[0])
	if err != nil {
		return err
	}
	if err := c.svc.DeleteDepartment(c.ctx, c.me.ID, d.ID); err != nil {
		return err
	}
	return c.done(map[string]any{"deleted": d.ID}, "deleted department %s %q", d.ID, d.Name.In(c.svc.DefaultLanguage()))
}

func (c *cli) departmentsHours(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	d, err := c.department(args[0])
	if err != nil {
		return err
	}
	sch, err := c.schedule(c.str("schedule"))
	if err != nil {
		return err
	}
	h, err := c.svc.SetDepartmentHours(c.ctx, c.me.ID, d.ID, sch, c.values["target"].(time.Duration))
	if err != nil {
		return err
	}
	return c.done(map[string]any{"department": h.Department, "schedule": h.Schedule, "response_target": h.Target.String()},
		"department %s: schedule %s, response target %s", d.ID, h.Schedule, h.Target)
}

// schedule resolves a schedule by ID or name.
func (c *cli) schedule(s string) (rbac.ScheduleID, error) {
	if id, err := rbac.ParseScheduleID(s); err == nil {
		return id, nil
	}
	all, err := c.svc.Schedules(c.ctx)
	if err != nil {
		return 0, err
	}
	for _, sch := range all {
		if strings.EqualFold(sch.Schedule.Name, s) {
			return sch.ID, nil
		}
	}
	return 0, fmt.Errorf("schedule %q: %w", s, rbac.ErrNotFound)
}
