package digest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/baobot/baobot/digest/schedule"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// Poster posts a digest in a channel: package bot implements it on Discord.
// A Poster wraps ErrChannelGone or ErrForbidden when Discord says the
// channel does not exist (404) or the bot may not post there (403), so that
// the Scheduler pauses the subscription rather than trying forever.
type Poster interface {
	PostDigest(ctx context.Context, channelID string, d Digest) error
}

// Errors of posting, wrapped by a Poster.
var (
	ErrChannelGone = errors.New("the channel no longer exists")
	ErrForbidden   = errors.New("no permission to post in the channel")
)

// Errors of the Scheduler's methods.
var (
	// ErrNotSubscribed: the channel has no digest subscription.
	ErrNotSubscribed = errors.New("the channel has no digest subscription")
	// ErrConfigured: the channel's subscription comes from the
	// configuration file; change it there.
	ErrConfigured = errors.New("the channel's digest is set in the configuration file")
	// ErrMax: a max outside 1 to MaxMax.
	ErrMax = fmt.Errorf("max must be from 1 to %d", MaxMax)
)

// Options configure a Scheduler. The zero value of each field means its
// default.
type Options struct {
	// Zone is the time zone of subscriptions that name none; nil means
	// schedule.DefaultZone (Asia/Ho_Chi_Minh).
	Zone *time.Location
	// DefaultMax is the most articles listed by subscriptions that set no
	// max; 0 means DefaultMax.
	DefaultMax int
	// PostEmpty posts a short "no new articles" digest for a period
	// without new articles, instead of nothing.
	PostEmpty bool
	// MaxAttempts is how many failed attempts at posting a digest are made
	// before the subscription is paused (channel gone, permission lost) or
	// the digest given up until the next slot (other failures); 0 means 5.
	MaxAttempts int
	// Backoff is the wait before the first retry of a failed post; each
	// next retry waits twice as long, up to MaxBackoff. 0 means one
	// minute, and MaxBackoff 0 means an hour.
	Backoff, MaxBackoff time.Duration
	// Config are the subscriptions of the configuration file. New stores
	// them, replacing the ones stored from an earlier configuration.
	Config []Subscription
	// Clock tells the time; nil means SystemClock.
	Clock Clock
	// Logger receives what the Scheduler does; nil discards it.
	Logger *slog.Logger
}

// Defaults of Options.
const (
	defaultMaxAttempts = 5
	defaultBackoff     = time.Minute
	defaultMaxBackoff  = time.Hour
	// maxWait bounds how long Run sleeps: a machine that was suspended
	// catches up at most this late after it resumes.
	maxWait = time.Minute
)

// Subscription is a channel's digest as an admin or the configuration
// asks for it.
type Subscription struct {
	Channel  string // the channel ID
	Guild    string // its server's ID; "" when unknown
	Schedule string // cron expression or friendly form (package schedule)
	Timezone string // IANA zone; "" means Options.Zone
	Max      int    // most articles listed, 1 to MaxMax; 0 means Options.DefaultMax
	Lang     string // "vi" or "en" (another tag reads as English); "" means the server's
	By       string // who subscribed (a user ID)
}

// Status is a stored subscription and when its next digest is due.
type Status struct {
	storage.DigestSubscription
	// Next is when the next digest is due (a retry, after a failure); zero
	// when the subscription is paused or its schedule cannot be read.
	Next time.Time
}

// Scheduler posts the digests of the subscriptions stored in a database
// when they are due. Its methods are safe for concurrent use; digests are
// made and posted one at a time.
type Scheduler struct {
	db    *storage.DB
	opts  Options
	clock Clock
	log   *slog.Logger
	wake  chan struct{} // tells Run the subscriptions changed

	// mu serialises every change of a subscription and every post, so that
	// a digest is never posted twice at once nor its state overwritten.
	mu sync.Mutex
}

