package rbac

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/billingrbac/billingrbac/internal/avatar"
)

// Avatar is a staff member's picture: AvatarSize×AvatarSize pixels.
type Avatar struct {
	ContentType string // "image/png", "image/jpeg" or "image/gif"
	Data        []byte
	UpdatedAt   time.Time
}

// Avatar limits.
const (
	// AvatarSize is the side of a stored avatar, in pixels.
	AvatarSize = avatar.Size
	// MaxAvatarBytes is the largest upload accepted.
	MaxAvatarBytes = avatar.MaxBytes
	// MaxAvatarPixels is the pixel budget of an upload, width × height:
	// (8 × AvatarSize)², 640×640, checked on the header before any pixel
	// is decoded (a small file can declare a huge image: a decompression
	// bomb). Decoding the costliest upload within it allocates about
	// 6 MiB.
	MaxAvatarPixels = avatar.MaxPixels
)

// Content types of avatars.
const (
	ContentTypePNG  = avatar.ContentTypePNG
	ContentTypeJPEG = avatar.ContentTypeJPEG
	ContentTypeGIF  = avatar.ContentTypeGIF
)

// AvatarStore is implemented by stores that keep avatars, as package store
// does.
type AvatarStore interface {
	// Avatar returns staff member id's avatar. Errors: ErrNotFound (no
	// such staff member or no avatar).
	Avatar(ctx context.Context, id StaffID) (Avatar, error)
}

// AvatarTx is implemented by the Tx of stores that keep avatars.
type AvatarTx interface {
	// SetAvatar stores a (sets a.UpdatedAt), replacing any previous one.
	// Errors: ErrNotFound (no such staff member).
	SetAvatar(id StaffID, a *Avatar) error
	// RemoveAvatar deletes staff member id's avatar. Errors: ErrNotFound
	// (none).
	RemoveAvatar(id StaffID) error
}

// PrepareAvatar checks an uploaded picture and returns what would be
// stored. The format (PNG, JPEG or GIF) is judged from the bytes; the file
// must be at most MaxAvatarBytes; the header's dimensions are checked (at
// least AvatarSize a side, at most MaxAvatarPixels) before decoding. The
// picture is center-cropped to a square, scaled down with Catmull-Rom
// when larger than AvatarSize and always re-encoded, so no metadata (PNG
// text chunks, EXIF and GPS, comments) survives, even from an upload of
// exactly AvatarSize×AvatarSize: JPEG stays JPEG (quality 90), PNG and
// GIF become PNG (a GIF's first frame). Errors: ErrInvalid (field
// "avatar", rules required, max_size, format, max_dimensions,
// min_dimensions, decode).
func PrepareAvatar(data []byte) (Avatar, error) {
	ctype, out, v, err := avatar.Prepare(data)
	return preparedAvatar(ctype, out, v, err)
}

func preparedAvatar(ctype string, out []byte, v *avatar.Violation, err error) (Avatar, error) {
	if v != nil {
		var fe fieldErrors
		fe.add("avatar", v.Rule, "%s", v.Message)
		return Avatar{}, fe.err("avatar")
	}
	if err != nil {
		return Avatar{}, fmt.Errorf("avatar: %w", err)
	}
	return Avatar{ContentType: ctype, Data: out}, nil
}

// SetAvatar checks data with PrepareAvatar and stores the result as staff
// member id's avatar, replacing any previous one. The actor is authorized
// from this instance's decisions before the upload is decoded, and at most
// AccountOptions.MaxConcurrentDecodes uploads are decoded at once (the
// others wait for a slot or their context). Staff members set their
// own; for someone else's the actor needs staff:edit (and full access for
// a full-access account's). Errors: ErrInvalid, ErrNotFound,
// ErrPermissionDenied.
func (s *Service) SetAvatar(ctx context.Context, actor, id StaffID, data []byte) (Avatar, error) {
	const op = "set avatar"
	// Refuse cheaply before decoding (see precheck); the flow decides.
	need := Perm(FuncStaff, ActEdit)
	if actor == id {
		need = Permission{}
	}
	if err := s.precheck(ctx, op, actor, need, 0); err != nil {
		return Avatar{}, err
	}
	a, err := preparedAvatar(s.acct.avatars.Prepare(ctx, data))
	if err != nil {
		return Avatar{}, err
	}
	_, err = s.write(ctx, func(w *txn) error {
		at, err := w.avatarTx(op, actor, id)
		if err != nil {
			return err
		}
		if err := at.SetAvatar(id, &a); err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		w.touched = true
		w.record(actor, OpStaffAvatar, StaffSubject(id).String(), nil, avatarEvent{a.ContentType, len(a.Data)})
		return nil
	})
	if err != nil {
		return Avatar{}, err
	}
	return a, nil
}

// avatarEvent is what the change log records of an avatar change.
type avatarEvent struct {
	ContentType string `json:"content_type,omitempty"`
	Bytes       int    `json:"bytes"`
}

// avatarTx authorizes an avatar change of id by actor.
func (w *txn) avatarTx(op string, actor, id StaffID) (AvatarTx, error) {
	at, ok := w.raw.(AvatarTx)
	if !ok {
		return nil, fmt.Errorf("%s: store keeps no avatars: %w", op, errors.ErrUnsupported)
	}
	if actor != id { // a disabled actor's own avatar: refused on the effect
		if err := w.authorize(op, actor, Perm(FuncStaff, ActEdit)); err != nil {
			return nil, err
		}
	}
	if _, err := w.tx.StaffMember(id); err != nil {
		return nil, fmt.Errorf("%s: staff %s: %w", op, id, err)
	}
	return avatarWrites{at, w}, nil
}

// avatarWrites notes avatar writes as writes of the staff row (see
// controlTx): a profile change, not a sign-in one.
type avatarWrites struct {
	at AvatarTx
	w  *txn
}

func (a avatarWrites) SetAvatar(id StaffID, av *Avatar) error {
	a.w.wrote(id, false)
	return a.at.SetAvatar(id, av)
}

func (a avatarWrites) RemoveAvatar(id StaffID) error {
	a.w.wrote(id, false)
	return a.at.RemoveAvatar(id)
}

// Avatar returns staff member id's avatar. Errors: ErrNotFound (no such
// staff member or no avatar).
func (s *Service) Avatar(ctx context.Context, id StaffID) (Avatar, error) {
	as, ok := s.store.(AvatarStore)
	if !ok {
		return Avatar{}, fmt.Errorf("avatar: store keeps no avatars: %w", errors.ErrUnsupported)
	}
	a, err := as.Avatar(ctx, id)
	if err != nil {
		return Avatar{}, fmt.Errorf("avatar of staff %s: %w", id, err)
	}
	return a, nil
}

// RemoveAvatar deletes staff member id's avatar, with SetAvatar's rules.
// Errors: ErrNotFound (no such staff member or no avatar),
// ErrPermissionDenied.
func (s *Service) RemoveAvatar(ctx context.Context, actor, id StaffID) error {
	const op = "remove avatar"
	_, err := s.write(ctx, func(w *txn) error {
		at, err := w.avatarTx(op, actor, id)
		if err != nil {
			return err
		}
		if err := at.RemoveAvatar(id); err != nil {
			return fmt.Errorf("%s: staff %s: %w", op, id, err)
		}
		w.record(actor, OpStaffAvatar, StaffSubject(id).String(), nil, avatarEvent{})
		return nil
	})
	return err
}
