package rbactest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/billingrbac/billingrbac/rbac"
)

// Suite is a policy test file: a fixture and the tests run against it.
type Suite struct {
	Name string `yaml:"name" json:"name"`
	// Fixture is the state the tests run against.
	Fixture Fixture `yaml:"fixture" json:"fixture"`
	// FixtureFile names a fixture file instead, relative to the suite file
	// and inside its directory (LoadSuite reads it into Fixture; a path
	// that leaves the directory, by "..", an absolute path or a symbolic
	// link, is refused).
	FixtureFile string `yaml:"fixture_file" json:"fixture_file"`
	Tests       []Test `yaml:"tests" json:"tests"`
}

// Test is a named group of expectations.
type Test struct {
	Name   string        `yaml:"name" json:"name"`
	Expect []Expectation `yaml:"expect" json:"expect"`
}

// Expectation is one line of a test: either a check (Staff with Can or
// Cannot, optionally Because) or a who-can query (WhoCan with Are).
type Expectation struct {
	Staff  string `yaml:"staff" json:"staff"`
	Can    string `yaml:"can" json:"can"`       // "function:action" the staff member may perform
	Cannot string `yaml:"cannot" json:"cannot"` // "function:action" they may not
	// Because lists the expected reasons. For Can, the exact set of
	// sources ("full access", "direct grant", {department: NAME}); for
	// Cannot, "disabled" asserts the account is disabled. Empty: any
	// reason.
	Because []Reason `yaml:"because" json:"because"`

	WhoCan string   `yaml:"who_can" json:"who_can"` // "function:action"
	Are    []string `yaml:"are" json:"are"`         // exactly these logins may (any order)
}

// ReasonKind is the kind of a Reason.
type ReasonKind string

// Reason kinds, as written in test files.
const (
	ReasonFullAccess ReasonKind = "full access"
	ReasonDirect     ReasonKind = "direct grant"
	ReasonDepartment ReasonKind = "department"
	ReasonDisabled   ReasonKind = "disabled"
)

// Reason is an expected reason for a decision: "full access", "direct
// grant", "disabled", or a department written {department: NAME}.
type Reason struct {
	Kind       ReasonKind
	Department string // for ReasonDepartment
}

// String returns the reason as messages show it: `department "Sales
// department"`, "direct grant"...
func (r Reason) String() string {
	if r.Kind == ReasonDepartment {
		return fmt.Sprintf("department %q", r.Department)
	}
	return string(r.Kind)
}

// UnmarshalYAML reads a reason from a string or a {department: NAME}
// mapping (JSON: "direct grant" or {"department": "NAME"}).
func (r *Reason) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		switch k := ReasonKind(n.Value); k {
		case ReasonFullAccess, ReasonDirect, ReasonDisabled:
			*r = Reason{Kind: k}
			return nil
		}
		return fmt.Errorf("line %d: unknown reason %q: want \"full access\", \"direct grant\", \"disabled\" or {department: NAME}", n.Line, n.Value)
	case yaml.MappingNode:
		var m struct {
			Department string `yaml:"department"`
		}
		if err := n.Decode(&m); err != nil {
			return err
		}
		if len(n.Content) != 2 || m.Department == "" {
			return fmt.Errorf("line %d: a department reason is {department: NAME}", n.Line)
		}
		*r = Reason{Kind: ReasonDepartment, Department: m.Department}
		return nil
	}
	return fmt.Errorf("line %d: a reason is a string or {department: NAME}", n.Line)
}

