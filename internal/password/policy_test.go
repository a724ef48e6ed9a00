package password_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/password"
)

func rules(vs []password.Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	return out
}

// The passwords issue 14 found accepted are refused, by the estimator
// (they are long enough and on no list); strong ones of the same length
// are not.
func TestStrengthRefusesPatterns(t *testing.T) {
	for _, pw := range []string{
		"123456789012", "1234567890!!", "111111111111", "aaaaaaaaaaaa", "abcabcabcabc",
		"qwertyuiopasdf", "zxcvbnmasdfghjkl", "monkeymonkey12", "20262026202620",
	} {
		assert.Equal(t, []string{"strength"}, rules(password.Policy{}.Check(pw, password.Personal{})), pw)
	}
	for _, pw := range []string{"plum-Orbit-7-lantern", "correct horse battery staple", "синий трактор едет", "Qx7#pLm2$Vn9"} {
		assert.Empty(t, password.Policy{}.Check(pw, password.Personal{}), pw)
	}
	// Personal data are guesses too: a login with a few digits is weak.
	pd := password.Personal{Login: "mkowalski", Names: []string{"Marta Kowalska"}}
	assert.Contains(t, rules(password.Policy{AllowPersonal: false}.Check("kowalska1990!", pd)), "contains_name")
	assert.Less(t, password.Score("kowalska1990!", []string{"kowalska"}), password.Score("kowalska1990!", nil))
	assert.Empty(t, password.Policy{AllowWeak: true}.Check("123456789012", password.Personal{}))
}

// The common-password list still refuses what zxcvbn lets through at the
// default score: measured here, and the reason the list is kept.
func TestCommonListAddsToStrength(t *testing.T) {
	all, refused, long, longRefused := 0, 0, 0, 0
	var kept []string
	for _, pw := range password.CommonList() {
		all++
		weak := password.Score(pw, nil) < password.DefaultScore
		if weak {
			refused++
		}
		if utf8.RuneCountInString(pw) >= password.DefaultMinLength {
			long++
			if weak {
				longRefused++
			} else {
				kept = append(kept, pw)
			}
		}
	}
	t.Logf("common list: %d entries; zxcvbn (score < %d) refuses %d; of the %d with %d+ characters it refuses %d, the list alone refuses %d (e.g. %q)",
		all, password.DefaultScore, refused, long, password.DefaultMinLength, longRefused, len(kept), kept[:min(3, len(kept))])
	require.Equal(t, password.CommonCount(), all)
	require.NotEmpty(t, kept, "the list adds nothing to the estimator: drop it")
	for _, pw := range kept {
		require.Equal(t, []string{"common"}, rules(password.Policy{}.Check(pw, password.Personal{})), pw)
	}
}

// Only the first StrengthWindow characters are estimated, so the cost of
// a check is bounded whatever the length allowed.
func TestStrengthWindow(t *testing.T) {
	head := "Qx7#pLm2$Vn9zR!kXw4eHq7#"
	require.Equal(t, password.StrengthWindow, utf8.RuneCountInString(head))
	assert.Equal(t, password.Score(head, nil), password.Score(head+strings.Repeat("a", 200), nil))
	assert.Less(t, password.Score(strings.Repeat("a", 24)+head, nil), password.DefaultScore, "a weak start is not rescued by a strong tail")
}

func TestPolicyValidate(t *testing.T) {
	assert.Empty(t, password.Policy{}.Validate())
	assert.Equal(t, []string{"range"}, rules(password.Policy{MinScore: 5}.Validate()))
	assert.Equal(t, []string{"range"}, rules(password.Policy{MinScore: -1}.Validate()))
	assert.Empty(t, password.Policy{MinScore: 1}.Validate())
}

func FuzzPolicyCheck(f *testing.F) {
	for _, s := range []string{"", "123456789012", "plum-Orbit-7-lantern", "\xff\xfe", strings.Repeat("ab", 200), "jdoe42-secret"} {
		f.Add(s, "jdoe42")
	}
	f.Fuzz(func(t *testing.T, pw, login string) {
		vs := password.Policy{}.Check(pw, password.Personal{Login: login})
		again := password.Policy{}.Check(pw, password.Personal{Login: login})
		require.Equal(t, vs, again, "not deterministic")
		for _, v := range vs {
			require.NotEmpty(t, v.Rule)
			require.NotEmpty(t, v.Message)
			require.Empty(t, v.Field)
		}
		if len(vs) == 0 {
			require.True(t, utf8.ValidString(pw) && utf8.RuneCountInString(pw) >= password.DefaultMinLength && len(pw) <= password.DefaultMaxBytes)
			require.GreaterOrEqual(t, password.Score(pw, []string{strings.ToLower(login)}), password.DefaultScore)
		}
	})
}
