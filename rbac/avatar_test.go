package rbac_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/billingrbac/billingrbac/internal/testdb"
	"github.com/billingrbac/billingrbac/rbac"
)

func solidImage(w, h int, c color.Color) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, c)
		}
	}
	return img
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	mustNoErr(t, png.Encode(&b, img))
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	mustNoErr(t, jpeg.Encode(&b, img, nil))
	return b.Bytes()
}

func encodeGIF(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	mustNoErr(t, gif.Encode(&b, img, &gif.Options{NumColors: 256, Quantizer: nil, Drawer: nil}))
	return b.Bytes()
}

// pngHeader returns a PNG holding only a signature, an IHDR declaring
// w×h and IEND: no pixels at all.
func pngHeader(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		var b bytes.Buffer
		_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
		b.WriteString(typ)
		b.Write(data)
		_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
		return b.Bytes()
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	return append(out, chunk("IEND", nil)...)
}

func avatarRule(t *testing.T, data []byte) string {
	t.Helper()
	_, err := rbac.PrepareAvatar(data)
	f := fieldRules(t, err)
	mustEqual(t, len(f), 1, f)
	return f[0]
}

// Every format is accepted; an upload already 80×80 is re-encoded too (so
// no metadata survives), keeping its pixels.
func TestAvatarFormatsAccepted(t *testing.T) {
	blue := color.RGBA{20, 40, 200, 255}
	cases := []struct {
		name  string
		data  []byte
		ctype string
	}{
		{"png", encodePNG(t, solidImage(80, 80, blue)), rbac.ContentTypePNG},
		{"jpeg", encodeJPEG(t, solidImage(80, 80, blue)), rbac.ContentTypeJPEG},
		{"gif", encodeGIF(t, image.NewPaletted(image.Rect(0, 0, 80, 80), palette.Plan9)), rbac.ContentTypeGIF},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := rbac.PrepareAvatar(c.data)
			mustNoErr(t, err)
			want := c.ctype
			if want == rbac.ContentTypeGIF {
				want = rbac.ContentTypePNG
			}
			wantEqual(t, a.ContentType, want)
			out, _, err := image.Decode(bytes.NewReader(a.Data))
			mustNoErr(t, err)
			wantEqual(t, out.Bounds(), image.Rect(0, 0, 80, 80))
			r, g, b, _ := out.At(40, 40).RGBA()
			if c.ctype != rbac.ContentTypeGIF {
				wantTrue(t, r>>8 < 40 && g>>8 < 70 && b>>8 > 170, "80×80 re-encoded with its pixels: %d %d %d", r>>8, g>>8, b>>8)
			}
		})
	}
}

// The format comes from the bytes, not the file's name.
func TestAvatarPNGNamedGIF(t *testing.T) {
	path := filepath.Join(t.TempDir(), "me.gif")
	mustNoErr(t, os.WriteFile(path, encodePNG(t, solidImage(80, 80, color.White)), 0o600))
	data, err := os.ReadFile(path)
	mustNoErr(t, err)
	a, err := rbac.PrepareAvatar(data)
	mustNoErr(t, err)
	wantEqual(t, a.ContentType, rbac.ContentTypePNG)

	// A GIF header on PNG bytes is not a GIF.
	fake := append([]byte("GIF89a\x64\x00\x64\x00"), data...)
	wantEqual(t, avatarRule(t, fake), "avatar/decode")
}

