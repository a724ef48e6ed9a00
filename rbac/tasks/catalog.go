package tasks

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/billingrbac/billingrbac/rbac"
)

// Key names a message of the catalog: a task kind and, optionally, an
// operation. A message for Key{Kind: k} serves every operation of kind k
// that has no message of its own.
type Key struct {
	Kind      Kind
	Operation Operation
}

// String returns "kind/operation", or "kind" when Operation is empty.
func (k Key) String() string {
	if k.Operation == "" {
		return string(k.Kind)
	}
	return string(k.Kind) + "/" + string(k.Operation)
}

// Message is the text of one kind of task in one language: two templates
// (see the package documentation for their syntax).
type Message struct {
	Title string // one line
	Body  string
}

// DateFormat formats a calendar date for a language, e.g. "March 5, 2026"
// or "5 марта 2026 г.".
type DateFormat func(time.Time) string

// Translation is what a language contributes to a Catalog. Everything is
// optional; what is given is added to or replaces what the language had.
type Translation struct {
	Messages map[Key]Message
	// Operations are the operations' names as the {operation} argument
	// shows them, e.g. "suspension" or "приостановка".
	Operations map[Operation]string
	// Date formats dates; nil keeps the language's format (ISO 8601,
	// 2006-01-02, for a new language).
	Date DateFormat
}

// Catalog holds the task messages of every language. NewCatalog returns
// one with English and Russian for every built-in kind and operation; an
// application adds languages, kinds and operations with Add. A Catalog is
// safe for concurrent use.
type Catalog struct {
	mu      sync.RWMutex
	langs   map[language.Tag]*lang
	tags    []language.Tag // sorted by string
	matcher language.Matcher

	printers sync.Map // language.Tag → *message.Printer, for regional tags
}

type lang struct {
	loc  locale
	msgs map[Key]compiled
	ops  map[Operation]string
}

type compiled struct {
	title, body *template
	args        []string // the union of both templates' arguments
	src         Message  // the templates' text, for export
}

// NewCatalog returns a catalog with the built-in English and Russian
// messages.
func NewCatalog() *Catalog {
	c := &Catalog{langs: map[language.Tag]*lang{}}
	if err := c.addBuiltin(); err != nil {
		panic(err) // the built-in catalogs are embedded; a failure is a bug here
	}
	return c
}

// Add adds a language's translation, or merges it into the language's
// messages: every template is compiled first and, if any is bad, nothing
// is added and the error (an *rbac.ValidationError, rbac.ErrInvalid) names
// each bad message as messages[kind/operation].title or .body.
func (c *Catalog) Add(tag language.Tag, tr Translation) error {
	pt, err := prepare(tag, tr, "")
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.commit(pt)
	return nil
}

// prepared is a translation compiled and checked, ready to commit.
type prepared struct {
	tag  language.Tag
	msgs map[Key]compiled
	tr   Translation
}

// prepare compiles and checks tr; field names start with prefix (a file
// name, for LoadFS).
func prepare(tag language.Tag, tr Translation, prefix string) (prepared, error) {
	var fe fieldErrors
	if tag == language.Und {
		fe.add(prefix+"language", "language", "must be a valid BCP 47 tag, not und")
	}
	msgs := make(map[Key]compiled, len(tr.Messages))
	keys := slices.SortedFunc(maps.Keys(tr.Messages), func(a, b Key) int { return strings.Compare(a.String(), b.String()) })
	for _, k := range keys {
		m := tr.Messages[k]
		field := prefix + "messages[" + k.String() + "]"
		if rule, msg := validName(string(k.Kind)); rule != "" {
			fe.add(field+".kind", rule, "%s", msg)
		}
		if k.Operation != "" {
			if rule, msg := validName(string(k.Operation)); rule != "" {
				fe.add(field+".operation", rule, "%s", msg)
			}
		}
		cm := compiled{src: m}
		for _, part := range []struct {
			name string
			src  string
			dst  **template
		}{{"title", m.Title, &cm.title}, {"body", m.Body, &cm.body}} {
			if strings.TrimSpace(part.src) == "" && part.name == "title" {
				fe.add(field+".title", "required", "must not be empty")
				continue
			}
			t, err := parseTemplate(part.src)
			if err != nil {
				fe.add(field+"."+part.name, "syntax", "%v", err)
				continue
			}
			*part.dst = t
		}
		if cm.title == nil || cm.body == nil {
			continue
		}
		cm.args = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(cm.title.args), cm.body.args...))))
		msgs[k] = cm
	}
	for op, name := range tr.Operations {
		if rule, msg := validName(string(op)); rule != "" {
			fe.add(prefix+"operations["+string(op)+"]", rule, "%s", msg)
		}
		if strings.TrimSpace(name) == "" {
			fe.add(prefix+"operations["+string(op)+"]", "required", "must not be empty")
		}
	}
	if err := fe.err("add translation"); err != nil {
		return prepared{}, err
	}
	return prepared{tag: tag, msgs: msgs, tr: tr}, nil
}

