package cli

import (
	"flag"
	"fmt"
)

// runReindex rebuilds passages, postings and statistics from the stored
// article text with the current analysis rules: `baobot reindex`.
func runReindex(a *app, args []string) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("reindex takes no arguments")
	}
	db, err := a.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	progress, finish := a.progressBar("reindexing")
	err = db.Reindex(progress)
	finish()
	if err != nil {
		return err
	}
	stats, err := db.Stats()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "reindexed %d articles into %d passages\n", stats.Articles, stats.Passages)
	return nil
}
