package storage

import (
	"bytes"
	"cmp"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// reindexBatchSize is how many articles Reindex analyses and writes per
// transaction.
const reindexBatchSize = 500

// Reindex rebuilds the passages, postings, language counts and statistics
// of every stored article from its stored text with the current analyzer,
// then records retrieval.AnalysisVersion as the index's. progress, if not
// nil, is called with (0, total) first and after each batch.
//
// It works in bounded batches, one transaction each. The first one marks
// the index as needing a reindex and empties what it rebuilds, the last one
// marks it current; in between, readers see only the articles done so far.
// If Reindex fails or the process dies part way, NeedsReindex stays true and
// the next Reindex starts over. The articles, their hashes and their ingest
// times are kept as they are.
func (db *DB) Reindex(progress func(done, total int)) error {
	if err := db.checkWritable(); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()

	var total int
	err := db.updateTx(func(tx *bolt.Tx) error {
		m, err := readMeta(tx)
		if err != nil {
			return err
		}
		m.analysis = 0
		m.stats.Passages, m.stats.TotalLength = 0, 0
		for _, name := range [][]byte{bucketPassages, bucketRuns, bucketRunInfo, bucketLanguages} {
			if err := tx.DeleteBucket(name); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(name); err != nil {
				return err
			}
		}
		total = int(m.stats.Articles)
		return m.write(tx)
	})
	if err != nil {
		return db.errorf("reindex: %w", err)
	}
	db.analysis.Store(0)
	// The texts are rewritten: with the index's dictionary if it is due.
	db.trainTextDictIfDue(uint64(total))
	if progress != nil {
		progress(0, total)
	}

	batchSize := cmp.Or(db.reindexBatch, reindexBatchSize)
	var after []byte // the ID of the last article done
	for done := 0; ; {
		var recs []record
		err := db.viewTx(func(tx *bolt.Tx) error {
			recs = nil
			c := tx.Bucket(bucketArticles).Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); bytes.Equal(k, after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(recs) < batchSize; k, v = c.Next() {
				rec, err := decodeRecord(string(k), v, textSource{db: db, tx: tx})
				if err != nil {
					return err
				}
				recs = append(recs, rec)
			}
			return nil
		})
		if err != nil {
			return db.errorf("reindex: %w", err)
		}
		if len(recs) == 0 {
			break
		}
		articles := make([]retrieval.Article, len(recs))
		for i := range recs {
			articles[i] = recs[i].article
		}
		terms := newTermTable()
		ps, bad, err := prepareAll(db.analyze, db.codecForWrites(), terms, articles)
		if err != nil {
			return db.errorf("reindex: article %q: %w", articles[bad].ID, err)
		}
		err = db.update(terms, func(w *writer) error {
			for i := range recs {
				recs[i].text = ps[i].text
				if err := w.index(&recs[i], ps[i]); err != nil {
					return err
				}
				if err := w.putRecord(&recs[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return db.errorf("reindex: %w", err)
		}
		after = []byte(recs[len(recs)-1].article.ID)
		done += len(recs)
		if progress != nil {
			progress(done, max(total, done))
		}
	}

	err = db.updateTx(func(tx *bolt.Tx) error {
		m, err := readMeta(tx)
		if err != nil {
			return err
		}
		m.analysis = retrieval.AnalysisVersion
		return m.write(tx)
	})
	if err != nil {
		return db.errorf("reindex: %w", err)
	}
	db.analysis.Store(retrieval.AnalysisVersion)
	return nil
}
