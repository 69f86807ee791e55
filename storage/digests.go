package storage

import (
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/baobot/baobot/retrieval"
	bolt "go.etcd.io/bbolt"
)

// Digest subscriptions and where each one is up to.
//
// A DigestSubscription says which channel gets a digest of the newly added
// articles, on which schedule; its DigestState says where the last digest
// ended (the cursor: the AddedAt of the newest article it covered), when it
// ran, and how posting has been failing. Package digest decides what to
// post; this file keeps its decisions across restarts, each in one
// transaction:
//
//   - MarkDigestDone moves the cursor and records what was posted, together:
//     a digest is either done (its articles will not be posted again) or not
//     (they will be, once), whenever the process dies.
//   - RecordDigestFailure counts a failed attempt and may pause the
//     subscription, in the same way.
//
// The digests bucket is created by the first subscription stored, so that
// indexes made before it existed open unchanged; reading an index without it
// finds no subscription.

// bucketDigests holds the subscriptions, keyed by channel.
var bucketDigests = []byte("digests")

// digestVersion is the first byte of every value of the digests bucket.
const digestVersion = 1

// Limits of what PutDigestSubscription accepts.
const (
	maxDigestKey      = 64  // bytes of a channel
	maxDigestField    = 256 // bytes of any other text field
	maxDigestArticles = 100 // article IDs a state records
	maxDigestError    = 512 // bytes of LastError kept (longer is cut)
)

// DigestOrigin says where a subscription was made.
type DigestOrigin byte

// Origins of subscriptions.
const (
	// FromDiscord: made with /digest subscribe; removed with /digest unsubscribe.
	FromDiscord DigestOrigin = 1
	// FromConfig: declared in the configuration file; kept in step with it.
	FromConfig DigestOrigin = 2
)

// DigestSubscription is a channel that gets a digest on a schedule, and
// where it is up to. Schedule, Timezone and Lang are stored as given; package
// digest reads them.
type DigestSubscription struct {
	Channel   string // the key: a Discord channel ID
	Guild     string // the server the channel is in; "" when unknown
	Schedule  string // cron expression or friendly form, as written
	Timezone  string // IANA zone name; "" means the configured default
	Max       int    // most articles listed; 0 means the configured default
	Lang      string // "vi", "en"; "" means the server's preferred locale
	Origin    DigestOrigin
	CreatedBy string    // who subscribed (a user ID); "" for the configuration
	CreatedAt time.Time // when it was subscribed (UTC)
	State     DigestState
}

// DigestState is where a subscription is up to. Zero times mean never.
type DigestState struct {
	// Cursor is the AddedAt of the newest article the last digest covered
	// (for a new subscription: the starting point). The next digest lists
	// the articles added after it.
	Cursor time.Time
	// LastRun is when the last scheduled digest was done: posted, found
	// nothing to post, or given up. The schedule's next slot after it is
	// the next one due.
	LastRun time.Time
	// LastPosted is when a digest was last posted; LastArticles are the
	// IDs it listed (newest first) and LastTotal how many articles it
	// covered, "and N more" included.
	LastPosted   time.Time
	LastArticles []string
	LastTotal    int
	// Attempts counts the failed attempts at posting since the last
	// success; FailedAt is when the last one failed and LastError says why.
	Attempts  int
	FailedAt  time.Time
	LastError string
	// Paused stops the digests of a subscription until it is subscribed
	// again. A subscription is paused after too many failed attempts.
	Paused bool
}

// DigestDone is what MarkDigestDone records.
type DigestDone struct {
	At       time.Time // when the digest was done
	Cursor   time.Time // the AddedAt of the newest article it covered; it never moves the cursor back
	Posted   bool      // a message was posted (false: there was nothing to post)
	Articles []string  // the IDs it listed, newest first
	Total    int       // the articles it covered, "and N more" included
}

// PutDigestSubscription stores s, definition and state, replacing any
// subscription of the same channel, and reports whether it replaced one.
// The channel must not be empty.
func (db *DB) PutDigestSubscription(s DigestSubscription) (replaced bool, err error) {
	if err := db.checkWritable(); err != nil {
		return false, err
	}
	if err := checkDigest(s); err != nil {
		return false, db.errorf("put digest subscription: %w", err)
	}
	err = db.updateTx(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketDigests)
		if err != nil {
			return err
		}
		replaced = b.Get([]byte(s.Channel)) != nil
		return b.Put([]byte(s.Channel), appendDigest(nil, s))
	})
	if err != nil {
		return false, db.errorf("put digest subscription %q: %w", s.Channel, err)
	}
	return replaced, nil
}

