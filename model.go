// Package billingrbac holds the Casbin model shared by every part of the
// library. The typed API lives in package rbac, persistence in package store.
package billingrbac

import _ "embed"

//go:embed model.conf
var model string

// Model returns the Casbin model (model.conf) the library enforces: the one
// source of truth for its matching rules.
func Model() string { return model }
