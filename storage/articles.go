package storage

import (
	"bytes"
	"encoding/binary"
	"math"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// Article returns a stored article as it was put. The error wraps
// retrieval.ErrNotFound when there is none.
func (db *DB) Article(id string) (a retrieval.Article, err error) {
	err = db.viewTx(func(tx *bolt.Tx) error {
		r, err := newReader(db, tx)
		if err == nil {
			a, err = r.Article(id)
		}
		return err
	})
	if err != nil {
		return retrieval.Article{}, db.errorf("%w", err)
	}
	return a, nil
}

// Info describes a stored article without reading its text. The error wraps
// retrieval.ErrNotFound when there is none.
func (db *DB) Info(id string) (info ArticleInfo, err error) {
	err = db.viewTx(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketArticles).Get([]byte(id))
		if v == nil {
			return retrieval.ErrNotFound
		}
		info, err = decodeInfo(id, v)
		return err
	})
	if err != nil {
		return ArticleInfo{}, db.errorf("article %q: %w", id, err)
	}
	return info, nil
}

// List describes the stored articles, the most recently added first, skipping
// offset of them and returning at most limit (all when limit <= 0). total is
// the number of articles stored. The order is stable: a replacement keeps
// its place.
func (db *DB) List(offset, limit int) (infos []ArticleInfo, total int, err error) {
	err = db.viewTx(func(tx *bolt.Tx) error {
		m, err := readMeta(tx)
		if err != nil {
			return err
		}
		total = int(m.stats.Articles)
		c := tx.Bucket(bucketAdded).Cursor()
		k, _ := c.Last()
		for skip := max(offset, 0); k != nil && skip > 0; skip-- {
			k, _ = c.Prev()
		}
		infos, err = collectInfos(tx, c, k, nil, limit)
		return err
	})
	if err != nil {
		return nil, 0, db.errorf("list: %w", err)
	}
	return infos, total, nil
}

// AddedSince describes the articles added after t (strictly), the most
// recent first, at most limit of them (all when limit <= 0); total is how
// many were added after t. AddedAt times are unique and increasing, so
// AddedSince(info.AddedAt, …) resumes exactly after the article info
// describes.
func (db *DB) AddedSince(t time.Time, limit int) (infos []ArticleInfo, total int, err error) {
	// Keys from since on are the articles added after t.
	since := make([]byte, 8)
	switch {
	case t.Unix() < 0: // every article
	case t.Unix() >= math.MaxInt64/int64(time.Second): // none
		binary.BigEndian.PutUint64(since, math.MaxUint64)
	default:
		binary.BigEndian.PutUint64(since, uint64(t.UnixNano())+1)
	}
	err = db.viewTx(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAdded).Cursor()
		for k, _ := c.Seek(since); k != nil; k, _ = c.Next() {
			total++
		}
		k, _ := c.Last()
		infos, err = collectInfos(tx, c, k, since, limit)
		return err
	})
	if err != nil {
		return nil, 0, db.errorf("added since %v: %w", t, err)
	}
	return infos, total, nil
}

// collectInfos describes the articles of the added bucket from key k
// backwards while keys are at least stop, at most limit of them (all when
// limit <= 0).
func collectInfos(tx *bolt.Tx, c *bolt.Cursor, k, stop []byte, limit int) ([]ArticleInfo, error) {
	articles := tx.Bucket(bucketArticles)
	var infos []ArticleInfo
	for ; k != nil && bytes.Compare(k, stop) >= 0 && (limit <= 0 || len(infos) < limit); k, _ = c.Prev() {
		if len(k) <= 8 {
			return nil, corrupt("added key %x", k)
		}
		id := string(k[8:])
		v := articles.Get(k[8:])
		if v == nil {
			return nil, corrupt("added: article %q missing", id)
		}
		info, err := decodeInfo(id, v)
		if err != nil {
			return nil, err
		}
		infos = append(infos, info)
	}
	return infos, nil
}

// Stats returns the collection statistics.
func (db *DB) Stats() (retrieval.Stats, error) {
	m, err := db.meta()
	return m.stats, err
}
