package rbac_test

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

func TestHashVerifyRoundTrip(t *testing.T) {
	h, err := rbac.HashPassword("correct horse battery", fastHash)
	mustNoErr(t, err)
	wantTrue(t, strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$"), "hash %s", h)

	ok, err := rbac.VerifyPassword("correct horse battery", h)
	mustNoErr(t, err)
	wantTrue(t, ok, "verify: false")
	ok, err = rbac.VerifyPassword("correct horse batterY", h)
	mustNoErr(t, err)
	wantTrue(t, !ok, "verify: true")

	// A fresh salt each time.
	h2, err := rbac.HashPassword("correct horse battery", fastHash)
	mustNoErr(t, err)
	wantTrue(t, h != h2, "same hash twice")

	p, salt, key, err := rbac.ParsePHC(h)
	mustNoErr(t, err)
	wantEqual(t, fastHash, p)
	wantEqual(t, len(salt), 16)
	wantEqual(t, len(key), 32)
}

func TestDefaultHashParamsMeetOWASP(t *testing.T) {
	p := rbac.DefaultHashParams()
	// OWASP: Argon2id, at least 19 MiB, 2 iterations, 1 degree of parallelism.
	wantTrue(t, p.Memory >= 19*1024, "memory %d", p.Memory)
	wantTrue(t, p.Time >= 2, "time %d", p.Time)
	wantTrue(t, p.Threads >= 1, "threads %d", p.Threads)
	wantTrue(t, p.SaltLen >= 16, "salt %d", p.SaltLen)
	wantNoErr(t, p.Validate())
}

func TestHashParamsValidate(t *testing.T) {
	_, err := rbac.HashPassword("x", rbac.HashParams{})
	wantEqual(t, fieldRules(t, err), []string{"threads/min", "memory/range", "time/range", "salt_len/range", "key_len/range"})
}

func TestNeedsRehash(t *testing.T) {
	h, err := rbac.HashPassword("pw", fastHash)
	mustNoErr(t, err)
	wantTrue(t, !rbac.NeedsRehash(h, fastHash), "same params need a rehash")
	stronger := fastHash
	stronger.Time = 2
	wantTrue(t, rbac.NeedsRehash(h, stronger), "stronger params need no rehash")
	wantTrue(t, rbac.NeedsRehash("garbage", fastHash), "garbage needs no rehash")
}

func TestParsePHCRejects(t *testing.T) {
	good, err := rbac.HashPassword("pw", fastHash)
	mustNoErr(t, err)
	parts := strings.Split(good, "$")
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	cases := map[string]string{
		"empty":            "",
		"bcrypt":           "$2a$10$abcdefghijklmnopqrstuuJ6h2cQ8DTPa9Q3eVdsHzCzjyOSgO0y",
		"argon2i":          with(1, "argon2i"),
		"version 16":       with(2, "v=16"),
		"version +19":      with(2, "v=+19"),
		"params order":     with(3, "t=1,m=64,p=1"),
		"leading zero":     with(3, "m=064,t=1,p=1"),
		"extra param":      with(3, "m=64,t=1,p=1,x=2"),
		"zero time":        with(3, "m=64,t=0,p=1"),
		"memory too big":   with(3, "m=8388608,t=1,p=1"),
		"threads 256":      with(3, "m=4096,t=1,p=256"),
		"padded salt":      with(4, parts[4]+"=="),
		"newline in key":   with(5, parts[5][:10]+"\n"+parts[5][10:]),
		"short key":        with(5, "AAAA"),
		"trailing field":   good + "$",
		"not base64 salt":  with(4, "!!!!!!!!!!!!!!!!!!!!!!"),
		"missing leading":  strings.TrimPrefix(good, "$"),
		"uppercase params": with(3, "M=64,T=1,P=1"),
	}
	for name, s := range cases {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := rbac.ParsePHC(s)
			wantErrIs(t, err, rbac.ErrInvalid)
			ok, err := rbac.VerifyPassword("pw", s)
			wantTrue(t, !ok, "verify: true")
			wantErrIs(t, err, rbac.ErrInvalid)
		})
	}
}

