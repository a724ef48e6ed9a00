package store

import (
	"encoding/json"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

func encodeText(t rbac.LocalizedText) (string, error) {
	m := make(map[string]string, len(t))
	for tag, v := range t {
		m[tag.String()] = v
	}
	b, err := json.Marshal(m)
	return string(b), err
}

func decodeText(s string) (rbac.LocalizedText, error) {
	var m map[string]string
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		return nil, fmt.Errorf("decode localized text: %w", err)
	}
	out := make(rbac.LocalizedText, len(m))
	for k, v := range m {
		tag, err := language.Parse(k)
		if err != nil {
			return nil, fmt.Errorf("decode localized text: language %q: %w", k, err)
		}
		out[tag] = v
	}
	return out, nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
