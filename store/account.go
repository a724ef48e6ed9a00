package store

import "github.com/billingrbac/billingrbac/rbac"

var (
	_ rbac.PasswordStore = (*Store)(nil)
	_ rbac.AccountTx     = (*tx)(nil)
)

// PasswordHashOf implements rbac.AccountTx.
func (t *tx) PasswordHashOf(id rbac.StaffID) (string, error) {
	var row staffRow
	if err := t.db.Select("id, password_hash").Take(&row, "id = ?", int64(id)).Error; err != nil {
		return "", mapErr(err)
	}
	return row.PasswordHash, nil
}

// StaffIDByLogin implements rbac.AccountTx.
func (t *tx) StaffIDByLogin(login string) (rbac.StaffID, error) {
	return staffIDWhere(t, "login = ?", login)
}

// StaffIDByEmail implements rbac.AccountTx.
func (t *tx) StaffIDByEmail(email string) (rbac.StaffID, error) {
	return staffIDWhere(t, "LOWER(email) = LOWER(?) AND email <> ''", email)
}

func staffIDWhere(t *tx, where string, arg any) (rbac.StaffID, error) {
	var row staffRow
	if err := t.db.Select("id").Take(&row, where, arg).Error; err != nil {
		return 0, mapErr(err)
	}
	return rbac.StaffID(row.ID), nil
}