// New returns a Scheduler of the subscriptions in db, which must be open
// for writing and stay open while the Scheduler is used. It stores
// opts.Config: a configured subscription takes the place of one made in
// Discord for the same channel, keeps its state across restarts, starts
// again if it was paused, and is deleted once the configuration no longer
// has it. A configured subscription that is not valid is an error.
func New(db *storage.DB, opts Options) (*Scheduler, error) {
	if opts.Zone == nil {
		loc, err := schedule.LoadZone(schedule.DefaultZone)
		if err != nil {
			return nil, err
		}
		opts.Zone = loc
	}
	if opts.DefaultMax <= 0 {
		opts.DefaultMax = DefaultMax
	}
	opts.DefaultMax = min(opts.DefaultMax, MaxMax)
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = defaultMaxAttempts
	}
	if opts.Backoff <= 0 {
		opts.Backoff = defaultBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = defaultMaxBackoff
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Scheduler{db: db, opts: opts, clock: opts.Clock, log: opts.Logger, wake: make(chan struct{}, 1)}
	if err := s.storeConfig(opts.Config); err != nil {
		return nil, err
	}
	return s, nil
}

// Zone is the time zone of subscriptions that name none.
func (s *Scheduler) Zone() *time.Location { return s.opts.Zone }

// DefaultMax is the most articles listed by subscriptions that set no max.
func (s *Scheduler) DefaultMax() int { return s.opts.DefaultMax }

// storeConfig stores the configured subscriptions and deletes those of an
// earlier configuration.
func (s *Scheduler) storeConfig(subs []Subscription) error {
	stored, err := s.db.DigestSubscriptions()
	if err != nil {
		return err
	}
	old := map[string]storage.DigestSubscription{}
	for _, st := range stored {
		old[st.Channel] = st
	}
	now := s.clock.Now()
	configured := map[string]bool{}
	for i, sub := range subs {
		rec, _, err := s.define(sub)
		if err != nil {
			return fmt.Errorf("digest subscription %d (channel %s): %w", i+1, sub.Channel, err)
		}
		configured[rec.Channel] = true
		rec.Origin, rec.CreatedAt = storage.FromConfig, now
		prev, found := old[rec.Channel]
		switch {
		case !found:
			if rec.State.Cursor, err = s.startCursor(0); err != nil {
				return err
			}
		case prev.Origin == storage.FromDiscord:
			s.log.Warn("a digest subscription of the configuration replaces the one made in Discord", "channel", rec.Channel)
			fallthrough
		default:
			rec.Guild = orElse(rec.Guild, prev.Guild)
			rec.CreatedAt = prev.CreatedAt // its schedule runs on from where it was
			rec.State = prev.State
			rec.State.Paused, rec.State.Attempts = false, 0
			if sameDefinition(prev, rec) && !prev.State.Paused {
				continue // unchanged: keep its schedule where it was
			}
		}
		if _, err := s.db.PutDigestSubscription(rec); err != nil {
			return err
		}
	}
	for _, st := range stored {
		if st.Origin == storage.FromConfig && !configured[st.Channel] {
			if err := s.db.DeleteDigestSubscription(st.Channel); err != nil {
				return err
			}
			s.log.Info("a digest subscription left the configuration: deleted", "channel", st.Channel)
		}
	}
	return nil
}

// sameDefinition reports whether a and b ask for the same digests.
func sameDefinition(a, b storage.DigestSubscription) bool {
	return a.Origin == b.Origin && a.Guild == b.Guild && a.Schedule == b.Schedule &&
		a.Timezone == b.Timezone && a.Max == b.Max && a.Lang == b.Lang
}

// orElse is s, or fallback when s is empty.
func orElse(s, fallback string) string {
	if s != "" {
		return s
	}
	return fallback
}

// define checks sub and returns it as stored, without origin, creation or
// state. A bad schedule or zone is a *schedule.Error; a bad max ErrMax.
func (s *Scheduler) define(sub Subscription) (storage.DigestSubscription, schedule.Schedule, error) {
	if strings.TrimSpace(sub.Channel) == "" {
		return storage.DigestSubscription{}, schedule.Schedule{}, errors.New("no channel")
	}
	zone := s.opts.Zone
	if sub.Timezone != "" {
		var err error
		if zone, err = schedule.LoadZone(sub.Timezone); err != nil {
			return storage.DigestSubscription{}, schedule.Schedule{}, err
		}
	}
	sched, err := schedule.Parse(sub.Schedule, zone)
	if err != nil {
		return storage.DigestSubscription{}, schedule.Schedule{}, err
	}
	if sub.Max < 0 || sub.Max > MaxMax {
		return storage.DigestSubscription{}, schedule.Schedule{}, ErrMax
	}
	lang := ""
	if strings.TrimSpace(sub.Lang) != "" {
		lang = string(messages.ForLocale(sub.Lang))
	}
	return storage.DigestSubscription{
		Channel: sub.Channel, Guild: sub.Guild, Schedule: sched.String(), Timezone: sub.Timezone,
		Max: sub.Max, Lang: lang, CreatedBy: sub.By,
	}, sched, nil
}

