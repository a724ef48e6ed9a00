package store

import (
	"context"
	"fmt"

	gormadapter "github.com/casbin/gorm-adapter/v3"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/billingrbac/billingrbac/internal/policy"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/rbac/clients"
)

// ClientStore is the GORM implementation of clients.Store, sharing the
// Store's database. It is safe for concurrent use.
type ClientStore struct{ s *Store }

var _ clients.Store = (*ClientStore)(nil)

// ClientStore returns the client accounts' store on the same database.
func (s *Store) ClientStore() *ClientStore { return &ClientStore{s: s} }

type clientRow struct {
	ID        int64 `gorm:"primaryKey"`
	Name      string
	Email     string
	CreatedAt int64 `gorm:"autoCreateTime:false"`
	UpdatedAt int64 `gorm:"autoUpdateTime:false"`
}

func (clientRow) TableName() string { return tableClients }

func (r clientRow) client() clients.Client {
	return clients.Client{ID: clients.ClientID(r.ID), Name: r.Name, Email: r.Email,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}
}

type clientUserRow struct {
	ID        int64 `gorm:"primaryKey"`
	ClientID  int64
	Login     string
	Name      string
	Email     string
	IsFirst   bool
	CreatedAt int64 `gorm:"autoCreateTime:false"`
	UpdatedAt int64 `gorm:"autoUpdateTime:false"`
}

func (clientUserRow) TableName() string { return tableClientUsers }

func (r clientUserRow) user() clients.User {
	return clients.User{ID: clients.ClientUserID(r.ID), Client: clients.ClientID(r.ClientID), Login: r.Login,
		Name: r.Name, Email: r.Email, First: r.IsFirst,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}
}

type clientRoleRow struct {
	ID        int64 `gorm:"primaryKey"`
	ClientID  int64
	Name      string
	CreatedAt int64 `gorm:"autoCreateTime:false"`
	UpdatedAt int64 `gorm:"autoUpdateTime:false"`
}

func (clientRoleRow) TableName() string { return tableClientRoles }

func (r clientRoleRow) role() clients.Role {
	return clients.Role{ID: clients.RoleID(r.ID), Client: clients.ClientID(r.ClientID), Name: r.Name,
		CreatedAt: fromMicros(r.CreatedAt), UpdatedAt: fromMicros(r.UpdatedAt)}
}

// loadClients reads the client state through db (a transaction).
func loadClients(ctx context.Context, db *gorm.DB) (clients.State, error) {
	var st clients.State
	var ids []int64
	if err := db.Model(&clientRow{}).Order("id").Pluck("id", &ids).Error; err != nil {
		return st, mapErr(err)
	}
	for _, id := range ids {
		st.Clients = append(st.Clients, clients.ClientID(id))
	}
	var users []clientUserRow
	if err := db.Select("id, client_id").Order("id").Find(&users).Error; err != nil {
		return st, mapErr(err)
	}
	for _, u := range users {
		st.Users = append(st.Users, clients.UserRef{ID: clients.ClientUserID(u.ID), Client: clients.ClientID(u.ClientID)})
	}
	var roles []clientRoleRow
	if err := db.Select("id, client_id").Order("id").Find(&roles).Error; err != nil {
		return st, mapErr(err)
	}
	for _, r := range roles {
		st.Roles = append(st.Roles, clients.RoleRef{ID: clients.RoleID(r.ID), Client: clients.ClientID(r.ClientID)})
	}
	a, err := adapter(ctx, db)
	if err != nil {
		return st, err
	}
	m, err := policy.NewModel()
	if err != nil {
		return st, err
	}
	if err := a.LoadFilteredPolicy(m, gormadapter.Filter{Ptype: policy.ClientPtypes}); err != nil {
		return st, fmt.Errorf("store: load client policy: %w", err)
	}
	st.Rules, err = policy.ClientFromModel(m)
	return st, err
}

