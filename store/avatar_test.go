package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func TestAvatarRows(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		ctx := context.Background()
		st := migratedAccountsStore(t, b)
		kate := createAccountRow(t, st, "kate", "")
		if _, err := st.Avatar(ctx, kate); !errors.Is(err, rbac.ErrNotFound) {
			t.Fatalf("Avatar before set: %v", err)
		}
		data := []byte{0x89, 'P', 'N', 'G', 0, 1, 2, 0xff}
		var set rbac.Avatar
		err := st.Update(ctx, func(tx rbac.Tx) error {
			at := tx.(rbac.AvatarTx)
			if err := at.SetAvatar(9999, &rbac.Avatar{ContentType: "image/png", Data: data}); !errors.Is(err, rbac.ErrNotFound) {
				t.Errorf("SetAvatar(9999) = %v", err)
			}
			if err := at.SetAvatar(kate, &rbac.Avatar{ContentType: "image/gif", Data: []byte("old")}); err != nil {
				return err
			}
			set = rbac.Avatar{ContentType: "image/png", Data: data}
			return at.SetAvatar(kate, &set) // replaces
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.Avatar(ctx, kate)
		if err != nil {
			t.Fatal(err)
		}
		if got.ContentType != "image/png" || !bytes.Equal(got.Data, data) || !got.UpdatedAt.Equal(set.UpdatedAt) || set.UpdatedAt.IsZero() {
			t.Errorf("Avatar = %+v, want %+v", got, set)
		}
		err = st.Update(ctx, func(tx rbac.Tx) error {
			at := tx.(rbac.AvatarTx)
			if err := at.RemoveAvatar(kate); err != nil {
				return err
			}
			if err := at.RemoveAvatar(kate); !errors.Is(err, rbac.ErrNotFound) {
				t.Errorf("second RemoveAvatar = %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Avatar(ctx, kate); !errors.Is(err, rbac.ErrNotFound) {
			t.Errorf("Avatar after remove: %v", err)
		}
	})
}
