// Package xlsx renders shadowpath-report.xlsx: the workbook that holds every
// row the PDF summarizes (every check entry, finding and account) plus the
// control matrix, waivers, drift, the trend across kept runs and evidence. The Findings and Identities
// sheets are written with excelize's StreamWriter so 100k+ accounts stay in
// bounded memory.
//
// No cell is ever a formula built from user data: values that a spreadsheet
// would read as a formula (leading =, +, -, @, tab or CR) are written as
// strings with a text, quote-prefixed style.
//
// Layout: table cells carry a light border and are top-aligned; text
// columns wrap and every row's height is set from an estimate of its
// wrapped line count (spreadsheets do not grow rows for wrapped text on
// open). Long sentences span the sheet in merged, wrapped cells. Every
// sheet prints one page wide (landscape when wide, the Summary portrait)
// with its table header repeated on each page and a header and footer
// naming the organisation, sheet, classification and page. Counts are
// numbers (#,##0), times and dates are date cells.
package xlsx

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/reports"
	"github.com/shadowpath/shadowpath/templates"
)

// Options configure the XLSX writer.
type Options struct {
	// Templates supplies the narrative text; nil means the embedded set.
	Templates *templates.Set
}

// XLSX writes shadowpath-report.xlsx.
type XLSX struct {
	opts Options
}

var _ reports.Writer = (*XLSX)(nil)

// New returns an XLSX writer.
func New(opts Options) *XLSX { return &XLSX{opts: opts} }

// Format implements reports.Writer.
func (*XLSX) Format() string { return "xlsx" }

// Filename implements reports.Writer.
func (*XLSX) Filename() string { return "shadowpath-report.xlsx" }

// Sheet names, in workbook order.
const (
	SheetSummary   = "Summary"
	SheetChecks    = "Checks"
	SheetFindings  = "Findings"
	SheetIdentity  = "Identities"
	SheetPaths     = "Access paths"
	SheetRecovery  = "Recovery events"
	SheetWorkloads = "Workload identities"
	SheetActions   = "Action plan"
	SheetControls  = "Controls"
	SheetWaivers   = "Waivers"
	SheetDrift     = "Drift"
	SheetTrend     = "Trend"
	SheetEvidence  = "Evidence"
)

// Write implements reports.Writer.
func (x *XLSX) Write(ctx context.Context, w io.Writer, r *checks.Results) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	v, err := reports.BuildView(r, reports.ViewOptions{Templates: x.opts.Templates})
	if err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	f := excelize.NewFile()
	defer f.Close()
	b := &book{f: f, r: r, v: v}
	if err := b.styles(); err != nil {
		return fmt.Errorf("xlsx: styles: %w", err)
	}
	steps := []struct {
		name string
		fn   func() error
	}{
		{SheetSummary, b.summary},
		{SheetChecks, b.checks},
		{SheetFindings, b.findings},
		{SheetIdentity, b.identities},
		{SheetPaths, b.paths},
		{SheetRecovery, b.recovery},
		{SheetWorkloads, b.workloads},
		{SheetActions, b.actions},
		{SheetControls, b.controls},
		{SheetWaivers, b.waivers},
		{SheetDrift, b.drift},
		{SheetTrend, b.trend},
		{SheetEvidence, b.evidence},
	}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := s.fn(); err != nil {
			return fmt.Errorf("xlsx: sheet %s: %w", s.name, err)
		}
	}
	f.SetActiveSheet(0)
	scan := r.GeneratedAt.UTC()
	if err := f.SetDocProps(&excelize.DocProperties{
		Title:          "Shadow login path assessment: " + v.Cover.Organization,
		Subject:        "Backup MFA and account recovery review",
		Creator:        v.Cover.Tool,
		LastModifiedBy: v.Cover.Tool,
		Description:    "Generated from results.json schema " + r.SchemaVersion,
		Keywords:       "shadowpath; NIST SP 800-63B-4; NIST CSF 2.0; OWASP NHI Top 10",
		Category:       v.Cover.Classification,
		Created:        scan.Format(time.RFC3339),
		Modified:       scan.Format(time.RFC3339),
		Language:       "en-GB",
	}); err != nil {
		return fmt.Errorf("xlsx: doc props: %w", err)
	}
	// excelize saves into an in-memory buffer of its own and copies that to
	// w; the archive goes straight to w instead, so the whole workbook (36 MB
	// for 100,000 identities, plus the buffer's growth) is not held a second
	// time while it is saved. excelize's buffer stays empty: all it does
	// there is mark the local headers of ZIP64 parts (over 4 GB), which
	// sortedZip does itself.
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return newSortedZip(w, scan) })
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

type book struct {
	f *excelize.File
	r *checks.Results
	v *reports.View

	sHeader, sHeaderNum, sTitle, sSub, sText, sWrap, sBold, sDate, sDay, sNote, sHeadline, sTop, sBool, sLink int
	status                                                                                                    map[checks.Status]int
	severity                                                                                                  map[checks.Severity]int
	cfSeverity                                                                                                map[checks.Severity]int
	cfAAL1                                                                                                    int
	// fonts holds, for the styles that wrap or use a larger font, what the
	// row height estimate needs.
	fonts map[int]styleFont
}