// Load implements clients.Store: one consistent snapshot.
func (c *ClientStore) Load(ctx context.Context) (clients.State, error) {
	if err := c.s.checkSchema(ctx); err != nil {
		return clients.State{}, err
	}
	var st clients.State
	err := c.s.read(ctx, func(db *gorm.DB) error {
		var err error
		st, err = loadClients(ctx, db)
		return err
	})
	if err != nil {
		return clients.State{}, fmt.Errorf("store: load clients: %w", err)
	}
	return st, nil
}

// ClientTx implements clients.Store: the client side of a write
// transaction of this Store (the one the rbac.Service's change flow runs
// every domain's change in).
func (c *ClientStore) ClientTx(t rbac.Tx) (clients.Tx, error) {
	st, ok := t.(*tx)
	if !ok || st.s != c.s {
		return nil, fmt.Errorf("store: client transaction: %w: not a transaction of this store", rbac.ErrInvalid)
	}
	return &clientTx{tx: *st}, nil
}

// Client implements clients.Store.
func (c *ClientStore) Client(ctx context.Context, id clients.ClientID) (clients.Client, error) {
	return getClient(c.s.db.WithContext(ctx), id)
}

// Clients implements clients.Store.
func (c *ClientStore) Clients(ctx context.Context) ([]clients.Client, error) {
	var rows []clientRow
	if err := c.s.db.WithContext(ctx).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]clients.Client, len(rows))
	for i, r := range rows {
		out[i] = r.client()
	}
	return out, nil
}

// User implements clients.Store.
func (c *ClientStore) User(ctx context.Context, id clients.ClientUserID) (clients.User, error) {
	return getClientUser(c.s.db.WithContext(ctx), id)
}

// Users implements clients.Store.
func (c *ClientStore) Users(ctx context.Context, client clients.ClientID) ([]clients.User, error) {
	var rows []clientUserRow
	if err := c.s.db.WithContext(ctx).Where("client_id = ?", int64(client)).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]clients.User, len(rows))
	for i, r := range rows {
		out[i] = r.user()
	}
	return out, nil
}

// Role implements clients.Store.
func (c *ClientStore) Role(ctx context.Context, id clients.RoleID) (clients.Role, error) {
	return getClientRole(c.s.db.WithContext(ctx), id)
}

// Roles implements clients.Store.
func (c *ClientStore) Roles(ctx context.Context, client clients.ClientID) ([]clients.Role, error) {
	var rows []clientRoleRow
	if err := c.s.db.WithContext(ctx).Where("client_id = ?", int64(client)).Order("id").Find(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]clients.Role, len(rows))
	for i, r := range rows {
		out[i] = r.role()
	}
	return out, nil
}

func getClient(db *gorm.DB, id clients.ClientID) (clients.Client, error) {
	var row clientRow
	if err := db.Take(&row, "id = ?", int64(id)).Error; err != nil {
		return clients.Client{}, mapErr(err)
	}
	return row.client(), nil
}

func getClientUser(db *gorm.DB, id clients.ClientUserID) (clients.User, error) {
	var row clientUserRow
	if err := db.Take(&row, "id = ?", int64(id)).Error; err != nil {
		return clients.User{}, mapErr(err)
	}
	return row.user(), nil
}

func getClientRole(db *gorm.DB, id clients.RoleID) (clients.Role, error) {
	var row clientRoleRow
	if err := db.Take(&row, "id = ?", int64(id)).Error; err != nil {
		return clients.Role{}, mapErr(err)
	}
	return row.role(), nil
}

// clientTx implements clients.Tx on one GORM transaction.
type clientTx struct{ tx tx }

var _ clients.Tx = (*clientTx)(nil)

// Load reads the state inside the lock.
func (t *clientTx) Load() (clients.State, error) { return loadClients(t.tx.ctx, t.tx.db) }

func (t *clientTx) CreateClient(c *clients.Client) error {
	now := t.tx.now()
	c.CreatedAt, c.UpdatedAt = now, now
	row := clientRow{Name: c.Name, Email: c.Email, CreatedAt: micros(now), UpdatedAt: micros(now)}
	if err := t.tx.db.Create(&row).Error; err != nil {
		return mapErr(err)
	}
	c.ID = clients.ClientID(row.ID)
	return nil
}

