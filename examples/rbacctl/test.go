package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
	"github.com/billingrbac/billingrbac/rbac/rbactest"
	"github.com/billingrbac/billingrbac/store"
)

// errTestsFailed is returned by test when a policy file failed.
var errTestsFailed = fmt.Errorf("policy tests failed: %w", errDenied)

// testCmd runs policy test files (rbac/rbactest's format) outside go
// test: each against an in-memory instance built from its fixture, or
// with --dsn against a live database (read-only expectations only; the
// others are skipped), or with --dsn --apply-fixture against an empty
// database the fixture is applied to first (everything runs; on
// PostgreSQL the administrative expectations' copies are fresh schemas).
func (c *cli) testCmd(args []string) error {
	if len(args) == 0 {
		return usagef("want at least one policy test FILE")
	}
	dsn, apply := c.str("dsn"), c.boolean("apply-fixture")
	if apply && (dsn == "" || len(args) != 1) {
		return usagef("--apply-fixture needs --dsn and exactly one FILE")
	}
	var results []rbactest.Result
	for _, path := range args {
		r := c.testFile(path, dsn, apply)
		if r.Suite == "" {
			r.Suite = filepath.Base(path)
		}
		printResult(c.out, path, r, c.boolean("v"))
		results = append(results, r)
	}
	if j := c.str("junit"); j != "" {
		if err := writeJUnit(j, results); err != nil {
			return err
		}
	}
	for _, r := range results {
		if r.Failed() {
			return errTestsFailed
		}
	}
	return nil
}

// testFile loads and runs one file.
func (c *cli) testFile(path, dsn string, apply bool) rbactest.Result {
	s, err := rbactest.LoadSuite(path)
	if err != nil {
		return rbactest.Result{Err: err}
	}
	if dsn == "" {
		return rbactest.EvaluateSuite(c.ctx, s, rbac.Options{})
	}
	start := time.Now()
	if err := s.Validate(); err != nil {
		return rbactest.Result{Suite: s.Name, Err: err}
	}
	st, err := store.Open(c.ctx, dsn)
	if err != nil {
		return rbactest.Result{Suite: s.Name, Err: err}
	}
	defer st.Close()
	if apply {
		// The database is the fixture: every expectation runs, the
		// administrative ones on copies on the same backend.
		if err := st.Migrate(c.ctx); err != nil {
			return rbactest.Result{Suite: s.Name, Err: err}
		}
		in, err := rbactest.BuildOn(c.ctx, st, s.Fixture, rbac.Options{})
		if err != nil {
			return rbactest.Result{Suite: s.Name, Err: fmt.Errorf("apply the fixture: %w", err)}
		}
		defer in.Close()
		if u, err := url.Parse(dsn); err == nil && st.DB().Dialector.Name() == "postgres" {
			in.CopiesOn(schemaCopies(st, u))
		}
		r := in.Evaluate(c.ctx, s)
		r.Elapsed = time.Since(start)
		return r
	}
	svc, err := rbac.New(c.ctx, st, rbac.Options{})
	if err != nil {
		return rbactest.Result{Suite: s.Name, Err: err}
	}
	defer svc.Close()
	cs, err := clients.New(c.ctx, st.ClientStore(), svc, clients.Options{})
	if err != nil {
		return rbactest.Result{Suite: s.Name, Err: err}
	}
	if closer, ok := any(cs).(interface{ Close() error }); ok {
		defer closer.Close()
	}
	in, err := rbactest.Attach(c.ctx, st, svc, cs)
	if err != nil {
		return rbactest.Result{Suite: s.Name, Err: err}
	}
	r := in.Evaluate(c.ctx, s)
	r.Elapsed = time.Since(start)
	return r
}

