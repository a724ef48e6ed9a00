package cow

import (
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

type owner struct{ _ byte }

// A Vec keeps each version: setting entries under a new owner copies what
// it changes and leaves the earlier vector as it was.
func TestVecCopyOnWrite(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	var v Vec[owner, int]
	model := map[uint64]int{}
	var versions []Vec[owner, int]
	var models []map[uint64]int
	for range 100 {
		o := new(owner)
		for range 1 + rng.IntN(20) {
			i := uint64(rng.IntN(5 * LeafSize))
			x := rng.Int()
			v.Set(o, i, x)
			model[i] = x
		}
		versions = append(versions, v)
		models = append(models, maps.Clone(model))
	}
	for k, ver := range versions {
		for i := range uint64(6 * LeafSize) {
			require.Equal(t, models[k][i], ver.At(i), "version %d index %d", k, i)
		}
		require.LessOrEqual(t, ver.Len(), 5*LeafSize)
	}
}