func (t *clientTx) UpdateClient(c *clients.Client) error {
	c.UpdatedAt = t.tx.now()
	return affectedOne(t.tx.db.Model(&clientRow{}).Where("id = ?", int64(c.ID)).Updates(map[string]any{
		"name": c.Name, "email": c.Email, "updated_at": micros(c.UpdatedAt)}))
}

func (t *clientTx) Client(id clients.ClientID) (clients.Client, error) { return getClient(t.tx.db, id) }

func (t *clientTx) CreateUser(u *clients.User) error {
	now := t.tx.now()
	u.CreatedAt, u.UpdatedAt = now, now
	row := clientUserRow{ClientID: int64(u.Client), Login: u.Login, Name: u.Name, Email: u.Email,
		IsFirst: u.First, CreatedAt: micros(now), UpdatedAt: micros(now)}
	if err := t.tx.db.Create(&row).Error; err != nil {
		return mapErr(err)
	}
	u.ID = clients.ClientUserID(row.ID)
	return nil
}

func (t *clientTx) UpdateUser(u *clients.User) error {
	u.UpdatedAt = t.tx.now()
	return affectedOne(t.tx.db.Model(&clientUserRow{}).Where("id = ?", int64(u.ID)).Updates(map[string]any{
		"name": u.Name, "email": u.Email, "updated_at": micros(u.UpdatedAt)}))
}

func (t *clientTx) DeleteUser(id clients.ClientUserID) error {
	return affectedOne(t.tx.db.Delete(&clientUserRow{}, "id = ?", int64(id)))
}

func (t *clientTx) User(id clients.ClientUserID) (clients.User, error) {
	return getClientUser(t.tx.db, id)
}

func (t *clientTx) CreateRole(r *clients.Role) error {
	now := t.tx.now()
	r.CreatedAt, r.UpdatedAt = now, now
	row := clientRoleRow{ClientID: int64(r.Client), Name: r.Name, CreatedAt: micros(now), UpdatedAt: micros(now)}
	if err := t.tx.db.Create(&row).Error; err != nil {
		return mapErr(err)
	}
	r.ID = clients.RoleID(row.ID)
	return nil
}

func (t *clientTx) UpdateRole(r *clients.Role) error {
	r.UpdatedAt = t.tx.now()
	return affectedOne(t.tx.db.Model(&clientRoleRow{}).Where("id = ?", int64(r.ID)).Updates(map[string]any{
		"name": r.Name, "updated_at": micros(r.UpdatedAt)}))
}

func (t *clientTx) DeleteRole(id clients.RoleID) error {
	return affectedOne(t.tx.db.Delete(&clientRoleRow{}, "id = ?", int64(id)))
}

func (t *clientTx) Role(id clients.RoleID) (clients.Role, error) { return getClientRole(t.tx.db, id) }

// ApplyPolicy implements clients.Tx through gorm-adapter bound to the
// transaction, like the staff policy: removals one by one, additions in
// bounded batches.
func (t *clientTx) ApplyPolicy(d clients.Delta) error {
	lines := func(rs []clients.Rule) ([]policy.Line, error) {
		out := make([]policy.Line, 0, len(rs))
		for _, r := range rs {
			l, err := policy.ClientToLine(r)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		}
		return out, nil
	}
	add, err := lines(d.Add)
	if err != nil {
		return err
	}
	remove, err := lines(d.Remove)
	if err != nil {
		return err
	}
	return writeLines(&t.tx, add, remove)
}

// ClientScope returns a GORM scope restricting a query to the rows f
// allows, comparing the owner column (the client ID, e.g. "client_id")
// with the filter's owner: nothing for an empty filter, every row for
// staff with the view permission. The column name is quoted as an
// identifier.
//
//	db.Scopes(store.ClientScope(svc.UserFilter(u, clients.KindService), "client_id")).Find(&services)
func ClientScope(f clients.ListFilter, column string) func(*gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB {
		switch {
		case f.All:
			return db
		case f.None():
			return db.Where("1 = 0")
		}
		return db.Where(clause.Eq{Column: clause.Column{Name: column}, Value: int64(f.Owner)})
	}
}
