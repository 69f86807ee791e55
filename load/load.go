// Package load writes ingested articles into the database in batches. It is
// the one path by which `baobot ingest` and the folder watcher of `baobot
// serve` store what package ingest parsed: Records go in one by one, are
// written a batch per transaction (storage.DB.PutEachBatch), and a bad file,
// line or article costs only itself. A batch is written in the background
// while the next one is read and prepared, so that reading, analysis and
// the serial end of each write overlap.
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
// at the end; Summary says what became of them. The callbacks are called
// from the goroutine that calls Add and Flush. A Loader is not safe for
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
	writing *write // the batch being written, nil when none is
}

// write is a batch being written in the background.
type write struct {
	origins  []string
	batch    *storage.Batch
	done     chan struct{}
	outcomes []storage.Outcome
	failures []error
	err      error
}

// Add takes one Record: a failed one is counted and reported at once, an
// article joins the batch, which starts being written when full, once the
// batch before it is written. The error is a storage failure that refused
// a whole batch (a full disk, a database that needs a reindex): nothing of
// that batch was written, and the Loader is done.
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
		return l.dispatch()
	}
	return nil
}

// Pending is the number of articles added and not known to be written
// yet: those of the batch being filled and of the batch being written.
func (l *Loader) Pending() int {
	n := len(l.batch)
	if l.writing != nil {
		n += len(l.writing.origins)
	}
	return n
}

// Flush writes the pending articles and waits until they are written. On
// error nothing of the batch that failed is written.
func (l *Loader) Flush() error {
	if len(l.batch) > 0 {
		if err := l.dispatch(); err != nil {
			return err
		}
	}
	return l.Wait()
}

// dispatch starts preparing the batch being filled and, once the batch
// before it is written, writing it in the background.
func (l *Loader) dispatch() error {
	w := &write{origins: l.origins, batch: l.DB.Prepare(l.batch), done: make(chan struct{})}
	l.batch, l.origins = nil, nil
	if err := l.Wait(); err != nil {
		w.batch.Close()
		return err
	}
	l.writing = w
	go func() {
		defer close(w.done)
		defer w.batch.Close()
		w.outcomes, w.failures, w.err = l.DB.PutEachBatch(w.batch)
	}()
	return nil
}

// Wait waits for the batch being written, if any, and counts and reports
// what became of its articles; the batch being filled stays pending. A
// caller that stops before Flush calls it so that no write outlives it.
func (l *Loader) Wait() error {
	w := l.writing
	if w == nil {
		return nil
	}
	<-w.done
	l.writing = nil
	if w.err != nil {
		return w.err
	}
	written := make([]string, 0, len(w.origins))
	writtenOutcomes := make([]storage.Outcome, 0, len(w.origins))
	for i, o := range w.outcomes {
		switch {
		case w.failures[i] != nil:
			l.fail(w.origins[i], w.failures[i])
			continue
		case o == storage.Added:
			l.Summary.Added++
		case o == storage.Replaced:
			l.Summary.Replaced++
		default:
			l.Summary.Unchanged++
		}
		written = append(written, w.origins[i])
		writtenOutcomes = append(writtenOutcomes, o)
	}
	if l.Written != nil {
		l.Written(written, writtenOutcomes)
	}
	l.progress(len(w.origins))
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
