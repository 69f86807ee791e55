package storage

import (
	"fmt"

	"github.com/klauspost/compress/dict"
	"github.com/klauspost/compress/zstd"
	bolt "go.etcd.io/bbolt"
)

// An index has at most one text dictionary (text.go), trained once from
// the texts it holds and never replaced: the frames made with it need it
// for as long as they are stored.
const (
	// textDictMinArticles: the first write that leaves an index without a
	// dictionary holding at least this many articles trains one, right
	// after it commits.
	textDictMinArticles = 300
	// textDictSamples is how many stored texts, evenly spread over the
	// articles bucket, the dictionary is trained on. Training takes about
	// 1.5 s with 300; 1000 take three times as long and gain little (at
	// SpeedBetterCompression, a text 2.86 times smaller instead of 2.81).
	textDictSamples = 300
	// textDictSampleSize bounds the bytes of one sample that count.
	textDictSampleSize = 32 << 10
	// textDictSize is the size of the dictionary.
	textDictSize = 64 << 10
	// textDictLevel is the level texts are compressed at with the
	// dictionary, which is trained for it. On the benchmark's Vietnamese
	// news, articles of 3 KB on average, with a dictionary of 300 of them:
	//
	//	level                   text/frame  MB/s (one CPU)
	//	SpeedDefault, no dict   2.18        87
	//	SpeedFastest            2.65        81
	//	SpeedDefault            2.59        23
	//	SpeedBetterCompression  2.84        21
	//
	// With a dictionary the stronger levels spend most of their time
	// resetting their large match tables to the dictionary's for every
	// frame. SpeedBetterCompression is chosen all the same: a serving
	// process maps nearly every page of the index, so its resident memory
	// follows the file's size. On the benchmark's full corpus it makes the
	// file 3 MB smaller than SpeedFastest (120.2 against 123.2 MB) for about
	// 2 s more of a 20 s ingest (the texts are compressed on every CPU
	// while the writer indexes).
	textDictLevel = zstd.SpeedBetterCompression
	// textDictID is the ID of every index's dictionary, which the frames
	// made with it carry ("bao1"; IDs below 32768 are reserved).
	textDictID = 0x62616f31
)

// codecForWrites is the codec the next write compresses texts with.
func (db *DB) codecForWrites() *textCodec {
	if c := db.codec.Load(); c != nil {
		return c
	}
	return plainCodec()
}

// trainTextDictIfDue trains and stores the index's text dictionary when it
// has none and articles, the number of articles the last write left, is at
// least textDictMinArticles. The caller holds db.mu. A failure is not the
// write's: it is kept in db.textDictErr, texts are compressed without a
// dictionary meanwhile, and the next write tries again.
func (db *DB) trainTextDictIfDue(articles uint64) {
	if articles < textDictMinArticles || db.codec.Load() != nil {
		return
	}
	db.textDictErr = db.trainTextDict()
	if db.textDictErr != nil {
		db.textDictErr = db.errorf("training the text dictionary: %w", db.textDictErr)
	}
}

// trainTextDict trains a dictionary on stored texts, outside any
// transaction, then stores it in meta. A dictionary already stored is
// loaded instead, or reported as damaged (Repair removes it).
func (db *DB) trainTextDict() error {
	var samples [][]byte
	stored := false
	err := db.viewTx(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta).Get(keyTextDict) != nil {
			stored = true
			return nil
		}
		var err error
		samples, err = textSamples(db, tx)
		return err
	})
	if err != nil || stored {
		if err == nil {
			err = db.loadTextDict()
		}
		return err
	}
	d, err := buildTextDict(samples)
	if err != nil {
		return err
	}
	// A dictionary zstd cannot load is never stored.
	c, err := newTextCodec(textZstdDict, d)
	if err != nil {
		return err
	}
	err = db.updateTx(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyTextDict, appendTextDict(nil, d))
	})
	if err != nil {
		return err
	}
	db.codec.Store(c)
	return nil
}

// loadTextDict loads the dictionary stored in meta, if there is one, as
// the DB's codec.
func (db *DB) loadTextDict() error {
	return db.viewTx(func(tx *bolt.Tx) error {
		c, err := loadTextDict(tx)
		if c != nil {
			db.codec.CompareAndSwap(nil, c)
		}
		return err
	})
}

// textSamples returns the texts, laid out as appendText lays them out
// before compression, of up to textDictSamples articles evenly spread over
// the articles bucket of tx.
func textSamples(db *DB, tx *bolt.Tx) ([][]byte, error) {
	m, err := readMeta(tx)
	if err != nil {
		return nil, err
	}
	n := m.stats.Articles
	want := min(n, textDictSamples)
	samples := make([][]byte, 0, want)
	src := textSource{db: db, tx: tx}
	c := tx.Bucket(bucketArticles).Cursor()
	var i uint64
	for k, v := c.First(); k != nil && uint64(len(samples)) < want; k, v = c.Next() {
		// The sample j is article j·n/want.
		if i++; (i-1)*want < uint64(len(samples))*n {
			continue
		}
		rec, err := decodeRecord(string(k), v, src)
		if err != nil {
			return nil, err
		}
		plain := append(appendString(nil, rec.article.Summary), rec.article.Body...)
		samples = append(samples, plain[:min(len(plain), textDictSampleSize)])
	}
	return samples, nil
}

// buildTextDict trains a dictionary on samples. The builder is not ours:
// a panic of it is an error too.
func buildTextDict(samples [][]byte) (d []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("building: %v", r)
		}
	}()
	d, err = dict.BuildZstdDict(samples, dict.Options{
		MaxDictSize:    textDictSize,
		HashBytes:      6,
		ZstdDictID:     textDictID,
		ZstdDictCompat: true,
		ZstdLevel:      textDictLevel,
	})
	if err != nil {
		return nil, fmt.Errorf("building: %w", err)
	}
	return d, nil
}
