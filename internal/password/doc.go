// Package password holds everything billingrbac does with passwords, below
// rbac's typed API: Argon2id hashing in PHC strings, the password policy
// (length, a zxcvbn strength estimate, the common-password list, personal
// data), the generator, and the Pool every hash and verification runs in.
//
// Basics:
//
//	pool := password.NewPool(4, password.Default())
//	phc, err := pool.Hash(ctx, "plum-Orbit-7-lantern", password.Default())
//	ok, stored, err := pool.Verify(ctx, "plum-Orbit-7-lantern", phc)
//	vs := password.Policy{}.Check("123456789012", password.Personal{Login: "jdoe"})
//
// Caveats: nothing here knows staff members, fields or sentinel errors of
// package rbac; rbac maps Violations to its field errors. The Pool bounds
// memory, not time: callers bound waiting with their context.
package password
