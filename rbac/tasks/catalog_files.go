package tasks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/billingrbac/billingrbac/rbac"
)

// Catalog files are ARB files (Application Resource Bundle: a JSON object
// of ICU MessageFormat messages, which Weblate, Crowdin and other
// translation tools read and write) or plain JSON objects of the same
// shape. Keys:
//
//	"KIND.title", "KIND.body"                       the message of a kind
//	"KIND/OPERATION.title", "KIND/OPERATION.body"   of a kind and operation
//	"operation:OPERATION"                           an operation's name ({operation})
//	"@@locale"                                      the file's language
//	"@KEY", "@@…"                                   metadata, ignored
//
// A file's language is its "@@locale" or, without one, its base name
// without extension ("ru.arb", "pt-BR.json"). Dates are formatted by Go
// code (Translation.Date), not by files.

// maxCatalogFile bounds one catalog file.
const maxCatalogFile = 4 << 20

// LoadFS adds the translations in the files of fsys matching pattern
// (fs.Glob syntax, e.g. "locales/*.arb"): every file is read and compiled
// first and, if any is bad, nothing is added and the error (an
// *rbac.ValidationError, rbac.ErrInvalid) names each bad entry as
// FILE: messages[kind/operation].title and so on. embed.FS and os.DirFS
// both work.
func (c *Catalog) LoadFS(fsys fs.FS, pattern string) error {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return fmt.Errorf("tasks: load catalogs: %w", err)
	}
	var fe fieldErrors
	if len(names) == 0 {
		fe.add("pattern", "required", "no file matches %q", pattern)
	}
	var all []prepared
	for _, name := range names {
		pt, err := readCatalogFile(fsys, name)
		if err != nil {
			var ve *rbac.ValidationError
			if errors.As(err, &ve) {
				fe = append(fe, ve.Fields...)
				continue
			}
			return err
		}
		all = append(all, pt)
	}
	if err := fe.err("load catalogs"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, pt := range all {
		c.commit(pt)
	}
	return nil
}

func readCatalogFile(fsys fs.FS, name string) (prepared, error) {
	var fe fieldErrors
	f, err := fsys.Open(name)
	if err != nil {
		return prepared{}, fmt.Errorf("tasks: load catalogs: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(f, maxCatalogFile+1)); err != nil {
		return prepared{}, fmt.Errorf("tasks: load catalogs: %s: %w", name, err)
	}
	if buf.Len() > maxCatalogFile {
		fe.add(name, "max_size", "is larger than %d bytes", maxCatalogFile)
		return prepared{}, fe.err("load catalogs")
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &entries); err != nil {
		fe.add(name, "format", "not a JSON object: %v", err)
		return prepared{}, fe.err("load catalogs")
	}
	locale := strings.TrimSuffix(path.Base(name), path.Ext(name))
	if raw, ok := entries["@@locale"]; ok {
		if err := json.Unmarshal(raw, &locale); err != nil {
			fe.add(name+": @@locale", "format", "must be a string")
		}
	}
	tag, err := language.Parse(locale)
	if err != nil {
		fe.add(name+": @@locale", "language", "%q is not a BCP 47 tag (set \"@@locale\" or name the file after its language)", locale)
	}
	tr := Translation{Messages: map[Key]Message{}, Operations: map[Operation]string{}}
	for _, key := range slices.Sorted(maps.Keys(entries)) {
		if strings.HasPrefix(key, "@") {
			continue
		}
		var text string
		if err := json.Unmarshal(entries[key], &text); err != nil {
			fe.add(name+": "+key, "format", "must be a string")
			continue
		}
		if op, ok := strings.CutPrefix(key, "operation:"); ok {
			tr.Operations[Operation(op)] = text
			continue
		}
		base, part, _ := cutLast(key, ".")
		if part != "title" && part != "body" {
			fe.add(name+": "+key, "format", "want KIND.title, KIND.body, KIND/OPERATION.title, KIND/OPERATION.body or operation:OPERATION")
			continue
		}
		kind, op, _ := strings.Cut(base, "/")
		k := Key{Kind: Kind(kind), Operation: Operation(op)}
		m := tr.Messages[k]
		if part == "title" {
			m.Title = text
		} else {
			m.Body = text
		}
		tr.Messages[k] = m
	}
	pt, err := prepare(tag, tr, name+": ")
	var ve *rbac.ValidationError
	if errors.As(err, &ve) {
		fe = append(fe, ve.Fields...)
	}
	if err := fe.err("load catalogs"); err != nil {
		return prepared{}, err
	}
	return pt, nil
}

// ExportARB returns language tag's messages and operation names as an ARB
// file (see LoadFS), sorted by key: what to hand translators, and what
// LoadFS reads back unchanged.
func (c *Catalog) ExportARB(tag language.Tag) ([]byte, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	l := c.langs[tag]
	if l == nil {
		var fe fieldErrors
		fe.add("language", "not_found", "the catalog has no language %s", tag)
		return nil, fe.err("export catalog")
	}
	entries := map[string]string{"@@locale": tag.String()}
	for k, m := range l.msgs {
		entries[k.String()+".title"], entries[k.String()+".body"] = m.src.Title, m.src.Body
	}
	for op, name := range l.ops {
		entries["operation:"+string(op)] = name
	}
	var b bytes.Buffer
	b.WriteString("{\n")
	for i, k := range slices.Sorted(maps.Keys(entries)) {
		fmt.Fprintf(&b, "  %s: %s", jsonString(k), jsonString(entries[k]))
		if i < len(entries)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("}\n")
	return b.Bytes(), nil
}

// cutLast is strings.Cut at the last sep.
func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

// jsonString encodes s as JSON without HTML escaping (translators read
// these files).
func jsonString(s string) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
