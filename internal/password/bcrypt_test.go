package password_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/billingrbac/billingrbac/internal/password"
)

// PHP's manual example for password_verify: 'rasmuslerdorf' against a
// $2y$ hash at cost 10 made by PHP, not by x/crypto.
const phpHash = "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a"

func TestParseHash(t *testing.T) {
	h4, err := bcrypt.GenerateFromPassword([]byte("pw"), 4)
	require.NoError(t, err)
	a := string(h4)
	phc := password.Format(cheap, make([]byte, 16), make([]byte, 32))
	for _, c := range []struct {
		name, in string
		want     password.Hash
		ok       bool
	}{
		{"argon2id", phc, password.Hash{Scheme: password.Argon2id, Params: cheap}, true},
		{"2a", a, password.Hash{Scheme: password.Bcrypt, Cost: 4}, true},
		{"2b", "$2b$" + a[4:], password.Hash{Scheme: password.Bcrypt, Cost: 4}, true},
		{"2y from PHP", phpHash, password.Hash{Scheme: password.Bcrypt, Cost: 10}, true},
		{"cost 14", "$2a$14$" + a[7:], password.Hash{Scheme: password.Bcrypt, Cost: 14}, true},
		{"cost 15 is absurd", "$2a$15$" + a[7:], password.Hash{}, false},
		{"cost 31 is absurd", "$2a$31$" + a[7:], password.Hash{}, false},
		{"cost 03 is below bcrypt's minimum", "$2a$03$" + a[7:], password.Hash{}, false},
		{"one-digit cost", "$2a$4$" + a[7:] + ".", password.Hash{}, false},
		{"2x (the buggy crypt_blowfish variant)", "$2x$" + a[4:], password.Hash{}, false},
		{"2 without minor", "$2$" + a[4:] + ".", password.Hash{}, false},
		{"short", a[:59], password.Hash{}, false},
		{"long", a + ".", password.Hash{}, false},
		{"not bcrypt's base64", a[:59] + "+", password.Hash{}, false},
		{"empty", "", password.Hash{}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := password.ParseHash(c.in)
			if !c.ok {
				require.ErrorIs(t, err, password.ErrMalformed)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, c.want, got)
		})
	}
}

// Every accepted spelling verifies the right password and refuses a wrong
// one; PHP's own hash verifies.
func TestVerifyBcrypt(t *testing.T) {
	ctx := context.Background()
	pool := password.NewPool(1, cheap)
	var costs []int
	pool.ObserveBcrypt(func(c int) { costs = append(costs, c) })
	h4, err := bcrypt.GenerateFromPassword([]byte("copper-Velvet-9"), 4)
	require.NoError(t, err)
	for _, prefix := range []string{"$2a$", "$2b$", "$2y$"} {
		h := prefix + string(h4[4:])
		ok, got, err := pool.Verify(ctx, "copper-Velvet-9", h)
		require.NoError(t, err)
		assert.True(t, ok, prefix)
		assert.Equal(t, password.Hash{Scheme: password.Bcrypt, Cost: 4}, got)
		ok, _, err = pool.Verify(ctx, "copper-Velvet-8", h)
		require.NoError(t, err)
		assert.False(t, ok, prefix)
	}
	ok, _, err := pool.Verify(ctx, "rasmuslerdorf", phpHash)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, []int{4, 4, 4, 4, 4, 4, 10}, costs, "every bcrypt evaluation runs in the pool")

	// Refused without work.
	costs = nil
	_, _, err = pool.Verify(ctx, "x", "$2a$31$"+string(h4[7:]))
	require.ErrorIs(t, err, password.ErrMalformed)
	assert.Empty(t, costs)
}

// PadTo brings any done work up to the floor exactly, in each unit: the
// bcrypt rounds of a cheaper hash plus the padding are the floor's, and
// the Argon2id part matches what one evaluation at current costs.
func TestPadToReachesFloor(t *testing.T) {
	ctx := context.Background()
	current := password.Params{Memory: 256, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
	pool := password.NewPool(1, current)
	var got password.Work
	pool.Observe(func(p password.Params) func() { got.Argon += p.Work(); return nil })
	pool.ObserveBcrypt(func(c int) { got.Bcrypt += 1 << c })
	for legacy := password.MinBcryptCost; legacy <= 8; legacy++ {
		floor := password.Work{Argon: current.Work(), Bcrypt: 1 << legacy}
		dones := []password.Work{{}, {Argon: current.Work()}, {Argon: cheap.Work()}}
		for c := password.MinBcryptCost; c <= legacy; c++ {
			dones = append(dones, password.Hash{Scheme: password.Bcrypt, Cost: c}.Work())
		}
		for _, done := range dones {
			got = password.Work{}
			require.NoError(t, pool.PadTo(ctx, done, floor, current))
			sum := password.Work{Argon: done.Argon + got.Argon, Bcrypt: done.Bcrypt + got.Bcrypt}
			assert.Equal(t, floor.Bcrypt, sum.Bcrypt, "legacy %d, done %+v", legacy, done)
			// Argon2id padding rounds memory up to whole KiB per pass.
			assert.GreaterOrEqual(t, sum.Argon, floor.Argon, "legacy %d, done %+v", legacy, done)
			assert.Less(t, sum.Argon, floor.Argon+uint64(current.Time)+8*uint64(current.Time), "legacy %d, done %+v", legacy, done)
		}
	}
	// Nothing to pad when the floor has no bcrypt part and done is dearer.
	got = password.Work{}
	require.NoError(t, pool.PadTo(ctx, password.Work{Argon: 2 * current.Work()}, password.Work{Argon: current.Work()}, current))
	assert.Equal(t, password.Work{}, got)
}

func FuzzParseHash(f *testing.F) {
	f.Add(phpHash)
	f.Add(password.Format(cheap, make([]byte, 16), make([]byte, 32)))
	f.Add("$2b$04$" + strings.Repeat("A", 53))
	f.Fuzz(func(t *testing.T, s string) {
		h, err := password.ParseHash(s)
		if err != nil {
			require.ErrorIs(t, err, password.ErrMalformed)
			return
		}
		switch h.Scheme {
		case password.Bcrypt:
			require.Len(t, s, 60)
			require.GreaterOrEqual(t, h.Cost, password.MinBcryptCost)
			require.LessOrEqual(t, h.Cost, password.MaxBcryptCost)
			// x/crypto agrees on the cost.
			c, err := bcrypt.Cost([]byte(s))
			require.NoError(t, err)
			require.Equal(t, h.Cost, c)
		case password.Argon2id:
			require.Empty(t, h.Params.Check())
		default:
			t.Fatalf("scheme %v", h.Scheme)
		}
	})
}
