package password_test

import (
	"testing"

	"github.com/billingrbac/billingrbac/internal/password"
)

func BenchmarkCheck(b *testing.B) {
	pd := password.Personal{Login: "jdoe42", Email: "work.box@example.com", Names: []string{"John Smith", "Иван Петров"}}
	for _, c := range []struct{ name, pw string }{
		{"generated20", "Hq7#pLm2$Vn9zR!kXw4e"},
		{"generated32", "Hq7#pLm2$Vn9zR!kXw4eHq7#pLm2$Vn9"},
		{"generated64", "Hq7#pLm2$Vn9zR!kXw4eHq7#pLm2$Vn9Hq7#pLm2$Vn9zR!kXw4eHq7#pLm2$Vn9"},
		{"passphrase", "plum-Orbit-7-lantern"},
		{"refused_sequence", "123456789012"},
		{"refused_common", "qwerty123456"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				password.Policy{}.Check(c.pw, pd)
			}
		})
	}
}
