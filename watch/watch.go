// Package watch ingests new and changed article files from the folders that
// `baobot serve` watches (ingest.watch, scanned every ingest.watch_interval).
//
// It polls: each scan walks the folders as `baobot ingest FOLDER` would
// (recursively, supported extensions only, hidden files and folders and
// symbolic links to folders skipped), and reads only the files that are new
// or whose size, modification time or identity (a file renamed into place)
// changed since it last read them. What they hold goes through the same
// ingest and load path as the command line, so IDs are the same as
// `baobot ingest FOLDER` gives them, content stored with the same hash is
// left as it is, and a file with new content replaces its article. Polling
// is portable, works on network filesystems and needs no limit on watched
// directories; the cost is a stat per file per scan.
//
// A file that fails to parse (or holds some bad JSON Lines) is logged once
// and not read again until it changes. A failure of the database itself (a
// full disk, an index that needs a reindex) is logged once, and the scan is
// retried at the next interval: the watcher never loops faster than that.
// Deleting a file does not remove its article (use `baobot articles rm`).
// A file is read when it is seen: write files elsewhere and rename them into
// the folder, or a half-written file may be ingested and then replaced at the
// next scan.
package watch

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/load"
	"github.com/baobot/baobot/storage"
)

// DefaultInterval is the time between scans when cfg.Ingest.WatchInterval
// is not positive.
const DefaultInterval = 30 * time.Second

// Run scans the folders of cfg.Ingest.Watch at once and then every
// cfg.Ingest.WatchInterval, ingesting new and changed files into db, until
// ctx is cancelled. It returns at once when no folder is configured, and
// otherwise only when ctx is cancelled, after the scan in progress stopped
// (between files or articles): wait for Run to return before closing db.
// Relative folders are relative to the working directory. logger nil means
// slog.Default().
func Run(ctx context.Context, db *storage.DB, cfg config.Config, logger *slog.Logger) {
	if len(cfg.Ingest.Watch) == 0 {
		return
	}
	w := newWatcher(db, cfg, logger)
	interval := cfg.Ingest.WatchInterval
	if interval <= 0 {
		interval = DefaultInterval
	}
	w.log.Info("watch: watching folders", "folders", w.folders, "interval", interval)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		w.scan(ctx)
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// fileState is what a scan remembers of a file it read.
type fileState struct {
	info fs.FileInfo
}

func (s fileState) same(info fs.FileInfo) bool {
	return s.info != nil && s.info.Size() == info.Size() && s.info.ModTime().Equal(info.ModTime()) && os.SameFile(s.info, info)
}

// candidate is a file a scan found new or changed.
type candidate struct {
	path, rel string
	info      fs.FileInfo
}

type watcher struct {
	db        *storage.DB
	folders   []string
	opts      ingest.Options
	batchSize int
	log       *slog.Logger

	seen     map[string]fileState // by path: the files read, as they were
	problems map[string]string    // by folder or "": the last problem logged
}

func newWatcher(db *storage.DB, cfg config.Config, logger *slog.Logger) *watcher {
	if logger == nil {
		logger = slog.Default()
	}
	return &watcher{
		db:        db,
		folders:   cfg.Ingest.Watch,
		opts:      ingest.Options{MaxFileBytes: cfg.Ingest.MaxFileBytes},
		batchSize: cfg.Database.BatchSize,
		log:       logger,
		seen:      make(map[string]fileState),
		problems:  make(map[string]string),
	}
}

// problem logs a problem of key (a folder, or "" for the database) once,
// until it changes or clears.
func (w *watcher) problem(key, msg string, err error, args ...any) {
	text := msg
	if err != nil {
		text += ": " + err.Error()
	}
	if w.problems[key] == text {
		return
	}
	w.problems[key] = text
	w.log.Error(msg, append(args, "err", err)...)
}

func (w *watcher) clear(key string) {
	if _, ok := w.problems[key]; ok {
		delete(w.problems, key)
		if key == "" {
			w.log.Info("watch: the database takes articles again")
		} else {
			w.log.Info("watch: folder readable again", "folder", key)
		}
	}
}

// scan ingests the new and changed files of every folder once.
func (w *watcher) scan(ctx context.Context) {
	if w.db.NeedsReindex() {
		w.problem("", "watch: waiting: the index needs a reindex (baobot reindex)", nil)
		return
	}
	var changed []candidate
	present := make(map[string]bool)
	for _, folder := range w.folders {
		found, err := w.list(folder)
		if err != nil {
			w.problem(folder, "watch: cannot read folder", err, "folder", folder)
		} else {
			w.clear(folder)
		}
		for _, c := range found {
			present[c.path] = true
			if !w.seen[c.path].same(c.info) {
				changed = append(changed, c)
			}
		}
	}
	for path := range w.seen {
		if !present[path] {
			delete(w.seen, path) // gone: forget it
		}
	}
	if len(changed) == 0 {
		return
	}
	if err := w.ingest(ctx, changed); err != nil {
		if ctx.Err() == nil {
			w.problem("", "watch: cannot write to the database; will retry", err)
		}
		return
	}
	w.clear("")
}

// list returns the files of folder that `baobot ingest folder` reads, with
// their path relative to folder. An unreadable subfolder is logged once and
// skipped.
func (w *watcher) list(folder string) ([]candidate, error) {
	info, err := os.Stat(folder)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, errors.New("not a folder")
	}
	root := folder
	if l, err := os.Lstat(folder); err == nil && l.Mode()&fs.ModeSymlink != 0 {
		root = folder + string(filepath.Separator) // WalkDir follows a root link so
	}
	var found []candidate
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != root {
				w.problem(path, "watch: cannot read", err, "folder", path)
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if path != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !ingest.Supported(d.Name()) {
			return nil
		}
		info, err := os.Stat(path) // follows a symbolic link to a file
		if err != nil || !info.Mode().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			rel = d.Name()
		}
		found = append(found, candidate{path: path, rel: rel, info: info})
		return nil
	})
	return found, err
}

