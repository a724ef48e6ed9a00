//go:build !linux

package rbac_test

import "testing"

// cpuMetric reports nothing outside Linux (see the Linux version).
func cpuMetric(*testing.B) func() { return func() {} }
