package rbac_test

import (
	"bytes"
	"errors"
	"image"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
)

// FuzzAvatar: PrepareAvatar never panics; what it accepts is an 80×80
// image of the content type it names, and a refusal is ErrInvalid.
func FuzzAvatar(f *testing.F) {
	f.Add(pngHeader(80, 80))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := rbac.PrepareAvatar(data)
		if err != nil {
			if !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(a.Data))
		if err != nil {
			t.Fatalf("stored avatar does not decode: %v", err)
		}
		if "image/"+format != a.ContentType || cfg.Width != rbac.AvatarSize || cfg.Height != rbac.AvatarSize {
			t.Fatalf("stored %s %d×%d as %s", format, cfg.Width, cfg.Height, a.ContentType)
		}
		if len(a.Data) > rbac.MaxAvatarBytes {
			t.Fatalf("stored %d bytes", len(a.Data))
		}
	})
}
