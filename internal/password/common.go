package password

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// commonText is the list Policy refuses: derived from
// github.com/trustelem/zxcvbn v1.0.1 (MIT License, Copyright (c) 2018
// Vincent Vanackere and Trustelem); its header names the source, the
// selection and the licence. zxcvbn already refuses most of it at the
// default score; the list stays for the long entries it does not (see
// strength.go).
//
//go:embed commonpasswords.txt
var commonText string

// common parses the list once; the set is never modified.
var common = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 10300)
	for line := range strings.Lines(commonText) {
		line = strings.TrimRight(line, "\r\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		set[line] = struct{}{}
	}
	return set
})

// CommonCount returns how many passwords the common-password list holds.
func CommonCount() int { return len(common()) }

// CommonList returns the common-password list, for tests that measure it.
func CommonList() []string {
	out := make([]string, 0, CommonCount())
	for pw := range common() {
		out = append(out, pw)
	}
	return out
}

// isCommon reports whether lowerPW, or its core without leading and
// trailing digits and punctuation ("Password1234!" → "password"), is on
// the list.
func isCommon(lowerPW string) bool {
	set := common()
	if _, ok := set[lowerPW]; ok {
		return true
	}
	core := strings.TrimFunc(lowerPW, func(r rune) bool { return !unicode.IsLetter(r) })
	if core != lowerPW && utf8.RuneCountInString(core) >= 4 {
		_, ok := set[core]
		return ok
	}
	return false
}
