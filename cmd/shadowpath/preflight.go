package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// checkOutputDir says, before any network call, whether dir can hold the
// outputs: it exists as a directory or can be created (its nearest existing
// ancestor is a directory shadowpath can write in). It creates nothing.
func checkOutputDir(flag, dir string) error {
	if dir == "" {
		dir = "."
	}
	p := filepath.Clean(dir)
	for {
		st, err := os.Stat(p)
		if err == nil {
			if !st.IsDir() {
				if p == filepath.Clean(dir) {
					return usageErr(fmt.Errorf("%s %s: not a directory", flag, dir))
				}
				return usageErr(fmt.Errorf("%s %s: cannot be created: %s is not a directory", flag, dir, p))
			}
			return writableDir(flag, dir, p)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return usageErr(fmt.Errorf("%s %s: %w", flag, dir, err))
		}
		parent := filepath.Dir(p)
		if parent == p {
			return usageErr(fmt.Errorf("%s %s: no existing parent directory", flag, dir))
		}
		p = parent
	}
}

// writableDir proves that p accepts new files the way the outputs are
// written (a temporary file in it), and removes the probe.
func writableDir(flag, dir, p string) error {
	f, err := os.CreateTemp(p, ".shadowpath-probe-*")
	if err != nil {
		if p == filepath.Clean(dir) {
			return usageErr(fmt.Errorf("%s %s: cannot write there: %w", flag, dir, err))
		}
		return usageErr(fmt.Errorf("%s %s: cannot be created in %s: %w", flag, dir, p, err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// checkOutputFile is checkOutputDir for a file's directory; the file itself
// must not be a directory.
func checkOutputFile(flag, path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usageErr(fmt.Errorf("%s %s: is a directory", flag, path))
	}
	return checkOutputDir(flag, filepath.Dir(path))
}

// interrupted turns a cancelled context into the error an interrupted run
// ends with (exit 2: the run is incomplete, not broken).
func interrupted(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return envErr(fmt.Errorf("interrupted %s: %w", what, context.Cause(ctx)))
	}
	return nil
}
