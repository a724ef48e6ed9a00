package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// envLegacyBcrypt, when set, makes the installation accept bcrypt hashes
// up to that cost (rbac.AccountOptions.LegacyBcryptCost): the hashes an
// import from another panel keeps, re-made with Argon2id at each
// account's next sign-in.
const envLegacyBcrypt = "BILLINGRBAC_LEGACY_BCRYPT_COST"

func (c *cli) accountOptions() rbac.AccountOptions {
	cost, _ := strconv.Atoi(c.env(envLegacyBcrypt))
	return rbac.AccountOptions{LegacyBcryptCost: cost}
}

// bulk creates the file's new departments and staff members with
// Service.Import: batches of --batch records, one change each, authorized
// like any change; what exists is skipped (the steps after it update it).
// A failed batch leaves the batches before it: running the import again
// resumes.
func (im *importer) bulk(cfg config) error {
	c := im.c
	doc := rbac.ImportDocument{}
	for _, cd := range cfg.Departments {
		d := rbac.ImportDepartment{Name: text(cd.Name), AcceptsClientRequests: cd.AcceptsClientRequests, SortOrder: cd.SortOrder,
			Permissions: perms(cd.Permissions)}
		if cd.TaskLanguage != "" {
			d.TaskLanguage = language.Make(cd.TaskLanguage) // validated
		}
		doc.Departments = append(doc.Departments, d)
	}
	for _, cs := range cfg.Staff {
		doc.Staff = append(doc.Staff, rbac.ImportStaff{Login: cs.Login, FullName: text(cs.Name), Email: cs.Email, Phone: cs.Phone,
			FullAccess: cs.FullAccess, Status: status(cs.Disabled), Departments: cs.Departments, Grants: perms(cs.Grants),
			PasswordHash: cs.PasswordHash})
	}
	bar := newProgress(c.errOut, "import")
	res, err := c.svc.Import(c.ctx, c.me.ID, doc, rbac.ImportOptions{BatchSize: c.values["batch"].(int), Progress: bar.update})
	bar.finish()
	im.counts["departments created"] += res.Departments
	im.counts["staff created"] += res.Staff
	im.counts["changes"] += len(res.Versions)
	return err
}

func perms(ss []string) []rbac.Permission {
	out := make([]rbac.Permission, 0, len(ss))
	for _, s := range ss {
		p, _ := rbac.ParsePermission(s) // validated
		out = append(out, p)
	}
	return out
}

// progress draws a bar on a terminal (redrawn in place with \r) and
// writes plain lines elsewhere (a log, a pipe): one every tenth of the
// way and at the end.
type progress struct {
	w      io.Writer
	what   string
	tty    bool
	start  time.Time
	shown  int // tenths written (plain) or characters drawn (tty)
	drawn  bool
	done   int
	total  int
	closed bool
}

func newProgress(w io.Writer, what string) *progress {
	p := &progress{w: w, what: what, start: time.Now(), shown: -1}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

const barWidth = 30

func (p *progress) update(done, total int) {
	p.done, p.total = done, total
	pct := 100
	if total > 0 {
		pct = 100 * done / total
	}
	if p.tty {
		n := barWidth * pct / 100
		fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d", p.what, strings.Repeat("#", n), strings.Repeat(".", barWidth-n), pct, done, total)
		p.drawn = true
		return
	}
	if tenth := pct / 10; tenth > p.shown {
		p.shown = tenth
		fmt.Fprintf(p.w, "%s: %d/%d records (%d%%) in %s\n", p.what, done, total, pct, time.Since(p.start).Round(time.Millisecond))
	}
}

// finish ends the bar's line on a terminal.
func (p *progress) finish() {
	if p.tty && p.drawn && !p.closed {
		fmt.Fprintln(p.w)
	}
	p.closed = true
}
