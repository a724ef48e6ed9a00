package rbac

import (
	"context"
	"errors"
	"fmt"
)

// ExternalSubject names a staff member in the application that embeds the
// library: its own user ID, or the `sub` claim of an OpenID Connect
// provider. It is compared exactly (case-sensitive, as OIDC requires),
// unique among staff, and "" means none. It is a sign-in field: whoever
// sets it can sign in as the account through the application's single
// sign-on, so setting it takes control of the account (see UpdateStaff).
type ExternalSubject string

// MaxSubjectLen is the longest ExternalSubject in bytes: OIDC's bound on
// `sub`.
const MaxSubjectLen = 255

func (s ExternalSubject) String() string { return string(s) }

// ParseExternalSubject checks s: 1 to MaxSubjectLen printable ASCII
// characters (0x21 to 0x7E: no spaces, no control characters, no
// characters that look alike in another script). It does not trim or
// fold case. Errors: ErrInvalid naming field "subject".
func ParseExternalSubject(s string) (ExternalSubject, error) {
	var fe fieldErrors
	checkSubject(&fe, ExternalSubject(s))
	if s == "" {
		fe.add("subject", "required", "must not be empty")
	}
	if err := fe.err("parse subject"); err != nil {
		return "", err
	}
	return ExternalSubject(s), nil
}

// checkSubject records what is wrong with a non-empty subject.
func checkSubject(fe *fieldErrors, s ExternalSubject) {
	if len(s) > MaxSubjectLen {
		fe.add("subject", "max_length", "must be at most %d bytes", MaxSubjectLen)
		return
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			fe.add("subject", "format", "may contain only printable ASCII without spaces")
			return
		}
	}
}

// SubjectStore is implemented by stores that keep external subjects, as
// package store does. StaffBySubject needs it; the Service asserts it at
// run time.
type SubjectStore interface {
	// StaffBySubject reads the staff row with subject (policy fields
	// left zero, as Store.StaffMember). Errors: ErrNotFound.
	StaffBySubject(ctx context.Context, subject ExternalSubject) (Staff, error)
}

// SubjectTx is implemented by the Tx of stores that keep external
// subjects. With it a duplicate subject is reported as a field error;
// without it, the store's unique index still answers ErrConflict.
type SubjectTx interface {
	// StaffIDBySubject returns the staff member with subject. Errors:
	// ErrNotFound.
	StaffIDBySubject(subject ExternalSubject) (StaffID, error)
}

// StaffBySubject returns the staff member with the external subject, with
// departments and flags from this instance's decisions, whatever their
// status. Errors: ErrInvalid (not a subject ParseExternalSubject
// accepts, checked before any read), ErrNotFound, errors.ErrUnsupported
// (the store keeps no subjects).
func (s *Service) StaffBySubject(ctx context.Context, subject ExternalSubject) (Staff, error) {
	return s.staffBySubject(ctx, "staff by subject", subject)
}

func (s *Service) staffBySubject(ctx context.Context, op string, subject ExternalSubject) (Staff, error) {
	if _, err := ParseExternalSubject(string(subject)); err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	ss, ok := s.store.(SubjectStore)
	if !ok {
		return Staff{}, fmt.Errorf("%s: store %T keeps no subjects: %w", op, s.store, errors.ErrUnsupported)
	}
	st, err := ss.StaffBySubject(ctx, subject)
	if err != nil {
		return Staff{}, fmt.Errorf("%s: %w", op, err)
	}
	fillStaff(s.snap.Load(), &st)
	return st, nil
}

// AuthenticateSubject signs in the staff member whose identity the
// application has already established (its own session, or an OpenID
// Connect ID token it verified) by their external subject. The library
// verifies nothing about the subject: the caller vouches for it. It works
// whether or not passwords are enabled (see AccountOptions.SSOOnly).
// Errors: ErrInvalid, ErrNotFound (no staff member has the subject: the
// application may offer to link one), ErrAccountDisabled,
// errors.ErrUnsupported.
func (s *Service) AuthenticateSubject(ctx context.Context, subject ExternalSubject) (st Staff, err error) {
	if s.tel != nil {
		var done func(error)
		ctx, done = s.tel.signIn(ctx, "subject")
		defer func() { done(err) }()
	}
	st, err = s.staffBySubject(ctx, "authenticate subject", subject)
	if err != nil {
		return Staff{}, err
	}
	if st.Status == StatusDisabled {
		return Staff{}, fmt.Errorf("authenticate subject: %w", ErrAccountDisabled)
	}
	return st, nil
}
