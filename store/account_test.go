package store_test

import (
	"context"
	"errors"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
	"github.com/billingrbac/billingrbac/store"
)

func migratedAccountsStore(t *testing.T, b testdb.Backend) *store.Store {
	t.Helper()
	st := testdb.Open(t, testdb.DSN(t, b))
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func createAccountRow(t *testing.T, st *store.Store, login, email string) rbac.StaffID {
	t.Helper()
	var id rbac.StaffID
	err := st.Update(context.Background(), func(tx rbac.Tx) error {
		s := rbac.Staff{Login: login, Email: email, FullName: rbac.Text(language.English, login)}
		if err := tx.CreateStaff(&s); err != nil {
			return err
		}
		id = s.ID
		return nil
	})
	if err != nil {
		t.Fatalf("create %s: %v", login, err)
	}
	return id
}

func TestAccountTx(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := migratedAccountsStore(t, b)
		kate := createAccountRow(t, st, "kate", "Kate@example.com")

		err := st.Update(ctx, func(tx rbac.Tx) error {
			at := tx.(rbac.AccountTx)
			if id, err := at.StaffIDByLogin("kate"); err != nil || id != kate {
				t.Errorf("StaffIDByLogin = %v, %v", id, err)
			}
			if _, err := at.StaffIDByLogin("nobody"); !errors.Is(err, rbac.ErrNotFound) {
				t.Errorf("StaffIDByLogin(nobody) = %v", err)
			}
			if id, err := at.StaffIDByEmail("KATE@EXAMPLE.COM"); err != nil || id != kate {
				t.Errorf("StaffIDByEmail = %v, %v", id, err)
			}
			if _, err := at.StaffIDByEmail(""); !errors.Is(err, rbac.ErrNotFound) {
				t.Errorf("StaffIDByEmail(\"\") = %v", err)
			}
			if h, err := at.PasswordHashOf(kate); err != nil || h != "" {
				t.Errorf("PasswordHashOf = %q, %v", h, err)
			}
			if err := tx.SetPasswordHash(kate, "$argon2id$x"); err != nil {
				return err
			}
			if h, err := at.PasswordHashOf(kate); err != nil || h != "$argon2id$x" {
				t.Errorf("PasswordHashOf after set = %q, %v", h, err)
			}
			if _, err := at.PasswordHashOf(9999); !errors.Is(err, rbac.ErrNotFound) {
				t.Errorf("PasswordHashOf(9999) = %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		id, h, err := st.PasswordHash(ctx, "KATE")
		if err != nil || id != kate || h != "$argon2id$x" {
			t.Errorf("PasswordHash = %v, %q, %v", id, h, err)
		}
	})
}

// The database itself refuses an e-mail differing only in case.
func TestEmailUniqueIgnoringCase(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		st := migratedAccountsStore(t, b)
		createAccountRow(t, st, "kate", "kate@example.com")
		createAccountRow(t, st, "nomail1", "")
		createAccountRow(t, st, "nomail2", "") // empty e-mails do not clash
		err := st.Update(context.Background(), func(tx rbac.Tx) error {
			s := rbac.Staff{Login: "kate2", Email: "KATE@example.com", FullName: rbac.Text(language.English, "K")}
			return tx.CreateStaff(&s)
		})
		if !errors.Is(err, rbac.ErrConflict) {
			t.Fatalf("duplicate e-mail: %v, want ErrConflict", err)
		}
	})
}
