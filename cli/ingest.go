package cli

import (
	"flag"
	"fmt"

	"github.com/schollz/progressbar/v3"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// ingestSummary counts what an ingest did.
type ingestSummary struct {
	added, replaced, unchanged, failed int
}

func (s ingestSummary) String() string {
	return fmt.Sprintf("added %d, replaced %d, unchanged %d, failed %d", s.added, s.replaced, s.unchanged, s.failed)
}

// runIngest adds articles: `baobot ingest PATH…`. A bad file or line is
// named with its reason and the rest still lands; the exit code is 1 when
// anything failed.
func runIngest(a *app, args []string) error {
	fs := flag.NewFlagSet("ingest", flag.ContinueOnError)
	quiet := fs.Bool("quiet", false, "no progress bar")
	paths, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("name at least one file or folder to ingest")
	}
	db, err := a.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if db.NeedsReindex() {
		return fmt.Errorf("%s: run `baobot reindex` first", storage.ErrNeedsReindex)
	}

	opts := ingest.Options{MaxFileBytes: a.cfg.Ingest.MaxFileBytes}
	var bar *progressbar.ProgressBar
	if a.env.Terminal && !*quiet {
		bar = progressbar.NewOptions(ingest.Count(paths, opts),
			progressbar.OptionSetWriter(a.env.Stderr),
			progressbar.OptionSetDescription("ingesting"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("articles"),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish())
	}
	failf := func(format string, args ...any) {
		if bar != nil {
			bar.Clear()
		}
		fmt.Fprintf(a.env.Stderr, "failed: "+format+"\n", args...)
	}

	var sum ingestSummary
	batch := make([]retrieval.Article, 0, a.cfg.Database.BatchSize)
	origins := make([]string, 0, a.cfg.Database.BatchSize)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		outcomes, failures, err := db.PutEach(batch)
		if err != nil {
			return err
		}
		for i, o := range outcomes {
			switch {
			case failures[i] != nil:
				sum.failed++
				failf("%s: %v", origins[i], failures[i])
			case o == storage.Added:
				sum.added++
			case o == storage.Replaced:
				sum.replaced++
			default:
				sum.unchanged++
			}
		}
		if bar != nil {
			bar.Add(len(batch))
		}
		batch, origins = batch[:0], origins[:0]
		return nil
	}
	err = ingest.Walk(paths, opts, func(r ingest.Record) error {
		if r.Err != nil {
			sum.failed++
			failf("%s: %v", r.Origin, r.Err)
			if bar != nil {
				bar.Add(1)
			}
			return nil
		}
		batch = append(batch, r.Article)
		origins = append(origins, r.Origin)
		if len(batch) >= cap(batch) {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "%s\n", sum)
	if sum.failed > 0 {
		return errReported
	}
	return nil
}
