// Package history keeps every run's results.json and evidence snapshot so
// that audits can be compared and trends drawn (scan --history DIR).
//
// Layout: DIR/<UTC time>-<12 hex>/ with results.json, evidence.json (when a
// snapshot was given) and SHA256SUMS (sha256sum -c format). The 12 hex are the
// start of the SHA-256 of the SHA256SUMS file, so the directory name commits
// to the content: the same run saved twice is one entry, two different runs
// in the same second are two.
//
// Nothing is ever overwritten. The entry directory is created with mkdir,
// which fails if it exists (O_EXCL semantics); each file is written to a
// temporary file in it, synced, made read-only and renamed into place;
// SHA256SUMS is written last and marks the entry complete. A failed save
// removes its directory; List skips directories without SHA256SUMS.
//
// Modes: directories 0o700, files 0o400. Results name accounts (personal
// data), hence owner-only; and an entry is a record of what an audit saw, so
// its files are read-only — shadowpath never writes them again, and a tool or
// person must change the mode before altering one (which Verify would still
// detect). The owner can still delete an entry (the directory stays writable)
// to apply a retention policy.
package history

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/shadowpath/shadowpath/checks"
	"github.com/shadowpath/shadowpath/internal/safeio"
)

// File names inside an entry.
const (
	ResultsFile  = "results.json"
	EvidenceFile = "evidence.json"
	SumsFile     = "SHA256SUMS"
)

// File modes (see the package comment for why).
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o400
)

// timeLayout is the entry name's time: UTC, second precision, no colons
// (portable file names), sorts lexically in time order.
const timeLayout = "20060102T150405Z"

// ErrCorrupt is wrapped by errors about an entry whose files no longer match
// its SHA256SUMS (tampered, truncated, missing or extra files).
var ErrCorrupt = errors.New("entry does not match its SHA256SUMS")

var entryName = regexp.MustCompile(`^([0-9]{8}T[0-9]{6}Z)-([0-9a-f]{12})$`)

// Store is a run history kept in Dir.
type Store struct {
	Dir string
	// OnCorrupt, when set, makes Trend and ResultsTrend skip an entry that
	// fails verification (ErrCorrupt: tampered, truncated, a file replaced
	// by a FIFO or device) after reporting it, instead of failing: one
	// altered record costs its point of the trend, not the scan.
	OnCorrupt func(e Entry, err error)
}

// Entry is one saved run.
type Entry struct {
	// ID is the directory name: <UTC time>-<12 hex>.
	ID string `json:"id"`
	// Dir is the entry's directory.
	Dir string `json:"dir"`
	// GeneratedAt is the run's time to the second, UTC (from the name).
	GeneratedAt time.Time `json:"generated_at"`
}

// ResultsPath is the entry's results.json.
func (e Entry) ResultsPath() string { return filepath.Join(e.Dir, ResultsFile) }

// EvidencePath is the entry's evidence snapshot (absent when none was saved).
func (e Entry) EvidencePath() string { return filepath.Join(e.Dir, EvidenceFile) }

// Save stores a run: results (required) and its evidence snapshot (may be
// empty: then no evidence.json is kept). Saving the same content for the same
// second again is a no-op that returns the existing entry; an existing entry
// is never modified.
func (s Store) Save(results []byte, snapshot []byte, generatedAt time.Time) (Entry, error) {
	if s.Dir == "" {
		return Entry{}, errors.New("history: no directory")
	}
	if len(results) == 0 {
		return Entry{}, errors.New("history: save: empty results")
	}
	if generatedAt.IsZero() {
		return Entry{}, errors.New("history: save: no generated_at")
	}
	files := map[string][]byte{ResultsFile: results}
	if len(snapshot) > 0 {
		files[EvidenceFile] = snapshot
	}
	sums := sumsFile(files)
	id := sha256.Sum256(sums)
	at := generatedAt.UTC().Truncate(time.Second)
	e := Entry{ID: at.Format(timeLayout) + "-" + hex.EncodeToString(id[:6]), GeneratedAt: at}
	e.Dir = filepath.Join(s.Dir, e.ID)

	if err := os.MkdirAll(s.Dir, DirMode); err != nil {
		return Entry{}, fmt.Errorf("history: %w", err)
	}
	if err := os.Mkdir(e.Dir, DirMode); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return s.existing(e, sums)
		}
		return Entry{}, fmt.Errorf("history: %w", err)
	}
	if err := writeEntry(e.Dir, files, sums); err != nil {
		// Nothing half-written: the directory is ours alone, remove it.
		_ = os.RemoveAll(e.Dir)
		return Entry{}, fmt.Errorf("history: save %s: %w", e.ID, err)
	}
	return e, nil
}

