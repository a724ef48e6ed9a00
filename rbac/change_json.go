package rbac

import (
	"encoding/json"
	"strconv"
)

// The rules and the effect of every change are stored as JSON in the
// change log, and a write encodes both. encoding/json reaches them by
// reflection, a tenth of a write's own CPU; the common shapes (permanent
// rules, staff effects) are appended here directly instead, byte for byte
// what encoding/json gives (TestChangeJSONMatchesEncodingJSON), and
// anything else (a window, a client effect, a string that needs escaping)
// goes to encoding/json. The audit record of a grant (the permissions, a
// list) is appended the same way (marshalOrNull).

// marshalDelta returns d as json.Marshal encodes it.
func marshalDelta(d PolicyDelta) []byte {
	if b, ok := appendDelta(make([]byte, 0, 128), d); ok {
		return b
	}
	b, _ := json.Marshal(d) // typed rules always encode
	return b
}

// marshalEffect returns e as json.Marshal encodes it.
func marshalEffect(e Effect) []byte {
	if b, ok := appendEffect(make([]byte, 0, 128), e); ok {
		return b
	}
	b, _ := json.Marshal(e) // typed effects always encode
	return b
}

func appendDelta(b []byte, d PolicyDelta) ([]byte, bool) {
	b = append(b, '{')
	ok := true
	sep := false
	if len(d.Add) > 0 {
		b = append(b, `"add":`...)
		b, ok = appendRules(b, d.Add)
		sep = true
	}
	if ok && len(d.Remove) > 0 {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"remove":`...)
		b, ok = appendRules(b, d.Remove)
	}
	return append(b, '}'), ok
}

func appendRules(b []byte, rs []Rule) ([]byte, bool) {
	b = append(b, '[')
	for i, r := range rs {
		if !r.Window.IsZero() {
			return b, false
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Kind":`...)
		b = strconv.AppendUint(b, uint64(r.Kind), 10)
		b = append(b, `,"Subject":{"Staff":`...)
		b = strconv.AppendInt(b, int64(r.Subject.Staff), 10)
		b = append(b, `,"Department":`...)
		b = strconv.AppendInt(b, int64(r.Subject.Department), 10)
		b = append(b, `},"Permission":`...)
		var ok bool
		if b, ok = appendPermission(b, r.Permission); !ok {
			return b, false
		}
		b = append(b, `,"Department":`...)
		b = strconv.AppendInt(b, int64(r.Department), 10)
		b = append(b, `,"Flag":`...)
		if b, ok = appendPlain(b, string(r.Flag)); !ok {
			return b, false
		}
		b = append(b, '}')
	}
	return append(b, ']'), true
}

func appendEffect(b []byte, e Effect) ([]byte, bool) {
	if len(e.ClientUsers) > 0 || len(e.ClientControl) > 0 {
		return b, false
	}
	b = append(b, '{')
	if len(e.Staff) > 0 {
		b = append(b, `"staff":[`...)
		for i, s := range e.Staff {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"staff":`...)
			b = strconv.AppendInt(b, int64(s.Staff), 10)
			b = append(b, `,"before":`...)
			b = appendAccess(b, s.Before)
			b = append(b, `,"after":`...)
			b = appendAccess(b, s.After)
			var ok bool
			if b, ok = appendPermissions(b, `,"gained":`, s.Gained); !ok {
				return b, false
			}
			if b, ok = appendPermissions(b, `,"lost":`, s.Lost); !ok {
				return b, false
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(e.Control) > 0 {
		if len(e.Staff) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"control":[`...)
		for i, id := range e.Control {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(id), 10)
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

func appendAccess(b []byte, a Access) []byte {
	switch {
	case a.FullAccess && a.Disabled:
		return append(b, `{"full_access":true,"disabled":true}`...)
	case a.FullAccess:
		return append(b, `{"full_access":true}`...)
	case a.Disabled:
		return append(b, `{"disabled":true}`...)
	}
	return append(b, `{}`...)
}

// appendPermissions appends key and ps, unless ps is empty (omitempty).
func appendPermissions(b []byte, key string, ps []Permission) ([]byte, bool) {
	if len(ps) == 0 {
		return b, true
	}
	return appendPermissionList(append(b, key...), ps)
}

// appendPermissionList appends ps as a JSON array.
func appendPermissionList(b []byte, ps []Permission) ([]byte, bool) {
	b = append(b, '[')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendPermission(b, p); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

// appendPermission appends p as its MarshalText form, a JSON string.
func appendPermission(b []byte, p Permission) ([]byte, bool) {
	if p == (Permission{}) {
		return append(b, `""`...), true
	}
	if !plain(string(p.Function)) || !plain(string(p.Action)) {
		return b, false
	}
	b = append(b, '"')
	b = append(b, p.Function...)
	b = append(b, ':')
	b = append(b, p.Action...)
	return append(b, '"'), true
}

// appendPlain appends the JSON string of s if no byte of it needs
// escaping; otherwise it reports false.
func appendPlain(b []byte, s string) ([]byte, bool) {
	if !plain(s) {
		return b, false
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"'), true
}

// plain reports whether encoding/json writes s inside quotes as it is:
// printable ASCII other than the quote, the backslash and the HTML
// characters it escapes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20, c >= 0x80, c == '"', c == '\\', c == '<', c == '>', c == '&':
			return false
		}
	}
	return true
}
