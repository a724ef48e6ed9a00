package admin

import (
	_ "embed"
	"net/http"
)

// pageRoutes lists the HTML pages and forms.
func (h *Handler) pageRoutes() []pageRoute {
	var all []pageRoute
	for _, rs := range [][]pageRoute{h.departmentPages(), h.permissionPages(), h.staffPages(), h.rightsPages(), h.logPages()} {
		all = append(all, rs...)
	}
	return all
}

// OpenAPIPath is where the Handler serves the OpenAPI 3.1 document of its
// JSON API, relative to where it is mounted.
const OpenAPIPath = "/api/openapi.yaml"

//go:embed openapi.yaml
var openAPI []byte

// OpenAPI returns the OpenAPI 3.1 document of the JSON API (YAML).
func OpenAPI() []byte { return append([]byte(nil), openAPI...) }

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(openAPI)
}
