package httpauthz

import (
	"context"

	"github.com/billingrbac/billingrbac/rbac"
)

type identityKey struct{}

// WithIdentity returns a copy of ctx carrying id as the request's acting
// party. The Guard calls it with Outcome.Identity before running the
// wrapped handler; tests of handlers call it directly.
func WithIdentity(ctx context.Context, id any) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns the acting party the Guard found for the request
// whose context is ctx, if it is a T.
func IdentityFrom[T any](ctx context.Context) (T, bool) {
	v, ok := ctx.Value(identityKey{}).(T)
	return v, ok
}

// StaffFrom returns the staff member the Guard found for the request whose
// context is ctx: handlers behind a Guard built with Staff use it instead
// of identifying the request again.
func StaffFrom(ctx context.Context) (rbac.StaffID, bool) {
	return IdentityFrom[rbac.StaffID](ctx)
}