func TestAvatarRefused(t *testing.T) {
	// Noise does not compress: a 150×150 PNG of it is over 64 KiB.
	rng := rand.New(rand.NewPCG(1, 2))
	noise := image.NewRGBA(image.Rect(0, 0, 150, 150))
	for i := range noise.Pix {
		noise.Pix[i] = byte(rng.IntN(256))
	}
	big := encodePNG(t, noise)
	wantTrue(t, len(big) > rbac.MaxAvatarBytes, "noise PNG is only %d bytes", len(big))
	wantEqual(t, avatarRule(t, big), "avatar/max_size")
	wantEqual(t, avatarRule(t, make([]byte, 65<<10)), "avatar/max_size")

	wantEqual(t, avatarRule(t, nil), "avatar/required")
	wantEqual(t, avatarRule(t, []byte("BM6\x00\x00\x00 a bitmap")), "avatar/format")
	wantEqual(t, avatarRule(t, []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")), "avatar/format")
	wantEqual(t, avatarRule(t, encodePNG(t, solidImage(79, 200, color.White))), "avatar/min_dimensions")
	wantEqual(t, avatarRule(t, encodePNG(t, solidImage(200, 79, color.White))), "avatar/min_dimensions")
	wantEqual(t, avatarRule(t, pngHeader(4097, 100)), "avatar/max_dimensions")
	// A valid header over pixels that are not there: decoding fails.
	wantEqual(t, avatarRule(t, pngHeader(100, 100)), "avatar/decode")
	png80 := encodePNG(t, solidImage(80, 80, color.White))
	wantEqual(t, avatarRule(t, png80[:len(png80)-20]), "avatar/decode")
}

// A 10000×10000 header is refused from the header alone: no pixel buffer
// (400 MB for RGBA) is ever allocated.
func TestAvatarDecompressionBomb(t *testing.T) {
	bomb := pngHeader(10000, 10000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := rbac.PrepareAvatar(bomb)
	runtime.ReadMemStats(&after)
	wantEqual(t, fieldRules(t, err), []string{"avatar/max_dimensions"})
	allocated := after.TotalAlloc - before.TotalAlloc
	wantTrue(t, allocated < 1<<20, "refusing the header allocated %d bytes", allocated)
}

// 200×120 is center-cropped to 120×120 and scaled to 80×80: the red side
// bands (40 px each) are cut off, the green middle fills the avatar.
func TestAvatarScaledAndCropped(t *testing.T) {
	red, green := color.RGBA{255, 0, 0, 255}, color.RGBA{0, 255, 0, 255}
	img := solidImage(200, 120, red)
	for y := range 120 {
		for x := 40; x < 160; x++ {
			img.Set(x, y, green)
		}
	}
	for _, c := range []struct {
		name  string
		data  []byte
		ctype string
	}{
		{"png", encodePNG(t, img), rbac.ContentTypePNG},
		{"jpeg", encodeJPEG(t, img), rbac.ContentTypeJPEG},
		{"gif becomes png", encodeGIF(t, img), rbac.ContentTypePNG},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, err := rbac.PrepareAvatar(c.data)
			mustNoErr(t, err)
			wantEqual(t, a.ContentType, c.ctype)
			out, format, err := image.Decode(bytes.NewReader(a.Data))
			mustNoErr(t, err)
			wantEqual(t, "image/"+format, c.ctype)
			wantEqual(t, out.Bounds(), image.Rect(0, 0, 80, 80))
			for _, p := range []image.Point{{0, 0}, {79, 0}, {0, 79}, {79, 79}, {40, 40}, {2, 40}, {77, 40}} {
				r, g, _, _ := out.At(p.X, p.Y).RGBA()
				wantTrue(t, r>>8 < 60 && g>>8 > 190, "pixel %v is %v, want green", p, out.At(p.X, p.Y))
			}
		})
	}
}

func TestServiceAvatars(t *testing.T) {
	testdb.Run(t, func(t *testing.T, b testdb.Backend) {
		e := newAccountEnv(t, b, rbac.AccountOptions{})
		kate := e.person("kate", goodPW)
		bob := e.person("bob", goodPW)
		pic := encodePNG(t, solidImage(80, 80, color.RGBA{1, 2, 3, 255}))
		prepared, err := rbac.PrepareAvatar(pic) // re-encoded, deterministically
		mustNoErr(t, err)

		_, err = e.svc.Avatar(e.ctx, kate.ID)
		wantErrIs(t, err, rbac.ErrNotFound)

		// Kate sets her own.
		a, err := e.svc.SetAvatar(e.ctx, kate.ID, kate.ID, pic)
		mustNoErr(t, err)
		got, err := e.svc.Avatar(e.ctx, kate.ID)
		mustNoErr(t, err)
		wantEqual(t, got.ContentType, rbac.ContentTypePNG)
		wantEqual(t, got.Data, prepared.Data)
		wantEqual(t, got.UpdatedAt, a.UpdatedAt)

		// Bob may not touch hers; the admin may replace it.
		_, err = e.svc.SetAvatar(e.ctx, bob.ID, kate.ID, pic)
		wantErrIs(t, err, rbac.ErrPermissionDenied)
		wantErrIs(t, e.svc.RemoveAvatar(e.ctx, bob.ID, kate.ID), rbac.ErrPermissionDenied)
		jpg := encodeJPEG(t, solidImage(300, 300, color.White))
		_, err = e.svc.SetAvatar(e.ctx, e.admin, kate.ID, jpg)
		mustNoErr(t, err)
		got, err = e.svc.Avatar(e.ctx, kate.ID)
		mustNoErr(t, err)
		wantEqual(t, got.ContentType, rbac.ContentTypeJPEG)
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(got.Data))
		mustNoErr(t, err)
		wantEqual(t, [2]int{cfg.Width, cfg.Height}, [2]int{80, 80})

		// A refused upload changes nothing.
		_, err = e.svc.SetAvatar(e.ctx, kate.ID, kate.ID, pngHeader(10000, 10000))
		wantErrIs(t, err, rbac.ErrInvalid)
		again, err := e.svc.Avatar(e.ctx, kate.ID)
		mustNoErr(t, err)
		wantEqual(t, again.Data, got.Data)

		_, err = e.svc.SetAvatar(e.ctx, e.admin, 9999, pic)
		wantErrIs(t, err, rbac.ErrNotFound)

		mustNoErr(t, e.svc.RemoveAvatar(e.ctx, kate.ID, kate.ID))
		_, err = e.svc.Avatar(e.ctx, kate.ID)
		wantErrIs(t, err, rbac.ErrNotFound)
		wantErrIs(t, e.svc.RemoveAvatar(e.ctx, kate.ID, kate.ID), rbac.ErrNotFound)

		chs, err := e.st.Changes(e.ctx, rbac.ChangeQuery{Op: rbac.OpStaffAvatar})
		mustNoErr(t, err)
		mustEqual(t, len(chs), 3)
		wantEqual(t, string(chs[0].After), `{"content_type":"image/png","bytes":`+strconv.Itoa(len(prepared.Data))+`}`)
		wantEqual(t, string(chs[2].After), `{"bytes":0}`)

		// Deleting the staff member deletes the avatar.
		_, err = e.svc.SetAvatar(e.ctx, bob.ID, bob.ID, pic)
		mustNoErr(t, err)
		mustNoErr(t, e.svc.DeleteStaff(e.ctx, e.admin, bob.ID))
		var n int64
		mustNoErr(t, e.st.DB().Raw(`SELECT COUNT(*) FROM billingrbac_staff_avatars WHERE staff_id = ?`, int64(bob.ID)).Scan(&n).Error)
		wantEqual(t, n, int64(0))
	})
}