// existing handles a Save whose directory already exists: the same run saved
// again is fine; anything else is an error, and nothing is touched.
func (s Store) existing(e Entry, sums []byte) (Entry, error) {
	got, err := safeio.ReadFile(filepath.Join(e.Dir, SumsFile), safeio.MaxSmall)
	if errors.Is(err, fs.ErrNotExist) {
		return Entry{}, fmt.Errorf("history: %s exists but is incomplete (an interrupted or concurrent save); move it away", e.Dir)
	}
	if err != nil {
		return Entry{}, fmt.Errorf("history: %w", err)
	}
	if !bytes.Equal(got, sums) {
		return Entry{}, fmt.Errorf("history: %s exists with other content: %w", e.Dir, ErrCorrupt)
	}
	if err := s.Verify(e); err != nil {
		return Entry{}, err
	}
	return e, nil
}

func sumsFile(files map[string][]byte) []byte {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var b bytes.Buffer
	for _, n := range names {
		h := sha256.Sum256(files[n])
		fmt.Fprintf(&b, "%s  %s\n", hex.EncodeToString(h[:]), n)
	}
	return b.Bytes()
}

func writeEntry(dir string, files map[string][]byte, sums []byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := writeFile(dir, n, files[n]); err != nil {
			return err
		}
	}
	// Last: its presence marks the entry complete.
	if err := writeFile(dir, SumsFile, sums); err != nil {
		return err
	}
	return syncDir(dir)
}

// writeFile writes data to dir/name through a synced temporary file renamed
// into place. The directory was just created by this process, so the name
// cannot already exist.
func writeFile(dir, name string, data []byte) error {
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after the rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, name))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	// Some file systems cannot sync a directory; the files themselves are
	// synced, so that is not worth failing a save.
	_ = d.Sync()
	return nil
}