// Validate reports every bad field of the suite at once, as an
// *rbac.ValidationError (rbac.ErrInvalid).
func (s *Suite) Validate() error {
	var fe []rbac.FieldError
	add := func(field, rule, format string, args ...any) {
		fe = append(fe, rbac.FieldError{Field: field, Rule: rule, Message: fmt.Sprintf(format, args...)})
	}
	if err := s.Fixture.Validate(); err != nil {
		for _, f := range err.(*rbac.ValidationError).Fields {
			f.Field = "fixture." + f.Field
			fe = append(fe, f)
		}
	}
	perm := func(field, v string) {
		if _, err := rbac.ParsePermission(v); err != nil {
			add(field, "format", "%q is not function:action", v)
		}
	}
	if len(s.Tests) == 0 {
		add("tests", "required", "a suite needs at least one test")
	}
	names := map[string]bool{}
	for i, t := range s.Tests {
		tf := fmt.Sprintf("tests[%d]", i)
		if t.Name == "" {
			add(tf+".name", "required", "must not be empty")
		} else if names[t.Name] {
			add(tf+".name", "unique", "test %q is declared twice", t.Name)
		}
		names[t.Name] = true
		if len(t.Expect) == 0 {
			add(tf+".expect", "required", "a test needs at least one expectation")
		}
		for j, e := range t.Expect {
			ef := fmt.Sprintf("%s.expect[%d]", tf, j)
			if e.WhoCan != "" {
				perm(ef+".who_can", e.WhoCan)
				if e.Are == nil {
					add(ef+".are", "required", "who_can needs the expected logins (are: [] for nobody)")
				}
				if e.Staff != "" || e.Can != "" || e.Cannot != "" || len(e.Because) > 0 {
					add(ef, "exclusive", "who_can takes only are")
				}
				continue
			}
			if e.Staff == "" {
				add(ef+".staff", "required", "must name a login (or use who_can)")
			}
			switch {
			case (e.Can == "") == (e.Cannot == ""):
				add(ef, "exclusive", "needs exactly one of can and cannot")
			case e.Can != "":
				perm(ef+".can", e.Can)
				for k, r := range e.Because {
					if r.Kind == ReasonDisabled {
						add(fmt.Sprintf("%s.because[%d]", ef, k), "reason", "an allowed check cannot be because disabled")
					}
				}
			default:
				perm(ef+".cannot", e.Cannot)
				for k, r := range e.Because {
					if r.Kind != ReasonDisabled {
						add(fmt.Sprintf("%s.because[%d]", ef, k), "reason", "a denial can only be because disabled")
					}
				}
			}
			if len(e.Are) > 0 {
				add(ef+".are", "exclusive", "are goes with who_can")
			}
		}
	}
	if len(fe) > 0 {
		return &rbac.ValidationError{Op: "rbactest suite", Fields: fe}
	}
	return nil
}

