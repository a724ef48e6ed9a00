package rbactest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// Result is the outcome of running one suite.
type Result struct {
	Suite string
	// Err fails the whole file before any test ran: a malformed suite, a
	// name that does not exist, a fixture the services refused. A
	// *rbac.ValidationError lists every bad field with its line.
	Err     error
	Tests   []TestResult
	Elapsed time.Duration
}

// TestResult is the outcome of one test of a suite.
type TestResult struct {
	Name string
	// Failures has one message per failed expectation:
	// `expect[1] (line 12): john cannot clients:view: got allowed: ...`.
	Failures []string
	// Skipped has one message per expectation that cannot run here
	// (an administrative one, or a sign-in, against a live database).
	Skipped []string
	Elapsed time.Duration
}

// Failed reports whether the file or any of its tests failed.
func (r *Result) Failed() bool {
	if r.Err != nil {
		return true
	}
	for _, t := range r.Tests {
		if len(t.Failures) > 0 {
			return true
		}
	}
	return false
}

// EvaluateSuite validates s, builds an instance from its fixture with
// opts (see Build) and evaluates every test on it.
func EvaluateSuite(ctx context.Context, s *Suite, opts rbac.Options) Result {
	start := time.Now()
	r := Result{Suite: s.Name}
	if err := s.Validate(); err != nil {
		r.Err = err
		return r
	}
	var fe fieldErrors
	cat := opts.Catalog
	if cat == nil {
		cat = rbac.NewCatalog()
	}
	checkFixtureCatalog(&fe, &s.Fixture, cat, clients.NewCatalog(), "fixture.")
	if err := withLines(fe.err("rbactest suite"), s.pos, ""); err != nil {
		r.Err = err
		return r
	}
	in, err := Build(ctx, s.Fixture, opts)
	if err != nil {
		r.Err = fmt.Errorf("fixture: %w", err)
		return r
	}
	defer in.Close()
	r = in.Evaluate(ctx, s)
	r.Elapsed = time.Since(start)
	return r
}

// Evaluate checks every name of s against the instance (CheckNames),
// then evaluates every test. Administrative expectations run on copies
// built from the instance's fixture; on an attached database they, and
// sign-ins, are skipped.
func (in *Instance) Evaluate(ctx context.Context, s *Suite) Result {
	start := time.Now()
	r := Result{Suite: s.Name}
	if err := in.CheckNames(s); err != nil {
		r.Err = err
		return r
	}
	for i, t := range s.Tests {
		tr := TestResult{Name: t.Name}
		ts := time.Now()
		for j := range t.Expect {
			e := &t.Expect[j]
			field := fmt.Sprintf("tests[%d].expect[%d]", i, j)
			at := fmt.Sprintf("expect[%d]", j)
			if p := s.at(field); p != "" {
				at += " (" + p + ")"
			}
			if in.fixture == nil && !e.readOnly() {
				tr.Skipped = append(tr.Skipped, fmt.Sprintf("%s: %s: %v", at, e.kind(), errNoCopy))
				continue
			}
			if msg := in.check(ctx, e); msg != "" {
				tr.Failures = append(tr.Failures, at+": "+msg)
			}
		}
		tr.Elapsed = time.Since(ts)
		r.Tests = append(r.Tests, tr)
	}
	r.Elapsed = time.Since(start)
	return r
}

// fileErrors splits a file's error into one message per bad field.
func fileErrors(err error) []string {
	var ve *rbac.ValidationError
	if !errors.As(err, &ve) {
		return []string{err.Error()}
	}
	out := make([]string, len(ve.Fields))
	for i, f := range ve.Fields {
		out[i] = f.String()
	}
	return out
}

// Run runs a suite without subtests, reporting each failed expectation
// with tb.Errorf prefixed by its test's name, and each error of the file
// (a bad shape, an unknown name: one message per field, with its line)
// before any test runs. RunFile is the usual entry point; Run suits a
// testing.TB that is not a *testing.T.
func Run(tb testing.TB, s *Suite) {
	tb.Helper()
	r := EvaluateSuite(context.Background(), s, rbac.Options{})
	if r.Err != nil {
		for _, m := range fileErrors(r.Err) {
			tb.Errorf("rbactest: %s", m)
		}
		return
	}
	for _, t := range r.Tests {
		for _, f := range t.Failures {
			tb.Errorf("test %q: %s", t.Name, f)
		}
	}
}

// RunFile runs every policy test file matching the glob pattern, each as a
// subtest named after the file with one subtest per test. It fails the
// test when nothing matches, a file does not parse or names something
// that does not exist.
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
			r := EvaluateSuite(context.Background(), s, rbac.Options{})
			if r.Err != nil {
				for _, m := range fileErrors(r.Err) {
					t.Errorf("%s: %s", path, m)
				}
				return
			}
			for _, tr := range r.Tests {
				t.Run(tr.Name, func(t *testing.T) {
					for _, f := range tr.Failures {
						t.Error(f)
					}
				})
			}
		})
	}
}
