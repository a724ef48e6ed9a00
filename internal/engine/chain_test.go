package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// chainStreamed is Chain as it was first written, one hash write per
// field: the hashes of every stored log were computed this way, so Chain
// must keep giving them.
func chainStreamed(prev string, e Entry) string {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	num := func(v int64) { field(strconv.AppendInt(nil, v, 10)) }
	field([]byte(prev))
	num(e.Version)
	field([]byte(e.Domain))
	num(e.At.UnixMicro())
	field([]byte(e.Actor.Kind.String()))
	num(e.Actor.ID)
	field([]byte(e.Op))
	field([]byte(e.Target))
	field(e.Before)
	field(e.After)
	field([]byte(e.Reason))
	field(e.Rules)
	field(e.Effect)
	return hex.EncodeToString(h.Sum(nil))
}

// Chain hashes the same bytes as the streamed form, for entries that fit
// its stack buffer and for larger ones.
func TestChainMatchesStreamedHash(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	text := func() string { return strings.Repeat("é<x", rng.IntN(3)*rng.IntN(400)) }
	for range 500 {
		e := Entry{Version: rng.Int64N(1 << 40), Domain: text(), At: time.UnixMicro(rng.Int64N(1 << 52)),
			Actor: Actor{Kind: ActorKind(rng.IntN(3)), ID: rng.Int64() - rng.Int64()}, Op: text(), Target: text(),
			Before: []byte(text()), After: []byte(text()), Reason: text(), Rules: []byte(text()), Effect: []byte(text())}
		if rng.IntN(4) == 0 {
			e.Before, e.Rules = nil, nil
		}
		prev := text()
		require.Equal(t, chainStreamed(prev, e), Chain(prev, e))
	}
	require.Equal(t, "87e692b3f5f30abe124f6d030af63df301c529235d0eb407d5aea9558271ca86", Chain("", Entry{}), "the empty entry's hash, as every stored log has it")
}
