package password

import (
	"github.com/trustelem/zxcvbn"
)

// Strength scores, as zxcvbn defines them from its estimate of the guesses
// an attacker who knows the common patterns needs: 0 under 10³, 1 under
// 10⁶, 2 under 10⁸, 3 under 10¹⁰, 4 from 10¹⁰.
const (
	MinScore     = 1
	MaxScore     = 4
	DefaultScore = 3
)

// StrengthWindow is how many leading characters are estimated. zxcvbn's
// cost grows faster than the length (about 1 ms at 24 to 32 characters, 15 ms at
// 64, 100 ms and more at 128 here); a password whose first 24 characters
// are hard to guess is at least as hard to guess whole, so the estimate
// stays conservative.
const StrengthWindow = 24

// Score returns zxcvbn's score (0 to 4) of pw's first StrengthWindow
// characters, with inputs (login, e-mail, name parts) as words an
// attacker would try first.
func Score(pw string, inputs []string) int {
	n := 0
	for i := range pw {
		if n == StrengthWindow {
			pw = pw[:i]
			break
		}
		n++
	}
	return zxcvbn.PasswordStrength(pw, inputs).Score
}
