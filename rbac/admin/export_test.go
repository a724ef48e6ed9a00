package admin

// APIRoutes lists the JSON API's routes as "METHOD /path" for the test
// that checks them against the OpenAPI document.
func (h *Handler) APIRoutes() []string {
	out := []string{"GET " + OpenAPIPath}
	for _, r := range h.api {
		out = append(out, r.method+" "+r.path)
	}
	return out
}
