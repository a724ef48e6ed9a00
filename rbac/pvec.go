package rbac

import "github.com/billingrbac/billingrbac/internal/cow"

// pvec is the copy-on-write vector both decision indexes build on
// (internal/cow), owned by a builder's token: setting an entry copies at
// most the directory and one leaf, never the whole array.
type pvec[T any] = cow.Vec[owner, T]
