package rbac

import (
	"errors"
	"strings"
)

// BulkTx is implemented by the Tx of stores that write many staff rows at
// once, as package store's does (multi-row INSERTs). Import uses it when
// the store's Tx has it, and otherwise writes row by row through Tx and
// AccountTx.
type BulkTx interface {
	// CreateStaffBatch inserts staff rows (Login, FullName, Email, Phone)
	// with their password hashes (hashes[i] for staff[i], "" for none)
	// and sets each one's ID, CreatedAt and UpdatedAt. Errors:
	// ErrConflict (a login or e-mail taken).
	CreateStaffBatch(staff []Staff, hashes []string) error
	// StaffIDsByLogin returns the staff members among logins (lower-case)
	// that exist, by login.
	StaffIDsByLogin(logins []string) (map[string]StaffID, error)
	// StaffIDsByEmail returns the staff members among emails that exist,
	// by lower-cased e-mail (compared case-insensitively).
	StaffIDsByEmail(emails []string) (map[string]StaffID, error)
}

// bulk returns the store's BulkTx, or one that writes row by row. Its
// writes bypass controlTx: the caller notes them (txn.wrote).
func (w *txn) bulk() BulkTx {
	if bt, ok := w.raw.(BulkTx); ok {
		return bt
	}
	return rowByRow{w.raw}
}

// rowByRow is BulkTx over a Tx without it.
type rowByRow struct{ tx Tx }

func (r rowByRow) CreateStaffBatch(staff []Staff, hashes []string) error {
	for i := range staff {
		if err := r.tx.CreateStaff(&staff[i]); err != nil {
			return err
		}
		if hashes[i] != "" {
			if err := r.tx.SetPasswordHash(staff[i].ID, hashes[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r rowByRow) lookup(keys []string, by func(AccountTx, string) (StaffID, error)) (map[string]StaffID, error) {
	out := map[string]StaffID{}
	at, ok := r.tx.(AccountTx)
	if !ok {
		return out, nil // the store's unique indexes answer with ErrConflict
	}
	for _, k := range keys {
		id, err := by(at, k)
		switch {
		case err == nil:
			out[strings.ToLower(k)] = id
		case !errors.Is(err, ErrNotFound):
			return nil, err
		}
	}
	return out, nil
}

func (r rowByRow) StaffIDsByLogin(logins []string) (map[string]StaffID, error) {
	return r.lookup(logins, AccountTx.StaffIDByLogin)
}

func (r rowByRow) StaffIDsByEmail(emails []string) (map[string]StaffID, error) {
	return r.lookup(emails, AccountTx.StaffIDByEmail)
}
