package storage

import (
	"bytes"
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
	postings  *bolt.Bucket
	languages *bolt.Bucket

	key []byte
	buf []retrieval.Posting
}

var _ retrieval.IndexReader = (*reader)(nil)

func newReader(tx *bolt.Tx) (*reader, error) {
	m, err := readMeta(tx)
	if err != nil {
		return nil, err
	}
	return &reader{
		stats:     m.stats,
		articles:  tx.Bucket(bucketArticles),
		passages:  tx.Bucket(bucketPassages),
		postings:  tx.Bucket(bucketPostings),
		languages: tx.Bucket(bucketLanguages),
	}, nil
}

// Stats returns the collection statistics as of the start of the View.
func (r *reader) Stats() retrieval.Stats { return r.stats }

// Postings returns the postings of term in increasing passage order, or nil.
// The slice is reused by the next call.
func (r *reader) Postings(term string) ([]retrieval.Posting, error) {
	if !storableTerm(term) {
		return nil, nil
	}
	r.key = termPrefix(r.key[:0], term)
	r.buf = r.buf[:0]
	c := r.postings.Cursor()
	for k, v := c.Seek(r.key); bytes.HasPrefix(k, r.key); k, v = c.Next() {
		if len(k) != len(r.key)+4 {
			return nil, corrupt("postings key %q", k)
		}
		first := segmentFirst(k, len(r.key))
		if n := len(r.buf); n > 0 && r.buf[n-1].Passage >= first {
			return nil, corrupt("postings of %q: segment %d overlaps the one before", term, first)
		}
		var err error
		if r.buf, err = appendSegment(r.buf, first, v); err != nil {
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

func (r *reader) record(id string) (record, error) {
	v := r.articles.Get([]byte(id))
	if v == nil {
		return record{}, fmt.Errorf("article %q: %w", id, retrieval.ErrNotFound)
	}
	return decodeRecord(id, v)
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
