package rbac

import (
	"bytes"
	"encoding/json"
)

// MarshalText gives the "function:action" form, so a Permission is a JSON
// string ("invoices:send") and can key a JSON object. The zero Permission
// (in records that hold none) is "".
func (p Permission) MarshalText() ([]byte, error) {
	if p == (Permission{}) {
		return []byte{}, nil
	}
	return []byte(p.String()), nil
}

// UnmarshalText parses the "function:action" form (see ParsePermission);
// "" is the zero Permission.
func (p *Permission) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = Permission{}
		return nil
	}
	v, err := ParsePermission(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// UnmarshalJSON accepts the string form and, for records written before
// permissions marshalled as text, the object form
// {"Function":"invoices","Action":"send"}. Both are checked like
// ParsePermission.
func (p *Permission) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '{' {
		var legacy struct{ Function, Action string }
		if err := json.Unmarshal(b, &legacy); err != nil {
			return err
		}
		if legacy.Function == "" && legacy.Action == "" {
			*p = Permission{}
			return nil
		}
		return p.UnmarshalText([]byte(legacy.Function + ":" + legacy.Action))
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	return p.UnmarshalText([]byte(s))
}
