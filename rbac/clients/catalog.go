package clients

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/billingrbac/billingrbac/rbac"
)

// Built-in sections of the client area.
const (
	SectionServices Section = "services" // the client's products and services
	SectionFinance  Section = "finance"  // invoices and payments
	SectionSupport  Section = "support"  // support tickets
)

// ResourceKind is a kind of thing a client owns: "service", "invoice",
// "payment", "ticket", or one the application registers. Names follow the
// rule of section names.
type ResourceKind string

// Built-in resource kinds.
const (
	KindService ResourceKind = "service"
	KindInvoice ResourceKind = "invoice"
	KindPayment ResourceKind = "payment"
	KindTicket  ResourceKind = "ticket"
)

// String returns the kind name.
func (k ResourceKind) String() string { return string(k) }

// Resource is one thing owned by a client, as the application knows it:
// the library does not own the services or invoices tables, so the
// application says who owns what with every check.
type Resource struct {
	Kind  ResourceKind
	ID    int64    // the application's ID, echoed in decisions
	Owner ClientID // the client owning the resource
}

// String returns "kind ID of client OWNER".
func (r Resource) String() string {
	return string(r.Kind) + " " + itoa(r.ID) + " of client " + r.Owner.String()
}

// KindInfo says how a resource kind is authorized: client users through
// the section their roles toggle, staff through a billing function of
// their staff permissions.
type KindInfo struct {
	Kind          ResourceKind
	Section       Section
	StaffFunction rbac.Function
	replies       bool // staff answer (support:reply) what clients add and modify
}

// StaffAction is the action of the kind's StaffFunction with which a
// staff member does to a resource of the kind what a client user's action
// a does: view, add, edit (for Modify) and delete; for tickets, which
// staff answer rather than open or edit, Add and Modify are reply. It is
// the staff counterpart of a client right (see Service.StaffCounterparts).
func (k KindInfo) StaffAction(a Action) rbac.Action {
	switch a {
	case View:
		return rbac.ActView
	case Add, Modify:
		if k.replies {
			return rbac.ActReply
		}
		if a == Add {
			return rbac.ActAdd
		}
		return rbac.ActEdit
	case Delete:
		return rbac.ActDelete
	}
	return rbac.Action("")
}

// SectionInfo describes one section of the client area.
type SectionInfo struct {
	Section Section
	Title   string // an English title for role screens
}

// Catalog lists the sections of the client area and the resource kinds in
// them. It starts with the built-in ones; an application registers its own.
// A Catalog only grows and is safe for concurrent use.
type Catalog struct {
	mu       sync.RWMutex
	sections []SectionInfo
	// kinds is replaced, never modified, so checks read it without a lock.
	kinds atomic.Pointer[map[ResourceKind]KindInfo]
}

// NewCatalog returns a catalog with the built-in sections (services,
// finance, support) and kinds: service (services, staff function
// services), invoice (finance, invoices), payment (finance, payments) and
// ticket (support, support).
func NewCatalog() *Catalog {
	c := &Catalog{}
	c.kinds.Store(&map[ResourceKind]KindInfo{})
	for _, s := range []SectionInfo{
		{SectionServices, "Products/services"},
		{SectionFinance, "Finance"},
		{SectionSupport, "Support"},
	} {
		if err := c.RegisterSection(s.Section, s.Title); err != nil {
			panic(err) // static table
		}
	}
	for _, k := range []KindInfo{
		{Kind: KindService, Section: SectionServices, StaffFunction: rbac.FuncServices},
		{Kind: KindInvoice, Section: SectionFinance, StaffFunction: rbac.FuncInvoices},
		{Kind: KindPayment, Section: SectionFinance, StaffFunction: rbac.FuncPayments},
		{Kind: KindTicket, Section: SectionSupport, StaffFunction: rbac.FuncSupport},
	} {
		if err := c.RegisterKind(k.Kind, k.Section, k.StaffFunction); err != nil {
			panic(err) // static table
		}
	}
	kinds := *c.kinds.Load()
	t := kinds[KindTicket]
	t.replies = true
	kinds[KindTicket] = t // not yet shared: NewCatalog has not returned
	return c
}

// kindsIn returns the kinds of section s, by name.
func (c *Catalog) kindsIn(s Section) []KindInfo {
	var out []KindInfo
	for _, k := range *c.kinds.Load() {
		if k.Section == s {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b KindInfo) int { return strings.Compare(string(a.Kind), string(b.Kind)) })
	return out
}

// RegisterSection adds a section; registering an existing one is a no-op.
// Errors wrap rbac.ErrInvalid.
func (c *Catalog) RegisterSection(s Section, title string) error {
	if rule, msg := validName(string(s)); rule != "" {
		var fe fieldErrors
		fe.add("section", rule, "%s", msg)
		return fe.err("register section")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.ContainsFunc(c.sections, func(si SectionInfo) bool { return si.Section == s }) {
		return nil
	}
	if title == "" {
		title = string(s)
	}
	c.sections = append(c.sections, SectionInfo{Section: s, Title: title})
	return nil
}

// RegisterKind adds a resource kind in section s (already registered),
// authorized for staff by function f. A kind cannot be moved once
// registered. Errors wrap rbac.ErrInvalid (bad name, unknown section) or
// rbac.ErrConflict (the kind exists with another section or function).
func (c *Catalog) RegisterKind(k ResourceKind, s Section, f rbac.Function) error {
	var fe fieldErrors
	if rule, msg := validName(string(k)); rule != "" {
		fe.add("kind", rule, "%s", msg)
	}
	if !c.HasSection(s) {
		fe.add("section", "unknown", "section %q is not registered", s)
	}
	if _, err := rbac.ParseFunction(string(f)); err != nil {
		fe.add("staff_function", "format", "%q is not a valid function name", f)
	}
	if err := fe.err("register resource kind"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	kinds := *c.kinds.Load()
	if old, ok := kinds[k]; ok {
		if old.Section != s || old.StaffFunction != f {
			return wrapf(rbac.ErrConflict, "register resource kind %q: already in section %q with staff function %q", k, old.Section, old.StaffFunction)
		}
		return nil
	}
	next := maps.Clone(kinds)
	next[k] = KindInfo{Kind: k, Section: s, StaffFunction: f}
	c.kinds.Store(&next)
	return nil
}

// HasSection reports whether s is registered.
func (c *Catalog) HasSection(s Section) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.ContainsFunc(c.sections, func(si SectionInfo) bool { return si.Section == s })
}

// Kind returns how kind k is authorized, and whether it is registered.
func (c *Catalog) Kind(k ResourceKind) (KindInfo, bool) {
	ki, ok := (*c.kinds.Load())[k]
	return ki, ok
}

// Sections returns the registered sections in registration order.
func (c *Catalog) Sections() []SectionInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return slices.Clone(c.sections)
}

// Permissions returns every permission a role may hold: each section with
// each of the four actions, in display order.
func (c *Catalog) Permissions() []Permission {
	var out []Permission
	for _, s := range c.Sections() {
		for _, a := range Actions() {
			out = append(out, Perm(s.Section, a))
		}
	}
	return out
}