func TestCommonPasswordList(t *testing.T) {
	wantTrue(t, rbac.CommonPasswordCount() >= 10000, "only %d common passwords", rbac.CommonPasswordCount())
}

func TestPasswordPolicyRules(t *testing.T) {
	john := rbac.Staff{Login: "jdoe42", Email: "Work.Box@example.com",
		FullName: rbac.LocalizedText{language.English: "John Smith", language.Russian: "Иван Петров"}}
	cases := []struct {
		name, pw string
		want     []string // field/rule pairs; nil means accepted
	}{
		{"good", "plum-Orbit-7-lantern", nil},
		{"good unicode", "синий трактор едет", nil},
		{"empty", "", []string{"password/required"}},
		{"short", "aB3$xY9!", []string{"password/min_length"}},
		{"eleven", "Zq8!vR2#mK4", []string{"password/min_length"}},
		{"twelve", "Zq8!vR2#mK4w", nil},
		{"too long", strings.Repeat("Zq8!vR2#", 33), []string{"password/max_length"}},
		{"not utf8", "Zq8!vR2#mK4w\xff", []string{"password/utf8"}},
		{"common", "qwerty123456", []string{"password/common"}},
		{"common any case", "QWERTY123456", []string{"password/common"}},
		{"common core", "Password1234!", []string{"password/common"}},
		{"common long", "1qaz2wsx3edc", []string{"password/common"}},
		{"login", "my-JDOE42-pass-99", []string{"password/contains_login"}},
		{"email local part", "work.box!2024xyz", []string{"password/contains_email"}},
		{"name part", "Smithereens-42-boom", []string{"password/contains_name"}},
		{"name part other language", "петровские-ворота-1", []string{"password/contains_name"}},
		{"short and common", "password", []string{"password/min_length", "password/common"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := rbac.PasswordPolicy{}.Check(c.pw, john)
			if c.want == nil {
				wantNoErr(t, err)
				return
			}
			wantEqual(t, fieldRules(t, err), c.want)
		})
	}
}

func TestPasswordPolicyOptions(t *testing.T) {
	st := rbac.Staff{Login: "jsmith"}
	loose := rbac.PasswordPolicy{MinLength: 8, AllowCommon: true, AllowPersonal: true, AllowWeak: true}
	wantNoErr(t, loose.Check("password", st))
	wantNoErr(t, loose.Check("jsmith-pw", st))
	wantEqual(t, fieldRules(t, rbac.PasswordPolicy{MaxBytes: 16}.Check("Zq8!vR2#mK4wZq8!v", st)), []string{"password/max_length"})

	wantEqual(t, fieldRules(t, rbac.PasswordPolicy{MinLength: 6}.Validate()), []string{"min_length/min"})
	wantEqual(t, fieldRules(t, rbac.PasswordPolicy{MinLength: 20, MaxBytes: 16}.Validate()), []string{"min_length/range"})
}

