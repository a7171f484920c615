// Package pdf renders the board-level report, shadowpath-report.pdf, from
// the shared view model (reports.BuildView): cover, one-page executive
// summary, the trend across kept runs (when there are two or more), charts,
// control matrix, findings (one section per check: its narrative once, then
// each provider's result and affected subjects) and the scope and
// methodology appendix. It summarizes; the XLSX holds every row.
//
// All text goes through one sanitizer (sanitize.go) before gofpdf measures or
// draws it, and the output is deterministic: dates come from the results'
// generated_at and the catalog is sorted.
package pdf

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/jung-kurt/gofpdf"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/templates"
)

// Options configure the PDF writer.
type Options struct {
	// Templates supplies the narrative text (--template-dir); nil means the
	// embedded set.
	Templates *templates.Set
}

// PDF writes shadowpath-report.pdf.
type PDF struct {
	opts Options
}

var _ reports.Writer = (*PDF)(nil)

// New returns a PDF writer.
func New(opts Options) *PDF { return &PDF{opts: opts} }

// Format implements reports.Writer.
func (*PDF) Format() string { return "pdf" }

// Filename implements reports.Writer.
func (*PDF) Filename() string { return "shadowpath-report.pdf" }

var fontSanitizer = sync.OnceValues(func() (*sanitizer, error) {
	return newSanitizer(templates.FontRegular(), templates.FontBold())
})

// Write implements reports.Writer.
func (p *PDF) Write(ctx context.Context, w io.Writer, r *checks.Results) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := reports.BuildView(r, reports.ViewOptions{Templates: p.opts.Templates})
	if err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	san, err := fontSanitizer()
	if err != nil {
		return err
	}
	d := newDoc(v, san)
	d.render(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.f.Output(w); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	return nil
}

// Page geometry (mm, A4 portrait).
const (
	pageW   = 210.0
	pageH   = 297.0
	marginL = 18.0
	marginR = 18.0
	marginT = 22.0
	marginB = 20.0
	bodyW   = pageW - marginL - marginR
)

type rgb struct{ r, g, b int }

// Palette: the report's colours of meaning come from reports (the same in
// the XLSX); the rest only lay out the page.
var (
	cNavy    = hexRGB(reports.ColorNavy)
	cInk     = rgb{33, 37, 41}
	cMuted   = hexRGB(reports.ColorMuted)
	cRule    = rgb{209, 213, 219}
	cZebra   = rgb{246, 247, 249}
	cTint    = rgb{234, 240, 247}
	cWarnBg  = rgb{255, 243, 224}
	cWhite   = rgb{255, 255, 255}
	cSecond  = hexRGB(reports.ColorSecond)
	cThird   = hexRGB(reports.ColorThird)
	cNominal = hexRGB(reports.ColorNominal)
)

// hexRGB converts a palette colour ("1F3A5F"); anything else is muted grey.
func hexRGB(s string) rgb {
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil || len(s) != 6 {
		return rgb{117, 117, 117}
	}
	return rgb{int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)}
}

// statusColor is the colour of a status.
func statusColor(s checks.Status) rgb { return hexRGB(reports.StatusColor(s)) }

func severityColor(s checks.Severity) rgb { return hexRGB(reports.SeverityColor(s)) }

// doc wraps gofpdf; its methods are the only way text reaches the page and
// they all clean it first.
type doc struct {
	f   *gofpdf.Fpdf
	v   *reports.View
	san *sanitizer
}

func newDoc(v *reports.View, san *sanitizer) *doc {
	f := gofpdf.New("P", "mm", "A4", "")
	f.AliasNbPages("{nb}") // before the fonts: gofpdf subsets differently with an alias
	f.AddUTF8FontFromBytes("dejavu", "", templates.FontRegular())
	f.AddUTF8FontFromBytes("dejavu", "B", templates.FontBold())
	f.SetMargins(marginL, marginT, marginR)
	f.SetCellMargin(0)                 // padding is explicit; gofpdf's would shrink every wrap width
	f.SetAutoPageBreak(false, marginB) // breaks are placed by the layout code
	f.SetCreationDate(v.Cover.ScanTime)
	f.SetModificationDate(v.Cover.ScanTime)
	f.SetCatalogSort(true)
	f.SetCompression(true)
	d := &doc{f: f, v: v, san: san}
	f.SetTitle(d.san.clean(v.Cover.Title+" — "+v.Cover.Organization), true)
	f.SetSubject(d.san.clean(v.Cover.Subtitle), true)
	f.SetAuthor(d.san.clean(v.Cover.Tool), true)
	f.SetCreator(d.san.clean(v.Cover.Tool), true)
	f.SetKeywords("shadowpath; NIST SP 800-63B-4; NIST CSF 2.0; OWASP NHI Top 10", true)
	f.SetHeaderFunc(d.header)
	f.SetFooterFunc(d.footer)
	return d
}

