package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// Answers people were shown, and what they thought of them.
//
// A front end (the Discord bot) saves each page of an answer it shows as a
// ShownAnswer and names it by its ID in the buttons under it, so that a
// click can find the question again ("more results") and a vote can say
// which question and which articles it is about, after a restart too.
//
// The shown and feedback buckets are created by the first write that needs
// them, so that indexes made before they existed open unchanged; reading
// from an index without them finds nothing.

// shownVersion and feedbackVersion are the first byte of every value of the
// shown and feedback buckets.
const (
	shownVersion    = 1
	feedbackVersion = 1
)

// Limits of what SaveShown and PutFeedback accept.
const (
	maxShownQuestion = 8 << 10 // bytes of a question
	maxShownArticles = 100     // articles on one page
	maxVoterLen      = 128     // bytes of a voter
)

// ShownAnswer is one page of an answer as it was shown: the question, which
// results were skipped before the page, and the articles on it, in order.
type ShownAnswer struct {
	ID       uint64 // given by SaveShown, from 1, increasing
	Question string
	Lang     string // the language the page was written in, such as "vi"
	Offset   int    // results shown before this page
	Articles []string
	At       time.Time // when it was saved (UTC)
}

// Feedback is one person's vote on a ShownAnswer.
type Feedback struct {
	Shown   uint64 // the ShownAnswer's ID
	Voter   string // who voted, opaque: the same person gives the same Voter
	Helpful bool
	At      time.Time // when the vote was cast (UTC)
}

// FeedbackCounts counts the current votes.
type FeedbackCounts struct {
	Helpful, NotHelpful int
}

// SaveShown stores s (its ID and At are ignored) and returns its new ID.
// The question must not be empty.
func (db *DB) SaveShown(s ShownAnswer) (uint64, error) {
	if err := db.checkWritable(); err != nil {
		return 0, err
	}
	switch {
	case s.Question == "" || len(s.Question) > maxShownQuestion:
		return 0, db.errorf("save shown answer: question of %d bytes, want 1 to %d", len(s.Question), maxShownQuestion)
	case len(s.Articles) > maxShownArticles:
		return 0, db.errorf("save shown answer: %d articles, at most %d", len(s.Articles), maxShownArticles)
	case s.Offset < 0:
		return 0, db.errorf("save shown answer: negative offset %d", s.Offset)
	}
	for _, id := range s.Articles {
		if id == "" || len(id) > maxIDLen {
			return 0, db.errorf("save shown answer: article ID of %d bytes", len(id))
		}
	}
	var id uint64
	err := db.updateTx(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketShown)
		if err != nil {
			return err
		}
		if id, err = b.NextSequence(); err != nil {
			return err
		}
		return b.Put(shownKey(id), appendShown(nil, s, time.Now()))
	})
	if err != nil {
		return 0, db.errorf("save shown answer: %w", err)
	}
	return id, nil
}

// Shown returns the ShownAnswer with the ID. The error wraps
// retrieval.ErrNotFound when there is none (never saved, or forgotten).
func (db *DB) Shown(id uint64) (s ShownAnswer, err error) {
	err = db.viewTx(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketShown)
		if b == nil {
			return retrieval.ErrNotFound
		}
		v := b.Get(shownKey(id))
		if v == nil {
			return retrieval.ErrNotFound
		}
		s, err = decodeShown(id, v)
		return err
	})
	if err != nil {
		return ShownAnswer{}, db.errorf("shown answer %d: %w", id, err)
	}
	return s, nil
}

// PutFeedback records a vote. A person has one vote per ShownAnswer: a
// later vote by the same Voter replaces the earlier one, and replaced says
// so. The error wraps retrieval.ErrNotFound when the ShownAnswer does not
// exist.
func (db *DB) PutFeedback(f Feedback) (replaced bool, err error) {
	if err := db.checkWritable(); err != nil {
		return false, err
	}
	if f.Voter == "" || len(f.Voter) > maxVoterLen {
		return false, db.errorf("put feedback: voter of %d bytes, want 1 to %d", len(f.Voter), maxVoterLen)
	}
	if f.At.IsZero() {
		f.At = time.Now()
	}
	err = db.updateTx(func(tx *bolt.Tx) error {
		shown := tx.Bucket(bucketShown)
		if shown == nil || shown.Get(shownKey(f.Shown)) == nil {
			return fmt.Errorf("shown answer %d: %w", f.Shown, retrieval.ErrNotFound)
		}
		b, err := tx.CreateBucketIfNotExists(bucketFeedback)
		if err != nil {
			return err
		}
		key := feedbackKey(f.Shown, f.Voter)
		replaced = b.Get(key) != nil
		return b.Put(key, appendFeedback(nil, f))
	})
	if err != nil {
		return false, db.errorf("put feedback: %w", err)
	}
	return replaced, nil
}

// FeedbackCounts counts the votes stored.
func (db *DB) FeedbackCounts() (c FeedbackCounts, err error) {
	err = db.EachFeedback(func(f Feedback, _ ShownAnswer) error {
		if f.Helpful {
			c.Helpful++
		} else {
			c.NotHelpful++
		}
		return nil
	})
	return c, err
}

