package xlsx

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

func TestPageSetupEverySheet(t *testing.T) {
	f := open(t, write(t, fixture.Results()))
	// The header row each sheet repeats on every printed page; sheets with
	// several tables (Summary, Evidence) repeat none.
	titles := map[string]int{
		SheetChecks: 1, SheetFindings: 1, SheetIdentity: 1, SheetPaths: 1, SheetRecovery: 3, SheetWorkloads: 3, SheetActions: 3,
		SheetControls: 1, SheetWaivers: 1, SheetDrift: 3, SheetTrend: 3,
	}
	printTitles := map[string]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" {
			printTitles[dn.Scope] = dn.RefersTo
		}
	}
	for _, sheet := range f.GetSheetList() {
		t.Run(sheet, func(t *testing.T) {
			pl, err := f.GetPageLayout(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if pl.FitToWidth == nil || *pl.FitToWidth != 1 || pl.FitToHeight == nil || *pl.FitToHeight != 0 {
				t.Errorf("fit to width/height = %v/%v, want 1/0", deref(pl.FitToWidth), deref(pl.FitToHeight))
			}
			wantOrient := "landscape"
			if sheet == SheetSummary {
				wantOrient = "portrait"
			}
			if pl.Orientation == nil || *pl.Orientation != wantOrient {
				t.Errorf("orientation = %v, want %s", deref(pl.Orientation), wantOrient)
			}
			props, err := f.GetSheetProps(sheet)
			if err != nil {
				t.Fatal(err)
			}
			if props.FitToPage == nil || !*props.FitToPage {
				t.Error("fitToPage is not set: Excel ignores fitToWidth without it")
			}
			hf, err := f.GetHeaderFooter(sheet)
			if err != nil || hf == nil {
				t.Fatalf("header/footer: %v, %v", hf, err)
			}
			for _, want := range []string{"&A", "Confidential", "Acme Holdings"} {
				if !strings.Contains(hf.OddHeader, want) {
					t.Errorf("header %q lacks %q", hf.OddHeader, want)
				}
			}
			for _, want := range []string{"&P", "&N"} {
				if !strings.Contains(hf.OddFooter, want) {
					t.Errorf("footer %q lacks %q", hf.OddFooter, want)
				}
			}
			got, ok := printTitles[sheet]
			if row, want := titles[sheet]; want {
				if ref := fmt.Sprintf("'%s'!$%d:$%d", sheet, row, row); got != ref {
					t.Errorf("print titles = %q, want %q", got, ref)
				}
				if v, _ := f.GetCellValue(sheet, fmt.Sprintf("A%d", row)); v == "" {
					t.Errorf("print title row %d is empty", row)
				}
			} else if ok {
				t.Errorf("print titles = %q, want none", got)
			}
		})
	}
	t.Run("an ampersand in the organisation is literal", func(t *testing.T) {
		var buf bytes.Buffer
		r := fixture.Results()
		r.Organization = "Smith & Sons"
		if err := New(Options{}).Write(t.Context(), &buf, r); err != nil {
			t.Fatal(err)
		}
		hf, err := open(t, buf.Bytes()).GetHeaderFooter(SheetChecks)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(hf.OddHeader, "Smith && Sons") {
			t.Errorf("header = %q", hf.OddHeader)
		}
	})
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// rowOf is the 1-based row of the first cell in column col holding want
// (prefix match when prefix).
func rowOf(t *testing.T, f *excelize.File, sheet, col, want string, prefix bool) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	ci, err := excelize.ColumnNameToNumber(col)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) < ci {
			continue
		}
		if v := r[ci-1]; v == want || (prefix && strings.HasPrefix(v, want)) {
			return i + 1
		}
	}
	t.Fatalf("%s!%s: no %q", sheet, col, want)
	return 0
}

