package xlsx

import (
	"fmt"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Row heights. Spreadsheet files store a row's height; neither Excel nor
// LibreOffice grows a row for wrapped text when it opens a generated file, so
// the writer estimates the wrapped line count from the column width and the
// text (a greedy word wrap over approximate Calibri advance widths) and sets
// the height. The estimate is deterministic and errs on the generous side.

const (
	// digitPx is the width of one column-width unit: the maximum digit
	// width of Calibri 11 at 96 dpi.
	digitPx = 7.0
	// lineHeight is the height in points of one line of 11 pt text.
	lineHeight = 15.0
	// maxLines caps a row at Excel's maximum height (409 pt): longer text
	// stays in the cell and the formula bar, the row stops growing.
	maxLines = 27
	// maxRowHeight is Excel's maximum row height in points.
	maxRowHeight = 409.0
	// widthMargin turns the table below into drawn widths: Excel sizes a
	// column at 7 px per unit but draws Calibri at its natural size, where
	// a digit is 7.43 px (×1.06); 2 % more for hinting and kerning.
	// LibreOffice (with Carlito) sizes columns from the 7.43 px digit, so
	// there rows show some spare room.
	widthMargin = 1.08
)

// font is what the estimate needs to know about a cell's font.
type font struct {
	size float64 // points; 0 means 11
	bold bool
}

func (f font) pt() float64 {
	if f.size == 0 {
		return 11
	}
	return f.size
}

// runePx is the advance width of r in Calibri 11 relative to a digit
// drawn 7 px wide (font units / 2048 × 14.67 px × 7/7.43).
func runePx(r rune) float64 {
	switch {
	case r >= '0' && r <= '9':
		return 7
	case r >= 'a' && r <= 'z':
		return lowerPx[r-'a']
	case r >= 'A' && r <= 'Z':
		return upperPx[r-'A']
	}
	switch r {
	case ' ', '\'', '·':
		return 3.1
	case '.', ',', ':', ';':
		return 3.6
	case '(', ')', '[', ']', '{', '}', '-', '!', '|':
		return 4.4
	case '/', '"', '\\', '`', '?':
		return 5.6
	case '_', '#', '$', '*', '+', '=', '<', '>', '~', '^', '→', '›':
		return 7
	case '&', '%':
		return 9.9
	case '@', '—', '…':
		return 12.3
	}
	if r < 0x2E80 {
		return 7.5 // accented letters and other alphabets: about a wide lowercase letter
	}
	return 14.7 // CJK and other full-width scripts: one em
}

var (
	lowerPx = [26]float64{6.6, 7.3, 5.8, 7.3, 6.9, 4.2, 6.5, 7.3, 3.2, 3.3, 6.3, 3.2, 11, 7.3, 7.3, 7.3, 7.3, 4.8, 5.4, 4.6, 7.3, 6.2, 9.9, 6, 6.3, 5.5}
	upperPx = [26]float64{8, 7.5, 7.4, 8.5, 6.8, 6.4, 8.7, 8.6, 3.5, 4.4, 7.2, 5.8, 11.8, 8.9, 9.2, 7.1, 9.3, 7.5, 6.4, 6.7, 8.9, 7.8, 12.3, 7.2, 6.7, 6.5}
)

// textPx estimates the rendered width of s in pixels.
func textPx(s string, f font) float64 {
	w := 0.0
	for _, r := range s {
		w += runePx(r)
	}
	scale := f.pt() / 11 * widthMargin
	if f.bold {
		scale *= 1.04
	}
	return w * scale
}

// wrappedLines estimates how many lines s takes when wrapped in a column
// (or merged range) width units wide.
func wrappedLines(s string, width float64, f font) int {
	if s == "" {
		return 1
	}
	avail := width*digitPx - 5 // cell padding
	if avail < digitPx {
		avail = digitPx
	}
	space := textPx(" ", f)
	lines := 0
	for para := range strings.SplitSeq(s, "\n") {
		n, cur := 1, 0.0
		for _, word := range strings.Fields(para) {
			w := textPx(word, f)
			switch {
			case cur == 0 && w <= avail:
				cur = w
			case cur > 0 && cur+space+w <= avail:
				cur += space + w
			default:
				if cur > 0 {
					n++
				}
				// A word wider than the cell breaks between characters.
				for w > avail {
					w -= avail
					n++
				}
				cur = w
			}
		}
		lines += n
		if lines >= maxLines {
			return maxLines
		}
	}
	return lines
}

// rowHeight is the height in points of a row whose tallest cell needs lines
// lines of text in f.
func rowHeight(lines int, f font) float64 {
	lines = min(max(lines, 1), maxLines)
	h := float64(lines) * lineHeight * f.pt() / 11
	// maxLines is counted in 11 pt lines: a larger font reaches Excel's
	// limit sooner, and excelize refuses a taller row (a 2,000-character
	// organisation name in the title failed the whole report set).
	return min(math.Round(h*4)/4, maxRowHeight)
}

// rowFit tracks the tallest cell of one row.
type rowFit struct {
	height float64 // points; 0 while every cell fits on one default line
}

// add records a cell holding s in a wrapping style of font f, width units wide.
func (r *rowFit) add(s string, width float64, f font) {
	if s == "" {
		return
	}
	lines := wrappedLines(s, width, f)
	if lines <= 1 && f.pt() <= 11 {
		return
	}
	r.height = max(r.height, rowHeight(lines, f))
}

// cellText is the text a cell shows, for the estimate (numbers and dates are
// short and never wrap, so only strings count).
func cellText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), utf8.Valid(x)
	}
	return "", false
}

