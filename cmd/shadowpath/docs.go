package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

func newDocsCmd(f *factory) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:    "docs",
		Short:  "Generate the command reference (Markdown) into a directory",
		Hidden: true,
		Args:   noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			root := cmd.Root()
			root.DisableAutoGenTag = true // deterministic: no generation date
			if err := doc.GenMarkdownTree(root, dir); err != nil {
				return err
			}
			if !f.quiet {
				fmt.Fprintf(f.stderr, "shadowpath: command reference written to %s\n", dir)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", "docs/cli", "output directory")
	return cmd
}