// commit adds a prepared translation; c.mu is held.
func (c *Catalog) commit(pt prepared) {
	l := c.langs[pt.tag]
	if l == nil {
		l = &lang{loc: locale{tag: pt.tag, printer: message.NewPrinter(pt.tag)},
			msgs: map[Key]compiled{}, ops: map[Operation]string{}}
		c.langs[pt.tag] = l
		c.tags = slices.SortedFunc(maps.Keys(c.langs), func(a, b language.Tag) int { return strings.Compare(a.String(), b.String()) })
		c.matcher = language.NewMatcher(c.tags)
	}
	maps.Copy(l.msgs, pt.msgs)
	maps.Copy(l.ops, pt.tr.Operations)
	if pt.tr.Date != nil {
		l.loc.date = pt.tr.Date
	}
}

// Languages returns the catalog's languages, sorted.
func (c *Catalog) Languages() []language.Tag {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.tags)
}

// Has reports whether language tag (matched as Render does, without
// fallback) has a message for kind and operation.
func (c *Catalog) Has(tag language.Tag, k Key) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	l := c.match(tag)
	if l == nil {
		return false
	}
	_, ok := l.message(k)
	return ok
}

// match returns the catalog language for tag, or nil when none matches
// with at least high confidence (so pt-BR never gets Spanish).
func (c *Catalog) match(tag language.Tag) *lang {
	if l := c.langs[tag]; l != nil {
		return l
	}
	if c.matcher == nil || tag == language.Und {
		return nil
	}
	_, i, conf := c.matcher.Match(tag)
	if conf < language.High {
		return nil
	}
	return c.langs[c.tags[i]]
}

func (l *lang) message(k Key) (compiled, bool) {
	if m, ok := l.msgs[k]; ok {
		return m, true
	}
	if k.Operation != "" {
		m, ok := l.msgs[Key{Kind: k.Kind}]
		return m, ok
	}
	return compiled{}, false
}

// Text is a task's title and body rendered in one language.
type Text struct {
	Language language.Tag // the catalog language used
	Title    string
	Body     string
	// Missing lists what was not found in the wanted language and came
	// from a fallback instead. Empty when everything was found.
	Missing []Missing
}

