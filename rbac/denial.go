package rbac

// DenialCode says, for programs, why a DeniedError refused: the
// machine-readable partner of its English Reason. An admin screen or an
// API maps it to its own words and languages; the set only grows.
type DenialCode string

// Denial codes.
const (
	// DenialNoActor: no acting staff member was given, or it does not
	// exist.
	DenialNoActor DenialCode = "no_actor"
	// DenialActorDisabled: the acting (or checked) staff member is
	// disabled.
	DenialActorDisabled DenialCode = "actor_disabled"
	// DenialMissingPermission: the actor lacks Missing, which the
	// operation or the check needs.
	DenialMissingPermission DenialCode = "missing_permission"
	// DenialSelfChange: nobody changes their own privileges or sign-in
	// through the admin operations (ChangePassword is the own path).
	DenialSelfChange DenialCode = "self_change"
	// DenialWouldGive: the change would give Target (or store on it) the
	// permission Missing, which the actor does not hold.
	DenialWouldGive DenialCode = "would_give"
	// DenialControl: the change would give the actor control of Target's
	// account (its sign-in), and Target holds Missing, which the actor
	// does not (or Target has full access: FullAccess is set).
	DenialControl DenialCode = "control"
	// DenialFullAccessOnly: only a full-access account may make the
	// change (Target has, gains or loses full access).
	DenialFullAccessOnly DenialCode = "full_access_only"
	// DenialLastFullAccess: the change would leave no active full-access
	// account (errors.Is ErrLastFullAccess too).
	DenialLastFullAccess DenialCode = "last_full_access"
	// DenialStale: a Check refused only because this instance is past
	// Options.MaxStaleness.
	DenialStale DenialCode = "stale"
	// DenialNotMember: a ticket action outside the staff member's
	// departments (CheckTicketAccess).
	DenialNotMember DenialCode = "not_member"
	// DenialDepartmentDisabled: the department is disabled.
	DenialDepartmentDisabled DenialCode = "department_disabled"
)

// Code returns why the refusal happened, for programs. It is derived from
// the typed fields where they say it, so every DeniedError has one.
func (e *DeniedError) Code() DenialCode {
	switch {
	case e.code != "":
		return e.code
	case e.last:
		return DenialLastFullAccess
	case e.check != nil:
		// From the snapshot the check read, without building its
		// explanation: a refusal's code is read on the hot path of an
		// HTTP guard.
		c := e.check
		switch {
		case rowFlags(c.snap, c.id)&hotDisabled != 0:
			return DenialActorDisabled
		case c.stale && c.snap.can(c.id, c.p):
			return DenialStale
		}
		return DenialMissingPermission
	case e.Control:
		return DenialControl
	case e.FullAccess:
		return DenialFullAccessOnly
	case e.Target != 0 && e.Target == e.Actor:
		return DenialSelfChange
	case e.Target != 0 && e.Missing != (Permission{}):
		return DenialWouldGive
	case e.Missing != (Permission{}):
		return DenialMissingPermission
	}
	return DenialNoActor
}