// startCursor is the cursor of a digest that starts now (last == 0) or
// with the last articles added: the AddedAt of the newest article it must
// not list, zero when it lists them all.
func (s *Scheduler) startCursor(last int) (time.Time, error) {
	infos, _, err := s.db.List(max(last, 0), 1)
	if err != nil || len(infos) == 0 {
		return time.Time{}, err
	}
	return infos[0].AddedAt, nil
}

// Subscribe makes or replaces the digest subscription of sub.Channel and
// returns it. A new subscription starts from now: its first digest lists
// the articles added after the newest one stored now, plus the last `last`
// ones when last > 0. A replacement keeps where the channel is up to (no
// article is listed twice or skipped, unless last > 0 asks for the last
// ones again), runs its schedule from now and is no longer paused. A bad
// schedule or zone is a *schedule.Error and stores nothing; a channel of the
// configuration file is ErrConfigured.
func (s *Scheduler) Subscribe(sub Subscription, last int) (st Status, replaced bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, _, err := s.define(sub)
	if err != nil {
		return Status{}, false, err
	}
	prev, err := s.db.DigestSubscription(rec.Channel)
	replaced = err == nil
	switch {
	case errors.Is(err, retrieval.ErrNotFound):
	case err != nil:
		return Status{}, false, err
	case prev.Origin == storage.FromConfig:
		return Status{}, false, ErrConfigured
	}
	rec.Origin, rec.CreatedAt = storage.FromDiscord, s.clock.Now()
	if replaced {
		rec.State = storage.DigestState{
			Cursor: prev.State.Cursor, LastRun: prev.State.LastRun,
			LastPosted: prev.State.LastPosted, LastArticles: prev.State.LastArticles, LastTotal: prev.State.LastTotal,
		}
	}
	if !replaced || last > 0 {
		if rec.State.Cursor, err = s.startCursor(last); err != nil {
			return Status{}, false, err
		}
	}
	if _, err := s.db.PutDigestSubscription(rec); err != nil {
		return Status{}, false, err
	}
	s.log.Info("digest subscribed", "channel", rec.Channel, "schedule", rec.Schedule, "zone", rec.Timezone,
		"by", rec.CreatedBy, "replaced", replaced)
	s.poke()
	return s.status(rec), replaced, nil
}

// Unsubscribe deletes the subscription of channel. It is ErrNotSubscribed
// when there is none and ErrConfigured for one of the configuration file.
func (s *Scheduler) Unsubscribe(channel string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, err := s.db.DigestSubscription(channel)
	switch {
	case errors.Is(err, retrieval.ErrNotFound):
		return ErrNotSubscribed
	case err != nil:
		return err
	case prev.Origin == storage.FromConfig:
		return ErrConfigured
	}
	if err := s.db.DeleteDigestSubscription(channel); err != nil {
		return err
	}
	s.log.Info("digest unsubscribed", "channel", channel)
	s.poke()
	return nil
}

// List returns every subscription, ordered by channel, with when its next
// digest is due.
func (s *Scheduler) List() ([]Status, error) {
	subs, err := s.db.DigestSubscriptions()
	if err != nil {
		return nil, err
	}
	out := make([]Status, len(subs))
	for i, sub := range subs {
		out[i] = s.status(sub)
	}
	return out, nil
}

// Get returns the subscription of channel; ErrNotSubscribed when there is none.
func (s *Scheduler) Get(channel string) (Status, error) {
	sub, err := s.db.DigestSubscription(channel)
	if errors.Is(err, retrieval.ErrNotFound) {
		return Status{}, ErrNotSubscribed
	}
	if err != nil {
		return Status{}, err
	}
	return s.status(sub), nil
}

// Problem is why the last attempt at posting failed: ErrChannelGone,
// ErrForbidden, another error holding the text recorded, or nil when the
// last attempt did not fail.
func (st Status) Problem() error {
	switch st.State.LastError {
	case "":
		return nil
	case ErrChannelGone.Error():
		return ErrChannelGone
	case ErrForbidden.Error():
		return ErrForbidden
	}
	return errors.New(st.State.LastError)
}

