package rbac_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

func TestPermissionJSON(t *testing.T) {
	send := rbac.Perm(rbac.FuncInvoices, rbac.ActSend)
	b, err := json.Marshal(struct {
		P    rbac.Permission
		List []rbac.Permission
		Set  map[rbac.Permission]bool
		Name rbac.LocalizedText
	}{send, []rbac.Permission{send}, map[rbac.Permission]bool{send: true},
		rbac.LocalizedText{language.English: "Sales", language.Russian: "Отдел продаж"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"P":"invoices:send","List":["invoices:send"],"Set":{"invoices:send":true},
		"Name":{"en":"Sales","ru":"Отдел продаж"}}`, string(b))

	for _, in := range []string{`"invoices:send"`, `{"Function":"invoices","Action":"send"}`} {
		var p rbac.Permission
		require.NoError(t, json.Unmarshal([]byte(in), &p), in)
		assert.Equal(t, send, p, in)
	}
	var m map[rbac.Permission]bool
	require.NoError(t, json.Unmarshal([]byte(`{"payments:view":true}`), &m))
	assert.Equal(t, map[rbac.Permission]bool{rbac.Perm(rbac.FuncPayments, rbac.ActView): true}, m)

	for _, bad := range []string{`"invoices"`, `"Invoices:Send"`, `{"Function":"","Action":"send"}`, `7`} {
		var p rbac.Permission
		assert.Error(t, json.Unmarshal([]byte(bad), &p), bad)
	}
	var p rbac.Permission
	assert.ErrorIs(t, json.Unmarshal([]byte(`"a b:c"`), &p), rbac.ErrInvalid)

	// The zero Permission (records that hold none) round-trips, in both
	// forms.
	b, err = json.Marshal(rbac.Permission{})
	require.NoError(t, err)
	assert.Equal(t, `""`, string(b))
	for _, in := range []string{`""`, `{"Function":"","Action":""}`} {
		p = send
		require.NoError(t, json.Unmarshal([]byte(in), &p), in)
		assert.Zero(t, p, in)
	}
}
