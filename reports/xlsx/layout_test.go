package xlsx

import (
	"strings"
	"testing"
)

func TestWrappedLines(t *testing.T) {
	sentence := "4 privileged accounts can be phished: a fallback that is not phishing-resistant is still usable."
	tests := []struct {
		name     string
		text     string
		width    float64
		f        font
		min, max int
	}{
		{"empty", "", 20, font{}, 1, 1},
		{"short word", "okta", 9, font{}, 1, 1},
		{"fits in a wide column", sentence, 120, font{}, 1, 1},
		{"two lines at 42", sentence, 42, font{}, 2, 3},
		{"many lines when narrow", sentence, 12, font{}, 6, 12},
		{"explicit newlines count", "one\ntwo\nthree", 40, font{}, 3, 3},
		{"a long token breaks between characters", strings.Repeat("a1b2c3d4", 20), 20, font{}, 7, 10},
		{"bold header wraps", "Accounts below nominal AAL", 10, font{bold: true}, 3, 4},
		{"Entra GUID fits a 40-wide column", "4e9b3f85-6c7a-4dbe-8e4f-3a5b6c7d8e9f", 40, font{}, 1, 1},
		{"capped", strings.Repeat("word ", 400), 10, font{}, maxLines, maxLines},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := wrappedLines(tt.text, tt.width, tt.f)
			if got < tt.min || got > tt.max {
				t.Errorf("wrappedLines(%.30q, %v) = %d, want %d..%d", tt.text, tt.width, got, tt.min, tt.max)
			}
		})
	}
	t.Run("narrower never takes fewer lines", func(t *testing.T) {
		prev := 0
		for w := 80.0; w >= 8; w -= 4 {
			n := wrappedLines(sentence, w, font{})
			if n < prev {
				t.Errorf("width %v: %d lines, wider column took %d", w, n, prev)
			}
			prev = n
		}
	})
	t.Run("bigger and bolder text is wider", func(t *testing.T) {
		plain := textPx(sentence, font{})
		if b := textPx(sentence, font{bold: true}); b <= plain {
			t.Errorf("bold %v <= plain %v", b, plain)
		}
		if big := textPx(sentence, font{size: 16}); big <= plain {
			t.Errorf("16 pt %v <= 11 pt %v", big, plain)
		}
	})
}

func TestRowFit(t *testing.T) {
	tests := []struct {
		name       string
		cells      []string
		width      float64
		f          font
		minH, maxH float64 // 0, 0: the row keeps the default height
	}{
		{"one line keeps the default height", []string{"short", "text"}, 20, font{}, 0, 0},
		{"the tallest cell sets the height", []string{"short", "one two three four five six seven eight nine ten"}, 10, font{}, 4 * lineHeight, 8 * lineHeight},
		{"16 pt title row", []string{"Title"}, 40, font{size: 16, bold: true}, 21.75, 21.75},
		{"the cap holds", []string{strings.Repeat("word ", 500)}, 10, font{}, maxLines * lineHeight, maxLines * lineHeight},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fit rowFit
			for _, c := range tt.cells {
				fit.add(c, tt.width, tt.f)
			}
			if fit.height < tt.minH || fit.height > tt.maxH {
				t.Errorf("height = %v, want %v..%v", fit.height, tt.minH, tt.maxH)
			}
		})
	}
}

func TestHeaderFooterText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Acme Corp", "Acme Corp"},
		{"Smith & Sons", "Smith && Sons"},
		{"&P", "&&P"},
		{"two\nlines\tand\x00", "two lines and "},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := hfEscape(tt.in); got != tt.want {
				t.Errorf("hfEscape(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := hfCut(strings.Repeat("é", 100), 10); len([]rune(got)) != 10 || !strings.HasSuffix(got, "…") {
		t.Errorf("hfCut = %q", got)
	}
}

func TestLandscape(t *testing.T) {
	tests := []struct {
		name string
		p    printSetup
		want bool
	}{
		{"narrow sheet prints portrait", printSetup{widths: []float64{20, 30, 30}}, false},
		{"wide sheet prints landscape", printSetup{widths: []float64{40, 40, 40}}, true},
		{"forced portrait", printSetup{widths: []float64{40, 40, 40}, orientation: "portrait"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.landscape(); got != tt.want {
				t.Errorf("landscape = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIDColumnsFitOnOneLine(t *testing.T) {
	tests := []struct {
		name, text string
		width      float64
	}{
		{"Entra object id", "4e9b3f85-6c7a-4dbe-8e4f-3a5b6c7d8e9f", 40},
		{"Okta user id", "00u1a2b3c4d5e6f7g8h9", 40},
		{"evidence SHA-256", "3b1f0e6a9c2d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7", 72},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if n := wrappedLines(tt.text, tt.width, font{}); n != 1 {
				t.Errorf("%q takes %d lines at width %v", tt.text, n, tt.width)
			}
		})
	}
}

// TestRowHeightNeverExceedsExcelsLimit: a long organisation name in the
// (larger) title font asked for a row taller than 409 pt and excelize
// refused the whole workbook.
func TestRowHeightNeverExceedsExcelsLimit(t *testing.T) {
	for _, pt := range []float64{0, 11, 14, 18, 24} {
		if h := rowHeight(10000, font{size: pt, bold: true}); h > maxRowHeight {
			t.Errorf("rowHeight at %g pt = %g, above Excel's %g", pt, h, maxRowHeight)
		}
	}
}
