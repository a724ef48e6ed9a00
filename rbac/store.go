package rbac

import "context"

// Store is what the Service needs from persistence. Package store
// implements it on SQLite and PostgreSQL; a Store is safe for concurrent
// use. Its write transaction is the one every domain's change runs in
// (clients.Store and tasks.Store bind to it).
type Store interface {
	// LoadPolicy returns every stored rule and the version of the last
	// committed change.
	LoadPolicy(ctx context.Context) ([]Rule, int64, error)

	// Changes returns change log entries matching q, ascending by version.
	Changes(ctx context.Context, q ChangeQuery) ([]Change, error)

	// Update runs fn in one transaction that holds the write lock: writers
	// are serialized, across processes too. It commits when fn returns nil
	// and rolls back when fn returns an error or panics.
	Update(ctx context.Context, fn func(Tx) error) error

	// Department and Departments read department rows. Status is not
	// stored in rows (it is a policy flag) and is left zero.
	Department(ctx context.Context, id DepartmentID) (Department, error)
	Departments(ctx context.Context) ([]Department, error)

	// StaffMember, StaffByLogin and StaffMembers read staff rows.
	// Departments, FullAccess and Status are policy and are left zero.
	StaffMember(ctx context.Context, id StaffID) (Staff, error)
	StaffByLogin(ctx context.Context, login string) (Staff, error)
	StaffMembers(ctx context.Context) ([]Staff, error)
	// StaffPage reads up to q.Limit staff rows by ID order (see
	// StaffRowQuery); policy fields are left zero as above.
	StaffPage(ctx context.Context, q StaffRowQuery) ([]Staff, error)

	Close() error
}

// Tx is one write transaction. Methods use the context given to
// Store.Update. Errors map to ErrNotFound and ErrConflict where they apply.
type Tx interface {
	// Version is the version this transaction commits as: one more than
	// the last committed version, locked for the transaction's lifetime.
	Version() int64
	// PrevHash is the Hash of the last committed change (Version()-1),
	// "" when there is none.
	PrevHash() string
	// Changes reads committed change log entries inside the lock.
	Changes(q ChangeQuery) ([]Change, error)
	// LoadPolicy reads the whole stored policy inside the lock.
	LoadPolicy() ([]Rule, error)

	CreateDepartment(d *Department) error // sets ID, CreatedAt, UpdatedAt
	UpdateDepartment(d *Department) error // sets UpdatedAt
	DeleteDepartment(id DepartmentID) error
	Department(id DepartmentID) (Department, error)
	Departments() ([]Department, error)

	CreateStaff(s *Staff) error // sets ID, CreatedAt, UpdatedAt
	UpdateStaff(s *Staff) error // sets UpdatedAt
	DeleteStaff(id StaffID) error
	StaffMember(id StaffID) (Staff, error)
	// SetPasswordHash stores a staff member's password hash (a PHC string).
	SetPasswordHash(id StaffID, hash string) error

	// ApplyPolicy writes policy rules. The Service sends only effective
	// changes: rules it adds are absent and rules it removes are present.
	ApplyPolicy(d PolicyDelta) error
	// RecordChange appends c (c.Version == Version(), of any domain) to
	// the change log and arranges for other instances to hear of it after
	// commit. c.Rules, when set, is stored as is; otherwise c.Policy.
	RecordChange(c Change) error
}
