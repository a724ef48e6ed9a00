package clients

import "context"

// Store is what the Service needs from persistence. Package store
// implements it on SQLite and PostgreSQL (store.Store.ClientStore); a
// Store is safe for concurrent use. Errors map to rbac.ErrNotFound and
// rbac.ErrConflict where they apply.
type Store interface {
	// Load returns the state the decision index is built from.
	Load(ctx context.Context) (State, error)

	// Version returns the version of the last committed client change:
	// a cheap read that lets Sync skip Load when nothing changed.
	Version(ctx context.Context) (int64, error)

	// Update runs fn in one transaction holding the client write lock:
	// client writers are serialized, across processes too. It commits
	// when fn returns nil and rolls back when fn returns an error or
	// panics.
	Update(ctx context.Context, fn func(Tx) error) error

	// Client, Clients, User, Users, Role and Roles read rows. Fields that
	// are policy (Client.FirstUser and Status, User.Roles and Status,
	// Role.Permissions) are left zero.
	Client(ctx context.Context, id ClientID) (Client, error)
	Clients(ctx context.Context) ([]Client, error)
	User(ctx context.Context, id ClientUserID) (User, error)
	Users(ctx context.Context, client ClientID) ([]User, error)
	Role(ctx context.Context, id RoleID) (Role, error)
	Roles(ctx context.Context, client ClientID) ([]Role, error)
}

// Tx is one client write transaction. Methods use the context given to
// Store.Update.
type Tx interface {
	// Version is the client version this transaction commits as: one
	// more than the last committed one, locked for the transaction.
	Version() int64
	// Load reads the whole state inside the lock (Version is the last
	// committed one, Version()-1).
	Load() (State, error)

	CreateClient(c *Client) error // sets ID, CreatedAt, UpdatedAt
	UpdateClient(c *Client) error // sets UpdatedAt
	Client(id ClientID) (Client, error)

	CreateUser(u *User) error // sets ID, CreatedAt, UpdatedAt; stores First
	UpdateUser(u *User) error // sets UpdatedAt
	DeleteUser(id ClientUserID) error
	User(id ClientUserID) (User, error)

	CreateRole(r *Role) error // sets ID, CreatedAt, UpdatedAt
	UpdateRole(r *Role) error // sets UpdatedAt
	DeleteRole(id RoleID) error
	Role(id RoleID) (Role, error)

	// ApplyPolicy writes client policy rules. The Service sends only
	// effective changes.
	ApplyPolicy(d Delta) error
}
