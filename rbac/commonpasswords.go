package rbac

import (
	_ "embed"
	"strings"
	"sync"
)

// commonPasswordsText is the list PasswordPolicy refuses: derived from
// github.com/trustelem/zxcvbn v1.0.1 (MIT License, Copyright (c) 2018
// Vincent Vanackere and Trustelem); its header names the source, the
// selection and the licence.
//
//go:embed commonpasswords.txt
var commonPasswordsText string

// commonPasswords parses the list once; the set is never modified.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10300)
	for line := range strings.Lines(commonPasswordsText) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = struct{}{}
	}
	return set
})

// CommonPasswordCount returns how many passwords the embedded
// common-password list holds.
func CommonPasswordCount() int { return len(commonPasswords()) }