// DigestSubscription returns the subscription of a channel. The error wraps
// retrieval.ErrNotFound when there is none.
func (db *DB) DigestSubscription(channel string) (s DigestSubscription, err error) {
	err = db.viewTx(func(tx *bolt.Tx) error {
		s, err = getDigest(tx, channel)
		return err
	})
	if err != nil {
		return DigestSubscription{}, db.errorf("digest subscription %q: %w", channel, err)
	}
	return s, nil
}

// DigestSubscriptions returns every subscription, ordered by channel.
func (db *DB) DigestSubscriptions() ([]DigestSubscription, error) {
	var out []DigestSubscription
	err := db.viewTx(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			s, err := decodeDigest(k, v)
			out = append(out, s)
			return err
		})
	})
	if err != nil {
		return nil, db.errorf("digest subscriptions: %w", err)
	}
	return out, nil
}

// DeleteDigestSubscription removes the subscription of a channel, state
// included. The error wraps retrieval.ErrNotFound when there is none.
func (db *DB) DeleteDigestSubscription(channel string) error {
	if err := db.checkWritable(); err != nil {
		return err
	}
	err := db.updateTx(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDigests)
		if b == nil || b.Get([]byte(channel)) == nil {
			return retrieval.ErrNotFound
		}
		return b.Delete([]byte(channel))
	})
	if err != nil {
		return db.errorf("delete digest subscription %q: %w", channel, err)
	}
	return nil
}

// MarkDigestDone records, in one transaction, that a digest of channel is
// done: LastRun becomes d.At; the cursor moves to d.Cursor (never back);
// when d.Posted, LastPosted, LastArticles and LastTotal say what was posted;
// the failed attempts are forgotten and a paused subscription is paused no
// more (the channel works). It returns the subscription as stored.
// The error wraps retrieval.ErrNotFound when the channel has no
// subscription (unsubscribed meanwhile): nothing is recorded.
func (db *DB) MarkDigestDone(channel string, d DigestDone) (DigestSubscription, error) {
	if len(d.Articles) > maxDigestArticles {
		return DigestSubscription{}, db.errorf("mark digest done: %d articles, at most %d", len(d.Articles), maxDigestArticles)
	}
	return db.updateDigest("mark digest done", channel, func(st *DigestState) {
		st.LastRun = d.At
		if d.Cursor.After(st.Cursor) {
			st.Cursor = d.Cursor
		}
		if d.Posted {
			st.LastPosted = d.At
			st.LastArticles = slices.Clone(d.Articles)
			st.LastTotal = d.Total
		}
		st.Attempts, st.FailedAt, st.LastError, st.Paused = 0, time.Time{}, "", false
	})
}

// DigestFailure is what RecordDigestFailure records.
type DigestFailure struct {
	At     time.Time // when the attempt failed
	Reason string    // why, for people (cut to 512 bytes)
	// GiveUp gives the digest up: LastRun becomes At and the attempts are
	// forgotten, so that the schedule's next slot is the next try. The
	// cursor stays, so no article is lost.
	GiveUp bool
	// Pause pauses the subscription.
	Pause bool
}

// RecordDigestFailure records, in one transaction, a failed attempt at
// posting a digest of channel: Attempts grows by one, FailedAt and
// LastError say when and why, and f.GiveUp and f.Pause apply. It returns
// the subscription as stored. The error wraps retrieval.ErrNotFound when
// the channel has no subscription.
func (db *DB) RecordDigestFailure(channel string, f DigestFailure) (DigestSubscription, error) {
	return db.updateDigest("record digest failure", channel, func(st *DigestState) {
		st.Attempts++
		st.FailedAt, st.LastError = f.At, cutError(f.Reason)
		if f.GiveUp {
			st.LastRun, st.Attempts = f.At, 0
		}
		st.Paused = st.Paused || f.Pause
	})
}

// updateDigest changes the state of channel's subscription with fn in one
// transaction and returns the subscription as stored.
func (db *DB) updateDigest(what, channel string, fn func(*DigestState)) (s DigestSubscription, err error) {
	if err := db.checkWritable(); err != nil {
		return DigestSubscription{}, err
	}
	err = db.updateTx(func(tx *bolt.Tx) error {
		if s, err = getDigest(tx, channel); err != nil {
			return err
		}
		fn(&s.State)
		return tx.Bucket(bucketDigests).Put([]byte(channel), appendDigest(nil, s))
	})
	if err != nil {
		return DigestSubscription{}, db.errorf("%s %q: %w", what, channel, err)
	}
	return s, nil
}

