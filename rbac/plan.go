package rbac

import (
	"context"

	"github.com/billingrbac/billingrbac/internal/engine"
)

// Plan receives what an administrative call made under WithDryRun would
// commit.
type Plan struct {
	// Change is the change the call would commit, with Version, At,
	// Actor, Op, Target, Before, After, Policy and Effect filled in; its
	// Version is never published. The zero Change means the call would
	// change nothing.
	Change Change
}

// Effect is the effect of the planned change: who would gain and lose
// what, and whose sign-in it would set.
func (p *Plan) Effect() Effect { return p.Change.Effect }

// WithDryRun returns a context under which administrative calls (every
// method that takes an acting staff member, Bootstrap, and every change of
// the client domain, package clients) run up to the commit and then roll
// back: the change is staged, its effect computed
// and authorized, p receives it, and nothing is stored or published. A
// call the rules refuse returns its *DeniedError as usual, and p still
// holds the change that was refused. A call that would succeed returns
// nil and the values it would have returned (a ResetPassword password
// that is never stored, a created record whose ID is not kept).
//
// An admin screen uses it to show a change's consequences before the
// click:
//
//	var plan rbac.Plan
//	err := svc.EnablePermissions(rbac.WithDryRun(ctx, &plan), actor, finance, reportsView)
//	n := len(plan.Effect().Gaining(reportsView)) // "this gives n people reports:view"
//
// Password hashing and other work done before the change is staged still
// happens. The dry run is the change flow's (internal/engine), so every
// domain has it.
func WithDryRun(ctx context.Context, p *Plan) context.Context {
	return engine.WithDryRun(ctx, func(en engine.Entry) { p.Change = changeOf(en) })
}