func (s *Scheduler) status(sub storage.DigestSubscription) Status {
	return Status{DigestSubscription: sub, Next: s.due(sub)}
}

// Preview returns the digest channel would get if it were posted now,
// without posting it; ErrNotSubscribed when the channel has no subscription.
func (s *Scheduler) Preview(channel string) (Digest, error) {
	st, err := s.Get(channel)
	if err != nil {
		return Digest{}, err
	}
	return s.digestOf(st.DigestSubscription, s.clock.Now())
}

// Recent returns a digest of the articles added in the window before now,
// at most maxArticles of them (Options.DefaultMax when <= 0), for a preview
// outside any subscription, in the default zone.
func (s *Scheduler) Recent(window time.Duration, maxArticles int, lang messages.Lang) (Digest, error) {
	now := s.clock.Now()
	if maxArticles <= 0 {
		maxArticles = s.opts.DefaultMax
	}
	d, err := Collect(s.db, now.Add(-window), maxArticles)
	if err != nil {
		return Digest{}, err
	}
	d.Lang, d.Zone, d.Until = lang, s.opts.Zone, now
	return d, nil
}

// PostNow posts channel's digest at once with p, whether or not it is due
// or paused, and returns it. A period without new articles is posted only
// with Options.PostEmpty; the digest returned then says it is Empty. A
// digest posted is done, as a scheduled one is, and starts a paused
// subscription again; a failure is returned, not counted as an attempt.
func (s *Scheduler) PostNow(ctx context.Context, p Poster, channel string) (Digest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.db.DigestSubscription(channel)
	if errors.Is(err, retrieval.ErrNotFound) {
		return Digest{}, ErrNotSubscribed
	}
	if err != nil {
		return Digest{}, err
	}
	now := s.clock.Now()
	d, err := s.digestOf(sub, now)
	if err != nil || (d.Empty() && !s.opts.PostEmpty) {
		return d, err
	}
	if err := p.PostDigest(ctx, channel, d); err != nil {
		return d, err
	}
	s.log.Info("digest posted on request", "channel", channel, "articles", len(d.Articles), "total", d.Total)
	_, err = s.db.MarkDigestDone(channel, done(d, now, true))
	s.poke()
	return d, err
}

// done is what storage records of d, done at time at.
func done(d Digest, at time.Time, posted bool) storage.DigestDone {
	r := storage.DigestDone{At: at, Cursor: d.Cursor, Posted: posted}
	if posted {
		r.Articles, r.Total = d.IDs(), d.Total
	}
	return r
}

// Run posts the digests with p as they fall due, until ctx is done. On
// start it catches up, once, the slots missed while nothing ran.
func (s *Scheduler) Run(ctx context.Context, p Poster) error {
	for {
		next, err := s.RunDue(ctx, p)
		if ctx.Err() != nil {
			return nil
		}
		wait := maxWait
		if err != nil {
			s.log.Error("digests: reading or recording the subscriptions", "err", err)
		} else if !next.IsZero() {
			wait = min(wait, next.Sub(s.clock.Now()))
		}
		timer, stop := s.clock.Timer(wait)
		select {
		case <-ctx.Done():
			stop()
			return nil
		case <-timer:
		case <-s.wake:
			stop()
		}
	}
}

// poke tells Run that the subscriptions changed.
func (s *Scheduler) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// RunDue makes and posts, one at a time, every digest due at the clock's
// time, and returns when the next one is due (zero when none is). A
// subscription whose slots were missed gets one digest covering them all.
// The error is the first failure to read or record state; posting failures
// are recorded, not returned.
func (s *Scheduler) RunDue(ctx context.Context, p Poster) (next time.Time, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	subs, err := s.db.DigestSubscriptions()
	if err != nil {
		return time.Time{}, err
	}
	now := s.clock.Now()
	for _, sub := range subs {
		if ctx.Err() != nil {
			return next, nil
		}
		due := s.due(sub)
		if due.IsZero() && !sub.State.Paused {
			s.log.Error("digest: the stored schedule cannot be read; subscribe again", "channel", sub.Channel,
				"schedule", sub.Schedule, "zone", sub.Timezone)
		}
		if !due.IsZero() && !due.After(now) {
			ran, runErr := s.run(ctx, p, sub)
			if runErr != nil {
				s.log.Error("digest", "channel", sub.Channel, "err", runErr)
				err = cmp.Or(err, runErr)
				continue
			}
			due = s.due(ran)
		}
		if !due.IsZero() && (next.IsZero() || due.Before(next)) {
			next = due
		}
	}
	return next, err
}

