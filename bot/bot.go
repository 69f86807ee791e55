// Package bot is baobot on Discord: slash commands, direct messages and
// mentions answered with quoted snippets, rendered as Discord users expect.
// It is the only package that imports discordgo.
//
// A Bot answers from a storage.DB through retrieval, the same path as the
// command line. Start connects it (every REST call and the gateway
// discovery go to Config.APIURL, through the session's HTTP client) and
// registers its commands with one bulk overwrite; Shutdown stops it taking
// new work, waits for the replies in flight and closes the gateway. The
// gateway is reconnected (and resumed) by the bot itself, not by discordgo,
// so that a close Discord means for good (4004 authentication failed, 4014
// disallowed intents, …) stops it with a clear error on Fatal instead of
// retrying forever.
//
// Every message the bot sends pings nobody (allowed_mentions {"parse": []})
// and stays within Discord's limits (send.go, render.go). The bot token
// never appears in a log or an error.
package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/baobot/baobot/digest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// Config is what a Bot needs to know.
type Config struct {
	// Token is the bot token, without the "Bot " prefix. Required.
	Token string
	// APIURL is the base URL of Discord's REST API, such as
	// "https://discord.com". Every REST request goes there.
	APIURL string
	// GuildIDs, when not empty, registers the commands in these guilds only
	// (updates show at once) instead of globally.
	GuildIDs []string
	// ShardID and ShardCount shard the gateway; ShardCount 0 or 1 means no
	// sharding. Only shard 0 registers the commands.
	ShardID, ShardCount int
	// RateLimit is how many questions one user may ask per RateWindow;
	// 0 means no limit.
	RateLimit  int
	RateWindow time.Duration
	// Params tune retrieval; Params.MaxQuestion bounds questions.
	Params retrieval.Params
	// Results is the number of results on a page of an answer; 0 means 3.
	Results int
	// MaxFileBytes is the largest file /add accepts; 0 means 32 MiB.
	MaxFileBytes int64
	// Version is what /about reports.
	Version string
	// Logger receives the bot's logs; nil discards them.
	Logger *slog.Logger
	// Transport carries the HTTP requests (REST and attachment downloads);
	// nil means a clone of http.DefaultTransport.
	Transport http.RoundTripper
	// Digests schedules the digests that /digest manages; RunDigests runs
	// it with the bot as its poster (digest.go). nil: /digest says digests
	// are off.
	Digests *digest.Scheduler
	// Metrics receives the bot's measurements (metrics.go); nil records
	// nothing.
	Metrics Metrics
}

// Bot is baobot connected to Discord. Its methods are safe for concurrent use.
type Bot struct {
	cfg       Config
	db        *storage.DB
	searcher  *retrieval.Searcher
	session   *discordgo.Session
	log       *slog.Logger
	commands  []command
	byName    map[string]*command
	limiter   *rateLimiter
	downloads *http.Client
	started   time.Time
	metrics   Metrics

	// ackAfter is how long an interaction's work may run before the
	// interaction is deferred (acknowledged, answered later by an edit).
	ackAfter time.Duration

	// mu guards closing; work and busy count the events being handled.
	mu      sync.Mutex
	closing bool
	work    sync.WaitGroup
	busy    atomic.Int64

	// gateway: see gateway.go.
	gw           sync.Mutex // held while opening or closing the connection
	dialer       *gatewayDialer
	handshake    time.Duration // how long open waits for HELLO and READY or RESUMED
	gwClosed     bool
	disconnected chan struct{}
	stop         chan struct{}
	supervised   chan struct{} // closed when supervise returns
	fatal        chan error
	connected    atomic.Bool // the gateway connection is up: see Connected
}

// Defaults of Config fields left zero.
const (
	defaultResults      = 3
	defaultMaxFileBytes = 32 << 20
	defaultAckAfter     = 1500 * time.Millisecond
)

