package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/report"
)

func reviewCommands() []*command {
	title := func(fs *flag.FlagSet) {
		fs.String("title", "Access review", "page title (part of what the hash certifies)")
	}
	return []*command{
		{name: "report", summary: "write the HTML access review (one self-contained file; prints on A4 landscape)",
			flags: func(fs *flag.FlagSet) {
				fs.String("out", "access-review.html", `output file ("-": standard output)`)
				title(fs)
			},
			run: (*cli).report},
		{name: "review sign", summary: "certify the access review with content hash --hash, recorded in the action log",
			flags: func(fs *flag.FlagSet) {
				fs.String("hash", "", "the content hash printed on the review you read (required)")
				fs.String("statement", "", "what you certify, e.g. \"reviewed, F-1 accepted\"")
				title(fs)
			},
			run: (*cli).reviewSign},
	}
}

func (c *cli) buildReview() (report.Review, error) {
	if err := c.need(rbac.Perm(rbac.FuncStaff, rbac.ActView), rbac.Perm(rbac.FuncDepartments, rbac.ActView)); err != nil {
		return report.Review{}, err
	}
	return report.BuildReview(c.ctx, c.svc, report.ReviewOptions{Title: c.str("title"), Reader: c.me.ID})
}

func (c *cli) report(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	r, err := c.buildReview()
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
	return c.done(map[string]any{"file": path, "hash": r.Hash, "version": r.Version, "departments": len(r.Departments), "staff": len(r.Staff)},
		"wrote %s (%d departments, %d staff members; content hash %s)", path, len(r.Departments), len(r.Staff), r.Hash)
}

// reviewSign rebuilds the review and signs it only when its content is
// still the one the reviewer read.
func (c *cli) reviewSign(args []string) error {
	if err := c.nargs(args, 0); err != nil {
		return err
	}
	want := c.str("hash")
	if want == "" {
		return usagef("--hash is required: the content hash printed on the review")
	}
	r, err := c.buildReview()
	if err != nil {
		return err
	}
	if r.Hash != want {
		return fmt.Errorf("review sign: the access changed since that review (its hash is now %s): %w; build and read it again", r.Hash, errStale)
	}
	ch, err := c.svc.SignOffReview(c.ctx, c.me.ID, r.SignOff(c.str("statement")))
	if err != nil {
		return err
	}
	return c.done(map[string]any{"version": ch.Version, "hash": r.Hash, "reviewer": c.me.Login},
		"signed off review %s as %s (action log version %d)", r.Hash, c.me.Login, ch.Version)
}

var errStale = fmt.Errorf("stale review")
