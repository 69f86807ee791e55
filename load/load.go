// Package load writes ingested articles into the database in batches. It is
// the one path by which `baobot ingest` and the folder watcher of `baobot
// serve` store what package ingest parsed: Records go in one by one, are
// written a batch per transaction (storage.DB.PutEach), and a bad file, line
// or article costs only itself.
package load

import (
	"fmt"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// DefaultBatchSize is the number of articles per transaction when
// Loader.BatchSize is zero or less.
const DefaultBatchSize = 500

// Summary counts what a load did.
type Summary struct {
	Added, Replaced, Unchanged, Failed int
}

// String is the summary line `baobot ingest` ends with:
// "added N, replaced N, unchanged N, failed N".
func (s Summary) String() string {
	return fmt.Sprintf("added %d, replaced %d, unchanged %d, failed %d", s.Added, s.Replaced, s.Unchanged, s.Failed)
}

// Loader batches Records into a database. Add each Record, then Flush once
// at the end; Summary says what became of them. A Loader is not safe for
// concurrent use (the database is).
type Loader struct {
	// DB is where the articles go.
	DB *storage.DB
	// BatchSize is the number of articles per transaction; zero or less
	// means DefaultBatchSize.
	BatchSize int
	// Failed, if set, is called for each Record that failed to parse and
	// each article storage refused, with its origin and the reason.
	Failed func(origin string, err error)
	// Written, if set, is called after each flushed batch with its
	// articles' origins and outcomes.
	Written func(origins []string, outcomes []storage.Outcome)
	// Progress, if set, is called with the number of Records done each
	// time some are: a failed one at once, the others when their batch is
	// written.
	Progress func(n int)

	// Summary counts the Records done so far.
	Summary Summary

	batch   []retrieval.Article
	origins []string
}

// Add takes one Record: a failed one is counted and reported at once, an
// article joins the batch, which is written when full. The error is a
// storage failure that refused the whole batch (a full disk, a database
// that needs a reindex): nothing of that batch was written.
func (l *Loader) Add(r ingest.Record) error {
	if r.Err != nil {
		l.fail(r.Origin, r.Err)
		l.progress(1)
		return nil
	}
	size := l.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	if l.batch == nil {
		l.batch = make([]retrieval.Article, 0, size)
		l.origins = make([]string, 0, size)
	}
	l.batch = append(l.batch, r.Article)
	l.origins = append(l.origins, r.Origin)
	if len(l.batch) >= size {
		return l.Flush()
	}
	return nil
}

// Pending is the number of articles added and not written yet.
func (l *Loader) Pending() int { return len(l.batch) }

// Flush writes the pending articles in one transaction. On error nothing of
// the batch is written and it stays pending.
func (l *Loader) Flush() error {
	if len(l.batch) == 0 {
		return nil
	}
	outcomes, failures, err := l.DB.PutEach(l.batch)
	if err != nil {
		return err
	}
	written := make([]string, 0, len(l.batch))
	writtenOutcomes := make([]storage.Outcome, 0, len(l.batch))
	for i, o := range outcomes {
		switch {
		case failures[i] != nil:
			l.fail(l.origins[i], failures[i])
			continue
		case o == storage.Added:
			l.Summary.Added++
		case o == storage.Replaced:
			l.Summary.Replaced++
		default:
			l.Summary.Unchanged++
		}
		written = append(written, l.origins[i])
		writtenOutcomes = append(writtenOutcomes, o)
	}
	if l.Written != nil {
		l.Written(written, writtenOutcomes)
	}
	l.progress(len(l.batch))
	l.batch, l.origins = l.batch[:0], l.origins[:0]
	return nil
}

func (l *Loader) fail(origin string, err error) {
	l.Summary.Failed++
	if l.Failed != nil {
		l.Failed(origin, err)
	}
}

func (l *Loader) progress(n int) {
	if l.Progress != nil {
		l.Progress(n)
	}
}
