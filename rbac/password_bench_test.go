package rbac_test

import (
	"image/color"
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

func BenchmarkPrepareAvatar(b *testing.B) {
	data := encodePNG(b, solidImage(200, 120, color.RGBA{10, 200, 30, 255}))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := rbac.PrepareAvatar(data); err != nil {
			b.Fatal(err)
		}
	}
}
