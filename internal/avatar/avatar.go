// Package avatar turns an uploaded picture into a staff member's avatar,
// within a memory budget fixed before any pixel is decoded. rbac keeps the
// typed API (rbac.PrepareAvatar, Service.SetAvatar) and maps Violations to
// its field errors.
//
// Every accepted picture is decoded and re-encoded, so nothing but pixels
// survives: PNG text chunks, EXIF (GPS included), comments and ICC
// profiles are dropped even from an upload that is already Size×Size.
//
// Caveats: the budget bounds the decoders' own buffers, set from the
// header; a decoder reads at most MaxBytes of input. Concurrency is the
// caller's to bound (rbac's Service runs decodes in a Pool).
package avatar

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif" // registers the GIF decoder with package image
	"image/jpeg"
	"image/png"

	"golang.org/x/image/draw"
)

// Limits.
const (
	// Size is the side of a stored avatar, in pixels.
	Size = 80
	// MaxBytes is the largest upload accepted.
	MaxBytes = 64 << 10
	// MaxScale is how many times larger than Size an upload's square
	// crop may be: one Catmull-Rom pass scales it down, and a larger
	// source adds decoding cost and no detail at 80 pixels.
	MaxScale = 8
	// MaxPixels is the pixel budget, width × height, checked on the
	// header before decoding: (MaxScale × Size)², 640×640. Decoding the
	// costliest format at this size (a progressive 4:4:4 JPEG) allocates
	// about 6 MiB.
	MaxPixels = (MaxScale * Size) * (MaxScale * Size)
)

// Content types of avatars.
const (
	ContentTypePNG  = "image/png"
	ContentTypeJPEG = "image/jpeg"
	ContentTypeGIF  = "image/gif"
)

// Violation is why an upload is refused: a rule (required, max_size,
// format, max_dimensions, min_dimensions, decode) and a message.
type Violation struct{ Rule, Message string }

func refuse(rule, format string, args ...any) *Violation {
	return &Violation{rule, fmt.Sprintf(format, args...)}
}

// Header is what Check learned from an upload without decoding pixels.
type Header struct {
	Format        string // "png", "jpeg" or "gif"
	Width, Height int
}

// sniff names the format of data from its first bytes, whatever the file
// was called.
func sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")):
		return "png"
	case bytes.HasPrefix(data, []byte("\xff\xd8\xff")):
		return "jpeg"
	case bytes.HasPrefix(data, []byte("GIF87a")), bytes.HasPrefix(data, []byte("GIF89a")):
		return "gif"
	}
	return ""
}

// Check refuses, from the size, the first bytes and the header alone,
// what Prepare would refuse before decoding: nothing is allocated in
// proportion to the image.
func Check(data []byte) (Header, *Violation) {
	if len(data) == 0 {
		return Header{}, refuse("required", "must not be empty")
	}
	if len(data) > MaxBytes {
		return Header{}, refuse("max_size", "must be at most %d KiB", MaxBytes>>10)
	}
	format := sniff(data)
	if format == "" {
		return Header{}, refuse("format", "must be a PNG, JPEG or GIF image")
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return Header{}, refuse("format", "is not a readable %s image", format)
	}
	if cfg.Width < Size || cfg.Height < Size {
		return Header{}, refuse("min_dimensions", "must be at least %d×%d pixels, not %d×%d", Size, Size, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Header{}, refuse("max_dimensions", "must have at most %d pixels (%d×%d), not %d×%d", MaxPixels, MaxScale*Size, MaxScale*Size, cfg.Width, cfg.Height)
	}
	return Header{Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}

// Prepare checks an upload and returns the avatar to store: its content
// type and bytes. The image is center-cropped to a square, scaled to
// Size×Size with Catmull-Rom when larger, and always re-encoded (JPEG
// stays JPEG at quality 90; PNG and a GIF's first frame become PNG), so no
// metadata survives. The error is an encoder's, never the upload's.
func Prepare(data []byte) (string, []byte, *Violation, error) {
	h, v := Check(data)
	if v != nil {
		return "", nil, v, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", nil, refuse("decode", "cannot be decoded: %v", err), nil
	}
	if b := img.Bounds(); b.Dx() > h.Width || b.Dy() > h.Height {
		return "", nil, refuse("decode", "decoded size %d×%d exceeds the header's", b.Dx(), b.Dy()), nil
	}
	dst := scale(img)
	var buf bytes.Buffer
	ctype := ContentTypePNG
	if h.Format == "jpeg" {
		ctype = ContentTypeJPEG
		err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90})
	} else {
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, dst)
	}
	if err != nil {
		return "", nil, nil, fmt.Errorf("encode: %w", err)
	}
	return ctype, buf.Bytes(), nil, nil
}

// scale center-crops img to a square and scales it to Size×Size (a copy
// when it is that size already). The crop's side is at most
// MaxScale × Size, which one Catmull-Rom pass handles.
func scale(img image.Image) *image.RGBA {
	sr := centerSquare(img.Bounds())
	dst := image.NewRGBA(image.Rect(0, 0, Size, Size))
	if sr.Dx() == Size {
		draw.Copy(dst, image.Point{}, img, sr, draw.Src, nil)
		return dst
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, sr, draw.Src, nil)
	return dst
}

// centerSquare returns the largest square centered in r.
func centerSquare(r image.Rectangle) image.Rectangle {
	side := min(r.Dx(), r.Dy())
	x := r.Min.X + (r.Dx()-side)/2
	y := r.Min.Y + (r.Dy()-side)/2
	return image.Rect(x, y, x+side, y+side)
}
