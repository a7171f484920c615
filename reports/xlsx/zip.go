package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"
)

// sortedZip is an excelize.ZipWriter that writes the parts in name order
// with a fixed timestamp. excelize ranges over a map of streamed sheets when
// it saves, so with two streamed sheets the part order (and the bytes) would
// change from run to run. Parts are compressed as they arrive into a
// temporary file, and Close copies them into the archive in order: held in
// memory, the compressed workbook (36 MB for 100,000 identities, plus as
// much again in buffer growth) would sit on the heap while it is saved,
// beside the buffers excelize keeps for its streamed sheets (which it
// spills to temporary files the same way). BestSpeed: about 30 % less CPU
// than the default level for a 25 % larger file (100k identities: 10 MB).
type sortedZip struct {
	w       io.Writer
	modTime time.Time
	parts   []*part
	cur     *part
	// fw compresses every part in turn (Reset between parts): a
	// compressor holds about 1 MB of tables, and a workbook has 26 parts.
	fw *flate.Writer
	// spill holds the compressed parts in arrival order; nil until the
	// first part is created.
	spill *spillFile
}

type part struct {
	name string
	// off and n locate the part's compressed bytes in the spill file.
	off, n int64
	fw     *flate.Writer // the zip's compressor while this part is written
	crc    hash.Hash32
	size   uint64
	// raw collects [Content_Types].xml uncompressed so it can be canonicalized.
	raw *bytes.Buffer
}

func (p *part) Write(b []byte) (int, error) {
	if p.raw != nil {
		return p.raw.Write(b)
	}
	p.crc.Write(b)
	p.size += uint64(len(b))
	return p.fw.Write(b)
}

const contentTypes = "[Content_Types].xml"

// zip64Version is the version needed to extract a ZIP64 entry (4.5).
const zip64Version = 45

// contentTypesXML is [Content_Types].xml (ECMA-376 part 2).
type contentTypesXML struct {
	XMLName   xml.Name     `xml:"http://schemas.openxmlformats.org/package/2006/content-types Types"`
	Defaults  []ctDefault  `xml:"Default"`
	Overrides []ctOverride `xml:"Override"`
}

type ctDefault struct {
	Extension   string `xml:"Extension,attr"`
	ContentType string `xml:"ContentType,attr"`
}

type ctOverride struct {
	PartName    string `xml:"PartName,attr"`
	ContentType string `xml:"ContentType,attr"`
}

// canonicalContentTypes sorts the entries: excelize adds the image
// extension defaults from a map, in random order.
func canonicalContentTypes(b []byte) ([]byte, error) {
	var ct contentTypesXML
	if err := xml.Unmarshal(b, &ct); err != nil {
		return nil, fmt.Errorf("xlsx: %s: %w", contentTypes, err)
	}
	sort.Slice(ct.Defaults, func(i, j int) bool { return ct.Defaults[i].Extension < ct.Defaults[j].Extension })
	sort.Slice(ct.Overrides, func(i, j int) bool { return ct.Overrides[i].PartName < ct.Overrides[j].PartName })
	out, err := xml.Marshal(ct)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), out...), nil
}

var _ excelize.ZipWriter = (*sortedZip)(nil)

func newSortedZip(w io.Writer, modTime time.Time) *sortedZip {
	return &sortedZip{w: w, modTime: modTime}
}

func (z *sortedZip) finish() error {
	if z.cur == nil {
		return nil
	}
	p := z.cur
	z.cur = nil
	if p.raw != nil {
		b, err := canonicalContentTypes(p.raw.Bytes())
		if err != nil {
			return err
		}
		p.raw = nil
		if _, err := p.Write(b); err != nil {
			return err
		}
	}
	err := p.fw.Close()
	p.fw = nil
	p.n = z.spill.n - p.off
	return err
}

// Create implements excelize.ZipWriter.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	if z.spill == nil {
		spill, err := newSpillFile()
		if err != nil {
			return nil, err
		}
		z.spill = spill
	}
	p := &part{name: name, off: z.spill.n, crc: crc32.NewIEEE()}
	if z.fw == nil {
		fw, err := flate.NewWriter(z.spill, flate.BestSpeed)
		if err != nil {
			return nil, err
		}
		z.fw = fw
	} else {
		z.fw.Reset(z.spill)
	}
	p.fw = z.fw
	if name == contentTypes {
		p.raw = &bytes.Buffer{}
	}
	z.parts = append(z.parts, p)
	z.cur = p
	return p, nil
}

// AddFS implements excelize.ZipWriter; the report never adds file systems.
func (z *sortedZip) AddFS(fs.FS) error {
	return errors.New("xlsx: AddFS is not supported")
}

// Close writes the archive: [Content_Types].xml first, then every part by
// name; the spill file is removed whatever happens (excelize calls Close on
// its error paths too).
func (z *sortedZip) Close() (err error) {
	if z.spill != nil {
		defer func() {
			if rerr := z.spill.remove(); err == nil {
				err = rerr
			}
		}()
	}
	if err := z.finish(); err != nil {
		return err
	}
	if z.spill != nil {
		if err := z.spill.w.Flush(); err != nil {
			return err
		}
	}
	sort.SliceStable(z.parts, func(i, j int) bool {
		a, b := z.parts[i].name, z.parts[j].name
		if (a == contentTypes) != (b == contentTypes) {
			return a == contentTypes
		}
		return a < b
	})
	zw := zip.NewWriter(z.w)
	for _, p := range z.parts {
		h := &zip.FileHeader{
			Name: p.name, Method: zip.Deflate, Modified: z.modTime,
			CRC32: p.crc.Sum32(), CompressedSize64: uint64(p.n), UncompressedSize64: p.size,
		}
		if p.size > math.MaxUint32 {
			// A ZIP64 part: Excel wants its local header to need version
			// 4.5 too, which archive/zip only sets in the central directory
			// (excelize patches its own buffer the same way).
			h.ReaderVersion = zip64Version
		}
		w, err := zw.CreateRaw(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, io.NewSectionReader(z.spill.f, p.off, p.n)); err != nil {
			return err
		}
	}
	return zw.Close()
}

// spillFile is a temporary file that counts the bytes written to it, so
// each part knows where its compressed bytes start and end. Writes are
// buffered: the compressor writes in small pieces.
type spillFile struct {
	f *os.File
	w *bufio.Writer
	n int64
}

func newSpillFile() (*spillFile, error) {
	f, err := os.CreateTemp("", "shadowpath-xlsx-")
	if err != nil {
		return nil, err
	}
	return &spillFile{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

func (s *spillFile) Write(b []byte) (int, error) {
	n, err := s.w.Write(b)
	s.n += int64(n)
	return n, err
}

// remove closes and deletes the file.
func (s *spillFile) remove() error {
	err := s.f.Close()
	if rerr := os.Remove(s.f.Name()); err == nil {
		err = rerr
	}
	return err
}
