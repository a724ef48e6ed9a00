package rbactest

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Fixture declares the state an instance starts in, on top of the
// bootstrap ("Sales department", "Technical support" and the full-access
// "admin"). Entries refer to each other by name: a staff member's
// departments, a department's schedule, a client user's roles.
type Fixture struct {
	Schedules   []FixtureSchedule   `yaml:"schedules" json:"schedules"`
	Departments []FixtureDepartment `yaml:"departments" json:"departments"`
	Staff       []FixtureStaff      `yaml:"staff" json:"staff"`
	Clients     []FixtureClient     `yaml:"clients" json:"clients"`
}

// FixtureSchedule declares a business-hours schedule: the same hours on
// the listed weekdays, closed on the other days and on Closed dates.
type FixtureSchedule struct {
	Name string `yaml:"name" json:"name"`
	// Zone is an IANA time zone name ("Europe/Berlin", "UTC").
	Zone string `yaml:"zone" json:"zone"`
	// Days are weekdays: mon, tue, wed, thu, fri, sat, sun.
	Days []string `yaml:"days" json:"days"`
	// Hours are the open intervals of each of those days, "09:00-17:00".
	Hours []string `yaml:"hours" json:"hours"`
	// Closed dates (holidays), "2026-12-25".
	Closed []string `yaml:"closed" json:"closed"`
}

// FixtureDepartment declares a department. A name the bootstrap already
// created refers to that department.
type FixtureDepartment struct {
	Name string `yaml:"name" json:"name"`
	// Permissions as "function:action". For a new department, the
	// permissions it holds. For a bootstrapped one, nil keeps its default
	// permissions and a non-nil list (even empty) replaces them.
	Permissions []string `yaml:"permissions" json:"permissions"`
	// AcceptsClientRequests: clients may send it requests (support flag).
	AcceptsClientRequests bool `yaml:"accepts_client_requests" json:"accepts_client_requests"`
	// TaskLanguage is the BCP 47 tag of the tasks generated for it ("de").
	TaskLanguage string `yaml:"task_language" json:"task_language"`
	// Schedule names a fixture schedule; empty: always open.
	Schedule string `yaml:"schedule" json:"schedule"`
	// ResponseTarget is the response target in business time ("4h",
	// "90m"); empty: none.
	ResponseTarget string `yaml:"response_target" json:"response_target"`
	// Disabled departments grant nothing.
	Disabled bool `yaml:"disabled" json:"disabled"`
}

// FixtureStaff declares a staff member.
type FixtureStaff struct {
	Login string `yaml:"login" json:"login"`
	// Name is the full name in English; empty means the login.
	Name  string `yaml:"name" json:"name"`
	Email string `yaml:"email" json:"email"`
	Phone string `yaml:"phone" json:"phone"`
	// Password is the staff member's password, checked against the
	// password policy and hashed with the kit's cheap Argon2id parameters
	// (HashParams). Empty: the account cannot sign in.
	Password string `yaml:"password" json:"password"`
	// Departments by name.
	Departments []string `yaml:"departments" json:"departments"`
	// Grants are direct grants, as "function:action".
	Grants     []string `yaml:"grants" json:"grants"`
	FullAccess bool     `yaml:"full_access" json:"full_access"`
	Disabled   bool     `yaml:"disabled" json:"disabled"`
}

// FixtureClient declares a client account with its first user, its roles
// and its other users. The first user holds every right of the account.
type FixtureClient struct {
	Name      string              `yaml:"name" json:"name"`
	Email     string              `yaml:"email" json:"email"`
	FirstUser FixtureClientUser   `yaml:"first_user" json:"first_user"`
	Roles     []FixtureClientRole `yaml:"roles" json:"roles"`
	Users     []FixtureClientUser `yaml:"users" json:"users"`
	Disabled  bool                `yaml:"disabled" json:"disabled"`
}

// FixtureClientRole declares a role of a client account.
type FixtureClientRole struct {
	Name string `yaml:"name" json:"name"`
	// Permissions as "section:action" (finance:view, services:modify).
	Permissions []string `yaml:"permissions" json:"permissions"`
}

// FixtureClientUser declares a user of a client account. Client logins
// are unique among client users (staff logins are another namespace).
type FixtureClientUser struct {
	Login string `yaml:"login" json:"login"`
	// Name defaults to the login.
	Name  string `yaml:"name" json:"name"`
	Email string `yaml:"email" json:"email"`
	// Roles by name, among the client's roles (not for the first user).
	Roles    []string `yaml:"roles" json:"roles"`
	Disabled bool     `yaml:"disabled" json:"disabled"`
}

// The bootstrapped departments' English names.
const (
	defaultSales   = "Sales department"
	defaultSupport = "Technical support"
)

// ParseFixture decodes a fixture from YAML or JSON and validates it.
// Unknown fields are errors, so a typo does not silently drop a rule.
func ParseFixture(data []byte) (Fixture, error) {
	f, _, err := parseFixture(data)
	return f, err
}

func parseFixture(data []byte) (Fixture, map[string]string, error) {
	var f Fixture
	pos, err := decodeStrict(data, &f, "")
	if err != nil {
		return Fixture{}, nil, fmt.Errorf("rbactest: parse fixture: %w", err)
	}
	if err := f.Validate(); err != nil {
		return Fixture{}, nil, withLines(err, pos, "")
	}
	return f, pos, nil
}

// LoadFixture reads and parses a fixture file.
func LoadFixture(path string) (Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Fixture{}, fmt.Errorf("rbactest: %w", err)
	}
	f, err := ParseFixture(data)
	if err != nil {
		return Fixture{}, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// loadFixtureIn reads fixture file name from inside directory dir, for a
// suite's fixture_file: name must be a local path ("team.yaml",
// "fixtures/team.yaml"), and os.OpenInRoot refuses what escapes dir by
// ".." or a symbolic link, so a suite cannot make the runner read, and
// echo in its errors, files outside its own directory.
func loadFixtureIn(dir, name string) (Fixture, map[string]string, error) {
	if !filepath.IsLocal(name) {
		return Fixture{}, nil, fmt.Errorf("rbactest: fixture_file %q: must be a relative path inside the suite's directory", name)
	}
	f, err := os.OpenInRoot(dir, name)
	if err != nil {
		return Fixture{}, nil, fmt.Errorf("rbactest: fixture_file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return Fixture{}, nil, fmt.Errorf("rbactest: fixture_file: %w", err)
	}
	fx, pos, err := parseFixture(data)
	if err != nil {
		return Fixture{}, nil, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	return fx, pos, nil
}
