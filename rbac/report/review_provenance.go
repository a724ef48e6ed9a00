package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// Provenance is the change that put a rule in force: who, when, why.
type Provenance struct {
	Version int64
	At      time.Time
	Actor   string // login; "system" for bootstrap
	Op      rbac.Operation
	Reason  string
}

// ChangeLine is one change of the action log as the review lists it.
type ChangeLine struct {
	Provenance
	Target string
}

// SignOffLine is an earlier sign-off read from the action log.
type SignOffLine struct {
	rbac.ReviewSignOff
	Reviewer string    // login
	At       time.Time // when it was recorded
	Reason   string
	// Current: it certified a review with the same content as this one.
	Current bool
}

// logPage is how many changes one read of the action log takes.
const logPage = 1000

// readLog walks the whole action log once: the change that last added
// each rule still in force, the latest changes and the sign-offs. Without
// a Reader allowed to read the log it records why and returns nil.
func (b *builder) readLog() error {
	if b.opts.Reader == 0 {
		b.provNote = "no reader was given: the action log was not read"
		return nil
	}
	keep := b.opts.RecentChanges
	if keep == 0 {
		keep = 50
	}
	prov := map[rbac.Rule]*Provenance{}
	var recent []ChangeLine
	after := int64(0)
	for {
		page, err := b.svc.AuditLog(b.ctx, b.opts.Reader, rbac.ChangeQuery{AfterVersion: after, Limit: logPage})
		if errors.Is(err, rbac.ErrPermissionDenied) {
			b.provNote = fmt.Sprintf("the reader %s may not read the action log (actionlog:view)", b.actorName(b.opts.Reader))
			return nil
		}
		if err != nil {
			return reportErr(err)
		}
		for _, c := range page {
			p := &Provenance{Version: c.Version, At: c.At, Actor: b.actorName(c.Actor), Op: c.Op, Reason: c.Reason}
			if c.Op == rbac.OpReviewSignOff {
				var so rbac.ReviewSignOff
				if json.Unmarshal(c.After, &so) == nil {
					b.signOffs = append(b.signOffs, SignOffLine{ReviewSignOff: so, Reviewer: p.Actor, At: c.At, Reason: c.Reason})
				}
				continue // a sign-off changes no access and is not part of what it certifies
			}
			for _, r := range c.Policy.Remove {
				delete(prov, r)
			}
			for _, r := range c.Policy.Add {
				prov[r] = p
			}
			if keep > 0 {
				recent = append(recent, ChangeLine{Provenance: *p, Target: c.Target})
				if len(recent) > 2*keep {
					recent = append(recent[:0], recent[len(recent)-keep:]...)
				}
			}
		}
		if len(page) < logPage {
			break
		}
		after = page[len(page)-1].Version
	}
	if len(recent) > keep {
		recent = recent[len(recent)-keep:]
	}
	for i, j := 0, len(recent)-1; i < j; i, j = i+1, j-1 {
		recent[i], recent[j] = recent[j], recent[i] // newest first
	}
	b.prov, b.recent = prov, recent
	return nil
}

// provenance is the change that added r, nil when unknown (no log read,
// or r predates the log, such as rows loaded by hand).
func (b *builder) provenance(r rbac.Rule) *Provenance {
	if b.prov == nil {
		return nil
	}
	return b.prov[r]
}

func (b *builder) actorName(id rbac.StaffID) string {
	if id == rbac.SystemActor {
		return "system"
	}
	if l, ok := b.login[id]; ok {
		return l
	}
	return "staff " + id.String() + " (deleted)"
}
