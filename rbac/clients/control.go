package clients

import (
	"fmt"
	"reflect"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

// What a change writes, and so which accounts' sign-in it sets, is derived
// from the rows it writes, not declared by each operation: staging sees
// the store's Tx only through controlTx, which notes every row written
// (with its client) and every client user whose sign-in the write sets.
// controlTx implements Tx method by method, without embedding, so a
// method added to Tx does not compile until someone decides here whether
// it lets its caller act as a client user. rbac/control.go does the same
// for staff accounts.
type controlTx struct {
	tx Tx
	w  *txn
}

var _ Tx = (*controlTx)(nil)

// wrote notes that the change writes something of client c: a row of the
// account, of one of its users (u, with signIn when it sets u's sign-in)
// or roles.
func (w *txn) wrote(c ClientID, u ClientUserID, signIn bool) {
	if w.scope == nil {
		w.scope = map[ClientID]struct{}{}
		w.users = map[ClientUserID]struct{}{}
		w.control = map[ClientUserID]struct{}{}
	}
	w.scope[c] = struct{}{}
	if u != 0 {
		w.users[u] = struct{}{}
		if signIn {
			w.control[u] = struct{}{}
		}
	}
}

// account notes a write of client c's own row.
func (w *txn) account(c ClientID) {
	if w.accounts == nil {
		w.accounts = map[ClientID]struct{}{}
	}
	w.accounts[c] = struct{}{}
}

// userSignIn keeps of a client user's row what lets someone sign in as it
// or receive its password reset: everything except the fields listed here
// as profile or policy. A field added to User counts as sign-in until it
// is listed.
func userSignIn(u User) User {
	u.Name = ""
	u.Roles, u.Status = nil, 0 // policy, on the effect
	u.CreatedAt, u.UpdatedAt = time.Time{}, time.Time{}
	return u
}

func (c *controlTx) Load() (State, error)               { return c.tx.Load() }
func (c *controlTx) Client(id ClientID) (Client, error) { return c.tx.Client(id) }
func (c *controlTx) User(id ClientUserID) (User, error) { return c.tx.User(id) }
func (c *controlTx) Role(id RoleID) (Role, error)       { return c.tx.Role(id) }
func (c *controlTx) ApplyPolicy(d Delta) error          { return c.tx.ApplyPolicy(d) }

// CreateClient writes the account's row (its first user is created with
// CreateUser).
func (c *controlTx) CreateClient(cl *Client) error {
	if err := c.tx.CreateClient(cl); err != nil {
		return err
	}
	c.w.wrote(cl.ID, 0, false)
	c.w.account(cl.ID)
	return nil
}

// UpdateClient: the account's contact e-mail is where an application may
// send its owner's password reset, so changing it is control of the
// client's first user; its name is not.
func (c *controlTx) UpdateClient(cl *Client) error {
	cur, err := c.tx.Client(cl.ID)
	if err != nil {
		return fmt.Errorf("client %s: %w", cl.ID, err)
	}
	if err := c.tx.UpdateClient(cl); err != nil {
		return err
	}
	c.w.wrote(cl.ID, 0, false)
	c.w.account(cl.ID)
	if e := c.w.snap.clients.get(cl.ID); e != nil && e.first != 0 && cur.Email != cl.Email {
		c.w.wrote(cl.ID, e.first, true)
	}
	return nil
}

// CreateUser: whoever creates a user chooses its login and e-mail.
func (c *controlTx) CreateUser(u *User) error {
	if err := c.tx.CreateUser(u); err != nil {
		return err
	}
	c.w.wrote(u.Client, u.ID, true)
	return nil
}

// UpdateUser: control when a sign-in field changes.
func (c *controlTx) UpdateUser(u *User) error {
	cur, err := c.tx.User(u.ID)
	if err != nil {
		return fmt.Errorf("client user %s: %w", u.ID, err)
	}
	if cur.Client != u.Client {
		return fmt.Errorf("client user %s: its client cannot change: %w", u.ID, rbac.ErrInvalid)
	}
	if err := c.tx.UpdateUser(u); err != nil {
		return err
	}
	c.w.wrote(cur.Client, u.ID, !reflect.DeepEqual(userSignIn(cur), userSignIn(*u)))
	return nil
}

// DeleteUser writes the row away; what the user loses is on the effect.
func (c *controlTx) DeleteUser(id ClientUserID) error {
	cur, err := c.tx.User(id)
	if err != nil {
		return fmt.Errorf("client user %s: %w", id, err)
	}
	if err := c.tx.DeleteUser(id); err != nil {
		return err
	}
	c.w.wrote(cur.Client, id, false)
	return nil
}

func (c *controlTx) CreateRole(r *Role) error {
	if err := c.tx.CreateRole(r); err != nil {
		return err
	}
	c.w.wrote(r.Client, 0, false)
	return nil
}

func (c *controlTx) UpdateRole(r *Role) error {
	cur, err := c.tx.Role(r.ID)
	if err != nil {
		return fmt.Errorf("role %s: %w", r.ID, err)
	}
	if err := c.tx.UpdateRole(r); err != nil {
		return err
	}
	c.w.wrote(cur.Client, 0, false)
	return nil
}

func (c *controlTx) DeleteRole(id RoleID) error {
	cur, err := c.tx.Role(id)
	if err != nil {
		return fmt.Errorf("role %s: %w", id, err)
	}
	if err := c.tx.DeleteRole(id); err != nil {
		return err
	}
	c.w.wrote(cur.Client, 0, false)
	return nil
}