// Page setup. Every sheet prints on pages one sheet wide (as many pages tall
// as it needs), landscape when its columns are wider than a portrait page,
// with the table header repeated on every page and a header and footer that
// name the organisation, the sheet, the classification and the page.

// portraitUnits is about how many column-width units fit across a portrait
// A4 or Letter page at 100 % with the margins below.
const portraitUnits = 95

// printSetup is what one sheet needs to print well.
type printSetup struct {
	widths      []float64 // column widths, from A
	titleRow    int       // header row repeated on every page; 0 for none
	orientation string    // "portrait" or "landscape"; "" chooses from the widths
}

func (p printSetup) landscape() bool {
	if p.orientation != "" {
		return p.orientation == "landscape"
	}
	total := 0.0
	for _, w := range p.widths {
		total += w
	}
	return total > portraitUnits
}

// hfEscape makes s literal in a header or footer: & starts a code there,
// and a line break or other control character would break the layout.
func hfEscape(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.ReplaceAll(s, "&", "&&")
}

// hfCut shortens s to n runes.
func hfCut(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// fitToPage must be set before a streamed sheet's writer is created: the
// stream writes sheetPr first.
func (b *book) fitToPage(name string) error {
	fit := true
	return b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit})
}

// pageSetup sets orientation, fit to one page wide, margins, header and
// footer and print titles for one sheet. For a streamed sheet it must run
// before Flush.
func (b *book) pageSetup(name string, p printSetup) error {
	orient := "portrait"
	if p.landscape() {
		orient = "landscape"
	}
	one, zero := 1, 0
	if err := b.f.SetPageLayout(name, &excelize.PageLayoutOptions{Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}); err != nil {
		return err
	}
	lr, tb, hf := 0.4, 0.75, 0.3
	if err := b.f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &lr, Right: &lr, Top: &tb, Bottom: &tb, Header: &hf, Footer: &hf}); err != nil {
		return err
	}
	v := b.v
	class := hfEscape(hfCut(v.Cover.Classification, 40))
	org := hfEscape(hfCut(v.Cover.Organization, 60))
	tool := hfEscape(hfCut(v.Cover.Tool, 40))
	header := fmt.Sprintf(`&L&8%s&C&"-,Bold"&9&A&R&"-,Bold"&8%s`, org, class)
	footer := fmt.Sprintf(`&L&8%s · generated %s&C&8Page &P of &N&R&8%s`, tool, v.Cover.ScanTime.UTC().Format("2006-01-02 15:04 UTC"), class)
	if err := b.f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddHeader: header, OddFooter: footer}); err != nil {
		return err
	}
	if p.titleRow > 0 {
		return b.f.SetDefinedName(&excelize.DefinedName{
			Name:     "_xlnm.Print_Titles",
			RefersTo: fmt.Sprintf("'%s'!$%d:$%d", name, p.titleRow, p.titleRow),
			Scope:    name,
		})
	}
	return nil
}
