package rbac

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registers the GIF decoder with package image
	"image/jpeg"
	"image/png"
	"time"

	"golang.org/x/image/draw"
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
	AvatarSize = 80
	// MaxAvatarBytes is the largest upload accepted.
	MaxAvatarBytes = 64 << 10
	// MaxAvatarSide is the largest width or height accepted, checked on
	// the header before any pixel is decoded (a small file can declare a
	// huge image: a decompression bomb).
	MaxAvatarSide = 4096
)

// Content types of avatars.
const (
	ContentTypePNG  = "image/png"
	ContentTypeJPEG = "image/jpeg"
	ContentTypeGIF  = "image/gif"
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

// sniffImage names the format of data from its first bytes, whatever the
// file was called.
func sniffImage(data []byte) (format, contentType string) {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png", ContentTypePNG
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "jpeg", ContentTypeJPEG
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif", ContentTypeGIF
	}
	return "", ""
}

// PrepareAvatar checks an uploaded picture and returns what would be
// stored. The format (PNG, JPEG or GIF) is judged from the bytes; the file
// must be at most MaxAvatarBytes; the header's dimensions are checked (at
// most MaxAvatarSide a side, at least AvatarSize) before decoding. An image
// of exactly AvatarSize×AvatarSize is kept byte for byte; a larger one is
// center-cropped to a square, scaled down with Catmull-Rom (after a cheap
// bilinear pass for crops over 640 px) and re-encoded: JPEG stays JPEG
// (quality 90), PNG and GIF become PNG (a GIF's first frame). Errors:
// ErrInvalid (field "avatar", rules required, max_size, format,
// max_dimensions, min_dimensions, decode).
func PrepareAvatar(data []byte) (Avatar, error) {
	const op = "avatar"
	fail := func(rule, format string, args ...any) (Avatar, error) {
		var fe fieldErrors
		fe.add("avatar", rule, format, args...)
		return Avatar{}, fe.err(op)
	}
	if len(data) == 0 {
		return fail("required", "must not be empty")
	}
	if len(data) > MaxAvatarBytes {
		return fail("max_size", "must be at most %d KiB", MaxAvatarBytes>>10)
	}
	format, ctype := sniffImage(data)
	if format == "" {
		return fail("format", "must be a PNG, JPEG or GIF image")
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return fail("format", "is not a readable %s image", format)
	}
	if cfg.Width > MaxAvatarSide || cfg.Height > MaxAvatarSide {
		return fail("max_dimensions", "must be at most %d×%d pixels, not %d×%d", MaxAvatarSide, MaxAvatarSide, cfg.Width, cfg.Height)
	}
	if cfg.Width < AvatarSize || cfg.Height < AvatarSize {
		return fail("min_dimensions", "must be at least %d×%d pixels, not %d×%d", AvatarSize, AvatarSize, cfg.Width, cfg.Height)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return fail("decode", "cannot be decoded: %v", err)
	}
	if b := img.Bounds(); b.Dx() > cfg.Width || b.Dy() > cfg.Height {
		return fail("decode", "decoded size %d×%d exceeds the header's", b.Dx(), b.Dy())
	}
	if cfg.Width == AvatarSize && cfg.Height == AvatarSize {
		return Avatar{ContentType: ctype, Data: bytes.Clone(data)}, nil
	}
	dst := scaleAvatar(img)
	var buf bytes.Buffer
	if format == "jpeg" {
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90})
	} else {
		ctype = ContentTypePNG
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, dst)
	}
	if err != nil {
		return Avatar{}, fmt.Errorf("%s: encode: %w", op, err)
	}
	return Avatar{ContentType: ctype, Data: buf.Bytes()}, nil
}

// prescaleSide bounds the Catmull-Rom pass: its cost grows with the source
// area (2.3 s for a 4096×4096 NRGBA here, against 33 ms in two steps), so a
// larger crop is first sampled down to this side with ApproxBiLinear.
const prescaleSide = 8 * AvatarSize

// scaleAvatar center-crops img to a square and scales it to
// AvatarSize×AvatarSize.
func scaleAvatar(img image.Image) *image.RGBA {
	src, sr := img, centerSquare(img.Bounds())
	if sr.Dx() > prescaleSide {
		mid := image.NewRGBA(image.Rect(0, 0, prescaleSide, prescaleSide))
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, sr, draw.Src, nil)
		src, sr = mid, mid.Bounds()
	}
	dst := image.NewRGBA(image.Rect(0, 0, AvatarSize, AvatarSize))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, sr, draw.Src, nil)
	return dst
}

// centerSquare returns the largest square centered in r.
func centerSquare(r image.Rectangle) image.Rectangle {
	side := min(r.Dx(), r.Dy())
	x := r.Min.X + (r.Dx()-side)/2
	y := r.Min.Y + (r.Dy()-side)/2
	return image.Rect(x, y, x+side, y+side)
}

// SetAvatar checks data with PrepareAvatar and stores the result as staff
// member id's avatar, replacing any previous one. Staff members set their
// own; for someone else's the actor needs staff:edit (and full access for
// a full-access account's). Errors: ErrInvalid, ErrNotFound,
// ErrPermissionDenied.
func (s *Service) SetAvatar(ctx context.Context, actor, id StaffID, data []byte) (Avatar, error) {
	const op = "set avatar"
	a, err := PrepareAvatar(data)
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
	if actor == id {
		if e := w.snap.staffEntry(actor); actor == SystemActor || e != nil && e.disabled {
			return nil, denied(op, actor, "acting staff member %s is disabled", actor)
		}
	} else {
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
