package rbac_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

// Avatar uploads are authorized before decoding and decoded a bounded
// number at a time: 16 concurrent uploads of the costliest picture the
// budget allows stay within the decode slots' memory, and 16 refused ones
// (a colleague's avatar without staff:edit) decode nothing. Heap peaks
// are reported (the collector at GOGC=10, see heapPeak); with 16 slots
// the same uploads peak at about 38 MiB, with 2 at about 15 MiB.
func TestAvatarDecodesBoundedAndAuthorizedFirst(t *testing.T) {
	ctx := context.Background()
	st := testdb.Open(t, testdb.DSN(t, testdb.SQLite))
	require.NoError(t, st.Migrate(ctx))
	svc, err := rbac.New(ctx, st, rbac.Options{Accounts: rbac.AccountOptions{HashParams: fastHash, MaxConcurrentDecodes: 2}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = svc.Close() })
	boot, err := svc.Bootstrap(ctx, rbac.BootstrapOptions{})
	require.NoError(t, err)
	var staff []rbac.StaffID
	for _, login := range []string{"kate", "bob"} {
		s, err := svc.CreateStaff(ctx, boot.Admin.ID, rbac.NewStaff{Login: login, FullName: rbac.Text(language.English, login)})
		require.NoError(t, err)
		staff = append(staff, s.ID)
	}
	kate, bob := staff[0], staff[1]
	var worst bytes.Buffer
	require.NoError(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&worst, image.NewNRGBA64(image.Rect(0, 0, 640, 640))))
	pic := worst.Bytes()

	run := func(actor, target rbac.StaffID, wantErr error) float64 {
		return heapPeak(func() {
			var wg sync.WaitGroup
			for range 16 {
				wg.Go(func() {
					_, err := svc.SetAvatar(ctx, actor, target, pic)
					if wantErr == nil {
						require.NoError(t, err)
					} else {
						require.ErrorIs(t, err, wantErr)
					}
				})
			}
			wg.Wait()
		})
	}
	accepted := run(kate, kate, nil)
	refused := run(bob, kate, rbac.ErrPermissionDenied)
	t.Logf("16 concurrent 640×640 uploads, 2 decode slots: heap peak +%.1f MiB; 16 refused: +%.1f MiB", accepted, refused)
	require.Less(t, accepted, 28.0, "decodes not bounded: 16 at once hold about 38 MiB here")
	require.Less(t, refused, 4.0, "refused uploads were decoded")
}
