package rbac_test

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// TestAccountFailureLeavesNothing fails each statement of the account
// writes in turn: every failure leaves the rows, the change log, the
// decisions, the password hash and the avatar as they were.
func TestAccountFailureLeavesNothing(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		victim := e.person("victim", goodPW)
		pic := encodePNG(t, solidImage(120, 100, color.RGBA{9, 9, 9, 255}))
		f := &failAt{}
		f.install(t, e.st.DB())

		type accountState struct {
			state
			hash   string
			avatar []byte
		}
		snapshot := func() accountState {
			s := accountState{state: capture(t, e, []rbac.StaffID{e.admin, victim.ID})}
			_, s.hash, _ = e.st.PasswordHash(e.ctx, "victim")
			if a, err := e.st.Avatar(e.ctx, victim.ID); err == nil {
				s.avatar = a.Data
			}
			return s
		}
		same := func(a, b accountState) bool {
			return a.equal(b.state) && a.hash == b.hash && bytes.Equal(a.avatar, b.avatar)
		}
		password := goodPW
		writes := []struct {
			name string
			do   func(i int) error
		}{
			{"create staff with a password", func(i int) error {
				_, err := e.svc.CreateStaff(e.ctx, e.admin, rbac.NewStaff{Login: fmt.Sprintf("new%d", i),
					FullName: rbac.Text(language.English, "New"), Password: goodPW})
				return err
			}},
			{"reset password", func(int) error {
				pw, err := e.svc.ResetPassword(e.ctx, e.admin, victim.ID)
				if err == nil {
					password = pw
				}
				return err
			}},
			{"change password", func(int) error {
				return e.svc.ChangePassword(e.ctx, victim.ID, password, "violet-Harbor-9-cymbal")
			}},
			{"set avatar", func(int) error {
				_, err := e.svc.SetAvatar(e.ctx, victim.ID, victim.ID, pic)
				return err
			}},
			{"remove avatar", func(int) error { return e.svc.RemoveAvatar(e.ctx, e.admin, victim.ID) }},
		}
		for _, w := range writes {
			t.Run(w.name, func(t *testing.T) {
				for n := int64(1); ; n++ {
					if n > 100 {
						t.Fatal("write never succeeded")
					}
					before := snapshot()
					f.arm(n)
					err := w.do(int(n))
					f.arm(0)
					if err == nil {
						if same(snapshot(), before) {
							t.Fatalf("write succeeded at statement %d but changed nothing", n)
						}
						t.Logf("%s: %d statements failed one by one, then it succeeded", w.name, n-1)
						return
					}
					if !errors.Is(err, errInjected) {
						t.Fatalf("statement %d: err = %v, want the injected failure", n, err)
					}
					if after := snapshot(); !same(after, before) {
						t.Fatalf("failure at statement %d changed state", n)
					}
				}
			})
		}
		_, err := e.svc.Authenticate(e.ctx, "victim", "violet-Harbor-9-cymbal")
		wantNoErr(t, err)
	})
}

// A failing hash upgrade does not fail the sign-in: the old hash stays and
// the next sign-in tries again.
func TestRehashFailureKeepsSignIn(t *testing.T) {
	e := newAccountEnv(t, testdb.SQLite, rbac.AccountOptions{})
	e.person("kate", goodPW)
	old := storedPasswordHash(t, e, "kate")
	stronger := rbac.HashParams{Memory: 128, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	svc2, err := rbac.New(e.ctx, e.st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: stronger}})
	mustNoErr(t, err)
	defer svc2.Close()
	f := &failAt{}
	f.install(t, e.st.DB())
	for n := int64(1); ; n++ {
		if n > 50 {
			t.Fatal("no statement of the upgrade failed")
		}
		f.arm(n)
		_, err := svc2.Authenticate(e.ctx, "kate", goodPW)
		f.arm(0)
		if err != nil {
			wantErrIs(t, err, errInjected) // a read before the password was checked
			continue
		}
		if h := storedPasswordHash(t, e, "kate"); h != old {
			t.Fatalf("statement %d: upgraded although a statement failed", n)
		}
		break
	}
	_, err = svc2.Authenticate(e.ctx, "kate", goodPW)
	mustNoErr(t, err)
	p, _, _, err := rbac.ParsePHC(storedPasswordHash(t, e, "kate"))
	mustNoErr(t, err)
	wantEqual(t, p, stronger)
}