// printResult writes go test's shape: a line per test (-v: passing ones
// too), the failures indented under it, then ok or FAIL for the file.
func printResult(w io.Writer, path string, r rbactest.Result, verbose bool) {
	secs := func(d time.Duration) string { return fmt.Sprintf("%.2fs", d.Seconds()) }
	if r.Err != nil {
		fmt.Fprintf(w, "--- FAIL: %s\n", path)
		var ve *rbac.ValidationError
		if errors.As(r.Err, &ve) {
			for _, f := range ve.Fields {
				fmt.Fprintf(w, "    %s\n", f)
			}
		} else {
			fmt.Fprintf(w, "    %v\n", r.Err)
		}
		fmt.Fprintf(w, "FAIL\t%s\t%s\n", path, secs(r.Elapsed))
		return
	}
	skipped := 0
	for _, t := range r.Tests {
		switch {
		case len(t.Failures) > 0:
			fmt.Fprintf(w, "--- FAIL: %s (%s)\n", t.Name, secs(t.Elapsed))
			for _, f := range t.Failures {
				fmt.Fprintf(w, "    %s\n", strings.ReplaceAll(f, "\n", "\n    "))
			}
		case verbose:
			fmt.Fprintf(w, "--- PASS: %s (%s)\n", t.Name, secs(t.Elapsed))
		}
		skipped += len(t.Skipped)
		if verbose {
			for _, s := range t.Skipped {
				fmt.Fprintf(w, "    SKIP %s\n", s)
			}
		}
	}
	if skipped > 0 && !verbose {
		fmt.Fprintf(w, "    (%d expectations skipped: they need a copy of the instance; -v lists them)\n", skipped)
	}
	status := "ok  "
	if r.Failed() {
		status = "FAIL"
	}
	fmt.Fprintf(w, "%s\t%s\t%s\n", status, path, secs(r.Elapsed))
}

// JUnit XML, as CI systems read it: one testsuite per file, one testcase
// per test (a file that failed as a whole is one failed testcase).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func writeJUnit(path string, results []rbactest.Result) error {
	var out junitSuites
	for _, r := range results {
		js := junitSuite{Name: r.Suite, Time: fmt.Sprintf("%.3f", r.Elapsed.Seconds())}
		if r.Err != nil {
			msg := r.Err.Error()
			js.Cases = append(js.Cases, junitCase{Name: "(file)", Classname: r.Suite, Time: js.Time,
				Failure: &junitMessage{Message: firstLine(msg), Text: msg}})
			js.Failures++
		}
		for _, t := range r.Tests {
			jc := junitCase{Name: t.Name, Classname: r.Suite, Time: fmt.Sprintf("%.3f", t.Elapsed.Seconds())}
			if len(t.Failures) > 0 {
				all := strings.Join(t.Failures, "\n")
				jc.Failure = &junitMessage{Message: firstLine(all), Text: all}
				js.Failures++
			}
			if len(t.Skipped) > 0 {
				jc.SystemOut = "skipped here: " + strings.Join(t.Skipped, "\n")
			}
			js.Cases = append(js.Cases, jc)
		}
		js.Tests = len(js.Cases)
		out.Tests += js.Tests
		out.Failures += js.Failures
		out.Suites = append(out.Suites, js)
	}
	data, err := xml.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append([]byte(xml.Header), append(data, '\n')...), 0o644)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func testFlags(fs *flag.FlagSet) {
	fs.String("dsn", "", "run against this live database (postgres://... or a SQLite path): read-only expectations only")
	fs.Bool("apply-fixture", false, "with --dsn: migrate, bootstrap and apply the file's fixture to the (empty) database first, then run every expectation")
	fs.String("junit", "", "write a JUnit XML report to this file")
	fs.Bool("v", false, "list passing tests too")
}

// schemaCopies makes each copy a fresh schema of the PostgreSQL database
// st is on (dsn with its search_path), dropped when the copy is closed.
func schemaCopies(st *store.Store, dsn *url.URL) rbactest.CopyStore {
	return func(ctx context.Context) (*store.Store, func(), error) {
		var rnd [6]byte
		if _, err := rand.Read(rnd[:]); err != nil {
			return nil, nil, err
		}
		schema := "rbactest_copy_" + hex.EncodeToString(rnd[:])
		if err := st.DB().WithContext(ctx).Exec("CREATE SCHEMA " + schema).Error; err != nil {
			return nil, nil, err
		}
		drop := func() { _ = st.DB().Exec("DROP SCHEMA " + schema + " CASCADE").Error }
		u := *dsn
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		cp, err := store.Open(ctx, u.String())
		if err == nil {
			if err = cp.Migrate(ctx); err != nil {
				_ = cp.Close()
			}
		}
		if err != nil {
			drop()
			return nil, nil, err
		}
		return cp, drop, nil
	}
}