// ParseSuite decodes a suite from YAML or JSON and validates it. Unknown
// fields are errors. A FixtureFile is not read (LoadSuite reads it).
func ParseSuite(data []byte) (*Suite, error) {
	var s Suite
	if err := decodeStrict(data, &s); err != nil {
		return nil, fmt.Errorf("rbactest: parse suite: %w", err)
	}
	if s.FixtureFile == "" {
		if err := s.Validate(); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// LoadSuite reads a policy test file and the fixture file it names.
func LoadSuite(path string) (*Suite, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("rbactest: %w", err)
	}
	s, err := ParseSuite(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if s.FixtureFile != "" {
		if len(s.Fixture.Departments) > 0 || len(s.Fixture.Staff) > 0 {
			return nil, fmt.Errorf("%s: rbactest: fixture and fixture_file are exclusive", path)
		}
		f, err := loadFixtureIn(filepath.Dir(path), s.FixtureFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s.Fixture = f
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if s.Name == "" {
		s.Name = filepath.Base(path)
	}
	return s, nil
}

// RunFile runs every policy test file matching the glob pattern, each as a
// subtest named after the file with one subtest per test. It fails the
// test when nothing matches or a file does not parse.
func RunFile(t *testing.T, pattern string) {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatalf("rbactest: %v", err)
	}
	if len(files) == 0 {
		t.Fatalf("rbactest: no policy test file matches %q", pattern)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			s, err := LoadSuite(path)
			if err != nil {
				t.Fatal(err)
			}
			in := New(t, s.Fixture)
			for _, tc := range s.Tests {
				t.Run(tc.Name, func(t *testing.T) { in.check(t, "", tc) })
			}
		})
	}
}

// Run runs a suite without subtests, reporting each failed expectation
// with tb.Errorf prefixed by its test's name. RunFile is the usual entry
// point; Run suits a testing.TB that is not a *testing.T.
func Run(tb testing.TB, s *Suite) {
	tb.Helper()
	if err := s.Validate(); err != nil {
		tb.Fatalf("%v", err)
		return
	}
	in := New(tb, s.Fixture)
	if in == nil {
		return
	}
	for _, tc := range s.Tests {
		in.check(tb, fmt.Sprintf("test %q: ", tc.Name), tc)
	}
}

// check evaluates one test's expectations, reporting every failure.
func (in *Instance) check(tb testing.TB, prefix string, tc Test) {
	tb.Helper()
	ctx := context.Background()
	svc := in.Service
	for i, e := range tc.Expect {
		at := fmt.Sprintf("%sexpect[%d]: ", prefix, i)
		if e.WhoCan != "" {
			p, _ := rbac.ParsePermission(e.WhoCan)
			var got []string
			var detail []string
			for _, h := range svc.WhoCan(p) {
				login := in.logins[h.Staff]
				got = append(got, login)
				detail = append(detail, login+": "+svc.Describe(ctx, rbac.Decision{Staff: h.Staff, Permission: p, Allowed: true, Sources: h.Sources}))
			}
			want := slices.Clone(e.Are)
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				tb.Errorf("%swho_can %s: want %v, got %v:\n  %s", at, p, want, got, strings.Join(detail, "\n  "))
			}
			continue
		}
		id, ok := in.staff[e.Staff]
		if !ok {
			tb.Errorf("%sno staff member %q in the fixture", at, e.Staff)
			continue
		}
		perm, wantAllowed := e.Can, true
		if perm == "" {
			perm, wantAllowed = e.Cannot, false
		}
		p, _ := rbac.ParsePermission(perm)
		d := svc.Explain(id, p)
		why := svc.Describe(ctx, d)
		verb := "can"
		if !wantAllowed {
			verb = "cannot"
		}
		what := fmt.Sprintf("%s %s %s", e.Staff, verb, p)
		if len(e.Because) > 0 {
			what += " because " + reasonList(e.Because)
		}
		switch {
		case d.Allowed != wantAllowed:
			got := "denied"
			if d.Allowed {
				got = "allowed"
			}
			tb.Errorf("%s%s: got %s: %s", at, what, got, why)
		case len(e.Because) == 0:
		case wantAllowed:
			got := in.reasons(d)
			if !sameReasons(got, e.Because) {
				tb.Errorf("%s%s: got because %s: %s", at, what, reasonList(got), why)
			}
		case !d.Disabled:
			tb.Errorf("%s%s: denied, but the account is not disabled: %s", at, what, why)
		}
	}
}

// reasons translates a decision's sources into Reasons.
func (in *Instance) reasons(d rbac.Decision) []Reason {
	out := make([]Reason, 0, len(d.Sources))
	for _, s := range d.Sources {
		switch s.Kind {
		case rbac.SourceFullAccess:
			out = append(out, Reason{Kind: ReasonFullAccess})
		case rbac.SourceDirect:
			out = append(out, Reason{Kind: ReasonDirect})
		case rbac.SourceDepartment:
			name, ok := in.names[s.Department]
			if !ok {
				name = "#" + s.Department.String()
			}
			out = append(out, Reason{Kind: ReasonDepartment, Department: name})
		}
	}
	return out
}

func sameReasons(a, b []Reason) bool {
	key := func(rs []Reason) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.String()
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	return slices.Equal(key(a), key(b))
}

func reasonList(rs []Reason) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.String()
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