// ingest reads the changed files and writes their articles in batches. A
// file is remembered once its articles are written (or refused for a reason
// of their own); a database failure returns an error and remembers none of
// the files of the batch that failed.
func (w *watcher) ingest(ctx context.Context, files []candidate) error {
	loader := &load.Loader{
		DB:        w.db,
		BatchSize: w.batchSize,
		Failed: func(origin string, err error) {
			w.log.Warn("watch: cannot ingest", "file", origin, "err", err)
		},
		Written: func(origins []string, outcomes []storage.Outcome) {
			for i, o := range outcomes {
				if o != storage.Unchanged {
					w.log.Info("watch: article "+o.String(), "file", origins[i])
				}
			}
		},
	}
	defer func() {
		// A write still in flight after an error: wait for it, so that it
		// is counted (the error returned says why the scan stopped).
		loader.Wait()
		if sum := loader.Summary; sum.Added+sum.Replaced+sum.Failed > 0 {
			w.log.Info("watch: scanned", "added", sum.Added, "replaced", sum.Replaced, "unchanged", sum.Unchanged, "failed", sum.Failed)
		}
	}()
	var done []candidate // read, written once nothing is pending
	for _, c := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(c.path)
		if err != nil {
			// Perhaps a permission, fixed without touching the file:
			// try again next scan, without logging again.
			w.problem(c.path, "watch: cannot read", err, "file", c.path)
			continue
		}
		delete(w.problems, c.path)
		err = w.read(ctx, c, f, loader)
		f.Close()
		if err != nil {
			return err
		}
		done = append(done, c)
		if loader.Pending() == 0 {
			w.remember(done)
			done = done[:0]
		}
	}
	if err := loader.Flush(); err != nil {
		return err
	}
	w.remember(done)
	return nil
}

// read parses one file into loader. Origins name the file by its path.
func (w *watcher) read(ctx context.Context, c candidate, f *os.File, loader *load.Loader) error {
	// Parse derives the ID from the name relative to the folder, as Walk
	// does for `baobot ingest FOLDER`.
	return ingest.Parse(c.rel, f, w.opts, func(r ingest.Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.Origin = c.path + strings.TrimPrefix(r.Origin, c.rel)
		return loader.Add(r)
	})
}

func (w *watcher) remember(files []candidate) {
	for _, c := range files {
		w.seen[c.path] = fileState{info: c.info}
	}
}
