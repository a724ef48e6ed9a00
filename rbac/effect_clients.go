package rbac

// ClientUserEffect is the change of one client user's effective access in
// its own client account, as package clients computes it; the IDs are
// clients.ClientUserID and clients.ClientID, and clients.UserEffects
// returns the same with the client package's types.
type ClientUserEffect struct {
	User   int64 `json:"user"`
	Client int64 `json:"client"`
	// Before and After are the user's flags: FullAccess is set for the
	// client's first user (every right in its account), Disabled when the
	// user or its client account is disabled.
	Before Access `json:"before"`
	After  Access `json:"after"`
	// Gained and Lost are the rights the user holds after and not before,
	// and before and not after, in catalog order.
	Gained []ClientRight `json:"gained,omitempty"`
	Lost   []ClientRight `json:"lost,omitempty"`
}

// ClientRight is a client user's right in its account in its text form,
// "section:action" (a clients.Permission's String; clients.ParsePermission
// reads it back).
type ClientRight string

// String returns the "section:action" form.
func (r ClientRight) String() string { return string(r) }
