package main

import (
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

var engineColors = map[string]color.Color{
	"baobot": color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff},
	"bleve":  color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
}

// plot draws, against corpus size (articles, log scale), the warm query
// latency (p50 and p99) and the size on disk of both engines, side by side,
// into a PNG file.
func (r *results) plot(path string) error {
	latency := newLogPlot("Query latency, warm (top 10)", "latency (ms)")
	size := newLogPlot("Index size on disk", "MB")
	for _, e := range engineNames {
		series := map[string]plotter.XYs{}
		for _, s := range r.Sizes {
			m := s.Median[e]
			if m == nil {
				continue
			}
			x := float64(s.Articles)
			series["p50"] = append(series["p50"], plotter.XY{X: x, Y: m["warm_p50_ms"]})
			series["p99"] = append(series["p99"], plotter.XY{X: x, Y: m["warm_p99_ms"]})
			series["disk"] = append(series["disk"], plotter.XY{X: x, Y: m["disk_mb"]})
			series["text"] = append(series["text"], plotter.XY{X: x, Y: s.RawMB})
		}
		if len(series["p50"]) == 0 {
			continue
		}
		if err := addLine(latency, series["p50"], e+" p50", engineColors[e], true); err != nil {
			return err
		}
		if err := addLine(latency, series["p99"], e+" p99", engineColors[e], false); err != nil {
			return err
		}
		if err := addLine(size, series["disk"], e, engineColors[e], false); err != nil {
			return err
		}
		if e == engineNames[0] {
			if err := addLine(size, series["text"], "raw text", color.Gray{Y: 0x80}, true); err != nil {
				return err
			}
		}
	}

	img := vgimg.New(vg.Points(960), vg.Points(400))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(20), PadTop: vg.Points(8), PadBottom: vg.Points(8), PadLeft: vg.Points(8), PadRight: vg.Points(8)}
	plots := [][]*plot.Plot{{latency, size}}
	canvases := plot.Align(plots, tiles, dc)
	latency.Draw(canvases[0][0])
	size.Draw(canvases[0][1])

	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func newLogPlot(title, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "articles in the corpus"
	p.Y.Label.Text = ylabel
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	return p
}

func addLine(p *plot.Plot, xys plotter.XYs, name string, c color.Color, dashed bool) error {
	l, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	l.Color, pts.Color = c, c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		pts.Shape = draw.BoxGlyph{}
	} else {
		pts.Shape = draw.CircleGlyph{}
	}
	p.Add(l, pts)
	p.Legend.Add(name, l, pts)
	return nil
}