// Render renders task t's kind, operation and arguments in the language
// best matching tag: ru-RU gets Russian, and its numbers and plural forms
// follow tag itself (en-IN groups 1,00,000). When the catalog has no matching
// language, or that language lacks the message, or its message needs an
// argument the task does not have, the message comes from fallback, then
// from English; each such step is listed in Text.Missing. The operation's
// name ({operation}) falls back the same way, separately. Render never
// shows a raw key: when no language can render the task it returns an
// *rbac.ValidationError (rbac.ErrInvalid) naming the unknown kind or the
// missing arguments.
func (c *Catalog) Render(tag, fallback language.Tag, t *Task) (Text, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	key := Key{Kind: t.Kind, Operation: t.Operation}
	var chain [3]*lang
	n := 0
	push := func(l *lang) {
		if l != nil && !slices.Contains(chain[:n], l) {
			chain[n] = l
			n++
		}
	}
	wanted := c.match(tag)
	push(wanted)
	push(c.match(fallback))
	push(c.langs[language.English])
	wantedTag := tag
	if wanted != nil {
		wantedTag = wanted.loc.tag
	}
	var out Text
	var reasons []string
	var lastMissingArgs []string
	for i, l := range chain[:n] {
		m, ok := l.message(key)
		reason := ""
		var opName string
		var opLang *lang
		if ok {
			opName, opLang = c.operationName(chain[i:n], t.Operation)
			missing := missingArgs(m.args, t, opName)
			if len(missing) > 0 {
				ok = false
				lastMissingArgs = missing
				reason = "needs argument " + strings.Join(missing, ", ")
			}
		} else {
			reason = "no message"
		}
		if !ok {
			reasons = append(reasons, reason)
			continue
		}
		if l != wanted {
			r := "no catalog"
			if wanted != nil {
				r = reasons[0]
			}
			out.Missing = append(out.Missing, Missing{Key: key, Wanted: wantedTag, Used: l.loc.tag, Reason: r})
		}
		if opLang != nil && opLang != l && t.Operation != "" && slices.Contains(m.args, "operation") {
			out.Missing = append(out.Missing, Missing{Key: Key{Operation: t.Operation}, Wanted: l.loc.tag, Used: opLang.loc.tag, Reason: "no operation name"})
		}
		args := func(name string) (Arg, bool) { return taskArg(t, name, opName) }
		loc := &l.loc
		if l == wanted && tag != l.loc.tag {
			// The wanted language: numbers and plurals follow the
			// department's own tag (en-IN groups 1,00,000, de-CH 1’000).
			regional := l.loc
			regional.tag, regional.printer = tag, c.printer(tag)
			loc = &regional
		}
		var b strings.Builder
		m.title.render(&b, loc, args)
		out.Title = b.String()
		b.Reset()
		m.body.render(&b, loc, args)
		out.Body = b.String()
		out.Language = l.loc.tag
		return out, nil
	}
	var fe fieldErrors
	if lastMissingArgs == nil {
		fe.add("kind", "unknown", "no language of the catalog has a message for %s", key)
	}
	for _, a := range lastMissingArgs {
		fe.add("args."+a, "required", "the message for %s needs argument %s", key, a)
	}
	return Text{}, fe.err("render task")
}

// printer returns a (cached) printer for tag.
func (c *Catalog) printer(tag language.Tag) *message.Printer {
	if p, ok := c.printers.Load(tag); ok {
		return p.(*message.Printer)
	}
	p, _ := c.printers.LoadOrStore(tag, message.NewPrinter(tag))
	return p.(*message.Printer)
}

// operationName returns op's name from the first language of chain that
// has one.
func (c *Catalog) operationName(chain []*lang, op Operation) (string, *lang) {
	if op == "" {
		return "", nil
	}
	for _, l := range chain {
		if s, ok := l.ops[op]; ok {
			return s, l
		}
	}
	return "", nil
}

// missingArgs lists the arguments a message needs that t lacks.
func missingArgs(need []string, t *Task, opName string) []string {
	var out []string
	for _, a := range need {
		if _, ok := taskArg(t, a, opName); !ok {
			out = append(out, a)
		}
	}
	return out
}

// taskArg returns argument name of t: a reserved one from the task's
// fields (always present, possibly empty, except operation, present when
// the operation has a name), or one of t.Args.
func taskArg(t *Task, name, opName string) (Arg, bool) {
	switch name {
	case "service":
		return String(t.Service.Name), true
	case "service_id":
		return Int(t.Service.ID), true
	case "product_type":
		return String(t.Service.ProductType), true
	case "tariff":
		return String(t.Service.Tariff), true
	case "client":
		return String(t.Client.Name), true
	case "client_id":
		return Int(t.Client.ID), true
	case "module":
		return String(t.Module), true
	case "operation":
		return String(opName), opName != ""
	}
	a, ok := t.Args[name]
	return a, ok && !a.IsZero()
}

// languageOf returns the task language of d, or def when d has none.
func languageOf(d rbac.Department, def language.Tag) language.Tag {
	if d.TaskLanguage == language.Und {
		return def
	}
	return d.TaskLanguage
}