// header and footer skip the cover (page 1).
func (d *doc) header() {
	if d.f.PageNo() <= 1 {
		return
	}
	f := d.f
	d.font("", 7.5, cMuted)
	f.SetXY(marginL, 10)
	f.CellFormat(bodyW/2, 4, d.san.clean(d.v.Cover.Organization), "", 0, "L", false, 0, "")
	f.CellFormat(bodyW/2, 4, d.san.clean(d.v.Cover.Title), "", 0, "R", false, 0, "")
	d.rule(marginL, 15, pageW-marginR, cRule, 0.2)
	f.SetXY(marginL, marginT)
}

func (d *doc) footer() {
	if d.f.PageNo() <= 1 {
		return
	}
	f := d.f
	d.rule(marginL, pageH-14, pageW-marginR, cRule, 0.2)
	d.font("", 7.5, cMuted)
	f.SetXY(marginL, pageH-12.5)
	f.CellFormat(bodyW*0.7, 4, d.san.clean(d.v.Cover.Classification+" · generated "+d.v.Cover.ScanTime.Format("2006-01-02 15:04 UTC")+" by "+d.v.Cover.Tool), "", 0, "L", false, 0, "")
	f.CellFormat(bodyW*0.3, 4, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
}

func (d *doc) font(style string, size float64, c rgb) {
	d.f.SetFont("dejavu", style, size)
	d.f.SetTextColor(c.r, c.g, c.b)
}

func (d *doc) fill(c rgb) { d.f.SetFillColor(c.r, c.g, c.b) }

func (d *doc) rule(x1, y, x2 float64, c rgb, w float64) {
	d.f.SetDrawColor(c.r, c.g, c.b)
	d.f.SetLineWidth(w)
	d.f.Line(x1, y, x2, y)
}

func (d *doc) y() float64 { return d.f.GetY() }

// room reports whether h mm fit above the bottom margin.
func (d *doc) room(h float64) bool { return d.y()+h <= pageH-marginB }

// ensure starts a new page unless h mm fit.
func (d *doc) ensure(h float64) {
	if !d.room(h) {
		d.f.AddPage()
	}
}

// lines wraps cleaned text to width w at the current font. An empty text is
// one empty line.
func (d *doc) lines(text string, w float64) []string {
	text = d.san.clean(text)
	if strings.TrimSpace(text) == "" {
		return []string{""}
	}
	ls := wrap(text, w, d.f.GetStringWidth)
	if len(ls) == 0 {
		return []string{""}
	}
	return ls
}

// breakAfter are the characters a token too wide for its column may be
// broken after: e-mail addresses, ids, scopes and paths then wrap at their
// own separators ("hr-systems@" / "acme.com"), never between two letters.
const breakAfter = "@.-_/:,;=&?+"

// wrap breaks text into lines no wider than w: at spaces, and a word wider
// than a whole line after its last separator that fits (breakAfter). Only a
// word with no separator at all that still does not fit (a long hash in a
// narrow column) is broken where the line ends. Newlines are kept.
func wrap(text string, w float64, width func(string) float64) []string {
	var out []string
	for _, para := range strings.Split(text, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			cand := word
			if line != "" {
				cand = line + " " + word
			}
			if width(cand) <= w {
				line = cand
				continue
			}
			if line != "" {
				out = append(out, line)
				line = ""
			}
			for width(word) > w {
				head, rest := splitToken(word, w, width)
				out = append(out, head)
				word = rest
			}
			line = word
		}
		out = append(out, line)
	}
	return out
}

// splitToken cuts the longest head of word that fits w: after a separator
// when one fits, else where the width runs out (at least one rune).
func splitToken(word string, w float64, width func(string) float64) (head, rest string) {
	r := []rune(word)
	fit := 1
	for fit < len(r) && width(string(r[:fit+1])) <= w {
		fit++
	}
	for i := fit; i > 0; i-- {
		if strings.ContainsRune(breakAfter, r[i-1]) && i < len(r) {
			return string(r[:i]), string(r[i:])
		}
	}
	return string(r[:fit]), string(r[fit:])
}

