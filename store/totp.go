package store

import (
	"context"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

var (
	_ rbac.SecondFactorStore = (*Store)(nil)
	_ rbac.SecondFactorTx    = (*tx)(nil)
)

type totpRow struct {
	StaffID   int64
	Secret    string
	Confirmed bool
	LastStep  int64
	Codes     int
}

const totpSelect = `SELECT staff_id, secret, confirmed, last_step,
	(SELECT COUNT(*) FROM ` + tableStaffRecoveryCodes + ` r WHERE r.staff_id = t.staff_id) AS codes
	FROM ` + tableStaffTOTP + ` t WHERE staff_id = ?`

func (r totpRow) record() rbac.TOTPRecord {
	return rbac.TOTPRecord{Secret: r.Secret, Confirmed: r.Confirmed, LastStep: r.LastStep, RecoveryCodes: r.Codes}
}

// TOTP implements rbac.SecondFactorStore.
func (s *Store) TOTP(ctx context.Context, id rbac.StaffID) (rbac.TOTPRecord, error) {
	var rows []totpRow
	if err := s.db.WithContext(ctx).Raw(totpSelect, int64(id)).Scan(&rows).Error; err != nil {
		return rbac.TOTPRecord{}, mapErr(err)
	}
	if len(rows) == 0 {
		return rbac.TOTPRecord{}, rbac.ErrNotFound
	}
	return rows[0].record(), nil
}

// UseTOTPStep implements rbac.SecondFactorStore: one compare-and-set, so
// of two instances given the same code only one accepts it.
func (s *Store) UseTOTPStep(ctx context.Context, id rbac.StaffID, step int64) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`UPDATE `+tableStaffTOTP+` SET last_step = ? WHERE staff_id = ? AND confirmed AND last_step < ?`,
		step, int64(id), step)
	if res.Error != nil {
		return false, mapErr(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// UseRecoveryCode implements rbac.SecondFactorStore.
func (s *Store) UseRecoveryCode(ctx context.Context, id rbac.StaffID, h rbac.CodeHash) (bool, error) {
	res := s.db.WithContext(ctx).Exec(`DELETE FROM `+tableStaffRecoveryCodes+` WHERE staff_id = ? AND code_hash = ?`, int64(id), string(h))
	if res.Error != nil {
		return false, mapErr(res.Error)
	}
	return res.RowsAffected == 1, nil
}

// CreateChallenge implements rbac.SecondFactorStore; it deletes the
// challenges expired at now.
func (s *Store) CreateChallenge(ctx context.Context, c rbac.Challenge, now time.Time) error {
	db := s.db.WithContext(ctx)
	if err := db.Exec(`DELETE FROM `+tableSigninChallenges+` WHERE expires_at < ?`, micros(now)).Error; err != nil {
		return mapErr(err)
	}
	return mapErr(db.Exec(`INSERT INTO `+tableSigninChallenges+` (token_hash, staff_id, login, address, attempts, expires_at) VALUES (?, ?, ?, ?, 0, ?)`,
		string(c.Hash), int64(c.Staff), c.Login, c.Address, micros(c.ExpiresAt)).Error)
}

// ChallengeAttempt implements rbac.SecondFactorStore: the attempt is
// counted by one conditional UPDATE, so concurrent attempts on several
// instances share the limit.
func (s *Store) ChallengeAttempt(ctx context.Context, h rbac.CodeHash, now time.Time, limit int) (rbac.Challenge, error) {
	db := s.db.WithContext(ctx)
	res := db.Exec(`UPDATE `+tableSigninChallenges+` SET attempts = attempts + 1 WHERE token_hash = ? AND attempts < ? AND expires_at > ?`,
		string(h), limit, micros(now))
	if res.Error != nil {
		return rbac.Challenge{}, mapErr(res.Error)
	}
	if res.RowsAffected == 0 {
		return rbac.Challenge{}, rbac.ErrNotFound
	}
	var row struct {
		StaffID   int64
		Login     string
		Address   string
		Attempts  int
		ExpiresAt int64
	}
	if err := db.Raw(`SELECT staff_id, login, address, attempts, expires_at FROM `+tableSigninChallenges+` WHERE token_hash = ?`,
		string(h)).Scan(&row).Error; err != nil {
		return rbac.Challenge{}, mapErr(err)
	}
	if row.StaffID == 0 {
		return rbac.Challenge{}, rbac.ErrNotFound // deleted meanwhile
	}
	return rbac.Challenge{Hash: h, Staff: rbac.StaffID(row.StaffID), Login: row.Login, Address: row.Address,
		Attempts: row.Attempts, ExpiresAt: fromMicros(row.ExpiresAt)}, nil
}

// DeleteChallenge implements rbac.SecondFactorStore.
func (s *Store) DeleteChallenge(ctx context.Context, h rbac.CodeHash) error {
	return mapErr(s.db.WithContext(ctx).Exec(`DELETE FROM `+tableSigninChallenges+` WHERE token_hash = ?`, string(h)).Error)
}

// TOTPOf implements rbac.SecondFactorTx.
func (t *tx) TOTPOf(id rbac.StaffID) (rbac.TOTPRecord, error) {
	var rows []totpRow
	if err := t.db.Raw(totpSelect, int64(id)).Scan(&rows).Error; err != nil {
		return rbac.TOTPRecord{}, mapErr(err)
	}
	if len(rows) == 0 {
		return rbac.TOTPRecord{}, rbac.ErrNotFound
	}
	return rows[0].record(), nil
}

// SetTOTP implements rbac.SecondFactorTx.
func (t *tx) SetTOTP(id rbac.StaffID, sealed string) error {
	if _, err := t.StaffMember(id); err != nil {
		return err
	}
	if err := t.db.Exec(`DELETE FROM `+tableStaffRecoveryCodes+` WHERE staff_id = ?`, int64(id)).Error; err != nil {
		return mapErr(err)
	}
	return mapErr(t.db.Exec(`INSERT INTO `+tableStaffTOTP+` (staff_id, secret, confirmed, last_step, created_at) VALUES (?, ?, FALSE, 0, ?)
		ON CONFLICT (staff_id) DO UPDATE SET secret = excluded.secret, confirmed = FALSE, last_step = 0, created_at = excluded.created_at`,
		int64(id), sealed, micros(t.now())).Error)
}

// ConfirmTOTP implements rbac.SecondFactorTx.
func (t *tx) ConfirmTOTP(id rbac.StaffID, step int64, recovery []rbac.CodeHash) error {
	if err := affectedOne(t.db.Exec(`UPDATE `+tableStaffTOTP+` SET confirmed = TRUE, last_step = ? WHERE staff_id = ?`, step, int64(id))); err != nil {
		return err
	}
	if err := t.db.Exec(`DELETE FROM `+tableStaffRecoveryCodes+` WHERE staff_id = ?`, int64(id)).Error; err != nil {
		return mapErr(err)
	}
	for _, h := range recovery {
		if err := t.db.Exec(`INSERT INTO `+tableStaffRecoveryCodes+` (staff_id, code_hash) VALUES (?, ?)`, int64(id), string(h)).Error; err != nil {
			return mapErr(err)
		}
	}
	return nil
}

// RemoveTOTP implements rbac.SecondFactorTx.
func (t *tx) RemoveTOTP(id rbac.StaffID) error {
	if err := t.db.Exec(`DELETE FROM `+tableStaffRecoveryCodes+` WHERE staff_id = ?`, int64(id)).Error; err != nil {
		return mapErr(err)
	}
	return affectedOne(t.db.Exec(`DELETE FROM `+tableStaffTOTP+` WHERE staff_id = ?`, int64(id)))
}
