package rbac_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func TestSignOffReview(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newEnv(t, b)
		hash := strings.Repeat("ab", 32)
		in := rbac.ReviewSignOff{Hash: hash, Title: "Q1 review", Version: e.svc.Version(),
			GeneratedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), Statement: "no findings"}
		john := e.staff("john")
		in.Version = e.svc.Version()
		before := e.svc.Version()

		// An actor without actionlog:view is refused and nothing is recorded.
		_, err := e.svc.SignOffReview(e.ctx, john, in)
		require.ErrorIs(t, err, rbac.ErrPermissionDenied)
		assert.Equal(t, before, e.svc.Version())

		// Bad input: every field named, nothing recorded.
		_, err = e.svc.SignOffReview(e.ctx, e.admin, rbac.ReviewSignOff{Hash: strings.ToUpper(hash), Title: "x\u202e", Statement: strings.Repeat("s", rbac.MaxSignOffStatement+1)})
		var ve *rbac.ValidationError
		require.ErrorAs(t, err, &ve)
		for _, f := range []string{"hash", "title", "version", "generated_at", "statement"} {
			assert.True(t, slicesHasField(ve, f), "field %s in %v", f, err)
		}
		// A version past the policy's is refused.
		late := in
		late.Version = e.svc.Version() + 5
		_, err = e.svc.SignOffReview(e.ctx, e.admin, late)
		require.ErrorIs(t, err, rbac.ErrInvalid)
		assert.Equal(t, before, e.svc.Version())

		ch, err := e.svc.SignOffReview(rbac.WithReason(e.ctx, "quarterly"), e.admin, in)
		require.NoError(t, err)
		assert.Equal(t, rbac.OpReviewSignOff, ch.Op)
		assert.Equal(t, rbac.ReviewTarget(hash), ch.Target)
		assert.True(t, ch.Policy.Empty(), "a sign-off changes no access")

		log, err := e.svc.AuditLog(e.ctx, e.admin, rbac.ChangeQuery{Op: rbac.OpReviewSignOff})
		require.NoError(t, err)
		require.Len(t, log, 1)
		assert.Equal(t, e.admin, log[0].Actor)
		assert.Equal(t, "quarterly", log[0].Reason)
		var got rbac.ReviewSignOff
		require.NoError(t, json.Unmarshal(log[0].After, &got))
		assert.Equal(t, in, got)
	})
}

func slicesHasField(ve *rbac.ValidationError, field string) bool {
	for _, f := range ve.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestCatalogSensitive(t *testing.T) {
	c := rbac.NewCatalog()
	why, ok := c.Sensitive(rbac.Perm(rbac.FuncReports, rbac.ActView))
	assert.True(t, ok)
	assert.Contains(t, why, "financial")
	_, ok = c.Sensitive(rbac.Perm(rbac.FuncClients, rbac.ActView))
	assert.False(t, ok)

	require.NoError(t, c.Register("domains", "Domains", "view", "transfer"))
	require.NoError(t, c.MarkSensitive("moves a customer's domain away", rbac.Perm("domains", "transfer")))
	assert.Contains(t, c.SensitivePermissions(), rbac.Perm("domains", "transfer"))
	assert.NotContains(t, c.SensitivePermissions(), rbac.Perm("domains", "view"))

	err := c.MarkSensitive("", rbac.Perm("domains", "fly"))
	var ve *rbac.ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	assert.True(t, ve.Has("reason", "required"))
	assert.True(t, ve.Has("permissions[0]", "unknown"))
	_, ok = c.Sensitive(rbac.Perm("domains", "fly"))
	assert.False(t, ok)
}
