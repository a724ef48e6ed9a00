package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// importer applies a configuration as the signed-in operator: the
// departments and staff members the database lacks are created in batches
// by Service.Import (one change a batch, see bulk), then what exists is
// brought to the file's state through the ordinary admin calls (schedules,
// hours, updates, statuses). Every change is authorized, validated and
// logged like one made by hand. It creates and updates, never deletes;
// running it again converges (changes nothing the second time). It is not
// one transaction: on an error, what was applied stays, and the error says
// where it stopped; running it again resumes.
type importer struct {
	c      *cli
	lang   language.Tag
	depts  map[string]rbac.DepartmentID // by lower-case default-language name
	scheds map[string]rbac.ScheduleID   // by lower-case name
	counts map[string]int
}

func (c *cli) configImport(args []string) error {
	if err := c.nargs(args, 1); err != nil {
		return err
	}
	var r io.Reader = c.in
	if args[0] != "-" {
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	cfg, err := readConfig(r)
	if err != nil {
		return err
	}
	if err := c.validateConfig(cfg); err != nil {
		return err
	}
	im := &importer{c: c, lang: c.svc.DefaultLanguage(), depts: map[string]rbac.DepartmentID{}, scheds: map[string]rbac.ScheduleID{}, counts: map[string]int{}}
	start := time.Now()
	for _, step := range []func(config) error{im.schedules, im.bulk, im.departments, im.staff, im.statuses} {
		if err := step(cfg); err != nil {
			return fmt.Errorf("import stopped (what was applied before stays; run it again after fixing): %w", err)
		}
	}
	im.counts["seconds"] = int(time.Since(start).Seconds())
	return c.done(im.counts, "imported %d schedules, %d departments, %d staff members: %d changes",
		len(cfg.Schedules), len(cfg.Departments), len(cfg.Staff), im.counts["changes"])
}

// validateConfig checks the whole file before anything is written: names,
// permissions and references, each bad entry named by its path.
func (c *cli) validateConfig(cfg config) error {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	lang := c.svc.DefaultLanguage()
	checkPerms := func(path string, ps []string) {
		for i, s := range ps {
			p, err := rbac.ParsePermission(s)
			if err != nil || !c.svc.Catalog().Has(p) {
				bad("%s[%d]: unknown permission %q", path, i, s)
			}
		}
	}
	scheds := map[string]bool{}
	for i, s := range cfg.Schedules {
		sch, err := s.schedule()
		if err == nil {
			err = sch.Validate()
		}
		if err != nil {
			bad("schedules[%d]: %v", i, err)
		}
		scheds[strings.ToLower(sch.Name)] = true
	}
	depts := map[string]bool{}
	for i, d := range cfg.Departments {
		name := d.Name[lang.String()]
		switch {
		case name == "":
			bad("departments[%d].name: a name in %s is needed", i, lang)
		case depts[strings.ToLower(name)]:
			bad("departments[%d].name: %q is listed twice", i, name)
		}
		depts[strings.ToLower(name)] = true
		checkPerms(fmt.Sprintf("departments[%d].permissions", i), d.Permissions)
		if d.Schedule != "" && !scheds[strings.ToLower(d.Schedule)] {
			bad("departments[%d].schedule: no schedule %q in the file", i, d.Schedule)
		}
		if d.ResponseTarget != "" {
			if _, err := time.ParseDuration(d.ResponseTarget); err != nil {
				bad("departments[%d].response_target: %v", i, err)
			}
		}
		if d.TaskLanguage != "" {
			if _, err := language.Parse(d.TaskLanguage); err != nil {
				bad("departments[%d].task_language: %v", i, err)
			}
		}
	}
	logins := map[string]bool{}
	for i, s := range cfg.Staff {
		l := strings.ToLower(s.Login)
		if logins[l] {
			bad("staff[%d].login: %q is listed twice", i, s.Login)
		}
		logins[l] = true
		for j, d := range s.Departments {
			if !depts[strings.ToLower(d)] {
				bad("staff[%d].departments[%d]: no department %q in the file", i, j, d)
			}
		}
		checkPerms(fmt.Sprintf("staff[%d].grants", i), s.Grants)
	}
	if len(problems) > 0 {
		return usagef("config: %d problem(s), nothing imported:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return nil
}

func (im *importer) did(what string, err error) error {
	if err == nil {
		im.counts[what]++
		im.counts["changes"]++
	}
	return err
}

func text(m map[string]string) rbac.LocalizedText {
	t := rbac.LocalizedText{}
	for k, v := range m {
		t[language.Make(k)] = v
	}
	return t
}

func (im *importer) schedules(cfg config) error {
	c := im.c
	existing, err := c.svc.Schedules(c.ctx)
	if err != nil {
		return err
	}
	for _, cs := range cfg.Schedules {
		sch, _ := cs.schedule() // validated
		i := slices.IndexFunc(existing, func(s rbac.StoredSchedule) bool { return strings.EqualFold(s.Schedule.Name, sch.Name) })
		var stored rbac.StoredSchedule
		switch {
		case i < 0:
			stored, err = c.svc.CreateSchedule(c.ctx, c.me.ID, sch)
			err = im.did("schedules created", err)
		default:
			stored = existing[i]
			// Compare in the stored form: the change flow records no-ops too.
			if a, b := fmt.Sprint(existing[i].Schedule), fmt.Sprint(sch); a != b {
				stored, err = c.svc.UpdateSchedule(c.ctx, c.me.ID, existing[i].ID, sch)
				err = im.did("schedules updated", err)
			}
		}
		if err != nil {
			return fmt.Errorf("schedule %q: %w", sch.Name, err)
		}
		im.scheds[strings.ToLower(sch.Name)] = stored.ID
	}
	return nil
}

func (im *importer) departments(cfg config) error {
	c := im.c
	existing, err := c.svc.Departments(c.ctx)
	if err != nil {
		return err
	}
	for _, cd := range cfg.Departments {
		name := cd.Name[im.lang.String()]
		lang := im.lang
		if cd.TaskLanguage != "" {
			lang = language.Make(cd.TaskLanguage)
		}
		i := slices.IndexFunc(existing, func(d rbac.Department) bool { return strings.EqualFold(d.Name.In(im.lang), name) })
		var d rbac.Department
		if i < 0 {
			d, err = c.svc.CreateDepartment(c.ctx, c.me.ID, rbac.NewDepartment{Name: text(cd.Name),
				AcceptsClientRequests: cd.AcceptsClientRequests, TaskLanguage: lang, SortOrder: cd.SortOrder})
			err = im.did("departments created", err)
		} else {
			d = existing[i]
			var up rbac.DepartmentUpdate
			if !maps(textMap(d.Name), cd.Name) {
				up.Name = text(cd.Name)
			}
			if d.AcceptsClientRequests != cd.AcceptsClientRequests {
				up.AcceptsClientRequests = &cd.AcceptsClientRequests
			}
			if d.TaskLanguage != lang {
				up.TaskLanguage = &lang
			}
			if d.SortOrder != cd.SortOrder {
				up.SortOrder = &cd.SortOrder
			}
			if up.Name != nil || up.AcceptsClientRequests != nil || up.TaskLanguage != nil || up.SortOrder != nil {
				d, err = c.svc.UpdateDepartment(c.ctx, c.me.ID, d.ID, up)
				err = im.did("departments updated", err)
			}
		}
		if err != nil {
			return fmt.Errorf("department %q: %w", name, err)
		}
		im.depts[strings.ToLower(name)] = d.ID
		if err := im.departmentPermissions(d, cd.Permissions); err != nil {
			return fmt.Errorf("department %q: %w", name, err)
		}
		if err := im.hours(d, cd); err != nil {
			return fmt.Errorf("department %q: %w", name, err)
		}
	}
	return nil
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// diff returns what is in want and not in have, and what is in have and
// not in want.
func diff(have []rbac.Permission, want []string) (add, remove []rbac.Permission) {
	set := map[rbac.Permission]bool{}
	for _, s := range want {
		p, _ := rbac.ParsePermission(s) // validated
		set[p] = true
		if !slices.Contains(have, p) && !slices.Contains(add, p) {
			add = append(add, p)
		}
	}
	for _, p := range have {
		if !set[p] {
			remove = append(remove, p)
		}
	}
	return add, remove
}

// chunks calls fn on perms in calls of at most MaxPermissionsPerCall.
func chunks(perms []rbac.Permission, fn func([]rbac.Permission) error) error {
	for i := 0; i < len(perms); i += rbac.MaxPermissionsPerCall {
		if err := fn(perms[i:min(i+rbac.MaxPermissionsPerCall, len(perms))]); err != nil {
			return err
		}
	}
	return nil
}

func (im *importer) departmentPermissions(d rbac.Department, want []string) error {
	c := im.c
	add, remove := diff(c.svc.DepartmentPermissions(d.ID), want)
	if err := chunks(add, func(ps []rbac.Permission) error {
		return im.did("permissions enabled", c.svc.EnablePermissions(c.ctx, c.me.ID, d.ID, ps...))
	}); err != nil {
		return err
	}
	return chunks(remove, func(ps []rbac.Permission) error {
		return im.did("permissions disabled", c.svc.DisablePermissions(c.ctx, c.me.ID, d.ID, ps...))
	})
}

func (im *importer) hours(d rbac.Department, cd configDepartment) error {
	c := im.c
	sch := rbac.AlwaysOpenSchedule
	if cd.Schedule != "" {
		sch = im.scheds[strings.ToLower(cd.Schedule)]
	}
	var target time.Duration
	if cd.ResponseTarget != "" {
		target, _ = time.ParseDuration(cd.ResponseTarget) // validated
	}
	h, err := c.svc.DepartmentHours(c.ctx, d.ID)
	if err != nil || (h.Schedule == sch && h.Target == target) {
		return err
	}
	_, err = c.svc.SetDepartmentHours(c.ctx, c.me.ID, d.ID, sch, target)
	return im.did("hours set", err)
}

func (im *importer) staff(cfg config) error {
	for _, cs := range cfg.Staff {
		if err := im.oneStaff(cs); err != nil {
			return fmt.Errorf("staff %q: %w", cs.Login, err)
		}
	}
	return nil
}

func (im *importer) oneStaff(cs configStaff) error {
	c := im.c
	var want []rbac.DepartmentID
	for _, d := range cs.Departments {
		want = append(want, im.depts[strings.ToLower(d)])
	}
	st, err := c.staff(cs.Login)
	switch {
	case errors.Is(err, rbac.ErrNotFound):
		st, err = c.svc.CreateStaff(c.ctx, c.me.ID, rbac.NewStaff{Login: cs.Login, FullName: text(cs.Name), Email: cs.Email, Phone: cs.Phone,
			FullAccess: cs.FullAccess, Departments: want})
		if err = im.did("staff created", err); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		var up rbac.StaffUpdate
		if !maps(textMap(st.FullName), cs.Name) {
			up.FullName = text(cs.Name)
		}
		if st.Email != cs.Email {
			up.Email = &cs.Email
		}
		if st.Phone != cs.Phone {
			up.Phone = &cs.Phone
		}
		if st.FullAccess != cs.FullAccess {
			up.FullAccess = &cs.FullAccess
		}
		if up.FullName != nil || up.Email != nil || up.Phone != nil || up.FullAccess != nil {
			if st, err = c.svc.UpdateStaff(c.ctx, c.me.ID, st.ID, up); err != nil {
				return err
			}
			_ = im.did("staff updated", nil)
		}
		for _, d := range want {
			if !slices.Contains(st.Departments, d) {
				if err := im.did("memberships added", c.svc.AddToDepartment(c.ctx, c.me.ID, st.ID, d)); err != nil {
					return err
				}
			}
		}
		for _, d := range st.Departments {
			if !slices.Contains(want, d) {
				if err := im.did("memberships removed", c.svc.RemoveFromDepartment(c.ctx, c.me.ID, st.ID, d)); err != nil {
					return err
				}
			}
		}
	}
	add, remove := diff(c.svc.DirectGrants(st.ID), cs.Grants)
	if err := chunks(add, func(ps []rbac.Permission) error { return im.did("grants", c.svc.Grant(c.ctx, c.me.ID, st.ID, ps...)) }); err != nil {
		return err
	}
	return chunks(remove, func(ps []rbac.Permission) error { return im.did("revokes", c.svc.Revoke(c.ctx, c.me.ID, st.ID, ps...)) })
}

// statuses switches departments and accounts on and off last, so that
// what a disabled one holds is in place before it is switched off.
func (im *importer) statuses(cfg config) error {
	c := im.c
	for _, cd := range cfg.Departments {
		id := im.depts[strings.ToLower(cd.Name[im.lang.String()])]
		if want := status(cd.Disabled); c.svc.DepartmentDisabled(id) != cd.Disabled {
			if _, err := c.svc.UpdateDepartment(c.ctx, c.me.ID, id, rbac.DepartmentUpdate{Status: &want}); im.did("department statuses", err) != nil {
				return fmt.Errorf("department %q: %w", cd.Name[im.lang.String()], err)
			}
		}
	}
	for _, cs := range cfg.Staff {
		st, err := c.staff(cs.Login)
		if err != nil {
			return err
		}
		if want := status(cs.Disabled); st.Status != want {
			if _, err := c.svc.UpdateStaff(c.ctx, c.me.ID, st.ID, rbac.StaffUpdate{Status: &want}); im.did("staff statuses", err) != nil {
				return fmt.Errorf("staff %q: %w", cs.Login, err)
			}
		}
	}
	return nil
}

func status(disabled bool) rbac.Status {
	if disabled {
		return rbac.StatusDisabled
	}
	return rbac.StatusActive
}
