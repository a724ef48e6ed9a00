package rbac

import "fmt"

// RuleKind says what a policy rule expresses.
type RuleKind uint8

// Rule kinds. They map one to one onto the lines of model.conf: p, g and g2.
const (
	// RuleGrant gives a permission to a department or, as a direct grant,
	// to a staff member (p).
	RuleGrant RuleKind = iota + 1
	// RuleMember puts a staff member in a department (g).
	RuleMember
	// RuleFlag sets a flag on a staff member or department (g2).
	RuleFlag
)

// Flag is a boolean attribute of a subject stored in the policy.
type Flag string

// Flags.
const (
	// FlagFullAccess: the staff member may do everything, including in
	// functions registered later.
	FlagFullAccess Flag = "full-access"
	// FlagDisabled: a disabled staff member is denied everything; a disabled
	// department grants nothing to its members.
	FlagDisabled Flag = "disabled"
)

// Subject is who a grant or flag applies to: a staff member or a department.
// Exactly one of the two IDs is set.
type Subject struct {
	Staff      StaffID
	Department DepartmentID
}

// StaffSubject returns the subject for a staff member.
func StaffSubject(id StaffID) Subject { return Subject{Staff: id} }

// DepartmentSubject returns the subject for a department.
func DepartmentSubject(id DepartmentID) Subject { return Subject{Department: id} }

// String returns "staff:ID" or "dept:ID".
func (s Subject) String() string {
	if s.Department != 0 {
		return "dept:" + s.Department.String()
	}
	return "staff:" + s.Staff.String()
}

// Rule is one typed policy rule: the unit the store persists and the change
// log carries. Package internal/policy translates rules to and from Casbin.
type Rule struct {
	Kind       RuleKind
	Subject    Subject      // RuleGrant, RuleFlag
	Permission Permission   // RuleGrant
	Department DepartmentID // RuleMember: the department
	Flag       Flag         // RuleFlag
	// Window, when set, makes a direct grant or a membership temporary:
	// it counts only from Window.From until Window.Until (see Window).
	// The zero Window is permanent. A rule's identity is everything but
	// its window: a policy holds a rule with at most one window.
	Window Window `json:",omitzero"`
}

// key is the rule's identity: the rule without its window.
func (r Rule) key() Rule {
	r.Window = Window{}
	return r
}

// Within returns r made temporary: counting during w only.
func (r Rule) Within(w Window) Rule {
	r.Window = w.norm()
	return r
}

// GrantRule returns the rule giving p to sub.
func GrantRule(sub Subject, p Permission) Rule {
	return Rule{Kind: RuleGrant, Subject: sub, Permission: p}
}

// MemberRule returns the rule putting staff in department d.
func MemberRule(staff StaffID, d DepartmentID) Rule {
	return Rule{Kind: RuleMember, Subject: StaffSubject(staff), Department: d}
}

// FlagRule returns the rule setting flag f on sub.
func FlagRule(sub Subject, f Flag) Rule { return Rule{Kind: RuleFlag, Subject: sub, Flag: f} }

// String renders the rule for logs and test failures.
func (r Rule) String() string {
	switch r.Kind {
	case RuleGrant:
		return fmt.Sprintf("grant %s %s%s", r.Subject, r.Permission, r.Window.suffix())
	case RuleMember:
		return fmt.Sprintf("member %s dept:%s%s", r.Subject, r.Department, r.Window.suffix())
	case RuleFlag:
		return fmt.Sprintf("flag %s %s", r.Subject, r.Flag)
	}
	return fmt.Sprintf("rule(kind=%d)", r.Kind)
}

// PolicyDelta is the policy part of one committed change.
type PolicyDelta struct {
	Add    []Rule `json:"add,omitempty"`
	Remove []Rule `json:"remove,omitempty"`
}

// valid reports whether every rule of d is known (see Rule.valid).
func (d PolicyDelta) valid() bool {
	for _, r := range d.Add {
		if !r.valid() {
			return false
		}
	}
	for _, r := range d.Remove {
		if !r.valid() {
			return false
		}
	}
	return true
}

// Empty reports whether the delta changes nothing.
func (d PolicyDelta) Empty() bool { return len(d.Add) == 0 && len(d.Remove) == 0 }

// valid reports whether r is a rule this version of the library knows how
// to apply. A change carrying anything else (written by a newer version,
// say) makes an instance reload the whole policy instead of guessing.
func (r Rule) valid() bool {
	oneSubject := (r.Subject.Staff > 0) != (r.Subject.Department > 0) && r.Subject.Staff >= 0 && r.Subject.Department >= 0
	if !r.Window.IsZero() && (!r.Window.valid() || r.Kind == RuleFlag || r.Subject.Department != 0) {
		return false // only direct grants and memberships are temporary
	}
	switch r.Kind {
	case RuleGrant:
		return oneSubject && r.Permission.Function != "" && r.Permission.Action != ""
	case RuleMember:
		return r.Subject.Staff > 0 && r.Subject.Department == 0 && r.Department > 0
	case RuleFlag:
		return oneSubject && (r.Flag == FlagDisabled || r.Flag == FlagFullAccess && r.Subject.Staff > 0)
	}
	return false
}
