package store

import (
	"context"
	"time"

	"github.com/billingrbac/billingrbac/rbac"
)

var (
	_ rbac.ThrottleStore = (*Store)(nil)
	_ rbac.ThrottleTx    = (*tx)(nil)
)

// SignInFailures implements rbac.ThrottleStore.
func (s *Store) SignInFailures(ctx context.Context, keys ...rbac.ThrottleKey) ([]rbac.SignInFailures, error) {
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = string(k)
	}
	var rows []struct {
		ThrottleKey string
		Failures    int
		LastAt      int64
	}
	if err := s.db.WithContext(ctx).Raw(`SELECT throttle_key, failures, last_at FROM `+tableSigninFailures+` WHERE throttle_key IN ?`, ks).
		Scan(&rows).Error; err != nil {
		return nil, mapErr(err)
	}
	out := make([]rbac.SignInFailures, len(rows))
	for i, r := range rows {
		out[i] = rbac.SignInFailures{Key: rbac.ThrottleKey(r.ThrottleKey), Count: r.Failures, Last: fromMicros(r.LastAt)}
	}
	return out, nil
}

// RecordSignInFailure implements rbac.ThrottleStore: one upsert, so
// failures on every instance add up. Failures older than window before
// at are forgotten on the way (keys of unknown logins do not pile up).
func (s *Store) RecordSignInFailure(ctx context.Context, key rbac.ThrottleKey, at time.Time, window time.Duration) (rbac.SignInFailures, error) {
	db := s.db.WithContext(ctx)
	old := micros(at.Add(-window))
	var row struct {
		Failures int
		LastAt   int64
	}
	if err := db.Raw(`INSERT INTO `+tableSigninFailures+` (throttle_key, failures, last_at) VALUES (?, 1, ?)
		ON CONFLICT (throttle_key) DO UPDATE SET
			failures = CASE WHEN `+tableSigninFailures+`.last_at < ? THEN 1 ELSE `+tableSigninFailures+`.failures + 1 END,
			last_at = excluded.last_at
		RETURNING failures, last_at`, string(key), micros(at), old).Scan(&row).Error; err != nil {
		return rbac.SignInFailures{}, mapErr(err)
	}
	// Forget stale keys now and then (one in 64 failures), cheaply.
	if row.LastAt%64 == 0 {
		if err := db.Exec(`DELETE FROM `+tableSigninFailures+` WHERE last_at < ?`, old).Error; err != nil {
			return rbac.SignInFailures{}, mapErr(err)
		}
	}
	return rbac.SignInFailures{Key: key, Count: row.Failures, Last: fromMicros(row.LastAt)}, nil
}

// ResetSignInFailures implements rbac.ThrottleStore.
func (s *Store) ResetSignInFailures(ctx context.Context, key rbac.ThrottleKey) error {
	return mapErr(s.db.WithContext(ctx).Exec(`DELETE FROM `+tableSigninFailures+` WHERE throttle_key = ?`, string(key)).Error)
}

// ResetSignInFailures implements rbac.ThrottleTx.
func (t *tx) ResetSignInFailures(key rbac.ThrottleKey) error {
	return mapErr(t.db.Exec(`DELETE FROM `+tableSigninFailures+` WHERE throttle_key = ?`, string(key)).Error)
}
