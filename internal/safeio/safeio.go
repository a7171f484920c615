// Package safeio is the one way shadowpath reads the files a user names
// (config, waivers, snapshots, baselines, keys, tokens, certificates,
// templates) and writes its outputs (reports, snapshots).
//
// Reading: only regular files, opened without blocking (a FIFO named as
// --config cannot hang the process), and at most a given number of bytes
// (/dev/zero as a waiver file is an error, not an out-of-memory crash).
//
// Writing: owner-only files (0600 under the process umask, which can only
// make them stricter) through a synced temporary file in the target
// directory renamed into place, and WriteSet for a set of files that must
// change together: every file is written to a temporary file first and the
// renames happen only when all of them succeeded.
package safeio

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Modes of what shadowpath creates: reports and snapshots hold account
// names and weaknesses, so they are the owner's alone.
const (
	FileMode fs.FileMode = 0o600
	DirMode  fs.FileMode = 0o700
)

// Common size bounds.
const (
	// MaxSmall bounds configuration, waivers, templates, keys, tokens and
	// certificates.
	MaxSmall int64 = 1 << 20
	// MaxLarge bounds results files and snapshots.
	MaxLarge int64 = 2 << 30
)

// ErrNotRegular is wrapped by errors about a path that is not a regular
// file (a directory, FIFO, socket or device).
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by errors about a file larger than the bound.
var ErrTooLarge = errors.New("file too large")

// CheckRegular returns an error unless path names a regular file (symlinks
// are followed) of at most max bytes. It opens nothing, so it never blocks.
func CheckRegular(path string, max int64) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	return checkInfo(path, st, max)
}

func checkInfo(path string, st fs.FileInfo, max int64) error {
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, kind(st.Mode()))
	}
	if max > 0 && st.Size() > max {
		return fmt.Errorf("%s: larger than %d bytes: %w", path, max, ErrTooLarge)
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "mode " + m.String()
}

// Open opens a regular file for reading. The open does not block (FIFOs),
// and the opened file is checked again, so a path swapped after the check
// is caught.
func Open(path string) (*os.File, error) {
	if err := CheckRegular(path, 0); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = checkInfo(path, st, 0)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads a regular file of at most max bytes. Errors name the path.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	return readAll(f, path, max)
}

// ReadFileNoFollow is ReadFile for a path that must not be a symbolic link
// itself (template files: a link could pull any readable file into a report).
func ReadFileNoFollow(path string, max int64) ([]byte, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if err := checkInfo(path, st, max); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock|oNofollow, 0)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	return readAll(f, path, max)
}

func readAll(f *os.File, path string, max int64) ([]byte, error) {
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: larger than %d bytes: %w", path, max, ErrTooLarge)
	}
	return data, nil
}

// MkdirAll creates dir and its missing parents owner-only (DirMode).
// Existing directories keep their mode.
func MkdirAll(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	return nil
}

// File is one file of a set: a name inside the set's directory, and its
// content.
type File struct {
	Name string
	Data []byte
}

// SetError is a WriteSet failure. Replaced says whether any target was
// changed: false means the previous files are untouched.
type SetError struct {
	Path     string // the file that failed
	Err      error
	Replaced bool
}

func (e *SetError) Error() string {
	if e.Replaced {
		return fmt.Sprintf("write %s: %v (some files of the set were already replaced)", e.Path, e.Err)
	}
	return fmt.Sprintf("write %s: %v (the previous files were left untouched)", e.Path, e.Err)
}

func (e *SetError) Unwrap() error { return e.Err }

// WriteSet writes files into dir so that either all of them are replaced
// or none is: each is written to a synced temporary file in dir first, and
// only when every write succeeded are they renamed into place. Should a
// rename fail midway, the files already renamed are put back from hard-link
// backups taken before the first rename (where the file system allows
// them), so a reader sees the old set or the new one.
func WriteSet(dir string, files []File) error {
	var tmps []string
	cleanup := func() {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	for _, fl := range files {
		target := filepath.Join(dir, fl.Name)
		tmp, err := writeTemp(dir, fl.Name, fl.Data)
		if err != nil {
			cleanup()
			return &SetError{Path: target, Err: err}
		}
		tmps = append(tmps, tmp)
	}
	// Backups of the files about to be replaced, for a rollback.
	backups := make([]string, len(files))
	existed := make([]bool, len(files))
	defer func() {
		for _, b := range backups {
			if b != "" {
				os.Remove(b)
			}
		}
	}()
	for i, fl := range files {
		target := filepath.Join(dir, fl.Name)
		if _, err := os.Lstat(target); err != nil {
			continue
		}
		existed[i] = true
		b := filepath.Join(dir, "."+fl.Name+".prev-"+filepath.Base(tmps[i]))
		if err := os.Link(target, b); err == nil {
			backups[i] = b
		}
	}
	for i, fl := range files {
		target := filepath.Join(dir, fl.Name)
		if err := os.Rename(tmps[i], target); err != nil {
			cleanup()
			replaced := false
			for j := range i {
				t := filepath.Join(dir, files[j].Name)
				if !existed[j] {
					if os.Remove(t) != nil {
						replaced = true
					}
					continue
				}
				if backups[j] == "" {
					replaced = true // no backup to restore from
					continue
				}
				if os.Rename(backups[j], t) != nil {
					replaced = true
				} else {
					backups[j] = ""
				}
			}
			return &SetError{Path: target, Err: err, Replaced: replaced}
		}
	}
	syncDir(dir)
	return nil
}

func writeTemp(dir, name string, data []byte) (string, error) {
	// CreateTemp makes the file 0600 (less under a stricter umask).
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	defer d.Close()
	_ = d.Sync() // not every file system can; the files are synced
}