// text draws text (cleaned) as a left-aligned paragraph of width w at x,
// breaking pages between lines.
func (d *doc) para(x, w float64, text string, style string, size float64, c rgb, lineH float64) {
	d.font(style, size, c)
	for _, l := range d.lines(text, w) {
		d.ensure(lineH)
		d.font(style, size, c) // the header may have changed it
		d.f.SetX(x)
		d.f.CellFormat(w, lineH, l, "", 1, "L", false, 0, "")
	}
}

// cellText draws one already-wrapped line.
func (d *doc) cellText(x, y, w, h float64, text, align string) {
	d.f.SetXY(x, y)
	d.f.CellFormat(w, h, d.san.clean(text), "", 0, align, false, 0, "")
}

// heading starts a section: optional new page, bookmark, title.
func (d *doc) heading(title string, level int, newPage bool) {
	if newPage {
		d.f.AddPage()
	} else {
		d.ensure(24)
	}
	size, gap := 17.0, 3.0
	if level > 0 {
		size, gap = 12.5, 1.5
	}
	d.f.Bookmark(d.san.clean(title), level, -1)
	d.para(marginL, bodyW, title, "B", size, cNavy, size*0.5)
	if level == 0 {
		d.rule(marginL, d.y()+0.5, marginL+30, cNavy, 0.8)
		d.f.Ln(gap + 2)
	} else {
		d.f.Ln(gap)
	}
}

// subheading is a small bold label above a block (kept with 20 mm of content).
func (d *doc) subheading(title string) {
	d.ensure(20)
	d.f.Ln(1)
	d.para(marginL, bodyW, title, "B", 10, cInk, 5.2)
	d.f.Ln(0.3)
}

// pill draws a filled label at x,y and returns its width.
func (d *doc) pill(x, y float64, text string, bg rgb) float64 {
	d.font("B", 7, cWhite)
	text = d.san.clean(text)
	w := d.f.GetStringWidth(text) + 4
	d.fill(bg)
	d.f.RoundedRect(x, y, w, 4.6, 1.2, "1234", "F")
	d.f.SetXY(x, y)
	d.f.CellFormat(w, 4.6, text, "", 0, "C", false, 0, "")
	return w
}

// column describes a table column.
type column struct {
	title string
	w     float64 // mm; the widths of a table add up to bodyW
	align string
}

// cell is one table cell.
type cell struct {
	text  string
	color *rgb // text colour
	bold  bool
	pill  *rgb // draw the text as a coloured label
	// detail is a second block drawn below text in the regular face
	// (detailColor, default ink): a finding's facts under its message.
	detail      string
	detailColor *rgb
}

func txt(s string) cell { return cell{text: s} }

func statusCell(s checks.Status) cell {
	if s == "" {
		return cell{text: "—", color: &cMuted}
	}
	c := statusColor(s)
	return cell{text: reports.StatusLabel(s), pill: &c}
}

func severityCell(s checks.Severity) cell {
	c := severityColor(s)
	return cell{text: reports.SeverityLabel(s), color: &c, bold: true}
}

const (
	tableFont  = 8.0
	tableLineH = 3.8
	cellPad    = 1.4
	maxLines   = 14 // a cell never grows past this; the XLSX has the rest
	detailGap  = 0.8
)

// headerHeight is the height of a table's header row.
func (d *doc) headerHeight(cols []column) float64 {
	d.font("B", tableFont, cWhite)
	h := 0.0
	for _, c := range cols {
		h = max(h, float64(len(d.lines(c.title, c.w-2*cellPad)))*tableLineH+2*cellPad)
	}
	return h
}

// tableLead is the height of a table's header and first row: what must fit
// for the table to start on this page.
func (d *doc) tableLead(cols []column, rows [][]cell) float64 {
	h := d.headerHeight(cols)
	if len(rows) > 0 {
		_, _, first := d.measureRow(cols, rows[0])
		h += first
	}
	return h
}

