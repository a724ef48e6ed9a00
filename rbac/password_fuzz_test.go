package rbac_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"testing"

	"github.com/billingrbac/billingrbac/rbac"
)

// FuzzParsePHC: whatever ParsePHC accepts is exactly what HashPassword
// would write for those parameters, salt and key (one encoding per hash),
// and within HashParams' limits.
func FuzzParsePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := rbac.ParsePHC(s)
		if err != nil {
			if !errors.Is(err, rbac.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalid", err)
			}
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("accepted out-of-range parameters %+v: %v", p, err)
		}
		b64 := base64.RawStdEncoding
		back := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", p.Memory, p.Time, p.Threads,
			b64.EncodeToString(salt), b64.EncodeToString(key))
		if back != s {
			t.Fatalf("accepted %q, which re-encodes as %q", s, back)
		}
		if int(p.SaltLen) != len(salt) || int(p.KeyLen) != len(key) {
			t.Fatalf("lengths %+v for salt %d, key %d", p, len(salt), len(key))
		}
	})
}
