package rbactest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
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

	// pos maps a field path ("tests[0].expect[1].cannot") to where it is
	// written ("line 12", "team.yaml:3" for a fixture file's).
	pos map[string]string
}

// Test is a named group of expectations.
type Test struct {
	Name   string        `yaml:"name" json:"name"`
	Expect []Expectation `yaml:"expect" json:"expect"`
}

// ParseSuite decodes a suite from YAML or JSON and validates its shape
// (Validate). Unknown fields are errors; messages name the line. A
// FixtureFile is not read (LoadSuite reads it). Names (logins,
// departments, permissions, clients, roles) are checked against the
// instance the suite runs on, by Run and Evaluate.
func ParseSuite(data []byte) (*Suite, error) {
	var s Suite
	pos, err := decodeStrict(data, &s, "")
	if err != nil {
		return nil, fmt.Errorf("rbactest: parse suite: %w", err)
	}
	s.pos = pos
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
		if !s.Fixture.empty() {
			return nil, fmt.Errorf("%s: rbactest: fixture and fixture_file are exclusive", path)
		}
		f, pos, err := loadFixtureIn(filepath.Dir(path), s.FixtureFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		s.Fixture = f
		for k, v := range pos {
			s.pos["fixture."+k] = s.FixtureFile + ":" + strings.TrimPrefix(v, "line ")
		}
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if s.Name == "" {
		s.Name = filepath.Base(path)
	}
	return s, nil
}

func (f *Fixture) empty() bool {
	return len(f.Schedules) == 0 && len(f.Departments) == 0 && len(f.Staff) == 0 && len(f.Clients) == 0
}

// at returns where field is written ("line 12"), trying its parents when
// the field itself is absent; "" when unknown (a suite built in Go).
func (s *Suite) at(field string) string {
	for field != "" {
		if p, ok := s.pos[field]; ok {
			return p
		}
		i := strings.LastIndexAny(field, ".[")
		if i < 0 {
			break
		}
		field = field[:i]
	}
	return ""
}

// decodeStrict decodes one YAML (or JSON) document, refusing unknown
// fields, and returns where each field path is written.
func decodeStrict(data []byte, v any, prefix string) (map[string]string, error) {
	var root yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&root); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	pos := map[string]string{}
	if root.Kind == 0 {
		return pos, nil
	}
	positions(&root, prefix, pos)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return pos, nil
}

// positions records the line of every mapping value and sequence item
// under path, in the field syntax of validation errors.
func positions(n *yaml.Node, path string, pos map[string]string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			positions(c, path, pos)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if path != "" {
				p = path + "." + p
			}
			pos[p] = "line " + strconv.Itoa(n.Content[i].Line)
			positions(n.Content[i+1], p, pos)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			pos[p] = "line " + strconv.Itoa(c.Line)
			positions(c, p, pos)
		}
	}
}