// measureRow wraps a row: its lines per column, where each column's detail
// starts, and its height.
func (d *doc) measureRow(cols []column, row []cell) (wrapped [][]string, split []int, h float64) {
	wrapped = make([][]string, len(cols))
	split = make([]int, len(cols)) // lines of text before detail's
	for i, c := range cols {
		if i >= len(row) {
			continue
		}
		style := ""
		if row[i].bold || row[i].pill != nil {
			style = "B"
		}
		d.font(style, tableFont, cInk)
		ls := d.lines(row[i].text, c.w-2*cellPad-0.5)
		split[i] = len(ls)
		if row[i].detail != "" {
			d.font("", tableFont, cInk)
			ls = append(ls, d.lines(row[i].detail, c.w-2*cellPad-0.5)...)
		}
		if len(ls) > maxLines {
			ls = append(ls[:maxLines-1], strings.TrimRight(ls[maxLines-1], " ")+" …")
		}
		wrapped[i] = ls
		lh := float64(len(ls))*tableLineH + 2*cellPad
		if row[i].detail != "" {
			lh += detailGap
		}
		if row[i].pill != nil {
			lh = 4.6 + 2*cellPad
		}
		h = max(h, lh)
	}
	return wrapped, split, h
}

// table draws a table that never overflows the page: long cells wrap (up to
// maxLines, then "…"), rows never split across pages, and the header row is
// repeated on every page the table spans.
func (d *doc) table(cols []column, rows [][]cell) {
	drawHeader := func() {
		d.font("B", tableFont, cWhite)
		y := d.y()
		h := 0.0
		wrapped := make([][]string, len(cols))
		for i, c := range cols {
			wrapped[i] = d.lines(c.title, c.w-2*cellPad)
			h = max(h, float64(len(wrapped[i]))*tableLineH+2*cellPad)
		}
		d.fill(cNavy)
		d.f.Rect(marginL, y, bodyW, h, "F")
		x := marginL
		for i, c := range cols {
			for j, l := range wrapped[i] {
				d.cellText(x+cellPad, y+cellPad+float64(j)*tableLineH, c.w-2*cellPad, tableLineH, l, c.align)
			}
			x += c.w
		}
		d.f.SetXY(marginL, y+h)
	}
	// The header never sits alone at the foot of a page.
	d.ensure(d.tableLead(cols, rows))
	drawHeader()
	for ri, row := range rows {
		wrapped, split, h := d.measureRow(cols, row)
		if !d.room(h) {
			d.f.AddPage()
			drawHeader()
		}
		y := d.y()
		if ri%2 == 1 {
			d.fill(cZebra)
			d.f.Rect(marginL, y, bodyW, h, "F")
		}
		x := marginL
		for i, c := range cols {
			if i < len(row) {
				cl := row[i]
				switch {
				case cl.pill != nil:
					d.pill(x+cellPad, y+cellPad-0.2, cl.text, *cl.pill)
				default:
					style, col := "", cInk
					if cl.bold {
						style = "B"
					}
					if cl.color != nil {
						col = *cl.color
					}
					d.font(style, tableFont, col)
					ly := y + cellPad
					for j, l := range wrapped[i] {
						if j == split[i] {
							dc := cInk
							if cl.detailColor != nil {
								dc = *cl.detailColor
							}
							d.font("", tableFont, dc)
							ly += detailGap
						}
						d.cellText(x+cellPad, ly, c.w-2*cellPad, tableLineH, l, c.align)
						ly += tableLineH
					}
				}
			}
			x += c.w
		}
		d.rule(marginL, y+h, marginL+bodyW, cRule, 0.15)
		d.f.SetXY(marginL, y+h)
	}
	d.f.Ln(3)
}

// box draws a tinted box with a coloured left edge around wrapped text.
func (d *doc) box(text string, bg, edge rgb, style string, size float64) {
	lineH := size * 0.5
	d.font(style, size, cInk)
	ls := d.lines(text, bodyW-10)
	h := float64(len(ls))*lineH + 6
	d.ensure(h)
	y := d.y()
	d.fill(bg)
	d.f.Rect(marginL, y, bodyW, h, "F")
	d.fill(edge)
	d.f.Rect(marginL, y, 1.5, h, "F")
	d.font(style, size, cInk)
	for i, l := range ls {
		d.cellText(marginL+6, y+3+float64(i)*lineH, bodyW-10, lineH, l, "L")
	}
	d.f.SetXY(marginL, y+h+3)
}

// colors converts a list of palette colours.
func colors(hex []string) []rgb {
	out := make([]rgb, len(hex))
	for i, h := range hex {
		out[i] = hexRGB(h)
	}
	return out
}
