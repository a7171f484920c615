package xlsx

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"sort"
	"time"

	"github.com/xuri/excelize/v2"
)

// sortedZip is an excelize.ZipWriter that writes the parts in name order
// with a fixed timestamp. excelize ranges over a map of streamed sheets when
// it saves, so with two streamed sheets the part order (and the bytes) would
// change from run to run. Parts are compressed as they arrive and only the
// compressed bytes are held until Close. BestSpeed: about 30 % less CPU
// than the default level for a 25 % larger file (100k identities: 10 MB).
type sortedZip struct {
	w       io.Writer
	modTime time.Time
	parts   []*part
	cur     *part
}

type part struct {
	name string
	buf  bytes.Buffer
	fw   *flate.Writer
	crc  hash.Hash32
	size uint64
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
	return p.fw.Close()
}

// Create implements excelize.ZipWriter.
func (z *sortedZip) Create(name string) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	p := &part{name: name, crc: crc32.NewIEEE()}
	fw, err := flate.NewWriter(&p.buf, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	p.fw = fw
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

// Close writes the archive: [Content_Types].xml first, then every part by name.
func (z *sortedZip) Close() error {
	if err := z.finish(); err != nil {
		return err
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
			CRC32: p.crc.Sum32(), CompressedSize64: uint64(p.buf.Len()), UncompressedSize64: p.size,
		}
		w, err := zw.CreateRaw(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(p.buf.Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}
