package rbactest_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/billingrbac/billingrbac/rbac/rbactest"
)

// compileSchema compiles the shipped schema.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(rbactest.Schema()))
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	require.NoError(t, c.AddResource(rbactest.SchemaURL, doc))
	sch, err := c.Compile(rbactest.SchemaURL)
	require.NoError(t, err)
	return sch
}

// yamlToJSON turns a YAML document into the JSON value the schema sees.
func yamlToJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	require.NoError(t, yaml.Unmarshal(data, &v))
	j, err := json.Marshal(v)
	require.NoError(t, err)
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	require.NoError(t, err)
	return out
}

// Every policy test file the repository ships validates against the
// schema, and the embedded schema is the file docs point to.
func TestShippedFilesMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	files, err := filepath.Glob("testdata/*.policytest.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NoError(t, sch.Validate(yamlToJSON(t, data)), f)
	}
	onDisk, err := os.ReadFile("policytest.schema.json")
	require.NoError(t, err)
	assert.Equal(t, onDisk, rbactest.Schema())
}

// The schema refuses what the parser refuses: each of these breaks one
// rule of the format.
func TestSchemaRefusesMalformedFiles(t *testing.T) {
	sch := compileSchema(t)
	for name, doc := range map[string]string{
		"no tests":          "name: x\n",
		"unknown key":       "tests: [{name: a, expect: [{staff: j, can: a:b, cant: c:d}]}]\n",
		"two kinds":         "tests: [{name: a, expect: [{staff: j, can: a:b, who_can: a:b, are: []}]}]\n",
		"bad permission":    "tests: [{name: a, expect: [{who_can: reports, are: []}]}]\n",
		"bad reason":        "tests: [{name: a, expect: [{staff: j, can: a:b, because: [sometimes]}]}]\n",
		"two operations":    "tests: [{name: a, expect: [{as: j, may: {reset_password: k, grant: {staff: k, permissions: [a:b]}}}]}]\n",
		"bad client action": "fixture: {clients: [{name: A, first_user: {login: a}, roles: [{name: R, permissions: [finance:read]}]}]}\ntests: [{name: a, expect: [{sign_in: j, password: p}]}]\n",
		"bad time":          "tests: [{name: a, expect: [{due: D, received: yesterday, is: \"2026-12-01T10:00:00Z\"}]}]\n",
		"staff typo":        "fixture: {staff: [{login: j, grant: [a:b]}]}\ntests: [{name: a, expect: [{sign_in: j, password: p}]}]\n",
	} {
		t.Run(name, func(t *testing.T) {
			assert.Error(t, sch.Validate(yamlToJSON(t, []byte(doc))))
			_, perr := rbactest.ParseSuite([]byte(doc))
			assert.Error(t, perr, "the parser accepts what the schema refuses")
		})
	}
}