// getDigest reads channel's subscription in tx.
func getDigest(tx *bolt.Tx, channel string) (DigestSubscription, error) {
	b := tx.Bucket(bucketDigests)
	if b == nil {
		return DigestSubscription{}, retrieval.ErrNotFound
	}
	v := b.Get([]byte(channel))
	if v == nil {
		return DigestSubscription{}, retrieval.ErrNotFound
	}
	return decodeDigest([]byte(channel), v)
}

// checkDigest refuses a subscription that cannot be stored.
func checkDigest(s DigestSubscription) error {
	switch {
	case s.Channel == "" || len(s.Channel) > maxDigestKey:
		return fmt.Errorf("channel of %d bytes, want 1 to %d", len(s.Channel), maxDigestKey)
	case s.Max < 0:
		return fmt.Errorf("negative max %d", s.Max)
	case s.Origin != FromDiscord && s.Origin != FromConfig:
		return fmt.Errorf("unknown origin %d", s.Origin)
	case len(s.State.LastArticles) > maxDigestArticles:
		return fmt.Errorf("%d articles, at most %d", len(s.State.LastArticles), maxDigestArticles)
	case s.State.Attempts < 0 || s.State.LastTotal < 0:
		return fmt.Errorf("negative count")
	}
	for _, f := range []string{s.Guild, s.Schedule, s.Timezone, s.Lang, s.CreatedBy} {
		if len(f) > maxDigestField {
			return fmt.Errorf("a field of %d bytes, at most %d", len(f), maxDigestField)
		}
	}
	return nil
}

// cutError keeps at most maxDigestError bytes of an error's text, at a
// character boundary.
func cutError(s string) string {
	if len(s) <= maxDigestError {
		return s
	}
	return strings.ToValidUTF8(s[:maxDigestError], "")
}

func appendDigest(dst []byte, s DigestSubscription) []byte {
	dst = append(dst, digestVersion, byte(s.Origin))
	for _, f := range []string{s.Guild, s.Schedule, s.Timezone, s.Lang, s.CreatedBy} {
		dst = appendString(dst, f)
	}
	dst = binary.AppendUvarint(dst, uint64(s.Max))
	dst = appendTime(dst, s.CreatedAt.UTC())
	st := s.State
	for _, t := range []time.Time{st.Cursor, st.LastRun, st.LastPosted, st.FailedAt} {
		dst = appendTime(dst, t.UTC())
	}
	dst = binary.AppendUvarint(dst, uint64(st.LastTotal))
	dst = binary.AppendUvarint(dst, uint64(st.Attempts))
	dst = appendString(dst, st.LastError)
	paused := byte(0)
	if st.Paused {
		paused = 1
	}
	dst = append(dst, paused)
	dst = binary.AppendUvarint(dst, uint64(len(st.LastArticles)))
	for _, id := range st.LastArticles {
		dst = appendString(dst, id)
	}
	return dst
}

func decodeDigest(k, v []byte) (DigestSubscription, error) {
	if len(v) < 2 || v[0] != digestVersion {
		return DigestSubscription{}, corrupt("digest subscription %q: version", k)
	}
	s := DigestSubscription{Channel: string(k), Origin: DigestOrigin(v[1])}
	d := decoder{b: v[2:]}
	for _, f := range []*string{&s.Guild, &s.Schedule, &s.Timezone, &s.Lang, &s.CreatedBy} {
		*f = d.string()
	}
	s.Max = d.int()
	s.CreatedAt = d.time()
	st := &s.State
	for _, t := range []*time.Time{&st.Cursor, &st.LastRun, &st.LastPosted, &st.FailedAt} {
		*t = d.time()
	}
	st.LastTotal = d.int()
	st.Attempts = d.int()
	st.LastError = d.string()
	switch d.byte() {
	case 0:
	case 1:
		st.Paused = true
	default:
		d.fail()
	}
	n := d.int()
	if n > maxDigestArticles {
		d.fail()
	}
	for i := 0; i < n && d.err == nil; i++ {
		st.LastArticles = append(st.LastArticles, d.string())
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail()
	}
	if d.err == nil && s.Origin != FromDiscord && s.Origin != FromConfig {
		d.fail()
	}
	if d.err != nil {
		return DigestSubscription{}, corrupt("digest subscription %q: %v", k, d.err)
	}
	return s, nil
}