func ExamplePrepareAvatar() {
	var upload bytes.Buffer
	_ = png.Encode(&upload, image.NewRGBA(image.Rect(0, 0, 200, 120)))
	a, err := rbac.PrepareAvatar(upload.Bytes())
	cfg, _, _ := image.DecodeConfig(bytes.NewReader(a.Data))
	fmt.Println(a.ContentType, cfg.Width, cfg.Height, err)

	_, err = rbac.PrepareAvatar(pngHeader(10000, 10000)) // a header declaring 10000×10000
	fmt.Println(err)
	// Output:
	// image/png 80 80 <nil>
	// avatar: invalid input: avatar: must have at most 409600 pixels (640×640), not 10000×10000 (max_dimensions)
}

// The largest crop the budget allows (2 × 320² = 640×320 here) is scaled
// in one pass and keeps its colours and its center; one pixel more is
// refused from the header.
func TestAvatarLargeCropped(t *testing.T) {
	red := color.RGBA{255, 0, 0, 255}
	img := image.NewRGBA(image.Rect(0, 0, 1280, 320))
	for y := range 320 {
		for x := range 1280 {
			if x >= 480 && x < 800 {
				img.Pix[img.PixOffset(x, y)+1], img.Pix[img.PixOffset(x, y)+3] = 255, 255
			} else {
				img.Set(x, y, red)
			}
		}
	}
	var b bytes.Buffer
	mustNoErr(t, (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img))
	a, err := rbac.PrepareAvatar(b.Bytes())
	mustNoErr(t, err)
	out, err := png.Decode(bytes.NewReader(a.Data))
	mustNoErr(t, err)
	wantEqual(t, out.Bounds(), image.Rect(0, 0, 80, 80))
	for _, p := range []image.Point{{0, 0}, {79, 79}, {40, 40}, {0, 79}} {
		r, g, _, _ := out.At(p.X, p.Y).RGBA()
		wantTrue(t, r>>8 < 60 && g>>8 > 190, "pixel %v is %v, want green", p, out.At(p.X, p.Y))
	}
	wantEqual(t, avatarRule(t, pngHeader(1281, 320)), "avatar/max_dimensions")
}
