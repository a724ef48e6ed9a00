package rbac_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

func BenchmarkHashPassword(b *testing.B) {
	p := rbac.DefaultHashParams()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rbac.HashPassword(goodPW, p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyPassword(b *testing.B) {
	h, err := rbac.HashPassword(goodPW, rbac.DefaultHashParams())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := rbac.VerifyPassword(goodPW, h); !ok || err != nil {
			b.Fatal(ok, err)
		}
	}
}

func BenchmarkPasswordPolicyCheck(b *testing.B) {
	st := rbac.Staff{Login: "kate", Email: "kate.bell@example.com", FullName: rbac.Text(language.English, "Kate Bell")}
	b.ReportAllocs()
	for b.Loop() {
		if err := (rbac.PasswordPolicy{}).Check(goodPW, st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGeneratePassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := (rbac.PasswordPolicy{}).Generate(rbac.GeneratorOptions{}, rbac.Staff{Login: "kate"}); err != nil {
			b.Fatal(err)
		}
	}
}

// PrepareAvatar on a typical upload, on the costliest one the pixel budget
// lets through (640×640, 16-bit RGBA PNG) and on a bomb refused from its
// header (a 10000×10000 declaration).
func BenchmarkPrepareAvatar(b *testing.B) {
	var worst bytes.Buffer
	err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&worst, image.NewNRGBA64(image.Rect(0, 0, 640, 640)))
	if err != nil || worst.Len() > rbac.MaxAvatarBytes {
		b.Fatal(worst.Len(), err)
	}
	for _, c := range []struct {
		name string
		data []byte
		ok   bool
	}{
		{"200x120_png", encodePNG(b, solidImage(200, 120, color.RGBA{10, 200, 30, 255})), true},
		{"640x640_rgba64_png", worst.Bytes(), true},
		{"10000x10000_bomb_refused", pngHeader(10000, 10000), false},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rbac.PrepareAvatar(c.data); (err == nil) != c.ok {
					b.Fatal(err)
				}
			}
		})
	}
}
