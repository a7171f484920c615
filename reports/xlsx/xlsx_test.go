package xlsx

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/connectors/evidence"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/reports/internal/fixture"
)

var (
	update = flag.Bool("update", false, "rewrite golden files")
	outDir = flag.String("out", "", "also write the fixture workbook to this directory")
)

func write(t testing.TB, r *checks.Results) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := New(Options{}).Write(context.Background(), &buf, r); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func open(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// dump lists every non-empty cell of every sheet as "Sheet!A1\tvalue".
func dump(t *testing.T, f *excelize.File) string {
	t.Helper()
	var sb strings.Builder
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&sb, "== %s\n", sheet)
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: false})
		if err != nil {
			t.Fatal(err)
		}
		for ri, row := range rows {
			for ci, v := range row {
				if v == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				fmt.Fprintf(&sb, "%s!%s\t%q\n", sheet, cell, v)
			}
		}
	}
	return sb.String()
}

func TestWriterIdentity(t *testing.T) {
	var w reports.Writer = New(Options{})
	if w.Format() != "xlsx" || w.Filename() != "shadowpath-report.xlsx" {
		t.Errorf("Format/Filename = %q/%q", w.Format(), w.Filename())
	}
}

func TestCellDumpGolden(t *testing.T) {
	b := write(t, fixture.Results())
	if *outDir != "" {
		if err := os.WriteFile(filepath.Join(*outDir, "shadowpath-report.xlsx"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := dump(t, open(t, b))
	path := filepath.Join("..", "..", "testdata", "reports", "xlsx.golden.txt")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("cell dump mismatch (-want +got):\n%s", diff)
	}
}

func TestByteIdentical(t *testing.T) {
	a := write(t, fixture.Results())
	for i := 0; i < 3; i++ {
		if b := write(t, fixture.Results()); !bytes.Equal(a, b) {
			t.Fatalf("run %d differs from run 0 (%d vs %d bytes)", i+1, len(b), len(a))
		}
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct{ n int }

func (w *failAfter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		n := w.n
		w.n = 0
		return n, errors.New("disk full")
	}
	w.n -= len(p)
	return len(p), nil
}

// TestSpillFileRemoved: the temporary file that holds the compressed parts
// until they are written in order is removed after a write, and after one
// whose destination fails part-way.
func TestSpillFileRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	write(t, fixture.Results())
	if err := New(Options{}).Write(context.Background(), &failAfter{n: 1000}, fixture.Results()); err == nil {
		t.Error("Write to a failing destination: no error")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestSheetsAndProps(t *testing.T) {
	f := open(t, write(t, fixture.Results()))
	want := []string{SheetSummary, SheetChecks, SheetFindings, SheetIdentity, SheetPaths, SheetRecovery, SheetWorkloads, SheetActions, SheetControls, SheetWaivers, SheetDrift, SheetTrend, SheetEvidence}
	if diff := cmp.Diff(want, f.GetSheetList()); diff != "" {
		t.Errorf("sheets (-want +got):\n%s", diff)
	}
	p, err := f.GetDocProps()
	if err != nil {
		t.Fatal(err)
	}
	if p.Created != "2026-11-26T12:00:00Z" || p.Modified != "2026-11-26T12:00:00Z" {
		t.Errorf("doc props dates = %q / %q", p.Created, p.Modified)
	}
	t.Run("no drift sheet without drift", func(t *testing.T) {
		r := fixture.Results()
		r.Drift = nil
		for _, s := range open(t, write(t, r)).GetSheetList() {
			if s == SheetDrift {
				t.Error("drift sheet present")
			}
		}
	})
	t.Run("no trend sheet with one run", func(t *testing.T) {
		r := fixture.Results()
		r.Trend = r.Trend[len(r.Trend)-1:]
		for _, s := range open(t, write(t, r)).GetSheetList() {
			if s == SheetTrend {
				t.Error("trend sheet present")
			}
		}
	})
	t.Run("every finding and identity is a row", func(t *testing.T) {
		r := fixture.Results()
		n := 0
		for _, c := range r.Checks {
			n += len(c.Findings)
		}
		rows, _ := f.GetRows(SheetFindings)
		if len(rows)-1 != n {
			t.Errorf("Findings rows = %d, want %d", len(rows)-1, n)
		}
		rows, _ = f.GetRows(SheetIdentity)
		if len(rows)-1 != len(r.Identities) {
			t.Errorf("Identities rows = %d, want %d", len(rows)-1, len(r.Identities))
		}
	})
}

func TestTrendSheet(t *testing.T) {
	r := fixture.Results()
	b := write(t, r)
	f := open(t, b)
	rows, err := f.GetRows(SheetTrend)
	if err != nil {
		t.Fatal(err)
	}
	// Sentence, blank, header, one row per run, note.
	if len(rows) != 3+len(r.Trend)+1 {
		t.Fatalf("%d rows: %q", len(rows), rows)
	}
	if !strings.HasPrefix(rows[0][0], "Failing findings went from 41 to 35") || rows[2][8] != "Failing findings" {
		t.Errorf("sentence/header = %q / %q", rows[0], rows[2])
	}
	for i, p := range r.Trend {
		row := rows[3+i]
		if row[1] != p.GeneratedAt.Format("2006-01-02") || row[8] != fmt.Sprint(p.Failing) || row[9] != fmt.Sprint(p.FailingCritical) || row[12] != fmt.Sprint(p.BelowNominal) || row[14] != fmt.Sprint(p.PrivilegedWeak) || row[15] != strings.ToUpper(fmt.Sprint(p.Complete)) {
			t.Errorf("run %d row = %q, point %+v", i, row, p)
		}
	}
	var line bool
	for name, data := range parts(t, b) {
		if strings.HasPrefix(name, "xl/charts/") && bytes.Contains(data, []byte("<lineChart>")) {
			line = true
			for _, ref := range []string{"Trend&#39;!$B$4:$B$7", "Trend&#39;!$I$4:$I$7", "Trend&#39;!$J$4:$J$7", "Trend&#39;!$M$4:$M$7"} {
				if !bytes.Contains(data, []byte(ref)) {
					t.Errorf("line chart lacks reference %s", ref)
				}
			}
		}
	}
	if !line {
		t.Error("no native line chart in the workbook")
	}
}

// parts unzips the workbook.
func parts(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = data
	}
	return out
}

func TestNoFormulaFromUserData(t *testing.T) {
	b := write(t, fixture.Results())
	ps := parts(t, b)
	for name, data := range ps {
		if strings.HasPrefix(name, "xl/worksheets/") && bytes.Contains(data, []byte("<f>")) {
			t.Errorf("%s contains a formula", name)
		}
		if strings.HasSuffix(name, ".xml") || strings.HasSuffix(name, ".rels") {
			dec := xml.NewDecoder(bytes.NewReader(data))
			for {
				if _, err := dec.Token(); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Errorf("%s is not well-formed XML: %v", name, err)
					}
					break
				}
			}
		}
	}
	f := open(t, b)
	tests := []struct {
		name, sheet, value string
	}{
		{"HYPERLINK name in Identities", SheetIdentity, fixture.NameFormula},
		{"HYPERLINK subject in Findings", SheetFindings, fixture.NameFormula},
		{"at-sign name", SheetIdentity, "@SUM(1+1)*cmd|' /C calc'!A0"},
		{"minus name", SheetIdentity, "-2+3 Finance Admin"},
		{"equals login", SheetIdentity, "=cmd@acme.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cell := find(t, f, tt.sheet, tt.value)
			if formula, _ := f.GetCellFormula(tt.sheet, cell); formula != "" {
				t.Errorf("%s!%s has formula %q", tt.sheet, cell, formula)
			}
			typ, _ := f.GetCellType(tt.sheet, cell)
			if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("%s!%s type = %v, want a string", tt.sheet, cell, typ)
			}
			id, err := f.GetCellStyle(tt.sheet, cell)
			if err != nil {
				t.Fatal(err)
			}
			xf := f.Styles.CellXfs.Xf[id]
			if xf.NumFmtID == nil || *xf.NumFmtID != 49 || xf.QuotePrefix == nil || !*xf.QuotePrefix {
				t.Errorf("%s!%s style %d is not text with quote prefix: %+v", tt.sheet, cell, id, xf)
			}
		})
	}
	t.Run("harmless text is not quote-prefixed", func(t *testing.T) {
		cell := find(t, f, SheetIdentity, fixture.NameJose)
		id, err := f.GetCellStyle(SheetIdentity, cell)
		if err != nil {
			t.Fatal(err)
		}
		// The column style (top-aligned, wrapped) applies; the text one does not.
		if xf := f.Styles.CellXfs.Xf[id]; (xf.QuotePrefix != nil && *xf.QuotePrefix) || (xf.NumFmtID != nil && *xf.NumFmtID == 49) {
			t.Errorf("style %d is the text, quote-prefixed style: %+v", id, xf)
		}
	})
}