// EachFeedback calls fn with every vote and the ShownAnswer it is about,
// oldest ShownAnswer first, in one consistent snapshot. fn's error stops
// the walk and is returned as it is.
func (db *DB) EachFeedback(fn func(Feedback, ShownAnswer) error) error {
	var fnErr error
	err := db.viewTx(func(tx *bolt.Tx) error {
		b, shown := tx.Bucket(bucketFeedback), tx.Bucket(bucketShown)
		if b == nil {
			return nil
		}
		var s ShownAnswer
		return b.ForEach(func(k, v []byte) error {
			f, err := decodeFeedback(k, v)
			if err != nil {
				return err
			}
			if s.ID != f.Shown {
				sv := shown.Get(shownKey(f.Shown))
				if sv == nil {
					return corrupt("feedback on missing shown answer %d", f.Shown)
				}
				if s, err = decodeShown(f.Shown, sv); err != nil {
					return err
				}
			}
			fnErr = fn(f, s)
			return fnErr
		})
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil {
		return db.errorf("feedback: %w", err)
	}
	return nil
}

// ForgetShown deletes the ShownAnswers saved before t that nobody voted
// on, and returns how many it deleted. Buttons under them stop working
// (Shown returns ErrNotFound), so t should be well in the past.
func (db *DB) ForgetShown(before time.Time) (n int, err error) {
	if err := db.checkWritable(); err != nil {
		return 0, err
	}
	err = db.updateTx(func(tx *bolt.Tx) error {
		shown := tx.Bucket(bucketShown)
		if shown == nil {
			return nil
		}
		var votes *bolt.Cursor
		if b := tx.Bucket(bucketFeedback); b != nil {
			votes = b.Cursor()
		}
		c := shown.Cursor()
		for k, v := c.First(); k != nil; {
			if len(v) < 2 {
				return corrupt("shown answer %x", k)
			}
			d := decoder{b: v[1:]}
			at := d.varint()
			if d.err != nil {
				return corrupt("shown answer %x: %v", k, d.err)
			}
			if at >= before.UnixNano() {
				return nil // IDs and times increase together
			}
			if votes != nil {
				if vk, _ := votes.Seek(k); vk != nil && bytes.HasPrefix(vk, k) {
					k, v = c.Next()
					continue
				}
			}
			key := append([]byte(nil), k...) // k is bbolt's memory, changed by Delete
			if err := c.Delete(); err != nil {
				return err
			}
			n++
			k, v = c.Seek(key) // the key after the deleted one
		}
		return nil
	})
	if err != nil {
		return 0, db.errorf("forget shown answers: %w", err)
	}
	return n, nil
}

// shownKey is the key of a ShownAnswer: its ID, big-endian.
func shownKey(id uint64) []byte { return binary.BigEndian.AppendUint64(nil, id) }

// feedbackKey is the key of a vote: the ShownAnswer's key, then the voter.
func feedbackKey(shown uint64, voter string) []byte {
	return append(shownKey(shown), voter...)
}

func appendShown(dst []byte, s ShownAnswer, now time.Time) []byte {
	dst = append(dst, shownVersion)
	dst = binary.AppendVarint(dst, now.UnixNano())
	dst = binary.AppendUvarint(dst, uint64(s.Offset))
	dst = appendString(dst, s.Question)
	dst = appendString(dst, s.Lang)
	dst = binary.AppendUvarint(dst, uint64(len(s.Articles)))
	for _, id := range s.Articles {
		dst = appendString(dst, id)
	}
	return dst
}

func decodeShown(id uint64, v []byte) (ShownAnswer, error) {
	if len(v) == 0 || v[0] != shownVersion {
		return ShownAnswer{}, corrupt("shown answer %d: version", id)
	}
	d := decoder{b: v[1:]}
	s := ShownAnswer{ID: id}
	s.At = time.Unix(0, d.varint()).UTC()
	s.Offset = d.int()
	s.Question = d.string()
	s.Lang = d.string()
	n := d.int()
	if n > maxShownArticles {
		d.fail()
	}
	for i := 0; i < n && d.err == nil; i++ {
		s.Articles = append(s.Articles, d.string())
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	if d.err != nil {
		return ShownAnswer{}, corrupt("shown answer %d: %v", id, d.err)
	}
	return s, nil
}

func appendFeedback(dst []byte, f Feedback) []byte {
	helpful := byte(0)
	if f.Helpful {
		helpful = 1
	}
	dst = append(dst, feedbackVersion, helpful)
	return binary.AppendVarint(dst, f.At.UnixNano())
}

func decodeFeedback(k, v []byte) (Feedback, error) {
	if len(k) <= 8 || len(v) < 3 || v[0] != feedbackVersion || v[1] > 1 {
		return Feedback{}, corrupt("feedback %x", k)
	}
	d := decoder{b: v[2:]}
	f := Feedback{
		Shown: binary.BigEndian.Uint64(k), Voter: string(k[8:]), Helpful: v[1] == 1,
		At: time.Unix(0, d.varint()).UTC(),
	}
	if d.err != nil || len(d.b) != 0 {
		return Feedback{}, corrupt("feedback %x", k)
	}
	return f, nil
}