func height(t *testing.T, f *excelize.File, sheet string, row int) float64 {
	t.Helper()
	h, err := f.GetRowHeight(sheet, row)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestRowHeightsFitWrappedText(t *testing.T) {
	r := fixture.Results()
	f := open(t, write(t, r))
	merged, err := f.GetMergeCells(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	isMerged := func(ref string) bool {
		for _, m := range merged {
			if m.GetStartAxis()+":"+m.GetEndAxis() == ref {
				return true
			}
		}
		return false
	}
	t.Run("headline and trend sentence span A:H with room for their lines", func(t *testing.T) {
		for _, prefix := range []string{"3 of 13 accounts", "Trend: ", "Not read in full: "} {
			row := rowOf(t, f, SheetSummary, "A", prefix, true)
			if ref := fmt.Sprintf("A%d:H%d", row, row); !isMerged(ref) {
				t.Errorf("%q: %s is not merged (merged: %v)", prefix, ref, merged)
			}
		}
		for _, prefix := range []string{"3 of 13 accounts", "Trend: "} {
			if h := height(t, f, SheetSummary, rowOf(t, f, SheetSummary, "A", prefix, true)); h < 2*lineHeight {
				t.Errorf("%q row height = %v, want two lines or more", prefix, h)
			}
		}
	})
	t.Run("top risks rows do not overlap", func(t *testing.T) {
		first := rowOf(t, f, SheetSummary, "A", "Risk", false) + 1
		rows, _ := f.GetRows(SheetSummary)
		n := 0
		for row := first; row <= len(rows) && len(rows[row-1]) > 0 && rows[row-1][0] != ""; row++ {
			text := rows[row-1][0]
			want := lineHeight
			if textPx(text, font{})/(summaryCols[0]*digitPx) > 1.05 {
				want = 2 * lineHeight
			}
			if h := height(t, f, SheetSummary, row); h < want {
				t.Errorf("row %d %.40q: height %v, want >= %v", row, text, h, want)
			}
			n++
		}
		if n == 0 {
			t.Fatal("no top risks found")
		}
	})
	t.Run("wrapped headers are not clipped", func(t *testing.T) {
		row := rowOf(t, f, SheetSummary, "A", "Assurance level", false)
		if h := height(t, f, SheetSummary, row); h < 2*lineHeight {
			t.Errorf("AAL header row height %v: %q does not fit one line at width %v", h, "Nominal (strongest method)", summaryCols[1])
		}
		if h := height(t, f, SheetTrend, 3); h < 3*lineHeight {
			t.Errorf("Trend header row height %v, want >= 3 lines", h)
		}
	})
	t.Run("one-line rows keep the default height", func(t *testing.T) {
		if h := height(t, f, SheetSummary, rowOf(t, f, SheetSummary, "A", "Accounts assessed", false)); h != lineHeight {
			t.Errorf("key figure row height = %v", h)
		}
	})
	t.Run("streamed findings rows grow with their evidence", func(t *testing.T) {
		r := fixture.Results()
		for i := range r.Checks {
			if c := &r.Checks[i]; c.ID == "REC-03" {
				c.Findings[0].Evidence["weakest_recovery_path"] = strings.Repeat("email OTP then a security question, ", 12)
			}
		}
		f := open(t, write(t, r))
		rows, err := f.GetRows(SheetFindings)
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := findingColumns()
		tall, short := 0, 0
		for i, row := range rows[1:] {
			h := height(t, f, SheetFindings, i+2)
			// Only wrapping columns grow a row.
			fits, long := true, ""
			for j, v := range row {
				if j >= len(cs) || !cs[j].wrap {
					continue
				}
				px := textPx(v, font{})
				if px >= (cs[j].w-1)*digitPx {
					fits = false
				}
				if px > 2.2*cs[j].w*digitPx {
					long = v
				}
			}
			switch {
			case long != "":
				tall++
				if h < 3*lineHeight {
					t.Errorf("row %d: a cell of %d characters in a row %v high", i+2, len(long), h)
				}
			case fits:
				short++
				if h != lineHeight {
					t.Errorf("row %d: short row %v high: %q", i+2, h, row)
				}
			}
		}
		if tall == 0 || short == 0 {
			t.Errorf("fixture gave %d tall and %d short rows; want both", tall, short)
		}
	})
}

func TestSummaryChartsCoverNoCells(t *testing.T) {
	b := write(t, fixture.Results())
	ps := parts(t, b)
	f := open(t, b)
	rels := string(ps["xl/worksheets/_rels/sheet1.xml.rels"])
	m := regexp.MustCompile(`Target="\.\./drawings/(drawing\d+\.xml)"`).FindStringSubmatch(rels)
	if m == nil {
		t.Fatalf("Summary has no drawing: %s", rels)
	}
	drawing := string(ps[path.Join("xl/drawings", m[1])])
	anchor := regexp.MustCompile(`<xdr:from><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>.*?<xdr:to><xdr:col>(\d+)</xdr:col><xdr:colOff>\d+</xdr:colOff><xdr:row>(\d+)</xdr:row>`)
	anchors := anchor.FindAllStringSubmatch(drawing, -1)
	if len(anchors) != 2 {
		t.Fatalf("%d charts on the Summary, want 2", len(anchors))
	}
	rows, err := f.GetRows(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range anchors {
		c0, _ := strconv.Atoi(a[1])
		r0, _ := strconv.Atoi(a[2])
		c1, _ := strconv.Atoi(a[3])
		r1, _ := strconv.Atoi(a[4])
		if c1 >= len(summaryCols) {
			t.Errorf("chart %d reaches column %d, past H", i+1, c1+1)
		}
		// 0-based anchor rows; the row holding the chart's bottom edge
		// must be empty too.
		for r := r0; r <= r1 && r < len(rows); r++ {
			for c := c0; c <= c1 && c < len(rows[r]); c++ {
				if rows[r][c] != "" {
					cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
					t.Errorf("chart %d covers %s = %q", i+1, cell, rows[r][c])
				}
			}
		}
	}
	// Titles, axis titles and a legend on every chart.
	for name, data := range ps {
		if !strings.HasPrefix(name, "xl/charts/chart") {
			continue
		}
		x := string(data)
		if n := strings.Count(x, "<title>"); n != 3 || !strings.Contains(x, "<legend>") {
			t.Errorf("%s: %d titles (want chart + 2 axes), legend %v", name, n, strings.Contains(x, "<legend>"))
		}
	}
}

func TestDatesAndNumbersAreTyped(t *testing.T) {
	f := open(t, write(t, fixture.Results()))
	waiver := rowOf(t, f, SheetWaivers, "I", "2027-03-31", false)
	reset := rowOf(t, f, SheetRecovery, "A", "2026-11-02 09:14", false)
	created := rowOf(t, f, SheetWorkloads, "L", "2019-04-01", false)
	tests := []struct {
		name, sheet, cell, shown, format string
	}{
		{"waiver expiry is a date", SheetWaivers, fmt.Sprintf("I%d", waiver), "2027-03-31", "yyyy-mm-dd"},
		{"finding waiver expiry is a date", SheetFindings, "AB3", "2027-03-31", "yyyy-mm-dd"},
		{"event time is a date-time", SheetRecovery, fmt.Sprintf("A%d", reset), "2026-11-02 09:14", "yyyy-mm-dd hh:mm"},
		{"credential creation is a date", SheetWorkloads, fmt.Sprintf("L%d", created), "2019-04-01", "yyyy-mm-dd"},
		{"credential expiry is a date", SheetWorkloads, fmt.Sprintf("M%d", created), "2299-12-31", "yyyy-mm-dd"},
		{"credential age is a number", SheetWorkloads, fmt.Sprintf("N%d", created), "2,796", ""},
		{"collection time is a date-time", SheetEvidence, "D3", "2026-11-26 11:56", "yyyy-mm-dd hh:mm"},
		{"trend run is a date-time", SheetTrend, "A4", "2026-08-26 12:00", "yyyy-mm-dd hh:mm"},
		{"key figure is a number", SheetSummary, fmt.Sprintf("B%d", rowOf(t, f, SheetSummary, "A", "Accounts assessed", false)), "13", ""},
		{"finding count is a number", SheetChecks, "H2", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			shown, err := f.GetCellValue(tt.sheet, tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			if tt.shown != "" && shown != tt.shown {
				t.Errorf("%s!%s shows %q, want %q", tt.sheet, tt.cell, shown, tt.shown)
			}
			raw, err := f.GetCellValue(tt.sheet, tt.cell, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := strconv.ParseFloat(raw, 64); err != nil {
				t.Errorf("%s!%s holds %q, not a number", tt.sheet, tt.cell, raw)
			}
			typ, _ := f.GetCellType(tt.sheet, tt.cell)
			if typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
				t.Errorf("%s!%s is a string", tt.sheet, tt.cell)
			}
			if tt.format == "" {
				return
			}
			id, err := f.GetCellStyle(tt.sheet, tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			if st.CustomNumFmt == nil || *st.CustomNumFmt != tt.format {
				t.Errorf("%s!%s format = %v, want %q", tt.sheet, tt.cell, deref(st.CustomNumFmt), tt.format)
			}
		})
	}
}

func TestFrozenPanesAndFilters(t *testing.T) {
	ps := parts(t, write(t, fixture.Results()))
	f := open(t, write(t, fixture.Results()))
	for _, tt := range []struct {
		sheet  string
		header int
	}{
		{SheetChecks, 1}, {SheetFindings, 1}, {SheetIdentity, 1}, {SheetRecovery, 3}, {SheetWorkloads, 3},
		{SheetControls, 1}, {SheetWaivers, 1}, {SheetDrift, 3}, {SheetTrend, 3},
	} {
		t.Run(tt.sheet, func(t *testing.T) {
			idx, err := f.GetSheetIndex(tt.sheet)
			if err != nil {
				t.Fatal(err)
			}
			x := string(ps[fmt.Sprintf("xl/worksheets/sheet%d.xml", idx+1)])
			if want := fmt.Sprintf(`ySplit="%d"`, tt.header); !strings.Contains(x, want) || !strings.Contains(x, `state="frozen"`) {
				t.Errorf("panes not frozen under row %d", tt.header)
			}
			if want := fmt.Sprintf(`<autoFilter ref="$A$%d:`, tt.header); !strings.Contains(x, want) && !strings.Contains(x, fmt.Sprintf(`<autoFilter ref="A%d:`, tt.header)) {
				t.Errorf("no autofilter on row %d", tt.header)
			}
		})
	}
}

func TestLongOrganizationWraps(t *testing.T) {
	var buf bytes.Buffer
	org := strings.Repeat("Very Long Holding Company Name ", 8)
	r := fixture.Results()
	r.Organization = org
	if err := New(Options{}).Write(t.Context(), &buf, r); err != nil {
		t.Fatal(err)
	}
	f := open(t, buf.Bytes())
	if h := height(t, f, SheetSummary, 1); h < 2*rowHeight(1, font{size: 16}) {
		t.Errorf("title row height %v for a %d-character title", h, len(org))
	}
	hf, err := f.GetHeaderFooter(SheetSummary)
	if err != nil {
		t.Fatal(err)
	}
	if n := len([]rune(hf.OddHeader)); n > 255 {
		t.Errorf("header is %d characters, Excel allows 255", n)
	}
}

func TestSummaryContentsLinksEverySheet(t *testing.T) {
	tests := []struct {
		name  string
		drift bool
	}{{"with drift", true}, {"without drift", false}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fixture.Results()
			if !tt.drift {
				r.Drift = nil
			}
			f := open(t, write(t, r))
			first := rowOf(t, f, SheetSummary, "A", "Sheets in this workbook", false) + 1
			var linked []string
			for row := first; ; row++ {
				cell := fmt.Sprintf("A%d", row)
				name, _ := f.GetCellValue(SheetSummary, cell)
				if name == "" {
					break
				}
				ok, target, err := f.GetCellHyperLink(SheetSummary, cell)
				if err != nil {
					t.Fatal(err)
				}
				if want := fmt.Sprintf("'%s'!A1", name); !ok || target != want {
					t.Errorf("%s %q links to %q (%v), want %q", cell, name, target, ok, want)
				}
				linked = append(linked, name)
			}
			want := f.GetSheetList()[1:]
			if strings.Join(linked, ",") != strings.Join(want, ",") {
				t.Errorf("contents list %q, workbook has %q", linked, want)
			}
		})
	}
}