// New returns a Bot answering from db, not yet connected: see Start. db
// must be open for writing (feedback, /add and /remove write to it) and
// stay open until Shutdown has returned.
func New(cfg Config, db *storage.DB) (*Bot, error) {
	if cfg.Token == "" {
		return nil, errors.New("bot: no Discord bot token")
	}
	if cfg.Results <= 0 {
		cfg.Results = defaultResults
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = defaultMaxFileBytes
	}
	if cfg.Params == (retrieval.Params{}) {
		cfg.Params = retrieval.DefaultParams()
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	base := cfg.Transport
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	metrics := cfg.Metrics
	if metrics == nil {
		metrics = noMetrics{}
	}
	tr, err := newTransport(cfg.APIURL, base, log)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	tr.metrics = metrics

	s, err := discordgo.New("Bot " + cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("bot: %w", err)
	}
	s.Client = &http.Client{Transport: tr, Timeout: 20 * time.Second}
	dialer := &gatewayDialer{Dialer: net.Dialer{Timeout: 15 * time.Second}}
	s.Dialer = &websocket.Dialer{
		Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 15 * time.Second,
		NetDialContext: dialer.DialContext,
	}
	s.Identify.Intents = discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages
	s.ShouldReconnectOnError = false // gateway.go reconnects, and knows when not to
	s.MaxRestRetries = 0             // transport.go retries server errors
	s.StateEnabled = false
	s.LogLevel = -1 // discordgo's own logging is off: the bot logs through slog
	if cfg.ShardCount > 1 {
		s.ShardID, s.ShardCount = cfg.ShardID, cfg.ShardCount
	}

	b := &Bot{
		cfg: cfg, db: db, session: s, log: log,
		searcher:     retrieval.NewSearcher(db, retrieval.NewAnalyzer(), cfg.Params),
		commands:     commandTable(cfg.Params.MaxQuestion),
		byName:       map[string]*command{},
		limiter:      newRateLimiter(cfg.RateLimit, cfg.RateWindow, nil),
		downloads:    &http.Client{Transport: base, Timeout: time.Minute},
		ackAfter:     defaultAckAfter,
		dialer:       dialer,
		handshake:    defaultHandshake,
		started:      time.Now(),
		metrics:      metrics,
		disconnected: make(chan struct{}, 1),
		stop:         make(chan struct{}),
		supervised:   make(chan struct{}),
		fatal:        make(chan error, 1),
	}
	for i := range b.commands {
		b.byName[b.commands[i].name.en] = &b.commands[i]
	}
	s.AddHandler(b.onInteraction)
	s.AddHandler(b.onMessage)
	s.AddHandler(b.onDisconnect)
	return b, nil
}

// Start connects to the gateway and registers the commands, and returns
// once the bot answers. ctx bounds the connection (discordgo's own has no
// timeout). A close Discord means for good is an error saying what to fix.
func (b *Bot) Start(ctx context.Context) error {
	opened := make(chan error, 1)
	go func() { opened <- b.openBounded() }()
	select {
	case err := <-opened:
		if err != nil {
			b.closeGateway()
			return fmt.Errorf("connecting to the Discord gateway: %w", b.explain(err))
		}
		b.connected.Store(true)
	case <-ctx.Done():
		go func() { <-opened; b.closeGateway() }()
		return fmt.Errorf("connecting to the Discord gateway: %w", ctx.Err())
	}
	go b.supervise()
	go b.forgetOldAnswers()
	if err := b.registerCommands(); err != nil {
		b.closeGateway()
		return err
	}
	user, app := b.self()
	b.log.Info("connected to Discord", "user", user, "application", app,
		"shard", b.cfg.ShardID, "shards", max(b.cfg.ShardCount, 1))
	return nil
}

// self returns the bot's user id and its application's id, as the last
// READY gave them ("" before the first).
func (b *Bot) self() (userID, appID string) {
	st := b.session.State
	st.RLock()
	defer st.RUnlock()
	if st.User != nil {
		userID = st.User.ID
	}
	appID = userID
	if st.Application != nil && st.Application.ID != "" {
		appID = st.Application.ID
	}
	return userID, appID
}

// Answers shown are kept this long for their buttons, unless voted on.
const (
	keepShown   = 30 * 24 * time.Hour
	forgetEvery = 24 * time.Hour
)

// forgetOldAnswers deletes, now and then every day until the gateway
// closes, the shown answers older than keepShown that nobody voted on: the
// database does not grow with every question ever asked. Their buttons then
// answer that the answer is too old.
func (b *Bot) forgetOldAnswers() {
	for {
		if n, err := b.db.ForgetShown(time.Now().Add(-keepShown)); err != nil {
			b.log.Warn("forgetting old answers", "err", err)
		} else if n > 0 {
			b.log.Info("forgot old answers nobody voted on", "answers", n)
		}
		select {
		case <-b.stop:
			return
		case <-time.After(forgetEvery):
		}
	}
}

// registerCommands replaces the application's commands with the table, with
// one bulk overwrite globally or one per configured guild.
func (b *Bot) registerCommands() error {
	if b.cfg.ShardCount > 1 && b.cfg.ShardID != 0 {
		return nil
	}
	defs := make([]*discordgo.ApplicationCommand, len(b.commands))
	for i, c := range b.commands {
		defs[i] = c.definition()
	}
	scopes := b.cfg.GuildIDs
	if len(scopes) == 0 {
		scopes = []string{""}
	}
	_, app := b.self()
	for _, guild := range scopes {
		opt, cancel := bounded()
		_, err := b.session.ApplicationCommandBulkOverwrite(app, guild, defs, opt)
		cancel()
		if err != nil {
			where := "globally"
			if guild != "" {
				where = "in guild " + guild
			}
			return fmt.Errorf("registering the slash commands %s: %w", where, b.safe(err))
		}
	}
	return nil
}

// Fatal receives an error when Discord closes the gateway for a reason
// reconnecting cannot fix (a reset token, disallowed intents, …). The bot
// then no longer answers: shut it down.
func (b *Bot) Fatal() <-chan error { return b.fatal }

// Shutdown stops taking new work (new interactions are told to try again
// shortly, new messages are ignored), waits until the replies in flight
// are sent or ctx is done, then closes the gateway. The database is the
// caller's to close, after Shutdown returns.
func (b *Bot) Shutdown(ctx context.Context) error {
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	if n := b.busy.Load(); n > 0 {
		b.log.Info("shutting down: finishing the replies in flight", "replies", n)
	}
	drained := make(chan struct{})
	go func() { b.work.Wait(); close(drained) }()
	var err error
	select {
	case <-drained:
	case <-ctx.Done():
		err = fmt.Errorf("replies still in flight at shutdown: %w", ctx.Err())
	}
	b.closeGateway()
	return err
}

// Run starts the bot, answers until ctx is done or Discord refuses it for
// good, then shuts it down, allowing grace for the replies in flight.
func (b *Bot) Run(ctx context.Context, grace time.Duration) error {
	if err := b.Start(ctx); err != nil {
		return err
	}
	var fatal error
	select {
	case <-ctx.Done():
	case fatal = <-b.fatal:
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := b.Shutdown(sctx)
	if fatal != nil {
		return fatal
	}
	return err
}

// enter registers an event being handled; it reports false once the bot is
// shutting down. Every true must be matched by leave.
func (b *Bot) enter() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closing {
		return false
	}
	b.work.Add(1)
	b.busy.Add(1)
	return true
}

func (b *Bot) leave() {
	b.busy.Add(-1)
	b.work.Done()
}

// safe returns err with the bot token and interaction tokens removed from
// its text, fit for a log or a message.
func (b *Bot) safe(err error) error {
	if err == nil {
		return nil
	}
	msg := redactPath(err.Error())
	if t := b.cfg.Token; t != "" {
		msg = strings.ReplaceAll(msg, t, "[token]")
	}
	if msg == err.Error() {
		return err
	}
	return errors.New(msg)
}

// userKey names a user for the rate limiter and feedback.
func userKey(u *discordgo.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}

// formatID writes an id for a custom ID, in base 36.
func formatID(id uint64) string { return strconv.FormatUint(id, 36) }

// parseID reads an id written by formatID.
func parseID(s string) (uint64, bool) {
	id, err := strconv.ParseUint(s, 36, 64)
	return id, err == nil && id > 0
}
