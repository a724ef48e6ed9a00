package rbactest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/billingrbac/billingrbac/rbac"
)

// Fixture declares the state an instance starts in, on top of the
// bootstrap ("Sales department", "Technical support" and the full-access
// "admin").
type Fixture struct {
	Departments []FixtureDepartment `yaml:"departments" json:"departments"`
	Staff       []FixtureStaff      `yaml:"staff" json:"staff"`
}

// FixtureDepartment declares a department. A name the bootstrap already
// created refers to that department.
type FixtureDepartment struct {
	Name string `yaml:"name" json:"name"`
	// Permissions as "function:action". For a new department, the
	// permissions it holds. For a bootstrapped one, nil keeps its default
	// permissions and a non-nil list (even empty) replaces them.
	Permissions []string `yaml:"permissions" json:"permissions"`
	// AcceptsClientRequests: clients may send it requests.
	AcceptsClientRequests bool `yaml:"accepts_client_requests" json:"accepts_client_requests"`
	// Disabled departments grant nothing.
	Disabled bool `yaml:"disabled" json:"disabled"`
}

// FixtureStaff declares a staff member.
type FixtureStaff struct {
	Login string `yaml:"login" json:"login"`
	// Name is the full name in English; empty means the login.
	Name string `yaml:"name" json:"name"`
	// Departments by name.
	Departments []string `yaml:"departments" json:"departments"`
	// Grants are direct grants, as "function:action".
	Grants     []string `yaml:"grants" json:"grants"`
	FullAccess bool     `yaml:"full_access" json:"full_access"`
	Disabled   bool     `yaml:"disabled" json:"disabled"`
}

// Validate reports every bad field at once, as an *rbac.ValidationError
// (wrapping rbac.ErrInvalid): empty or duplicate names and logins, unknown
// departments, malformed permissions. Whether a permission is in the
// catalog is checked when the fixture is applied.
func (f *Fixture) Validate() error {
	var fe []rbac.FieldError
	add := func(field, rule, format string, args ...any) {
		fe = append(fe, rbac.FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	perms := func(field string, ps []string) {
		for i, p := range ps {
			if _, err := rbac.ParsePermission(p); err != nil {
				add(fmt.Sprintf("%s[%d]", field, i), "format", "%q is not function:action", p)
			}
		}
	}
	depts := map[string]bool{defaultSales: true, defaultSupport: true}
	seen := map[string]bool{}
	for i, d := range f.Departments {
		field := fmt.Sprintf("departments[%d]", i)
		switch {
		case d.Name == "":
			add(field+".name", "required", "must not be empty")
		case seen[d.Name]:
			add(field+".name", "unique", "department %q is declared twice", d.Name)
		}
		seen[d.Name] = true
		depts[d.Name] = true
		perms(field+".permissions", d.Permissions)
	}
	logins := map[string]bool{"admin": true}
	for i, s := range f.Staff {
		field := fmt.Sprintf("staff[%d]", i)
		switch {
		case s.Login == "":
			add(field+".login", "required", "must not be empty")
		case logins[s.Login]:
			add(field+".login", "unique", "login %q is taken", s.Login)
		}
		logins[s.Login] = true
		for j, d := range s.Departments {
			if !depts[d] {
				add(fmt.Sprintf("%s.departments[%d]", field, j), "unknown", "no department %q", d)
			}
		}
		perms(field+".grants", s.Grants)
	}
	if len(fe) > 0 {
		return &rbac.ValidationError{Op: "rbactest fixture", Fields: fe}
	}
	return nil
}

// The bootstrapped departments' English names.
const (
	defaultSales   = "Sales department"
	defaultSupport = "Technical support"
)

// ParseFixture decodes a fixture from YAML or JSON and validates it.
// Unknown fields are errors, so a typo does not silently drop a rule.
func ParseFixture(data []byte) (Fixture, error) {
	var f Fixture
	if err := decodeStrict(data, &f); err != nil {
		return Fixture{}, fmt.Errorf("rbactest: parse fixture: %w", err)
	}
	if err := f.Validate(); err != nil {
		return Fixture{}, err
	}
	return f, nil
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
func loadFixtureIn(dir, name string) (Fixture, error) {
	if !filepath.IsLocal(name) {
		return Fixture{}, fmt.Errorf("rbactest: fixture_file %q: must be a relative path inside the suite's directory", name)
	}
	f, err := os.OpenInRoot(dir, name)
	if err != nil {
		return Fixture{}, fmt.Errorf("rbactest: fixture_file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return Fixture{}, fmt.Errorf("rbactest: fixture_file: %w", err)
	}
	fx, err := ParseFixture(data)
	if err != nil {
		return Fixture{}, fmt.Errorf("%s: %w", filepath.Join(dir, name), err)
	}
	return fx, nil
}

// decodeStrict decodes one YAML (or JSON) document, refusing unknown
// fields.
func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
