package rbac

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// Built-in billing functions.
const (
	FuncSupport     Function = "support"     // support center: client tickets
	FuncServices    Function = "services"    // products and services
	FuncClients     Function = "clients"     // client accounts
	FuncPayments    Function = "payments"    // incoming payments
	FuncExpenses    Function = "expenses"    // company expenses
	FuncInvoices    Function = "invoices"    // invoices to clients
	FuncTariffs     Function = "tariffs"     // tariff plans
	FuncReports     Function = "reports"     // financial reports
	FuncSettings    Function = "settings"    // global settings, billing configuration
	FuncDepartments Function = "departments" // departments and their permissions
	FuncStaff       Function = "staff"       // staff members and their grants
	FuncTasks       Function = "tasks"       // tasks generated for departments
	FuncActionLog   Function = "actionlog"   // the action log (audit trail)
)

// Common actions. Functions may define their own.
const (
	ActView    Action = "view"
	ActAdd     Action = "add"
	ActEdit    Action = "edit"
	ActDelete  Action = "delete"
	ActSend    Action = "send"    // invoices
	ActSuspend Action = "suspend" // services
	ActResume  Action = "resume"  // services
	ActReply   Action = "reply"   // support
	ActAssign  Action = "assign"  // support
	ActClose   Action = "close"   // support, tasks
	ActExport  Action = "export"  // reports
	ActTake    Action = "take"    // tasks
	ActCancel  Action = "cancel"  // tasks
)

// FunctionInfo describes one function of a catalog.
type FunctionInfo struct {
	Function Function
	Title    string   // an English title for screens and reports
	Actions  []Action // in display order
}

// Catalog is the set of billing functions and their actions that may be
// granted. It starts with the built-in billing functions; an application
// registers its own with Register. A Catalog is safe for concurrent use and
// only ever grows, so a permission valid once stays valid.
type Catalog struct {
	gen       atomic.Uint64 // bumped by every Register that adds something
	mu        sync.RWMutex
	order     []Function
	funcs     map[Function]*FunctionInfo
	sensitive map[Permission]string // see catalog_sensitive.go
}

// NewCatalog returns a catalog holding the built-in billing functions.
func NewCatalog() *Catalog {
	c := &Catalog{funcs: make(map[Function]*FunctionInfo), sensitive: make(map[Permission]string)}
	crud := []Action{ActView, ActAdd, ActEdit, ActDelete}
	builtin := []FunctionInfo{
		{FuncSupport, "Support center", []Action{ActView, ActReply, ActAssign, ActClose, ActDelete}},
		{FuncServices, "Products/services", []Action{ActView, ActAdd, ActEdit, ActDelete, ActSuspend, ActResume}},
		{FuncClients, "Clients", crud},
		{FuncPayments, "Payments", crud},
		{FuncExpenses, "Expenses", crud},
		{FuncInvoices, "Invoices", []Action{ActView, ActAdd, ActEdit, ActDelete, ActSend}},
		{FuncTariffs, "Tariff plans", crud},
		{FuncReports, "Financial reports", []Action{ActView, ActExport}},
		{FuncSettings, "Global settings", []Action{ActView, ActEdit}},
		{FuncDepartments, "Departments", crud},
		{FuncStaff, "Staff", crud},
		{FuncTasks, "Tasks", []Action{ActView, ActTake, ActClose, ActCancel}},
		{FuncActionLog, "Action log", []Action{ActView}},
	}
	for _, fi := range builtin {
		if err := c.Register(fi.Function, fi.Title, fi.Actions...); err != nil {
			panic(err) // the built-in table is static; a failure is a bug here
		}
	}
	c.markBuiltinSensitive()
	return c
}

// Register adds a function with its actions, or adds actions to a function
// already registered (the title is then kept). Registering what exists is a
// no-op. Invalid names return an error wrapping ErrInvalid.
func (c *Catalog) Register(f Function, title string, actions ...Action) error {
	var fe fieldErrors
	if rule, msg := validName(string(f)); rule != "" {
		fe.add("function", rule, "%s", msg)
	}
	if len(actions) == 0 {
		fe.add("actions", "required", "a function needs at least one action")
	}
	for i, a := range actions {
		if rule, msg := validName(string(a)); rule != "" {
			fe.add(fmt.Sprintf("actions[%d]", i), rule, "%s", msg)
		}
	}
	if err := fe.err("register function"); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fi := c.funcs[f]
	if fi == nil {
		if title == "" {
			title = string(f)
		}
		fi = &FunctionInfo{Function: f, Title: title}
		c.funcs[f] = fi
		c.order = append(c.order, f)
		c.gen.Add(1)
	}
	for _, a := range actions {
		if !slices.Contains(fi.Actions, a) {
			fi.Actions = append(fi.Actions, a)
			c.gen.Add(1)
		}
	}
	return nil
}

// Has reports whether p names a registered function and one of its actions.
func (c *Catalog) Has(p Permission) bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	fi := c.funcs[p.Function]
	return fi != nil && slices.Contains(fi.Actions, p.Action)
}

// Functions returns the registered functions in registration order.
func (c *Catalog) Functions() []FunctionInfo {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make([]FunctionInfo, len(c.order))
	for i, f := range c.order {
		fi := *c.funcs[f]
		fi.Actions = slices.Clone(fi.Actions)
		out[i] = fi
	}
	return out
}

// Permissions returns every registered permission in catalog order.
func (c *Catalog) Permissions() []Permission {
	var out []Permission
	for _, fi := range c.Functions() {
		for _, a := range fi.Actions {
			out = append(out, Permission{fi.Function, a})
		}
	}
	return out
}

// Limits on the lists one call takes, so that validating, authorizing and
// recording a call stay bounded.
const (
	// MaxPermissionsPerCall is the most permissions one Grant, Revoke,
	// EnablePermissions or DisablePermissions call takes.
	MaxPermissionsPerCall = 256
	// MaxDepartmentsPerStaff is the most departments a NewStaff lists and
	// a staff member can join (AddToDepartment).
	MaxDepartmentsPerStaff = 256
)

// check validates a list of permissions against the catalog, naming each bad
// one as field[i], and returns it without duplicates (a permission listed
// twice counts once, and is recorded once). A list longer than
// MaxPermissionsPerCall is one error, found without reading it.
func (c *Catalog) check(fe *fieldErrors, field string, perms []Permission) []Permission {
	if len(perms) == 0 {
		fe.add(field, "required", "at least one permission is needed")
		return nil
	}
	if len(perms) > MaxPermissionsPerCall {
		fe.add(field, "max_count", "at most %d permissions a call, not %d", MaxPermissionsPerCall, len(perms))
		return nil
	}
	out := make([]Permission, 0, len(perms))
	for i, p := range perms {
		switch {
		case !c.Has(p):
			fe.add(fmt.Sprintf("%s[%d]", field, i), "unknown", "%s is not a registered function and action", p)
		case !slices.Contains(out, p):
			out = append(out, p)
		}
	}
	return out
}