func find(t *testing.T, f *excelize.File, sheet, value string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for ri, row := range rows {
		for ci, v := range row {
			if v == value {
				c, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				return c
			}
		}
	}
	t.Fatalf("%q not found on %s", value, sheet)
	return ""
}

func TestStreamedSheetsKeepFilterAndFormats(t *testing.T) {
	ps := parts(t, write(t, fixture.Results()))
	f := open(t, write(t, fixture.Results()))
	for _, sheet := range []string{SheetFindings, SheetIdentity} {
		t.Run(sheet, func(t *testing.T) {
			idx, err := f.GetSheetIndex(sheet)
			if err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("xl/worksheets/sheet%d.xml", idx+1)
			x := string(ps[path])
			for _, want := range []string{"<autoFilter ref=\"$A$1:", "<conditionalFormatting", `state="frozen"`} {
				if !strings.Contains(x, want) {
					t.Errorf("%s (%s) lacks %s", sheet, path, want)
				}
			}
		})
	}
}

func TestControlCharactersAndContext(t *testing.T) {
	r := fixture.Results()
	r.Identities[0].Name = "a\x00b\x07c\x1bd\tend"
	f := open(t, write(t, r))
	rows, _ := f.GetRows(SheetIdentity)
	if got := rows[1][2]; strings.ContainsAny(got, "\x00\x07\x1b") {
		t.Errorf("control characters reached the sheet: %q", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var buf bytes.Buffer
	if err := New(Options{}).Write(ctx, &buf, r); err == nil || buf.Len() != 0 {
		t.Errorf("canceled: err = %v, %d bytes", err, buf.Len())
	}
	if err := New(Options{}).Write(context.Background(), &buf, nil); err == nil {
		t.Error("nil results: want an error")
	}
}

func TestLargeWorkbookReadable(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	r := fixture.Large(5000)
	f := open(t, write(t, r))
	n := 0
	for _, c := range r.Checks {
		n += len(c.Findings)
	}
	for sheet, want := range map[string]int{SheetIdentity: len(r.Identities), SheetFindings: n} {
		rows, err := f.Rows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for rows.Next() {
			got++
		}
		rows.Close()
		if got-1 != want {
			t.Errorf("%s: %d data rows, want %d", sheet, got-1, want)
		}
	}
}

// TestIncompleteAndPathsSheets: the Checks sheet flags incomplete checks;
// the Access paths sheet holds one row per identity and path.
func TestIncompleteAndPathsSheets(t *testing.T) {
	r := fixture.Results()
	r.Checks[0].Incomplete = true
	f := open(t, write(t, r))
	if v, _ := f.GetCellValue(SheetChecks, "E1"); v != "Incomplete" {
		t.Fatalf("Checks!E1 = %q", v)
	}
	if v, _ := f.GetCellValue(SheetChecks, "E2"); v != "TRUE" {
		t.Errorf("Checks!E2 = %q, want TRUE", v)
	}
	rows, err := f.GetRows(SheetPaths)
	if err != nil {
		t.Fatal(err)
	}
	want := 1
	for _, id := range r.Identities {
		want += len(id.Paths)
	}
	if len(rows) != want {
		t.Errorf("Access paths has %d rows, want %d (header + one per identity path)", len(rows), want)
	}
}

// TestRecoveryEventsOneRowPerEvent: the Recovery events sheet has one row
// per audit event (not per finding), oldest first; an event behind two
// findings is one row naming both; results without event_details still
// list the event ids.
func TestRecoveryEventsOneRowPerEvent(t *testing.T) {
	r := fixture.Results()
	var rec06, rec07 *checks.CheckResult
	for i := range r.Checks {
		switch c := &r.Checks[i]; {
		case c.ID == "REC-06" && c.Provider == "okta":
			rec06 = c
		case c.ID == "REC-07" && c.Provider == "okta":
			rec07 = c
		}
	}
	// The REC-07 finding's first event is also behind REC-06 (the same
	// account was not re-enrolled after it).
	shared := reports.EvidenceRecords(rec07.Findings[0].Evidence, "event_details")[0]
	f := rec06.Findings[0]
	f.Evidence = maps.Clone(f.Evidence)
	f.Evidence["event_details"] = append(reports.EvidenceRecords(f.Evidence, "event_details"), shared)
	rec06.Findings = append(rec06.Findings, f)
	// A finding from older results: event ids only.
	rec06.Findings = append(rec06.Findings, checks.Finding{Subject: checks.Subject{Type: "user", ID: "00uold", Name: "Old Results"}, Evidence: map[string]any{"events": []any{"evt-old"}}})

	rows, err := open(t, write(t, r)).GetRows(SheetRecovery)
	if err != nil {
		t.Fatal(err)
	}
	data := rows[3:] // note, blank, header
	var ids, times []string
	for _, row := range data {
		ids = append(ids, row[1])
		times = append(times, row[0])
	}
	// The event without a time sorts first.
	if want := []string{"evt-old", "evt-1111aaaa", "evt-2222bbbb", "evt-2222bbbc"}; !slices.Equal(ids, want) {
		t.Fatalf("event ids = %q, want %q", ids, want)
	}
	if !slices.IsSorted(times) {
		t.Errorf("times not ascending: %q", times)
	}
	if got := data[2][10]; got != "REC-06, REC-07" {
		t.Errorf("shared event checks = %q", got)
	}
	if got := data[0][7] + "|" + data[0][8]; got != "Old Results|00uold" {
		t.Errorf("old-results event target = %q", got)
	}
}

// TestChecksLinkTheirDocumentation: each Checks row links the vendor page
// its rule follows (from the catalog).
func TestChecksLinkTheirDocumentation(t *testing.T) {
	f := open(t, write(t, fixture.Results()))
	tb := readTable(t, f, SheetChecks, 1)
	for i, row := range tb.rows {
		id, provider := tb.get(row, "Check"), tb.get(row, "Provider")
		c, ok := checks.Lookup(id)
		if !ok {
			continue
		}
		want := c.Docs[evidence.Provider(provider)]
		cell := fmt.Sprintf("L%d", i+2)
		ok, link, err := f.GetCellHyperLink(SheetChecks, cell)
		if err != nil {
			t.Fatal(err)
		}
		if tb.get(row, "Documentation") != want || !ok || link != want {
			t.Errorf("%s %s: %s shows %q links %v %q, want %q", id, provider, cell, tb.get(row, "Documentation"), ok, link, want)
		}
	}
}
