package storage

import (
	"errors"

	"github.com/baobot/baobot/retrieval"
)

// PutEach stores articles like Put, except that an article Put refuses does
// not cost the others: it is set aside with its reason and the rest is put
// again, until a batch goes through. outcomes[i] says what became of
// articles[i] when failures[i] is nil; failures[i] (wrapping
// ErrInvalidArticle) says why it was not stored otherwise. err is any other
// error, after which nothing of the batch was written.
func (db *DB) PutEach(articles []retrieval.Article) (outcomes []Outcome, failures []error, err error) {
	b := db.Prepare(articles)
	defer b.Close()
	return db.PutEachBatch(b)
}

// PutEachBatch is PutEach of a batch Prepare began. Closing b is left to
// the caller.
func (db *DB) PutEachBatch(b *Batch) (outcomes []Outcome, failures []error, err error) {
	articles := b.articles
	failures = make([]error, len(articles))
	keep := make([]int, 0, len(articles))
	for i := range articles {
		keep = append(keep, i)
	}
	for {
		outs, err := db.put(b)
		var ae *ArticleError
		if errors.As(err, &ae) && ae.Index >= 0 && ae.Index < len(keep) {
			failures[keep[ae.Index]] = ae.Err
			keep = append(keep[:ae.Index], keep[ae.Index+1:]...)
			// The rest is prepared again: the write consumed what it
			// indexed before the refusal.
			rest := make([]retrieval.Article, len(keep))
			for j, i := range keep {
				rest[j] = articles[i]
			}
			b.Close()
			b = db.Prepare(rest)
			defer b.Close()
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		outcomes = make([]Outcome, len(articles))
		for j, i := range keep {
			outcomes[i] = outs[j]
		}
		return outcomes, failures, nil
	}
}
