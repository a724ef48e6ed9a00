package rbac

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"time"
)

// SignInOptions configures what protects sign-in beyond the password: the
// second factor (TOTP), the two-step challenge and sign-in throttling. The
// zero value is the safe default.
type SignInOptions struct {
	// Issuer names the application in authenticator apps (the
	// "Issuer:login" label of the otpauth:// URI). "" means "billingrbac".
	Issuer string
	// SecretKey, when set, must be 32 random bytes that the application
	// keeps outside the database (a secrets manager, an environment
	// variable): TOTP secrets are then stored encrypted with AES-256-GCM
	// under it (bound to the account's ID), and recovery codes and
	// sign-in challenges are stored as HMAC-SHA256 under it. Nil stores
	// TOTP secrets as they are, readable by whoever reads the database,
	// and hashes codes with plain SHA-256. Changing the key makes stored
	// secrets unreadable: their owners enrol again.
	SecretKey []byte
	// ChallengeTTL is how long the challenge of a two-step sign-in stays
	// valid. Zero means 5 minutes.
	ChallengeTTL time.Duration
	// ChallengeAttempts is how many codes one challenge accepts before it
	// is spent. Zero means 5.
	ChallengeAttempts int
	// Throttle configures the counting of failed sign-ins.
	Throttle ThrottleOptions
}

// signIn is the Service's resolved SignInOptions.
type signIn struct {
	issuer   string
	aead     cipher.AEAD // nil: secrets stored in the clear
	macKey   []byte      // nil: plain SHA-256
	ttl      time.Duration
	attempts int
	throttle ThrottleOptions
	policies policyCache
}

func (si *signIn) init(o SignInOptions) error {
	var fe fieldErrors
	si.issuer = strings.TrimSpace(o.Issuer)
	if si.issuer == "" {
		si.issuer = "billingrbac"
	}
	if strings.ContainsAny(si.issuer, ":") || len(si.issuer) > 100 {
		fe.add("sign_in.issuer", "format", "must be at most 100 bytes without ':'")
	}
	if o.SecretKey != nil {
		if len(o.SecretKey) != 32 {
			fe.add("sign_in.secret_key", "length", "must be 32 bytes, is %d", len(o.SecretKey))
		} else {
			block, _ := aes.NewCipher(derive(o.SecretKey, "totp secret")) // 32 bytes: never fails
			si.aead, _ = cipher.NewGCM(block)
			si.macKey = derive(o.SecretKey, "code hash")
		}
	}
	si.ttl = o.ChallengeTTL
	if si.ttl == 0 {
		si.ttl = 5 * time.Minute
	}
	if si.ttl < 0 {
		fe.add("sign_in.challenge_ttl", "min", "must not be negative")
	}
	si.attempts = o.ChallengeAttempts
	if si.attempts == 0 {
		si.attempts = 5
	}
	if si.attempts < 0 {
		fe.add("sign_in.challenge_attempts", "min", "must not be negative")
	}
	si.throttle = o.Throttle.resolve(&fe)
	return fe.err("sign-in options")
}

// derive returns an independent 32-byte key for purpose from key.
func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("billingrbac " + purpose))
	return m.Sum(nil)
}