// due is when sub's next digest is due: a retry after a failure, else the
// first slot after its last run (or its creation); zero when it is paused
// or its schedule cannot be read.
func (s *Scheduler) due(sub storage.DigestSubscription) time.Time {
	st := sub.State
	if st.Paused {
		return time.Time{}
	}
	sched, err := s.scheduleOf(sub)
	if err != nil {
		return time.Time{}
	}
	if st.Attempts > 0 {
		return st.FailedAt.Add(s.backoff(st.Attempts))
	}
	from := sub.CreatedAt
	if st.LastRun.After(from) {
		from = st.LastRun
	}
	return sched.Next(from)
}

// backoff is the wait before the retry that follows the n-th failed attempt.
func (s *Scheduler) backoff(n int) time.Duration {
	d := s.opts.Backoff
	for i := 1; i < n && d < s.opts.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.opts.MaxBackoff)
}

// scheduleOf reads sub's stored schedule in its zone.
func (s *Scheduler) scheduleOf(sub storage.DigestSubscription) (schedule.Schedule, error) {
	zone := s.opts.Zone
	if sub.Timezone != "" {
		var err error
		if zone, err = schedule.LoadZone(sub.Timezone); err != nil {
			return schedule.Schedule{}, err
		}
	}
	return schedule.Parse(sub.Schedule, zone)
}

// digestOf makes sub's digest at time now.
func (s *Scheduler) digestOf(sub storage.DigestSubscription, now time.Time) (Digest, error) {
	sched, err := s.scheduleOf(sub)
	if err != nil {
		return Digest{}, err
	}
	maxArticles := sub.Max
	if maxArticles <= 0 {
		maxArticles = s.opts.DefaultMax
	}
	d, err := Collect(s.db, sub.State.Cursor, maxArticles)
	if err != nil {
		return Digest{}, err
	}
	d.Channel, d.Lang, d.Zone, d.Until = sub.Channel, messages.Lang(sub.Lang), sched.Location(), now
	return d, nil
}

// run makes sub's digest, posts it and records the outcome, and returns
// the subscription as recorded.
func (s *Scheduler) run(ctx context.Context, p Poster, sub storage.DigestSubscription) (storage.DigestSubscription, error) {
	now := s.clock.Now()
	d, err := s.digestOf(sub, now)
	if err != nil {
		return sub, err
	}
	if d.Empty() && !s.opts.PostEmpty {
		s.log.Debug("digest: no new articles, nothing posted", "channel", sub.Channel)
		return s.db.MarkDigestDone(sub.Channel, done(d, now, false))
	}
	postErr := p.PostDigest(ctx, sub.Channel, d)
	if postErr == nil {
		s.log.Info("digest posted", "channel", sub.Channel, "articles", len(d.Articles), "total", d.Total)
		return s.db.MarkDigestDone(sub.Channel, done(d, now, true))
	}
	if ctx.Err() != nil {
		return sub, nil // stopping: the next start tries again
	}
	f := storage.DigestFailure{At: s.clock.Now(), Reason: postErr.Error()}
	attempts := sub.State.Attempts + 1
	permanent := false
	for _, e := range []error{ErrChannelGone, ErrForbidden} {
		if errors.Is(postErr, e) {
			f.Reason, permanent = e.Error(), true // see Status.Problem
		}
	}
	switch {
	case attempts < s.opts.MaxAttempts:
		s.log.Warn("digest: posting failed; will try again", "channel", sub.Channel, "attempt", attempts,
			"retry_in", s.backoff(attempts), "err", postErr)
	case permanent:
		f.Pause = true
		s.log.Error("digest: posting failed again; subscription paused until subscribed again", "channel", sub.Channel,
			"attempts", attempts, "err", postErr)
	default:
		f.GiveUp = true
		s.log.Error("digest: posting failed again; digest given up until the next slot, its articles kept for it",
			"channel", sub.Channel, "attempts", attempts, "err", postErr)
	}
	return s.db.RecordDigestFailure(sub.Channel, f)
}
