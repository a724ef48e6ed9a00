package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/billingrbac/billingrbac/rbac"
)

// mapErr maps driver errors to rbac's sentinels, keeping the original in
// the chain.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return rbac.ErrNotFound
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		switch pg.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %s", rbac.ErrConflict, uniqueWhat(pg.ConstraintName))
		case "40001", "40P01": // serialization_failure, deadlock_detected
			return fmt.Errorf("%w: concurrent change, retry: %w", rbac.ErrConflict, err)
		}
		return err
	}
	if msg := err.Error(); strings.Contains(msg, "UNIQUE constraint failed") {
		return fmt.Errorf("%w: %s", rbac.ErrConflict, uniqueWhat(msg))
	}
	return err
}

// uniqueWhat names the field a unique violation is about.
func uniqueWhat(s string) string {
	switch {
	case strings.Contains(s, "login"):
		return "login is already taken"
	case strings.Contains(s, "email"):
		return "e-mail is already used by another staff member"
	}
	return "duplicate: " + s
}

// affectedOne maps "no row matched" to ErrNotFound.
func affectedOne(res *gorm.DB) error {
	if res.Error != nil {
		return mapErr(res.Error)
	}
	if res.RowsAffected == 0 {
		return rbac.ErrNotFound
	}
	return nil
}
