package rbac

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/billingrbac/billingrbac/internal/display"
)

// OpReviewSignOff is the change log operation of a reviewer certifying an
// access review (see SignOffReview).
const OpReviewSignOff Operation = "review.signoff"

// MaxSignOffStatement is the longest statement a sign-off takes, in
// characters.
const MaxSignOffStatement = 1024

// ReviewSignOff is a reviewer's certification of one access review: the
// review's content hash (package report computes it over everything the
// review shows except its generation time), with what the reviewer states.
type ReviewSignOff struct {
	// Hash is the review's content hash: 64 lower-case hexadecimal digits
	// (SHA-256).
	Hash string `json:"hash"`
	// Title is the review's title, as shown to the reviewer.
	Title string `json:"title"`
	// Version is the policy version the review was built from.
	Version int64 `json:"version"`
	// GeneratedAt is when the review was built.
	GeneratedAt time.Time `json:"generated_at"`
	// Statement is what the reviewer certifies ("access reviewed, findings
	// F-1 to F-3 accepted"); optional.
	Statement string `json:"statement,omitempty"`
}

// Validate reports every bad field at once. Errors wrap ErrInvalid.
func (in *ReviewSignOff) Validate() error {
	var fe fieldErrors
	if b, err := hex.DecodeString(in.Hash); err != nil || len(b) != 32 || hex.EncodeToString(b) != in.Hash {
		fe.add("hash", "format", "want 64 lower-case hexadecimal digits (SHA-256)")
	}
	if in.Title == "" {
		fe.add("title", "required", "the review's title is needed")
	} else if rule, msg := display.Check(in.Title, 200); rule != "" {
		fe.add("title", rule, "%s", msg)
	}
	if in.Version < 1 {
		fe.add("version", "min", "a review is built from version 1 or later")
	}
	if in.GeneratedAt.IsZero() {
		fe.add("generated_at", "required", "when the review was built is needed")
	}
	if in.Statement != "" {
		if rule, msg := display.Check(in.Statement, MaxSignOffStatement); rule != "" {
			fe.add("statement", rule, "%s", msg)
		}
	}
	return fe.err("sign off review")
}

// ReviewTarget is the change log target of the sign-offs of the review
// with content hash hash.
func ReviewTarget(hash string) string { return "review:" + hash }

// SignOffReview records that actor certifies the access review described
// by in: a change log entry (operation OpReviewSignOff, target
// ReviewTarget(in.Hash), the sign-off as After, the context's reason),
// committed through the change flow like every administrative change. It
// changes no access. The actor needs actionlog:view (a review shows the
// action log's provenance). A review whose version is past the Service's
// is refused. Errors: ErrInvalid, ErrPermissionDenied.
func (s *Service) SignOffReview(ctx context.Context, actor StaffID, in ReviewSignOff) (Change, error) {
	const op = "sign off review"
	if err := in.Validate(); err != nil {
		return Change{}, err
	}
	in.GeneratedAt = in.GeneratedAt.UTC()
	return s.write(ctx, func(w *txn) error {
		if err := w.authorize(op, actor, Perm(FuncActionLog, ActView)); err != nil {
			return err
		}
		if cur := w.snap.version; in.Version > cur {
			var fe fieldErrors
			fe.add("version", "max", "the review's version %d is later than the policy's %d", in.Version, cur)
			return fe.err(op)
		}
		w.record(actor, OpReviewSignOff, ReviewTarget(in.Hash), nil, in)
		return nil
	})
}
