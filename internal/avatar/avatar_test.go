package avatar_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/billingrbac/billingrbac/internal/avatar"
)

func encode(t testing.TB, img image.Image, format string) []byte {
	t.Helper()
	var b bytes.Buffer
	var err error
	switch format {
	case "png":
		err = (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img)
	case "jpeg":
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 50})
	case "gif":
		err = gif.Encode(&b, img, nil)
	}
	require.NoError(t, err)
	return b.Bytes()
}

func solid[T interface {
	image.Image
	Set(x, y int, c color.Color)
}](img T) T {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 99, 255})
		}
	}
	return img
}

// progressive444 returns a progressive 4:4:4 JPEG (the costliest format to
// decode: 64 coefficients of 4 bytes per pixel and component are kept
// until the last scan) whose header declares w×h: Go's own test image with
// its frame header patched. Its scans no longer fit, so it may be refused
// at decoding, after the decoder allocated for the declared size, which
// is what is measured.
func progressive444(t testing.TB, w, h int) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(runtime.GOROOT(), "src", "image", "testdata", "video-001.q50.444.progressive.jpeg"))
	if err != nil {
		t.Skipf("Go's image test data: %v", err)
	}
	i := bytes.Index(data, []byte{0xff, 0xc2})
	require.Positive(t, i)
	binary.BigEndian.PutUint16(data[i+5:], uint16(h))
	binary.BigEndian.PutUint16(data[i+7:], uint16(w))
	return data
}

// pngHeader is a PNG signature and IHDR declaring w×h RGBA, without pixels.
func pngHeader(w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], uint32(w))
	binary.BigEndian.PutUint32(ihdr[4:], uint32(h))
	ihdr[8], ihdr[9] = 8, 6
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// allocated returns the bytes allocated by fn (run alone).
func allocated(fn func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// No upload, allowed or refused, allocates more than a few MiB: the worst
// ones the budget lets through (the largest header of every format and
// pixel depth, a progressive 4:4:4 JPEG) and the bombs it refuses from the
// header (4096×4096 and more). Measured with MemStats.
func TestAllocationBudget(t *testing.T) {
	side := avatar.MaxScale * avatar.Size
	cases := []struct {
		name string
		data []byte
		rule string // "" when accepted
	}{
		{"png 640x640 rgba64", encode(t, solid(image.NewNRGBA64(image.Rect(0, 0, side, side))), "png"), ""},
		{"png 640x640 rgba", encode(t, solid(image.NewNRGBA(image.Rect(0, 0, side, side))), "png"), ""},
		{"png 5120x80", encode(t, solid(image.NewNRGBA(image.Rect(0, 0, avatar.MaxPixels/avatar.Size, avatar.Size))), "png"), ""},
		{"jpeg 640x640", encode(t, solid(image.NewRGBA(image.Rect(0, 0, side, side))), "jpeg"), ""},
		{"gif 640x640", encode(t, image.NewPaletted(image.Rect(0, 0, side, side), palette.Plan9), "gif"), ""},
		{"progressive 4:4:4 jpeg declaring 640x640", progressive444(t, side, side), "any"},
		{"png bomb 4096x4096", pngHeader(4096, 4096), "max_dimensions"},
		{"png 641x640", pngHeader(side+1, side), "max_dimensions"},
		{"progressive jpeg bomb 4096x4096", progressive444(t, 4096, 4096), "max_dimensions"},
	}
	var worst uint64
	for _, c := range cases {
		require.LessOrEqual(t, len(c.data), avatar.MaxBytes, c.name)
		var v *avatar.Violation
		var err error
		n := allocated(func() { _, _, v, err = avatar.Prepare(c.data) })
		require.NoError(t, err)
		switch c.rule {
		case "":
			require.Nil(t, v, "%s: %v", c.name, v)
		case "any":
		default:
			require.NotNil(t, v, c.name)
			require.Equal(t, c.rule, v.Rule, c.name)
		}
		t.Logf("%-42s %6.2f MiB allocated (%d bytes uploaded)", c.name, float64(n)/(1<<20), len(c.data))
		worst = max(worst, n)
		assert.Less(t, n, uint64(8<<20), "%s allocated %d bytes", c.name, n)
	}
	t.Logf("worst: %.2f MiB", float64(worst)/(1<<20))
}

// Metadata never survives, even on an upload already Size×Size: a PNG
// text chunk and a JPEG APP1 (EXIF) segment carrying a position are gone
// from what is stored, and the pixels are kept.
func TestMetadataStripped(t *testing.T) {
	img := solid(image.NewNRGBA(image.Rect(0, 0, avatar.Size, avatar.Size)))
	secret := []byte("GPSLatitude 55.7558 N")

	p := encode(t, img, "png")
	text := append([]byte("tEXt"), append([]byte("Comment\x00"), secret...)...)
	var chunk bytes.Buffer
	_ = binary.Write(&chunk, binary.BigEndian, uint32(len(text)-4))
	chunk.Write(text)
	_ = binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(text))
	withText := append(append(append([]byte{}, p[:33]...), chunk.Bytes()...), p[33:]...) // after IHDR

	j := encode(t, img, "jpeg")
	app1 := append([]byte{0xff, 0xe1, 0, byte(2 + 6 + len(secret))}, append([]byte("Exif\x00\x00"), secret...)...)
	withExif := append(append(append([]byte{}, j[:2]...), app1...), j[2:]...) // after SOI

	for _, c := range []struct {
		name, ctype string
		data        []byte
	}{{"png text chunk", avatar.ContentTypePNG, withText}, {"jpeg exif", avatar.ContentTypeJPEG, withExif}} {
		t.Run(c.name, func(t *testing.T) {
			require.True(t, bytes.Contains(c.data, secret))
			ctype, out, v, err := avatar.Prepare(c.data)
			require.NoError(t, err)
			require.Nil(t, v)
			assert.Equal(t, c.ctype, ctype)
			assert.False(t, bytes.Contains(out, secret), "metadata kept")
			got, _, err := image.Decode(bytes.NewReader(out))
			require.NoError(t, err)
			assert.Equal(t, image.Rect(0, 0, avatar.Size, avatar.Size), got.Bounds())
			r, g, _, _ := got.At(40, 20).RGBA()
			assert.InDelta(t, 40, r>>8, 6)
			assert.InDelta(t, 20, g>>8, 6)
		})
	}
}

func FuzzPrepare(f *testing.F) {
	f.Add(encode(f, solid(image.NewNRGBA(image.Rect(0, 0, 100, 90))), "png"))
	f.Add(encode(f, solid(image.NewRGBA(image.Rect(0, 0, 81, 120))), "jpeg"))
	f.Add(pngHeader(641, 640))
	f.Fuzz(func(t *testing.T, data []byte) {
		ctype, out, v, err := avatar.Prepare(data)
		if v != nil || err != nil {
			return
		}
		h, cv := avatar.Check(data)
		require.Nil(t, cv)
		require.LessOrEqual(t, h.Width*h.Height, avatar.MaxPixels)
		img, format, derr := image.Decode(bytes.NewReader(out))
		require.NoError(t, derr)
		require.Equal(t, ctype, "image/"+format)
		require.Equal(t, image.Rect(0, 0, avatar.Size, avatar.Size), img.Bounds())
	})
}
