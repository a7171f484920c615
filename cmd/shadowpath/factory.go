package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// factory gives commands what they need from the outside world, so tests
// can swap streams, environment and clock.
type factory struct {
	// stdout and stderr escape control characters (termWriter): tenant data
	// printed in tables, summaries and errors cannot drive the terminal.
	stdout, stderr io.Writer
	// rawStderr is stderr unescaped, for the progress line's own \r and ESC.
	rawStderr io.Writer
	getenv    func(string) string
	now       func() time.Time
	// httpClient, when set, is the base HTTP client of the connectors (tests
	// point it at the fakes' TLS roots); nil means Go's default, which trusts
	// the system roots and SSL_CERT_FILE.
	httpClient *http.Client
	// isTerminal reports whether stderr is an interactive terminal (progress).
	isTerminal func() bool

	// set by the root command's persistent flags
	logLevel  string
	logFormat string
	quiet     bool

	// warn, set once the logger exists, reports a configuration warning.
	warn func(string)
}

func newFactory(stdout, stderr io.Writer, getenv func(string) string) *factory {
	return &factory{
		stdout: newTermWriter(stdout), stderr: newTermWriter(stderr), rawStderr: stderr, getenv: getenv,
		now: time.Now,
		isTerminal: func() bool {
			f, ok := stderr.(*os.File)
			if !ok {
				return false
			}
			st, err := f.Stat()
			return err == nil && st.Mode()&os.ModeCharDevice != 0
		},
		logLevel: "info", logFormat: "text",
	}
}

// logger builds the slog logger from --log-level / --log-format.
func (f *factory) logger() (*slog.Logger, error) {
	var lvl slog.Level
	switch strings.ToLower(f.logLevel) {
	case "debug":
		lvl = slog.LevelDebug
	case "info", "":
		lvl = slog.LevelInfo
	case "warn", "warning":
		lvl = slog.LevelWarn
	case "error":
		lvl = slog.LevelError
	default:
		return nil, usageErr(fmt.Errorf("--log-level %q: want debug, info, warn or error", f.logLevel))
	}
	if f.quiet && lvl < slog.LevelWarn {
		lvl = slog.LevelWarn
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var log *slog.Logger
	switch strings.ToLower(f.logFormat) {
	case "text", "":
		log = slog.New(slog.NewTextHandler(f.stderr, opts))
	case "json":
		log = slog.New(slog.NewJSONHandler(f.stderr, opts))
	default:
		return nil, usageErr(fmt.Errorf("--log-format %q: want text or json", f.logFormat))
	}
	f.warn = func(msg string) { log.Warn(msg) }
	return log, nil
}

// reportTime is the time printed as generated_at: SOURCE_DATE_EPOCH when set
// (reproducible builds convention), else the wall clock.
func (f *factory) reportTime() (time.Time, error) {
	if v := strings.TrimSpace(f.getenv("SOURCE_DATE_EPOCH")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return time.Time{}, usageErr(fmt.Errorf("SOURCE_DATE_EPOCH %q: want seconds since 1970", v))
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return f.now().UTC().Truncate(time.Second), nil
}
