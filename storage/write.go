package storage

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// Outcome says what Put did with one article.
type Outcome int

const (
	Added     Outcome = iota + 1 // the ID was new
	Replaced                     // the ID was stored with other content, which is gone
	Unchanged                    // the ID was stored with the same content: nothing was written
)

func (o Outcome) String() string {
	switch o {
	case Added:
		return "added"
	case Replaced:
		return "replaced"
	case Unchanged:
		return "unchanged"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// Put stores articles in one transaction: all of them or, on error, none.
// outcomes[i] says what became of articles[i]. An article stored with the
// same content hash is left as it is; one stored with other content is
// replaced, keeping its AddedAt. New articles get strictly increasing
// AddedAt times, in batch order.
//
// An article without ID or body, or with an ID already in the batch, is
// refused with an *ArticleError wrapping ErrInvalidArticle. Put returns
// ErrNeedsReindex while NeedsReindex is true. Batches of a few hundred
// articles amortise the cost of a transaction.
func (db *DB) Put(articles []retrieval.Article) ([]Outcome, error) {
	b := db.Prepare(articles)
	defer b.Close()
	return db.put(b)
}

// A Batch is articles on their way into the index: Prepare starts
// analysing and compressing them at once, on every CPU, outside any lock
// or transaction, so that a writer can have the next batch prepared while
// this one is written (PutEachBatch). Close it when done with it.
type Batch struct {
	articles []retrieval.Article
	hashes   []string
	stream   *prepareStream // nil when the batch is invalid or the DB read-only
	terms    *termTable     // the terms of the articles prepared, numbered
	err      error          // why the batch cannot be put, from checkBatch
}

// Prepare returns the batch of articles, whose preparation has begun.
// Articles stored already with the same content are not prepared (they
// will be left as they are); which of them a write finds changed is
// decided when it is put, and any it finds changed that were not
// prepared are prepared then.
func (db *DB) Prepare(articles []retrieval.Article) *Batch {
	b := &Batch{articles: articles, hashes: make([]string, len(articles)), terms: newTermTable()}
	for i, a := range articles {
		b.hashes[i] = a.ContentHash()
	}
	if b.err = checkBatch(articles); b.err != nil || db.checkWritable() != nil {
		return b
	}
	unchanged := make([]bool, len(articles))
	_ = db.viewTx(func(tx *bolt.Tx) error { // on error every article is prepared
		outcomes, _, err := outcomesIn(tx, db, articles, b.hashes, false)
		for i, o := range outcomes {
			unchanged[i] = err == nil && o == Unchanged
		}
		return err
	})
	b.stream = streamPrepared(db.analyze, db.codecForWrites(), b.terms, articles, unchanged, &db.prepares)
	return b
}

// Close stops the preparations of b not begun yet and waits for the
// others. It may be called more than once.
func (b *Batch) Close() {
	if b.stream != nil {
		b.stream.close()
	}
}

// outcomesIn says what putting articles (of content hashes) would do,
// given what tx holds under their IDs, and, when withOlds, returns the
// records of those it would replace, by index into articles.
func outcomesIn(tx *bolt.Tx, db *DB, articles []retrieval.Article, hashes []string, withOlds bool) ([]Outcome, map[int]record, error) {
	outcomes := make([]Outcome, len(articles))
	olds := make(map[int]record)
	b := tx.Bucket(bucketArticles)
	for i, a := range articles {
		v := b.Get([]byte(a.ID))
		if v == nil {
			outcomes[i] = Added
			continue
		}
		info, err := decodeInfo(a.ID, v)
		if err != nil {
			return nil, nil, err
		}
		if info.Hash == hashes[i] {
			outcomes[i] = Unchanged
			continue
		}
		outcomes[i] = Replaced
		if !withOlds {
			continue
		}
		if olds[i], err = decodeRecord(a.ID, v, textSource{db: db, tx: tx}); err != nil {
			return nil, nil, err
		}
	}
	return outcomes, olds, nil
}

// put is Put of a prepared batch.
func (db *DB) put(b *Batch) ([]Outcome, error) {
	if err := db.checkWritable(); err != nil {
		return nil, err
	}
	if b.err != nil {
		return nil, db.errorf("put: %w", b.err)
	}
	articles := b.articles

	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.checkCurrent(); err != nil {
		return nil, err
	}

	// What is stored under each ID decides the outcome: db.mu keeps it
	// so until the write.
	var outcomes []Outcome
	var olds map[int]record // by index into articles, for Replaced
	err := db.viewTx(func(tx *bolt.Tx) (err error) {
		outcomes, olds, err = outcomesIn(tx, db, articles, b.hashes, true)
		return err
	})
	if err != nil {
		return nil, db.errorf("put: %w", err)
	}
	var changed, replaced []int // indexes into articles
	for i, o := range outcomes {
		switch o {
		case Unchanged:
			continue
		case Replaced:
			replaced = append(replaced, i)
		}
		changed = append(changed, i)
	}
	if len(changed) == 0 {
		return outcomes, nil
	}
	// The write transaction indexes each article as soon as it is
	// prepared, while the next ones are being prepared. An article whose
	// analysis fails aborts it: nothing is written. One that Prepare
	// found unchanged, and an earlier write changed since, is prepared
	// here, with the codec of now.
	bad := -1
	now := time.Now().UnixNano()
	err = db.update(b.terms, func(w *writer) error {
		for _, i := range replaced {
			if err := w.unindex(olds[i]); err != nil {
				return err
			}
		}
		for _, i := range changed {
			rec, ok := olds[i]
			if !ok {
				rec = record{addedAt: w.nextAddedAt(now)}
				w.meta.stats.Articles++
				if err := w.added.Put(addedKey(rec.addedAt, articles[i].ID), nil); err != nil {
					return err
				}
			}
			p, err := b.prepared(db, i)
			if err != nil {
				bad = i
				return err
			}
			rec.article, rec.hash, rec.text = articles[i], b.hashes[i], p.text
			if err := w.index(&rec, p); err != nil {
				return err
			}
			if err := w.putRecord(&rec); err != nil {
				return err
			}
		}
		// Preparations still running are of articles found unchanged:
		// stop them, so that nothing numbers terms while the postings
		// are written.
		b.Close()
		return nil
	})
	if bad >= 0 {
		return nil, db.errorf("put: %w", &ArticleError{Index: bad, ID: articles[bad].ID, Err: err})
	}
	if err != nil {
		return nil, db.errorf("put: %w", err)
	}
	return outcomes, nil
}

// prepared hands over the preparation of article i of b, waiting for it,
// or prepares it now if Prepare did not.
func (b *Batch) prepared(db *DB, i int) (prepared, error) {
	if b.stream != nil {
		if p, ok, err := b.stream.get(i); ok {
			return p, err
		}
	}
	return prepare(db.analyze, db.codecForWrites(), b.terms, b.articles[i])
}

// Remove deletes an article, its passages and their postings. It returns an
// error wrapping retrieval.ErrNotFound when there is no such article, and
// ErrNeedsReindex while NeedsReindex is true.
func (db *DB) Remove(id string) error {
	if err := db.checkWritable(); err != nil {
		return err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if err := db.checkCurrent(); err != nil {
		return err
	}
	var rec record
	err := db.viewTx(func(tx *bolt.Tx) (err error) {
		r, err := newReader(db, tx)
		if err == nil {
			rec, err = r.record(id)
		}
		return err
	})
	if err != nil {
		return db.errorf("remove: %w", err)
	}
	err = db.update(nil, func(w *writer) error { // adds no postings
		if err := w.unindex(rec); err != nil {
			return err
		}
		w.meta.stats.Articles--
		if err := w.added.Delete(addedKey(rec.addedAt, id)); err != nil {
			return err
		}
		return w.articles.Delete([]byte(id))
	})
	if err != nil {
		return db.errorf("remove: %w", err)
	}
	return nil
}

// checkWritable refuses writes on a read-only DB.
func (db *DB) checkWritable() error {
	if db.readOnly {
		return db.errorf("%w", ErrReadOnly)
	}
	return nil
}

// checkCurrent refuses Put and Remove on an index built by other analysis
// rules: deleting an article's postings needs the terms it was indexed under,
// which only the same rules give back.
func (db *DB) checkCurrent() error {
	if v := db.analysis.Load(); v != retrieval.AnalysisVersion {
		return db.errorf("%w: built with analysis version %d, current is %d", ErrNeedsReindex, v, retrieval.AnalysisVersion)
	}
	return nil
}

// addedKey is the key of an article in the added bucket.
func addedKey(addedAt int64, id string) []byte {
	key := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(addedAt))
	return append(key, id...)
}

// update runs fn in a write transaction, then writes what the writer
// gathered and commits; then, if the index now holds enough articles, it
// trains its text dictionary (textdict.go). The caller holds db.mu.
func (db *DB) update(terms *termTable, fn func(w *writer) error) error {
	var added retrieval.PassageID
	var articles uint64
	err := db.updateTx(func(tx *bolt.Tx) error {
		w, err := newWriter(tx, terms)
		if err != nil {
			return err
		}
		defer func() { added, articles = w.meta.next-w.first, w.meta.stats.Articles }()
		if err := fn(w); err != nil {
			return err
		}
		if err := w.flush(); err != nil {
			return err
		}
		if db.beforeCommit != nil {
			return db.beforeCommit()
		}
		return nil
	})
	if err == nil {
		db.wrote = true
		db.addedPassages += uint64(added)
		db.trainTextDictIfDue(articles)
	}
	return err
}

// writer changes the index inside one write transaction. The meta bucket,
// the language counts and the new postings are kept in memory and written by
// flush, once per transaction.
type writer struct {
	meta      meta
	articles  *bolt.Bucket
	passages  *bolt.Bucket
	added     *bolt.Bucket
	languages *bolt.Bucket
	tx        *bolt.Tx

	arena   arena
	batch   postingsBatch
	first   retrieval.PassageID // the first passage this transaction adds
	norms   []byte              // the lengths of the passages it adds, as a run keeps them
	removed []passageRange      // the passages it removes
	langs   map[string]int      // change of each language's article count
	key     []byte
}

// passageRange is the passages lo … hi-1.
type passageRange struct{ lo, hi retrieval.PassageID }

func newWriter(tx *bolt.Tx, terms *termTable) (*writer, error) {
	m, err := readMeta(tx)
	if err != nil {
		return nil, err
	}
	w := &writer{
		meta:      m,
		tx:        tx,
		articles:  tx.Bucket(bucketArticles),
		passages:  tx.Bucket(bucketPassages),
		added:     tx.Bucket(bucketAdded),
		languages: tx.Bucket(bucketLanguages),
		langs:     make(map[string]int),
		batch:     postingsBatch{terms: terms},
	}
	w.first = m.next
	// Passage IDs and ingest times only grow: keys go to the end of these
	// buckets, which can then fill their pages.
	w.passages.FillPercent = 0.95
	w.added.FillPercent = 0.95
	return w, nil
}

// nextAddedAt returns the ingest time of the next new article: now, or just
// after the last one given if the clock says otherwise.
func (w *writer) nextAddedAt(now int64) int64 {
	w.meta.lastAdded = max(now, w.meta.lastAdded+1)
	return w.meta.lastAdded
}

// index stores the passages of prep's analysis under new IDs, records
// them in rec and queues their postings. rec.article must be the analysed
// article, and prep's terms numbered in the writer's term table.
func (w *writer) index(rec *record, prep prepared) error {
	analysis := prep.analysis
	n := uint64(len(analysis.Passages))
	if uint64(w.meta.next)+n > math.MaxUint32 {
		return fmt.Errorf("article %q: passage IDs exhausted", rec.article.ID)
	}
	rec.first, rec.passages, rec.language = w.meta.next, uint32(n), analysis.Language
	for i, p := range analysis.Passages {
		id := rec.first + retrieval.PassageID(i)
		ref := retrieval.PassageRef{ArticleID: rec.article.ID, Ordinal: p.Ordinal, Start: p.Start, End: p.End}
		value := appendPassage(w.arena.alloc(4*binary.MaxVarintLen64+len(ref.ArticleID)), ref, p.Length)
		w.key = passageKey(w.key[:0], id)
		if err := w.passages.Put(w.key, value); err != nil {
			return err
		}
		w.batch.add(id, prep.terms[i])
		if p.Length >= articleFirst {
			return fmt.Errorf("%w: article %q: passage of %d terms", ErrInvalidArticle, rec.article.ID, p.Length)
		}
		norm := p.Length
		if i == 0 {
			norm |= articleFirst
		}
		w.norms = binary.LittleEndian.AppendUint32(w.norms, norm)
		w.meta.stats.Passages++
		w.meta.stats.TotalLength += uint64(p.Length)
	}
	w.meta.next += retrieval.PassageID(n)
	if rec.language != "" {
		w.langs[rec.language]++
	}
	return nil
}

// unindex deletes the passages of rec and marks them removed in the runs
// that hold their postings (which stay there until the runs are merged).
// It leaves the article record alone.
func (w *writer) unindex(rec record) error {
	id := rec.article.ID
	for p := rec.first; p < rec.end(); p++ {
		w.key = passageKey(w.key[:0], p)
		v := w.passages.Get(w.key)
		if v == nil {
			return fmt.Errorf("%w: article %q: passage %d missing", ErrCorrupt, id, p)
		}
		_, length, err := decodePassage(p, v)
		if err != nil {
			return err
		}
		if err := w.passages.Delete(w.key); err != nil {
			return err
		}
		w.meta.stats.Passages--
		w.meta.stats.TotalLength -= uint64(length)
	}
	if rec.passages > 0 {
		w.removed = append(w.removed, passageRange{rec.first, rec.end()})
	}
	if rec.language != "" {
		w.langs[rec.language]--
	}
	return nil
}

// putRecord stores the article record rec, whose stored text rec.text is
// made: texts are compressed before the transaction.
func (w *writer) putRecord(rec *record) error {
	value := appendRecord(w.arena.alloc(rec.maxSize()), rec, nil)
	return w.articles.Put([]byte(rec.article.ID), value)
}

// flush marks the removed passages in their runs, writes the new passages'
// postings as a new run, merges runs if that makes enough of one level,
// and writes the language counts and the meta bucket.
func (w *writer) flush() error {
	runs, err := loadRuns(w.tx)
	if err != nil {
		return err
	}
	if err := w.markRemoved(runs); err != nil {
		return err
	}
	if n := len(w.norms) / 4; n > 0 {
		r := run{seq: w.meta.nextRun, lo: w.first, norms: w.norms}
		if r.hi() != w.meta.next {
			return fmt.Errorf("%w: run of passages %d…%d, next passage %d", ErrCorrupt, r.lo, r.hi()-1, w.meta.next)
		}
		if k := len(runs); k > 0 && runs[k-1].hi() > r.lo {
			return fmt.Errorf("%w: run %d ends after passage %d", ErrCorrupt, runs[k-1].seq, r.lo)
		}
		w.meta.nextRun++
		if err := writeRun(w.tx, &r, &w.batch, &w.arena); err != nil {
			return err
		}
		runs = append(runs, r)
		if w.meta.nextRun, err = compact(w.tx, runs, w.meta.nextRun, &w.arena); err != nil {
			return err
		}
	}
	for lang, delta := range w.langs {
		if delta == 0 {
			continue
		}
		key := []byte(lang)
		var count int64
		if v := w.languages.Get(key); len(v) == 8 {
			count = int64(binary.BigEndian.Uint64(v))
		} else if v != nil {
			return fmt.Errorf("%w: language %q count", ErrCorrupt, lang)
		}
		switch count += int64(delta); {
		case count < 0:
			return fmt.Errorf("%w: language %q count below zero", ErrCorrupt, lang)
		case count == 0:
			err = w.languages.Delete(key)
		default:
			err = w.languages.Put(key, binary.BigEndian.AppendUint64(nil, uint64(count)))
		}
		if err != nil {
			return err
		}
	}
	return w.meta.write(w.tx)
}

// markRemoved sets the norms of the removed passages to deletedNorm in the
// runs that hold them.
func (w *writer) markRemoved(runs []run) error {
	if len(w.removed) == 0 {
		return nil
	}
	for i := range runs {
		r := &runs[i]
		var norms []byte
		for _, pr := range w.removed {
			lo, hi := max(pr.lo, r.lo), min(pr.hi, r.hi())
			if lo >= hi {
				continue
			}
			if norms == nil {
				norms = append(w.arena.alloc(len(r.norms)), r.norms...)
			}
			for id := lo; id < hi; id++ {
				if binary.LittleEndian.Uint32(norms[4*(id-r.lo):]) != deletedNorm {
					binary.LittleEndian.PutUint32(norms[4*(id-r.lo):], deletedNorm)
					r.removed++
				}
			}
		}
		if norms != nil {
			r.norms = norms
			if err := putRunInfo(w.tx, r, &w.arena); err != nil {
				return err
			}
		}
	}
	return nil
}