// Generated passwords always satisfy the policy: a property over many
// draws, with options that make a clash with the login likely.
func TestGeneratedPasswordsSatisfyPolicy(t *testing.T) {
	policies := []rbac.PasswordPolicy{{}, {MinLength: 16, MaxBytes: 64}}
	st := rbac.Staff{Login: "abc", Email: "bcd@example.com", FullName: rbac.Text(language.English, "Kim Cde")}
	opts := []rbac.GeneratorOptions{
		{},
		{Length: 12, Classes: rbac.ClassLower},
		{Length: 16, Classes: rbac.ClassDigits},
		{Length: 12, Classes: rbac.ClassLower | rbac.ClassUpper | rbac.ClassDigits | rbac.ClassSymbols},
		{Length: 64, Classes: rbac.ClassSymbols | rbac.ClassUpper},
	}
	const lookAlikes = "0O1lI|`'\""
	var n atomic.Int64
	// One parallel subtest per policy and options: the draws are
	// independent, and each is checked by the zxcvbn estimate (about a
	// millisecond), so the 12,000 of them share the cores. Under the race
	// detector, which slows the estimate about tenfold, 2,000 draws.
	draws := 1500
	if raceEnabled {
		draws = 250
	}
	t.Run("draws", func(t *testing.T) {
		for pi, p := range policies {
			for oi, o := range opts {
				if o.Length != 0 && o.Length < 16 && p.MinLength == 16 {
					continue
				}
				t.Run(fmt.Sprintf("policy%d/options%d", pi, oi), func(t *testing.T) {
					t.Parallel()
					for range draws {
						pw, err := p.Generate(o, st)
						mustNoErr(t, err)
						mustNoErr(t, p.Check(pw, st), pw)
						want := o.Length
						if want == 0 {
							want = rbac.DefaultGeneratedLength
						}
						mustEqual(t, len(pw), want, pw)
						mustEqual(t, strings.ContainsAny(pw, lookAlikes), false, pw)
						classes := o.Classes
						if classes == 0 {
							classes = rbac.AllClasses
						}
						for i, set := range []string{"abcdefghijkmnopqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", "!#$%&*+-=?@^_~"} {
							in := strings.ContainsAny(pw, set)
							mustEqual(t, in, classes&(1<<i) != 0, i, pw)
						}
						n.Add(1)
					}
				})
			}
		}
	})
	mustEqual(t, n.Load(), int64(8*draws))
	t.Logf("%d generated passwords checked", n.Load())
}

func TestGeneratorOptionsRefused(t *testing.T) {
	_, err := rbac.PasswordPolicy{}.Generate(rbac.GeneratorOptions{Length: 11}, rbac.Staff{})
	wantEqual(t, fieldRules(t, err), []string{"length/range"})
	_, err = rbac.PasswordPolicy{}.Generate(rbac.GeneratorOptions{Length: 300}, rbac.Staff{})
	wantEqual(t, fieldRules(t, err), []string{"length/range"})
	_, err = rbac.PasswordPolicy{}.Generate(rbac.GeneratorOptions{Classes: 1 << 6}, rbac.Staff{})
	wantEqual(t, fieldRules(t, err), []string{"classes/enum"})
}

func TestGeneratePasswordCompat(t *testing.T) {
	pw, err := rbac.GeneratePassword(8)
	mustNoErr(t, err)
	wantEqual(t, len(pw), 16)
	wantNoErr(t, rbac.PasswordPolicy{}.Check(pw, rbac.Staff{}))
}

func ExamplePasswordPolicy_Check() {
	john := rbac.Staff{Login: "jdoe", FullName: rbac.Text(language.English, "John Smith")}
	err := rbac.PasswordPolicy{}.Check("Password1234", john)
	var ve *rbac.ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			fmt.Println(f.Field, f.Rule)
		}
	}
	fmt.Println(rbac.PasswordPolicy{}.Check("jdoe-was-here-1984", john))
	fmt.Println(rbac.PasswordPolicy{}.Check("plum-Orbit-7-lantern", john))
	// Output:
	// password common
	// check password: invalid input: password: must not contain the login (contains_login)
	// <nil>
}

func ExampleHashPassword() {
	params := rbac.HashParams{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32} // tiny, for the example
	hash, _ := rbac.HashPassword("plum-Orbit-7-lantern", params)
	fmt.Println(hash[:28])
	ok, _ := rbac.VerifyPassword("plum-Orbit-7-lantern", hash)
	fmt.Println(ok, rbac.NeedsRehash(hash, rbac.DefaultHashParams()))
	// Output:
	// $argon2id$v=19$m=64,t=1,p=1$
	// true true
}