// List returns the complete entries, oldest first (ties by id). A missing
// directory is an empty history. Other files and incomplete entries are
// skipped.
func (s Store) List() ([]Entry, error) {
	des, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	var out []Entry
	for _, de := range des {
		m := entryName.FindStringSubmatch(de.Name())
		if m == nil || !de.IsDir() {
			continue
		}
		at, err := time.Parse(timeLayout, m[1])
		if err != nil {
			continue
		}
		dir := filepath.Join(s.Dir, de.Name())
		if _, err := os.Stat(filepath.Join(dir, SumsFile)); err != nil {
			continue
		}
		out = append(out, Entry{ID: de.Name(), Dir: dir, GeneratedAt: at})
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := a.GeneratedAt.Compare(b.GeneratedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

var sumLine = regexp.MustCompile(`^([0-9a-f]{64})  (\S+)$`)

// Verify re-checks an entry: SHA256SUMS must match the name's hash, list
// results.json (and at most evidence.json), and every listed file must hash
// to its sum; no other file may be present. Mismatches wrap ErrCorrupt.
func (s Store) Verify(e Entry) error {
	corrupt := func(format string, args ...any) error {
		return fmt.Errorf("history: %s: %s: %w", e.ID, fmt.Sprintf(format, args...), ErrCorrupt)
	}
	m := entryName.FindStringSubmatch(filepath.Base(e.Dir))
	if m == nil {
		return fmt.Errorf("history: %s is not an entry directory", e.Dir)
	}
	sums, err := safeio.ReadFile(filepath.Join(e.Dir, SumsFile), safeio.MaxSmall)
	if errors.Is(err, fs.ErrNotExist) {
		return corrupt("%s missing", SumsFile)
	}
	if errors.Is(err, safeio.ErrNotRegular) || errors.Is(err, safeio.ErrTooLarge) {
		return corrupt("%v", err)
	}
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	if h := sha256.Sum256(sums); hex.EncodeToString(h[:6]) != m[2] {
		return corrupt("%s does not match the entry name", SumsFile)
	}
	listed := map[string]string{}
	for i, l := range strings.Split(strings.TrimSuffix(string(sums), "\n"), "\n") {
		sm := sumLine.FindStringSubmatch(l)
		if sm == nil {
			return corrupt("%s line %d malformed", SumsFile, i+1)
		}
		if sm[2] != ResultsFile && sm[2] != EvidenceFile {
			return corrupt("%s lists unexpected file %q", SumsFile, sm[2])
		}
		if _, dup := listed[sm[2]]; dup {
			return corrupt("%s lists %s twice", SumsFile, sm[2])
		}
		listed[sm[2]] = sm[1]
	}
	if _, ok := listed[ResultsFile]; !ok {
		return corrupt("%s does not list %s", SumsFile, ResultsFile)
	}
	des, err := os.ReadDir(e.Dir)
	if err != nil {
		return fmt.Errorf("history: %w", err)
	}
	for _, de := range des {
		if _, ok := listed[de.Name()]; !ok && de.Name() != SumsFile {
			return corrupt("unexpected file %s", de.Name())
		}
	}
	names := make([]string, 0, len(listed))
	for n := range listed {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		data, err := safeio.ReadFile(filepath.Join(e.Dir, n), safeio.MaxLarge)
		if errors.Is(err, fs.ErrNotExist) {
			return corrupt("%s missing", n)
		}
		if errors.Is(err, safeio.ErrNotRegular) || errors.Is(err, safeio.ErrTooLarge) {
			return corrupt("%v", err)
		}
		if err != nil {
			return fmt.Errorf("history: %w", err)
		}
		if h := sha256.Sum256(data); hex.EncodeToString(h[:]) != listed[n] {
			return corrupt("%s does not match its SHA-256", n)
		}
	}
	return nil
}

// SeverityCounts counts failing findings by severity.
type SeverityCounts struct {
	Low      int `json:"low"`
	Medium   int `json:"medium"`
	High     int `json:"high"`
	Critical int `json:"critical"`
	// Unknown counts findings whose severity is not one of the four.
	Unknown int `json:"unknown,omitempty"`
}

// Total is the number of failing findings.
func (c SeverityCounts) Total() int { return c.Low + c.Medium + c.High + c.Critical + c.Unknown }

func (c *SeverityCounts) add(s checks.Severity) {
	switch s {
	case checks.Low:
		c.Low++
	case checks.Medium:
		c.Medium++
	case checks.High:
		c.High++
	case checks.Critical:
		c.Critical++
	default:
		c.Unknown++
	}
}

// TrendPoint is the key figures of one run, for the report's trend.
type TrendPoint struct {
	// Entry is the history entry id.
	Entry       string    `json:"entry"`
	GeneratedAt time.Time `json:"generated_at"`
	// CollectedAt is when the run's evidence was collected.
	CollectedAt time.Time `json:"collected_at,omitempty"`
	ToolVersion string    `json:"tool_version"`
	// Summary counts check results by status.
	Summary checks.Summary `json:"summary"`
	// Failing counts failing findings (failed check, no unexpired waiver)
	// by severity.
	Failing SeverityCounts `json:"failing_findings"`
	// Accounts is the number of in-scope accounts (identities).
	Accounts int `json:"accounts"`
	// BelowNominal counts accounts whose effective AAL is below their
	// nominal AAL (a weaker path exists); accounts with an unknown AAL are
	// not counted.
	BelowNominal int `json:"accounts_below_nominal_aal"`
	// PrivilegedBelowNominal is BelowNominal among privileged accounts: a
	// privileged account with a weak fallback.
	PrivilegedBelowNominal int `json:"privileged_below_nominal_aal"`
	// PrivilegedWeak counts privileged accounts with a weak fallback
	// (checks.Identity.WeakFallback), the executive summary's figure.
	PrivilegedWeak int `json:"privileged_weak_fallback"`
	// Complete is false when a dataset was not read in full or a check was
	// not assessed: the figures of such a run are a lower bound.
	Complete bool `json:"complete"`
}

// Trend returns the key figures of the last n runs (all when n <= 0), oldest
// first. Each entry is verified first; a corrupt entry is an error, since a
// trend drawn from altered records would mislead.
func (s Store) Trend(n int) ([]TrendPoint, error) {
	entries, err := s.List()
	if err != nil {
		return nil, err
	}
	if n > 0 && len(entries) > n {
		entries = entries[len(entries)-n:]
	}
	var out []TrendPoint
	err = s.each(entries, func(e Entry, r *checks.Results) { out = append(out, Point(e.ID, r)) })
	return out, err
}

// each loads entries in order and calls fn with each one's results, one
// entry in memory at a time; a corrupt entry is skipped when OnCorrupt is
// set.
func (s Store) each(entries []Entry, fn func(Entry, *checks.Results)) error {
	for _, e := range entries {
		r, err := s.Load(e)
		if s.skip(e, err) {
			continue
		}
		if err != nil {
			return err
		}
		fn(e, r)
	}
	return nil
}

// Load verifies an entry and decodes its results.json (e.g. the latest run
// as the baseline of the next).
func (s Store) Load(e Entry) (*checks.Results, error) {
	if err := s.Verify(e); err != nil {
		return nil, err
	}
	data, err := safeio.ReadFile(e.ResultsPath(), safeio.MaxLarge)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	var r checks.Results
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("history: %s: %s: %w", e.ID, ResultsFile, err)
	}
	return &r, nil
}

// skip reports whether a Load error is a corrupt entry to skip (OnCorrupt
// set), reporting it.
func (s Store) skip(e Entry, err error) bool {
	if err == nil || s.OnCorrupt == nil || !errors.Is(err, ErrCorrupt) {
		return false
	}
	s.OnCorrupt(e, err)
	return true
}

// Latest returns the most recent complete entry; ok is false when the
// history is empty.
func (s Store) Latest() (e Entry, ok bool, err error) {
	entries, err := s.List()
	if err != nil || len(entries) == 0 {
		return Entry{}, false, err
	}
	return entries[len(entries)-1], true, nil
}

// Point computes the trend figures of one run's results.
func Point(entry string, r *checks.Results) TrendPoint {
	p := TrendPoint{
		Entry:       entry,
		GeneratedAt: r.GeneratedAt,
		CollectedAt: r.CollectedAt(),
		ToolVersion: r.Tool.Version,
		Summary:     r.Summary,
		Accounts:    len(r.Identities),
		Complete:    r.Complete(),
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		for j := range c.Findings {
			if f := &c.Findings[j]; c.Failing(f) {
				p.Failing.add(c.SeverityOf(f))
			}
		}
	}
	for i := range r.Identities {
		id := &r.Identities[i]
		if id.Privileged && id.WeakFallback() {
			p.PrivilegedWeak++
		}
		if !id.BelowNominal() {
			continue
		}
		p.BelowNominal++
		if id.Privileged {
			p.PrivilegedBelowNominal++
		}
	}
	return p
}

// ForResults converts the point to the results.json trend entry
// (checks.TrendPoint) the reports draw.
func (p TrendPoint) ForResults() checks.TrendPoint {
	return checks.TrendPoint{
		GeneratedAt:            p.GeneratedAt,
		CollectedAt:            p.CollectedAt,
		Summary:                p.Summary,
		Failing:                p.Failing.Total(),
		FailingCritical:        p.Failing.Critical,
		FailingHigh:            p.Failing.High,
		Accounts:               p.Accounts,
		BelowNominal:           p.BelowNominal,
		PrivilegedBelowNominal: p.PrivilegedBelowNominal,
		PrivilegedWeak:         p.PrivilegedWeak,
		Complete:               p.Complete,
	}
}

// ResultsTrend is the results.json trend: the last n-1 saved runs (all when
// n <= 0) followed by cur, oldest first. cur is not saved by this call; when
// the newest entry has cur's time (it was saved before the trend was drawn)
// it is taken to be cur and appears once. Only the entries used are read
// and verified.
func (s Store) ResultsTrend(n int, cur *checks.Results) ([]checks.TrendPoint, error) {
	if cur == nil {
		return nil, errors.New("history: trend: no current results")
	}
	entries, err := s.List()
	if err != nil {
		return nil, err
	}
	used := trendEntries(entries, n, cur)
	out := make([]checks.TrendPoint, 0, len(used)+1)
	err = s.each(used, func(e Entry, r *checks.Results) { out = append(out, Point(e.ID, r).ForResults()) })
	if err != nil {
		return nil, err
	}
	return append(out, Point("", cur).ForResults()), nil
}

// ScanHistory is what a scan draws from the kept runs, reading each entry
// once and holding one at a time: ResultsTrend(n, cur), and when each
// finding was first seen across every entry that verifies.
func (s Store) ScanHistory(n int, cur *checks.Results) ([]checks.TrendPoint, checks.SeenBefore, error) {
	if cur == nil {
		return nil, nil, errors.New("history: trend: no current results")
	}
	entries, err := s.List()
	if err != nil {
		return nil, nil, err
	}
	inTrend := map[string]bool{}
	for _, e := range trendEntries(entries, n, cur) {
		inTrend[e.Dir] = true
	}
	var trend []checks.TrendPoint
	seen := checks.SeenBefore{}
	err = s.each(entries, func(e Entry, r *checks.Results) {
		seen.SeeResults(r)
		if inTrend[e.Dir] {
			trend = append(trend, Point(e.ID, r).ForResults())
		}
	})
	if err != nil {
		return nil, nil, err
	}
	return append(trend, Point("", cur).ForResults()), seen, nil
}

// trendEntries are the entries of ResultsTrend: the last n-1 (all when n
// <= 0), leaving out the newest when it is cur already saved.
func trendEntries(entries []Entry, n int, cur *checks.Results) []Entry {
	if k := len(entries); k > 0 && entries[k-1].GeneratedAt.Equal(cur.GeneratedAt.UTC().Truncate(time.Second)) {
		entries = entries[:k-1]
	}
	if n > 0 && len(entries) > n-1 {
		entries = entries[len(entries)-(n-1):]
	}
	return entries
}
