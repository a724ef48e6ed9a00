package rbac

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
)

// How secrets of the second factor are kept at rest (see
// SignInOptions.SecretKey). A TOTP secret is stored as "aesgcm:" and the
// base64 of nonce and ciphertext, with the account's ID as additional
// data (a sealed secret copied to another account does not open), or as
// "plain:" and the secret without a key. Recovery codes and challenge
// tokens are random (80 and 256 bits): a keyed or plain SHA-256 is enough
// to keep them from being read back, and, unlike the password hash pool,
// costs nothing an attacker can multiply.

const (
	sealedAESGCM = "aesgcm:"
	sealedPlain  = "plain:"
)

var errSecretUnreadable = errors.New("stored TOTP secret is unreadable (wrong or missing SignInOptions.SecretKey?)")

func (si *signIn) seal(id StaffID, secret string) (string, error) {
	if si.aead == nil {
		return sealedPlain + secret, nil
	}
	nonce := make([]byte, si.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := si.aead.Seal(nonce, nonce, []byte(secret), []byte(id.String()))
	return sealedAESGCM + base64.RawStdEncoding.EncodeToString(out), nil
}

func (si *signIn) open(id StaffID, sealed string) (string, error) {
	switch {
	case strings.HasPrefix(sealed, sealedPlain) && si.aead == nil:
		return strings.TrimPrefix(sealed, sealedPlain), nil
	case strings.HasPrefix(sealed, sealedAESGCM) && si.aead != nil:
		raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, sealedAESGCM))
		if err != nil || len(raw) < si.aead.NonceSize() {
			return "", errSecretUnreadable
		}
		n := si.aead.NonceSize()
		pt, err := si.aead.Open(nil, raw[:n], raw[n:], []byte(id.String()))
		if err != nil {
			return "", errSecretUnreadable
		}
		return string(pt), nil
	}
	return "", errSecretUnreadable
}

// codeHash is what the store keeps of a recovery code or challenge token.
func (si *signIn) codeHash(purpose, code string) string {
	var sum []byte
	if si.macKey != nil {
		m := hmac.New(sha256.New, si.macKey)
		m.Write([]byte(purpose + "\x00" + code))
		sum = m.Sum(nil)
	} else {
		s := sha256.Sum256([]byte(purpose + "\x00" + code))
		sum = s[:]
	}
	return hex.EncodeToString(sum)
}

// RecoveryCode is a one-time code that stands in for a TOTP code when the
// authenticator is lost: 16 characters of base32 in groups of four
// ("k7mq-2xha-p4ve-9rtc"), 80 random bits. Case, spaces and dashes do
// not matter when one is typed.
type RecoveryCode string

// RecoveryCodeCount is how many recovery codes ConfirmTOTP generates.
const RecoveryCodeCount = 10

var recoveryAlphabet = base32.StdEncoding.WithPadding(base32.NoPadding)

func newRecoveryCode() (RecoveryCode, error) {
	var b [10]byte // 80 bits: 16 base32 characters
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	s := strings.ToLower(recoveryAlphabet.EncodeToString(b[:]))
	return RecoveryCode(s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]), nil
}

// normalizeRecovery returns the 16 characters of a typed recovery code,
// or "" when it cannot be one.
func normalizeRecovery(s string) string {
	if len(s) > 64 {
		return ""
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r == '-' || r == ' ':
		case r >= 'a' && r <= 'z' || r >= '2' && r <= '7':
			b.WriteRune(r)
		default:
			return ""
		}
	}
	if b.Len() != 16 {
		return ""
	}
	return b.String()
}
