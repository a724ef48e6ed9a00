package rbactest

import (
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/rbac/hours"
)

// fieldErrors collects field errors for a *rbac.ValidationError.
type fieldErrors []rbac.FieldError

func (fe *fieldErrors) add(field, rule, format string, args ...any) {
	*fe = append(*fe, rbac.FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
}

func (fe fieldErrors) err(op string) error {
	if len(fe) == 0 {
		return nil
	}
	return &rbac.ValidationError{Op: op, Fields: fe}
}

// weekdays maps the day names of fixture schedules.
var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// Validate reports every bad field at once, as an *rbac.ValidationError
// (wrapping rbac.ErrInvalid): empty or duplicate names and logins,
// references to departments, schedules or roles the fixture does not
// declare, malformed permissions, hours, dates, durations and language
// tags. Whether a permission is in the catalog, and whether a password
// passes the policy, is checked when the fixture is applied.
func (f *Fixture) Validate() error {
	var fe fieldErrors
	f.validate(&fe, "")
	return fe.err("rbactest fixture")
}

func (f *Fixture) validate(fe *fieldErrors, prefix string) {
	perms := func(field string, ps []string) {
		for i, p := range ps {
			if _, err := rbac.ParsePermission(p); err != nil {
				fe.add(fmt.Sprintf("%s[%d]", field, i), "format", "%q is not function:action", p)
			}
		}
	}
	unique := func(field, what, name string, seen map[string]bool) {
		switch {
		case name == "":
			fe.add(field, "required", "must not be empty")
		case seen[name]:
			fe.add(field, "unique", "%s %q is declared twice", what, name)
		}
		seen[name] = true
	}
	schedules := map[string]bool{}
	for i, s := range f.Schedules {
		field := fmt.Sprintf("%sschedules[%d]", prefix, i)
		unique(field+".name", "schedule", s.Name, schedules)
		if s.Zone == "" {
			fe.add(field+".zone", "required", "an IANA time zone such as Europe/Berlin or UTC")
		}
		for j, d := range s.Days {
			if _, ok := weekdays[d]; !ok {
				fe.add(fmt.Sprintf("%s.days[%d]", field, j), "format", "%q is not mon, tue, wed, thu, fri, sat or sun", d)
			}
		}
		for j, h := range s.Hours {
			if _, err := parseInterval(h); err != nil {
				fe.add(fmt.Sprintf("%s.hours[%d]", field, j), "format", "%q is not HH:MM-HH:MM", h)
			}
		}
		for j, d := range s.Closed {
			if _, err := hours.ParseDate(d); err != nil {
				fe.add(fmt.Sprintf("%s.closed[%d]", field, j), "format", "%q is not YYYY-MM-DD", d)
			}
		}
	}
	depts := map[string]bool{}
	for i, d := range f.Departments {
		field := fmt.Sprintf("%sdepartments[%d]", prefix, i)
		unique(field+".name", "department", d.Name, depts)
		perms(field+".permissions", d.Permissions)
		if d.TaskLanguage != "" {
			if _, err := language.Parse(d.TaskLanguage); err != nil {
				fe.add(field+".task_language", "format", "%q is not a BCP 47 language tag", d.TaskLanguage)
			}
		}
		if d.Schedule != "" && !schedules[d.Schedule] {
			fe.add(field+".schedule", "unknown", "no schedule %q in the fixture", d.Schedule)
		}
		if d.ResponseTarget != "" {
			if t, err := time.ParseDuration(d.ResponseTarget); err != nil || t <= 0 {
				fe.add(field+".response_target", "format", "%q is not a positive duration such as 4h or 90m", d.ResponseTarget)
			}
		}
	}
	depts[defaultSales], depts[defaultSupport] = true, true
	logins := map[string]bool{"admin": true}
	for i, s := range f.Staff {
		field := fmt.Sprintf("%sstaff[%d]", prefix, i)
		if s.Login == "admin" {
			fe.add(field+".login", "unique", "login %q is taken", s.Login)
		} else {
			unique(field+".login", "login", s.Login, logins)
		}
		for j, d := range s.Departments {
			if !depts[d] {
				fe.add(fmt.Sprintf("%s.departments[%d]", field, j), "unknown", "no department %q", d)
			}
		}
		perms(field+".grants", s.Grants)
	}
	names, users := map[string]bool{}, map[string]bool{}
	for i, c := range f.Clients {
		field := fmt.Sprintf("%sclients[%d]", prefix, i)
		unique(field+".name", "client", c.Name, names)
		unique(field+".first_user.login", "client login", strings.ToLower(c.FirstUser.Login), users)
		if len(c.FirstUser.Roles) > 0 {
			fe.add(field+".first_user.roles", "exclusive", "the first user holds every right and takes no roles")
		}
		roles := map[string]bool{}
		for j, r := range c.Roles {
			rf := fmt.Sprintf("%s.roles[%d]", field, j)
			unique(rf+".name", "role", r.Name, roles)
			for k, p := range r.Permissions {
				if _, err := clients.ParsePermission(p); err != nil {
					fe.add(fmt.Sprintf("%s.permissions[%d]", rf, k), "format", "%q is not section:action (view, add, modify, delete)", p)
				}
			}
		}
		for j, u := range c.Users {
			uf := fmt.Sprintf("%s.users[%d]", field, j)
			unique(uf+".login", "client login", strings.ToLower(u.Login), users)
			for k, r := range u.Roles {
				if !roles[r] {
					fe.add(fmt.Sprintf("%s.roles[%d]", uf, k), "unknown", "no role %q in client %q", r, c.Name)
				}
			}
		}
	}
}

// parseInterval parses "09:00-17:00" (an end before the start runs
// overnight).
func parseInterval(s string) (hours.Interval, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return hours.Interval{}, fmt.Errorf("%q: want HH:MM-HH:MM", s)
	}
	start, err := hours.ParseClock(strings.TrimSpace(a))
	if err != nil {
		return hours.Interval{}, err
	}
	end, err := hours.ParseClock(strings.TrimSpace(b))
	if err != nil {
		return hours.Interval{}, err
	}
	return hours.Interval{Start: start, End: end, Overnight: end < start}, nil
}

// schedule builds the hours.Schedule of a validated fixture schedule.
func (s FixtureSchedule) schedule() hours.Schedule {
	var day hours.Day
	for _, h := range s.Hours {
		iv, _ := parseInterval(h) // checked by Validate
		day = append(day, iv)
	}
	out := hours.Schedule{Name: s.Name, Zone: s.Zone}
	for _, d := range s.Days {
		out.Week[weekdays[d]] = day
	}
	for _, c := range s.Closed {
		d, _ := hours.ParseDate(c)
		out.Closed = append(out.Closed, d)
	}
	return out
}
