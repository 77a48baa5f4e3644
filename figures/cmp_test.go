package figures

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/png"
)

// equalApproxPNG reports whether two PNG files have the same size and every
// pixel pair lies within delta in the YIQ colour space (delta 0: identical,
// 1: anything goes).
//
// It is the pixel metric of gonum.org/v1/plot/cmpimg.EqualApprox, copied
// because importing cmpimg pulls in rsc.io/pdf, which this module's go.sum
// does not list; once it does (go get gonum.org/v1/plot/cmpimg@v0.17.0),
// calls can become cmpimg.EqualApprox("png", got, want, delta).
func equalApproxPNG(raw1, raw2 []byte, delta float64) (bool, error) {
	v1, err := png.Decode(bytes.NewReader(raw1))
	if err != nil {
		return false, err
	}
	v2, err := png.Decode(bytes.NewReader(raw2))
	if err != nil {
		return false, err
	}
	if v1.Bounds() != v2.Bounds() {
		return false, nil
	}
	img1, img2 := toRGBA(v1), toRGBA(v2)
	d2 := delta * delta
	b := img1.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if !yiqEqApprox(img1.RGBAAt(x, y), img2.RGBAAt(x, y), d2) {
				return false, nil
			}
		}
	}
	return true, nil
}

// toRGBA converts img to *image.RGBA.
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	dst := image.NewRGBA(img.Bounds())
	draw.Draw(dst, dst.Bounds(), img, img.Bounds().Min, draw.Src)
	return dst
}

// yiqEqApprox compares two pixels in the NTSC YIQ colour space as
// cmpimg does (Kotsarenko and Ramos, "Measuring perceived color difference
// using YIQ NTSC transmission color space in mobile applications").
func yiqEqApprox(c1, c2 color.RGBA, d2 float64) bool {
	const max = 35215.0 // difference between two maximally different pixels
	yiq := func(c color.RGBA) (y, i, q float64) {
		r, g, b := float64(c.R), float64(c.G), float64(c.B)
		return r*0.29889531 + g*0.58662247 + b*0.11448223,
			r*0.59597799 - g*0.27417610 - b*0.32180189,
			r*0.21147017 - g*0.52261711 + b*0.31114694
	}
	y1, i1, q1 := yiq(c1)
	y2, i2, q2 := yiq(c2)
	y, i, q := y1-y2, i1-i2, q1-q2
	return 0.5053*y*y+0.299*i*i+0.1957*q*q <= max*d2
}
