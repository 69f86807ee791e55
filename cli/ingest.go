package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/schollz/progressbar/v3"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/load"
	"github.com/baobot/baobot/storage"
)

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

	// Paths are relative to the user's working directory (Env.Dir when a
	// running baobot runs the command for a client); what is printed names
	// them as the user typed them.
	resolved := make([]string, len(paths))
	for i, p := range paths {
		resolved[i] = a.path(p)
	}
	opts := ingest.Options{MaxFileBytes: a.cfg.Ingest.MaxFileBytes}
	var bar *progressbar.ProgressBar
	if a.env.Terminal && !*quiet {
		bar = progressbar.NewOptions(ingest.Count(resolved, opts),
			progressbar.OptionSetWriter(a.env.Stderr),
			progressbar.OptionSetDescription("ingesting"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("articles"),
			progressbar.OptionThrottle(100_000_000),
			progressbar.OptionClearOnFinish())
	}
	loader := &load.Loader{
		DB:        db.DB,
		BatchSize: a.cfg.Database.BatchSize,
		Failed: func(origin string, err error) {
			if bar != nil {
				bar.Clear()
			}
			fmt.Fprintf(a.env.Stderr, "failed: %s: %v\n", origin, err)
		},
		Progress: func(n int) {
			if bar != nil {
				bar.Add(n)
			}
		},
	}
	for i := range paths {
		err = ingest.Walk(resolved[i:i+1], opts, func(r ingest.Record) error {
			if err := a.ctx.Err(); err != nil {
				return err // the client of a running baobot left
			}
			if resolved[i] != paths[i] {
				relocate(&r, resolved[i], paths[i])
			}
			return loader.Add(r)
		})
		if err != nil {
			break
		}
	}
	if err == nil {
		err = loader.Flush()
	} else {
		// The batch being written still counts in the summary; err says
		// why the ingest stopped.
		loader.Wait()
	}
	if bar != nil {
		bar.Finish()
	}
	if errors.Is(err, context.Canceled) {
		return fmt.Errorf("stopped before the end (%s so far)", loader.Summary)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.env.Stdout, "%s\n", loader.Summary)
	if loader.Summary.Failed > 0 {
		return errReported
	}
	return nil
}

// relocate rewrites the paths in r that start with resolved, the path Walk
// was given, to start with given, the path as the user typed it, so they
// read as they would in a command run in the user's working directory.
func relocate(r *ingest.Record, resolved, given string) {
	r.Origin = relocatePath(r.Origin, resolved, given)
	var pe *fs.PathError
	if errors.As(r.Err, &pe) {
		pe.Path = relocatePath(pe.Path, resolved, given)
	}
}

// relocatePath maps a path Walk built from resolved (resolved itself,
// resolved + ":line", or, cleaned, resolved joined with a relative path) to
// the one it builds from given.
func relocatePath(p, resolved, given string) string {
	if rest, ok := strings.CutPrefix(p, resolved); ok && (rest == "" || rest[0] == ':') {
		return given + rest
	}
	if rest, ok := strings.CutPrefix(p, filepath.Clean(resolved)); ok && rest != "" && rest[0] == filepath.Separator {
		return filepath.Join(given, rest[1:])
	}
	return p
}
