package admin_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/billingrbac/billingrbac/internal/testdb"
)

func TestPagesRender(t *testing.T) {
	a := newApp(t, testdb.SQLite)
	c := a.client(a.admin)
	for _, p := range []string{"/departments", "/departments/new", "/departments/1", "/departments/1/permissions",
		"/staff", "/staff/new", "/staff/1", "/staff/1/rights", "/log"} {
		status, body, _ := do(t, c, a, "GET", p, nil)
		assert.Equal(t, http.StatusOK, status, "%s: %s", p, body)
	}
}
