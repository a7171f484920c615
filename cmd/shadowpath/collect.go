package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/shadowpath/shadowpath/connectors/evidence"
)

type collectOptions struct {
	liveFlags
	out     string
	since   auditWindow
	signKey string
	incr    incrementalFlags
}

// newCollectCmd is `shadowpath collect`; runF as in newScanCmd.
func newCollectCmd(f *factory, runF func(*collectOptions) error) *cobra.Command {
	opts := &collectOptions{}
	cmd := &cobra.Command{
		Use:   "collect --source okta,entra --out SNAPSHOT.json",
		Short: "Read the tenants and write an evidence snapshot only (no evaluation)",
		Long: `collect reads the tenants read-only and writes the normalized evidence as a
hashed snapshot file, for evaluation later or elsewhere (scan --snapshot) and
for auditors to re-perform the test (verify). With --sign-key it also writes a
detached ed25519 signature (SNAPSHOT.sig).`,
		Args: noArgs,
		RunE: runE(f, opts, runF, collectRun),
	}
	fl := cmd.Flags()
	opts.liveFlags.bind(fl)
	opts.since.bind(fl)
	fl.StringVar(&opts.out, "out", "", "snapshot file to write")
	fl.StringVar(&opts.signKey, "sign-key", "", "ed25519 private key (PKCS#8 PEM) to sign the snapshot (SNAPSHOT.sig)")
	opts.incr.bind(fl)
	return cmd
}

func (o *collectOptions) complete(_ *factory, _ []string) error {
	if err := validateSources(o.sources); err != nil {
		return err
	}
	if o.out == "" {
		return usageErr(errors.New("--out SNAPSHOT.json is required"))
	}
	return o.incr.validate(o.sources)
}

func collectRun(ctx context.Context, f *factory, opts *collectOptions) (err error) {
	log, err := f.logger()
	if err != nil {
		return err
	}
	cfg, err := optionalConfig(f, opts.configPath, log)
	if err != nil {
		return err
	}
	signKey, err := loadSignKey(opts.signKey)
	if err != nil {
		return err
	}
	if err := checkOutputFile("--out", opts.out); err != nil {
		return err
	}
	cfg.oktaBase = opts.incr.base()
	now := f.now().UTC().Truncate(time.Second)
	g, err := collectLive(ctx, f, cfg, &opts.liveFlags, now, now.Add(-opts.since.d), log)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(g.bug, err) }()
	snap := g.snap
	// An interrupted collection is not evidence: the previous snapshot stays.
	if err := interrupted(ctx, "during collection: nothing written, "+opts.out+" is untouched"); err != nil {
		return err
	}
	data, err := evidence.EncodeSnapshot(snap)
	if err != nil {
		return err
	}
	sum, err := writeEvidence(opts.out, data, signKey)
	if err != nil {
		return err
	}
	if !f.quiet {
		fmt.Fprintf(f.stderr, "shadowpath: wrote %s (sha256 %s)\n", opts.out, sum)
		if cs := collectionSummary(snap); cs != "" {
			fmt.Fprintf(f.stderr, "shadowpath: %s\n", cs)
		}
	}
	for _, src := range snap.Sources {
		for _, c := range src.Coverage {
			if c.Status != evidence.Complete {
				return exitWith(exitIncomplete)
			}
		}
	}
	return nil
}
