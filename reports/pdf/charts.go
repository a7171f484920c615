package pdf

import (
	"math"
	"strconv"

	"github.com/shadowpath/shadowpath/reports"
)

// niceStep picks a tick step of 1, 2 or 5 × 10^k giving at most 5 ticks.
func niceStep(max int) int {
	if max <= 5 {
		return 1
	}
	raw := float64(max) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			return int(m * mag)
		}
	}
	return int(10 * mag)
}

// yAxis draws the grid, the y tick labels, both axes and the y axis title
// (above the axis: rotated text extracts badly from PDFs) for a plot area at
// px,py of pw×ph whose values reach max; it returns the scale in mm per unit.
func (d *doc) yAxis(x, px, py, pw, ph, left float64, max int, label string) float64 {
	step := niceStep(max)
	ticks := (max + step - 1) / step
	if ticks == 0 {
		ticks = 1
	}
	scale := ph / float64(ticks*step)
	for i := 0; i <= ticks; i++ {
		gy := py + ph - float64(i*step)*scale
		d.rule(px, gy, px+pw, cRule, 0.15)
		d.font("", 7, cMuted)
		d.cellText(px-12, gy-2, 10.5, 4, strconv.Itoa(i*step), "R")
	}
	d.rule(px, py+ph, px+pw, cInk, 0.3)
	d.f.SetDrawColor(cInk.r, cInk.g, cInk.b)
	d.f.Line(px, py, px, py+ph)
	d.font("", 7.5, cMuted)
	d.cellText(x, py-5.5, left+40, 4, label, "L")
	return scale
}

// barChart draws c in the box x,y,w,h with gofpdf primitives: title, a
// labelled y axis with grid lines, grouped or stacked bars with value labels,
// category labels, axis titles and a legend.
func (d *doc) barChart(x, y, w, h float64, c reports.Chart, colors []rgb) {
	f := d.f
	d.ensure(h)
	y = d.y()
	d.font("B", 10.5, cNavy)
	d.cellText(x, y, w, 6, c.Title, "L")

	const left, bottom, top, legendH = 16.0, 18.0, 12.0, 8.0
	px, py := x+left, y+top
	pw, ph := w-left-2, h-top-bottom-legendH
	scale := d.yAxis(x, px, py, pw, ph, left, c.Max(), c.YLabel)

	n := len(c.Categories)
	if n == 0 {
		return
	}
	gw := pw / float64(n)
	for i, cat := range c.Categories {
		gx := px + float64(i)*gw
		if c.Stacked {
			bw := gw * 0.45
			bx := gx + (gw-bw)/2
			base := py + ph
			total := 0
			for si, s := range c.Series {
				v := valueAt(s, i)
				if v == 0 {
					continue
				}
				total += v
				bh := float64(v) * scale
				col := colors[si%len(colors)]
				d.fill(col)
				f.Rect(bx, base-bh, bw, bh, "F")
				if bh >= 4.5 {
					d.font("B", 6.5, cWhite)
					d.cellText(bx, base-bh/2-2, bw, 4, strconv.Itoa(v), "C")
				}
				base -= bh
			}
			d.font("B", 7.5, cInk)
			d.cellText(bx-4, base-4.5, bw+8, 4, strconv.Itoa(total), "C")
		} else {
			ns := len(c.Series)
			bw := gw * 0.7 / float64(max(ns, 1))
			bx := gx + gw*0.15
			for si, s := range c.Series {
				v := valueAt(s, i)
				bh := float64(v) * scale
				col := colors[si%len(colors)]
				d.fill(col)
				if bh > 0 {
					f.Rect(bx+float64(si)*bw, py+ph-bh, bw*0.92, bh, "F")
				}
				d.font("B", 7, cInk)
				d.cellText(bx+float64(si)*bw-3, py+ph-bh-4.5, bw+6, 4, strconv.Itoa(v), "C")
			}
		}
		d.font("", 8, cInk)
		d.cellText(gx, py+ph+1.5, gw, 4, cat, "C")
	}
	d.font("", 7.5, cMuted)
	d.cellText(px, py+ph+7, pw, 4, c.XLabel, "C")

	// Legend.
	lx := px
	ly := py + ph + 13
	for si, s := range c.Series {
		col := colors[si%len(colors)]
		d.fill(col)
		f.Rect(lx, ly+0.8, 3.2, 3.2, "F")
		d.font("", 7.5, cInk)
		label := d.san.clean(s.Name)
		lw := f.GetStringWidth(label)
		d.cellText(lx+4.5, ly, lw+1, 4.8, label, "L")
		lx += 4.5 + lw + 7
	}
	f.SetXY(x, y+h)
}

func valueAt(s reports.Series, i int) int {
	if i < len(s.Values) {
		return s.Values[i]
	}
	return 0
}

// fitRange picks the y range of one trend panel: nice ticks around the
// series' own values, so that 112 → 110 shows as a change and not as a flat
// line on an axis from 0. The axis keeps 0 when the values come near it
// (within one step), so a small range is never magnified out of proportion.
func fitRange(values []int) (base, step, ticks int) {
	lo, hi := math.MaxInt, 0
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	if len(values) == 0 || hi <= 0 {
		return 0, 1, 1
	}
	step = niceStep(max(hi-lo, 1))
	base = lo / step * step
	if base <= step {
		base = 0
		step = niceStep(hi)
	}
	if hi == lo && base > 0 {
		// A series that did not move sits mid-panel, not on the axis,
		// where it would read as a low.
		return lo - step, step, 2
	}
	// One step of headroom above the highest value, for its label.
	ticks = (hi-base)/step + 1
	return base, step, ticks
}

