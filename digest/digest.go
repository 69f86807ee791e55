// Package digest posts scheduled digests: at each slot of a channel's
// schedule, one post listing the articles added to the collection since that
// channel's previous digest, newest first, each with a lead line and its
// source.
//
// It knows nothing of Discord: a Poster (implemented by package bot) posts a
// Digest, and a Scheduler decides when, from the subscriptions and their
// state kept in storage. Time comes from a Clock, so that tests never sleep.
//
// # Guarantees
//
//   - A digest lists the articles added (by ingest time, storage's AddedAt)
//     after the subscription's cursor, and posting it moves the cursor in
//     the same transaction that marks it done (storage.MarkDigestDone). A
//     restart after that never posts it again; a crash before it posts it
//     once on the next start.
//   - Slots missed while the process was down are caught up once, by one
//     digest covering the whole gap; the schedule then resumes.
//   - A new subscription starts from now: its first digest lists the
//     articles added after the newest one stored when it was made, or the
//     last N when asked.
//   - A failed post is tried again after a back-off that doubles (never in
//     a tight loop). After Options.MaxAttempts failures the subscription is
//     paused when the channel is gone or the bot may not post there
//     (ErrChannelGone, ErrForbidden); after other failures the digest is
//     given up until the next slot, its articles kept for it.
package digest

import (
	"errors"
	"fmt"
	"time"

	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// LeadChars is the longest lead line of an article, in characters.
const LeadChars = 200

// Bounds of a digest's length.
const (
	DefaultMax = 10                       // articles listed when neither subscription nor configuration says
	MaxMax     = config.MaxDigestArticles // the most articles a digest lists
)

// Digest is one post: the articles added in a period, newest first, at
// most the subscription's max of them.
type Digest struct {
	// Channel is the channel it is for; "" for a preview.
	Channel string
	// Lang is the language to write it in; "" leaves the choice to the
	// Poster (package bot uses the server's preferred locale).
	Lang messages.Lang
	// Zone is the time zone to show times in.
	Zone *time.Location
	// Since is where the period starts (exclusive): the previous digest's
	// cursor. Zero means from the first article.
	Since time.Time
	// Until is when the digest was made.
	Until time.Time
	// Articles are the newest articles of the period, newest first.
	Articles []Article
	// Total is the number of articles added in the period: Total minus
	// len(Articles) are left out ("and N more").
	Total int
	// Cursor is the AddedAt of the newest article of the period (Since
	// when there is none): where the next digest starts once this one is
	// posted.
	Cursor time.Time
}

// Article is an article as a digest lists it.
type Article struct {
	ID, Title, URL, Source string
	Published              time.Time // zero when unknown
	AddedAt                time.Time
	// Lead is the article's summary or its most representative sentence,
	// at most LeadChars characters (retrieval.LeadLine).
	Lead string
}

// Date is the day to show for a: the day it was published when known, else
// the day it was added, in zone.
func (a Article) Date(zone *time.Location) string {
	if !a.Published.IsZero() {
		return a.Published.Format("2006-01-02")
	}
	if zone == nil {
		zone = time.UTC
	}
	return a.AddedAt.In(zone).Format("2006-01-02")
}

// More is the number of articles of the period the digest leaves out.
func (d Digest) More() int { return d.Total - len(d.Articles) }

// Empty reports whether no article was added in the period.
func (d Digest) Empty() bool { return d.Total == 0 }

// IDs are the IDs of the articles listed, in order.
func (d Digest) IDs() []string {
	ids := make([]string, len(d.Articles))
	for i, a := range d.Articles {
		ids[i] = a.ID
	}
	return ids
}

// Collect makes the digest of the articles added to db after since (all
// when since is zero), newest first, at most max of them (DefaultMax when
// max <= 0), each with its lead line. Only Since, Articles, Total and Cursor
// are set: the caller fills in the rest. An article removed while the digest
// is made is left out.
func Collect(db *storage.DB, since time.Time, max int) (Digest, error) {
	if max <= 0 {
		max = DefaultMax
	}
	infos, total, err := db.AddedSince(since, max)
	if err != nil {
		return Digest{}, fmt.Errorf("digest: %w", err)
	}
	d := Digest{Since: since, Total: total, Cursor: since}
	if len(infos) > 0 {
		d.Cursor = infos[0].AddedAt
	}
	for _, info := range infos {
		a, err := db.Article(info.ID)
		if errors.Is(err, retrieval.ErrNotFound) {
			d.Total--
			continue
		}
		if err != nil {
			return Digest{}, fmt.Errorf("digest: %w", err)
		}
		d.Articles = append(d.Articles, Article{
			ID: info.ID, Title: a.DisplayTitle(), URL: info.URL, Source: info.Source,
			Published: info.Published, AddedAt: info.AddedAt, Lead: retrieval.LeadLine(a, LeadChars),
		})
	}
	return d, nil
}
