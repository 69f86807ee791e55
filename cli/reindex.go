package cli

import (
	"flag"
	"fmt"

	"github.com/schollz/progressbar/v3"
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
	var bar *progressbar.ProgressBar
	progress := func(done, total int) {
		if !a.env.Terminal {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(a.env.Stderr),
				progressbar.OptionSetDescription("reindexing"), progressbar.OptionShowCount(),
				progressbar.OptionClearOnFinish())
		}
		bar.Set(done)
	}
	if err := db.Reindex(progress); err != nil {
		return err
	}
	if bar != nil {
		bar.Finish()
	}
	stats, err := db.Stats()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "reindexed %d articles into %d passages\n", stats.Articles, stats.Passages)
	return nil
}
