package storage

import (
	"encoding/binary"
	"fmt"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// reader is the retrieval.IndexReader of one View: a read transaction and
// the buffers its calls reuse.
type reader struct {
	stats     retrieval.Stats
	articles  *bolt.Bucket
	passages  *bolt.Bucket
	languages *bolt.Bucket
	runs      []run
	cursors   []*bolt.Cursor // one per run

	texts   textSource
	key     []byte
	buf     []retrieval.Posting
	scratch lookupScratch
}

var (
	_ retrieval.IndexReader    = (*reader)(nil)
	_ retrieval.ArticleFetcher = (*reader)(nil)
)

// newReader is the reader of tx, a transaction of db.
func newReader(db *DB, tx *bolt.Tx) (*reader, error) {
	m, err := readMeta(tx)
	if err != nil {
		return nil, err
	}
	var runs []run
	if m.schema >= oldestReadable { // an older schema has no runs until upgraded
		if runs, err = loadRuns(tx); err != nil {
			return nil, err
		}
	}
	r := &reader{
		stats:     m.stats,
		articles:  tx.Bucket(bucketArticles),
		passages:  tx.Bucket(bucketPassages),
		languages: tx.Bucket(bucketLanguages),
		runs:      runs,
		cursors:   make([]*bolt.Cursor, len(runs)),
		texts:     textSource{db: db, tx: tx},
	}
	parent := tx.Bucket(bucketRuns)
	for i := range runs {
		b := parent.Bucket(runName(runs[i].seq))
		if b == nil {
			return nil, corrupt("run %d: bucket missing", runs[i].seq)
		}
		r.cursors[i] = b.Cursor()
	}
	return r, nil
}

// Stats returns the collection statistics as of the start of the View.
func (r *reader) Stats() retrieval.Stats { return r.stats }

// Postings returns the postings of term in increasing passage order, or nil.
// The slice is reused by the next call. The postings of a folded term are
// derived from the exact terms of its form (see retrieval.FoldedForm): one
// range of sort keys per run.
func (r *reader) Postings(term string) ([]retrieval.Posting, error) {
	form, folded := retrieval.FoldedTerm(term)
	if folded && form == "" || !folded && !storableTerm(term) {
		return nil, nil
	}
	if folded {
		r.key = append(append(r.key[:0], form...), 0)
	} else {
		r.key = appendSortKey(r.key[:0], term)
	}
	r.buf = r.buf[:0]
	for i := range r.runs {
		var err error
		if r.buf, err = findPostings(r.buf, r.cursors[i], &r.runs[i], r.key, folded, &r.scratch); err != nil {
			return nil, fmt.Errorf("term %q: %w", term, err)
		}
	}
	if len(r.buf) == 0 {
		return nil, nil
	}
	return r.buf, nil
}

// Passage resolves a passage ID.
func (r *reader) Passage(id retrieval.PassageID) (retrieval.PassageRef, error) {
	var key [4]byte
	v := r.passages.Get(passageKey(key[:0], id))
	if v == nil {
		return retrieval.PassageRef{}, fmt.Errorf("passage %d: %w", id, retrieval.ErrNotFound)
	}
	ref, _, err := decodePassage(id, v)
	return ref, err
}

// Article returns a stored article, as it was put.
func (r *reader) Article(id string) (retrieval.Article, error) {
	rec, err := r.record(id)
	return rec.article, err
}

// FetchArticle is Article in two steps (retrieval.ArticleFetcher): it
// finds the record of id, and the function it returns decodes it, on any
// goroutine, while the transaction lasts.
func (r *reader) FetchArticle(id string) (func() (retrieval.Article, error), error) {
	v := r.articles.Get([]byte(id))
	if v == nil {
		return nil, fmt.Errorf("article %q: %w", id, retrieval.ErrNotFound)
	}
	texts := r.texts.detached()
	return func() (retrieval.Article, error) {
		rec, err := decodeRecord(id, v, texts)
		return rec.article, err
	}, nil
}

func (r *reader) record(id string) (record, error) {
	v := r.articles.Get([]byte(id))
	if v == nil {
		return record{}, fmt.Errorf("article %q: %w", id, retrieval.ErrNotFound)
	}
	return decodeRecord(id, v, r.texts)
}

// Languages counts the stored articles by analysis language.
func (r *reader) Languages() map[string]uint64 {
	langs := make(map[string]uint64)
	r.languages.ForEach(func(k, v []byte) error {
		if len(v) == 8 {
			langs[string(k)] = binary.BigEndian.Uint64(v)
		}
		return nil
	})
	return langs
}