// lineChart draws c as small multiples in the box x,y,w,h: one panel per
// series, each with its own y axis fitted to its values (fitRange; an axis
// not starting at 0 says so), one category per run along the x axis and a
// marker with its value per run. Runs listed in hollow are drawn with an
// open marker (their figures are lower bounds). Labels are thinned so that
// they never overlap.
func (d *doc) lineChart(x, y, w, h float64, c reports.Chart, colors []rgb, hollow map[int]bool) {
	f := d.f
	d.ensure(h)
	y = d.y()
	d.font("B", 10.5, cNavy)
	d.cellText(x, y, w, 6, c.Title, "L")
	n := len(c.Categories)
	if n == 0 || len(c.Series) == 0 {
		f.SetXY(x, y+h)
		return
	}
	const gap, left, bottom, top, legendH = 6.0, 11.0, 16.0, 16.0, 7.0
	panelW := (w - gap*float64(len(c.Series)-1)) / float64(len(c.Series))
	for si, s := range c.Series {
		col := colors[si%len(colors)]
		x0 := x + float64(si)*(panelW+gap)
		px, py := x0+left, y+top
		pw, ph := panelW-left-3, h-top-bottom-legendH
		d.font("B", 8, col)
		d.cellText(x0, y+7, panelW, 4, s.Name, "L")

		base, step, ticks := fitRange(s.Values)
		scale := ph / float64(ticks*step)
		yAt := func(v int) float64 { return py + ph - float64(v-base)*scale }
		for i := 0; i <= ticks; i++ {
			gy := py + ph - float64(i*step)*scale
			d.rule(px, gy, px+pw, cRule, 0.15)
			d.font("", 6.5, cMuted)
			d.cellText(x0, gy-2, left-1.5, 4, strconv.Itoa(base+i*step), "R")
		}
		d.rule(px, py+ph, px+pw, cInk, 0.3)
		f.SetDrawColor(cInk.r, cInk.g, cInk.b)
		f.Line(px, py, px, py+ph)
		if base > 0 {
			d.font("", 6.5, cMuted)
			d.cellText(x0, y+11, panelW-3, 3.5, "axis from "+strconv.Itoa(base), "L")
		}

		// Runs sit in the middle of equal slots, so one run or many look alike.
		slot := pw / float64(n)
		xAt := func(i int) float64 { return px + slot*(float64(i)+0.5) }
		// Print every k-th label so that labels never overlap, counting
		// back from the latest run, which is always labelled.
		d.font("", 6.5, cInk)
		labelW := 0.0
		for _, cat := range c.Categories {
			labelW = max(labelW, d.f.GetStringWidth(d.san.clean(cat))+2)
		}
		every := max(1, int(math.Ceil(labelW/slot)))
		for i := n - 1; i >= 0; i -= every {
			d.cellText(xAt(i)-labelW/2, py+ph+1.5, labelW, 4, c.Categories[i], "C")
		}

		// Values are narrower than dates: thinned on their own.
		d.font("B", 6.5, col)
		valueW := 0.0
		for i := 0; i < n; i++ {
			valueW = max(valueW, d.f.GetStringWidth(strconv.Itoa(valueAt(s, i)))+1.5)
		}
		everyV := max(1, int(math.Ceil(valueW/slot)))
		f.SetDrawColor(col.r, col.g, col.b)
		f.SetLineWidth(0.6)
		for i := 1; i < n; i++ {
			f.Line(xAt(i-1), yAt(valueAt(s, i-1)), xAt(i), yAt(valueAt(s, i)))
		}
		for i := 0; i < n; i++ {
			cx, cy := xAt(i), yAt(valueAt(s, i))
			f.SetDrawColor(col.r, col.g, col.b)
			f.SetLineWidth(0.4)
			if hollow[i] {
				d.fill(cWhite)
				f.Circle(cx, cy, 1.1, "FD")
			} else {
				d.fill(col)
				f.Circle(cx, cy, 1.1, "F")
			}
			// Each value above its marker, where the labels have room.
			if i%everyV == (n-1)%everyV {
				d.font("B", 6.5, col)
				d.cellText(cx-6, cy-4.6, 12, 3.5, strconv.Itoa(valueAt(s, i)), "C")
			}
		}
	}
	d.font("", 7.5, cMuted)
	d.cellText(x, y+h-legendH-bottom+10.5, w, 4, c.XLabel+"; each panel has its own scale", "C")
	if len(hollow) > 0 {
		lx, ly := x, y+h-legendH+1
		f.SetDrawColor(cInk.r, cInk.g, cInk.b)
		f.SetLineWidth(0.4)
		d.fill(cWhite)
		f.Circle(lx+2.5, ly+2.4, 1.1, "FD")
		d.font("", 7.5, cMuted)
		label := "incomplete run (figures are lower bounds)"
		d.cellText(lx+5, ly, f.GetStringWidth(label)+1, 4.8, label, "L")
	}
	f.SetXY(x, y+h)
}
