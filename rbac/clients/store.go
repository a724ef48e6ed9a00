package clients

import (
	"context"

	"github.com/billingrbac/billingrbac/rbac"
)

// Store is what the Service needs from persistence. Package store
// implements it on SQLite and PostgreSQL (store.Store.ClientStore); a
// Store is safe for concurrent use. Errors map to rbac.ErrNotFound and
// rbac.ErrConflict where they apply.
type Store interface {
	// ClientTx returns the client side of tx, a write transaction of the
	// rbac.Store the rbac.Service uses (the same database transaction):
	// client changes commit or roll back with it and its change-log
	// entry.
	ClientTx(tx rbac.Tx) (Tx, error)

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

// Tx is the client side of one write transaction. Methods use the
// transaction's context.
type Tx interface {
	// Load reads the whole state inside the lock.
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
