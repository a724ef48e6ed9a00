package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/report"
)

func (c *cli) migrate(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	if err := c.st.Migrate(c.ctx); err != nil {
		return err
	}
	c.printf("schema is up to date\n")
	return nil
}

func (c *cli) bootstrap(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	if err := c.st.Migrate(c.ctx); err != nil {
		return err
	}
	svc, err := rbac.New(c.ctx, c.st, rbac.Options{})
	if err != nil {
		return err
	}
	defer svc.Close()
	res, err := svc.Bootstrap(c.ctx, rbac.BootstrapOptions{AdminLogin: c.str("admin-login")})
	if err != nil {
		return err
	}
	if !res.Created {
		c.printf("already bootstrapped; nothing changed\n")
		return nil
	}
	c.printf("created departments %q and %q\n", res.Sales.Name.In(language.English), res.Support.Name.In(language.English))
	c.printf("created full-access account %q with password: %s\n", res.Admin.Login, res.AdminPassword)
	c.printf("the password is shown only this once\n")
	return nil
}

func (c *cli) departmentsList(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	ds, err := c.svc.Departments(c.ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSTATUS\tMEMBERS\tCLIENT REQUESTS\tPERMISSIONS")
	for _, d := range ds {
		perms := c.svc.DepartmentPermissions(d.ID)
		ps := make([]string, len(perms))
		for i, p := range perms {
			ps[i] = p.String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, d.Name.In(c.svc.DefaultLanguage()), d.Status,
			len(c.svc.DepartmentMembers(d.ID)), yesNo(d.AcceptsClientRequests), strings.Join(ps, " "))
	}
	return tw.Flush()
}

func (c *cli) staffList(args []string) error {
	if err := c.nargs(args, 0); err != nil {
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
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLOGIN\tNAME\tSTATUS\tFULL ACCESS\tDEPARTMENTS\tDIRECT GRANTS")
	for _, st := range all {
		depts := make([]string, len(st.Departments))
		for i, d := range st.Departments {
			depts[i] = names[d]
		}
		var direct []string
		for _, ep := range c.svc.EffectivePermissions(st.ID) {
			if ep.Editable {
				direct = append(direct, ep.Permission.String())
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", st.ID, st.Login, st.FullName.In(c.svc.DefaultLanguage()), st.Status,
			yesNo(st.FullAccess), strings.Join(depts, ", "), strings.Join(direct, " "))
	}
	return tw.Flush()
}

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

func (c *cli) staffAdd(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	actor, err := c.actor()
	if err != nil {
		return err
	}
	name := c.str("name")
	if name == "" {
		name = args[0]
	}
	in := rbac.NewStaff{Login: args[0], FullName: rbac.Text(language.English, name), Email: c.str("email"), FullAccess: c.boolean("full-access")}
	for _, d := range c.list("dept") {
		dep, err := c.department(d)
		if err != nil {
			return err
		}
		in.Departments = append(in.Departments, dep.ID)
	}
	st, err := c.svc.CreateStaff(c.ctx, actor, in)
	if err != nil {
		return err
	}
	c.printf("created staff %s %q\n", st.ID, st.Login)
	return nil
}

func (c *cli) grant(args []string) error  { return c.grantOrRevoke(args, true) }
func (c *cli) revoke(args []string) error { return c.grantOrRevoke(args, false) }
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

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
	actor, err := c.actor()
	if err != nil {
		return err
	}
	verb := "granted"
	if on {
		err = c.svc.Grant(c.ctx, actor, target.ID, perms...)
	} else {
		verb = "revoked"
		err = c.svc.Revoke(c.ctx, actor, target.ID, perms...)
	}
	if err != nil {
		return err
	}
	c.printf("%s %s %s\n", verb, strings.Join(args[1:], " "), target.Login)
	return nil
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
	if !d.Allowed {
		c.printf("denied\n")
		return errDenied
	}
	c.printf("allowed\n")
	return nil
}

func (c *cli) explain(args []string) error {
	d, err := c.decision(args)
	if err != nil {
		return err
	}
	c.printf("%s\n", c.svc.Describe(c.ctx, d))
	return nil
}

func (c *cli) whoCan(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	perms, err := c.permissions(args)
	if err != nil {
		return err
	}
	names, err := c.departmentNames()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LOGIN\tREASONS")
	for _, h := range c.svc.WhoCan(perms[0]) {
		st, err := c.svc.StaffMember(c.ctx, h.Staff)
		if err != nil {
			return err
		}
		reasons := make([]string, len(h.Sources))
		for i, s := range h.Sources {
			reasons[i] = s.String()
			if s.Kind == rbac.SourceDepartment {
				reasons[i] = fmt.Sprintf("department %q", names[s.Department])
			}
		}
		fmt.Fprintf(tw, "%s\t%s\n", st.Login, strings.Join(reasons, ", "))
	}
	return tw.Flush()
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
	m, err := report.BuildMatrix(c.ctx, c.svc, perms)
	if err != nil {
		return err
	}
	return m.Write(c.out, f)
}

func (c *cli) report(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	r, err := report.BuildReview(c.ctx, c.svc, report.ReviewOptions{Title: c.str("title")})
	if err != nil {
		return err
	}
	path := c.str("out")
	if path == "-" {
		return r.WriteHTML(c.out)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := r.WriteHTML(f); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	c.printf("wrote %s (%d departments, %d staff members)\n", path, len(r.Departments), len(r.Staff))
	return nil
}
