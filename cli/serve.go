package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/baobot/baobot/bot"
	"github.com/baobot/baobot/config"
	"github.com/baobot/baobot/control"
	"github.com/baobot/baobot/ops"
	"github.com/baobot/baobot/storage"
	"github.com/baobot/baobot/watch"
)

// serveGrace is how long serve waits, once told to stop, for the replies in
// flight.
const serveGrace = 15 * time.Second

// noTokenHelp is what serve prints without a token.
const noTokenHelp = `baobot serve: no Discord bot token.

Get one in the Discord developer portal, https://discord.com/developers/applications:
open your application (or create one with New Application), then Bot → Reset Token,
and copy the token it shows.

Then give it to baobot in the environment:

    BAOBOT_DISCORD_TOKEN=your-token baobot serve

or as token under [discord] in the configuration file (make the file readable by
you only: chmod 600). README.md, section "Discord", explains the rest.
`

// server is a running `baobot serve`: the database it holds for as long as
// it runs (bbolt lets one process write it) and what runs on it.
type server struct {
	cfg config.Config
	db  *storage.DB // open for the whole run; closed after every service has stopped
	log *slog.Logger
	// metrics are the bot's measurements, served by the metrics service.
	metrics *ops.Metrics
	// bot is set once the bot exists (after the services have started).
	bot atomic.Pointer[bot.Bot]
}

// service runs beside the bot for as long as serve runs, on the database
// serve holds. start runs once the database is open, before the bot
// connects; the stop it returns runs after the bot has stopped, services in
// reverse order, before the database closes. An error from start stops
// serve.
type service struct {
	name  string
	start func(ctx context.Context, s *server) (stop func() error, err error)
}

// services are what serve runs beside the bot. To plug one in (a folder
// watcher, …), add a row. (They are set in init: the control socket runs
// commands of the table that lists serve, a cycle a var initializer may
// not have.)
var services []service

func init() {
	services = []service{
		{"control socket", startControl},
		{"folder watcher", startWatch},
		{"metrics server", startMetrics},
	}
}

// startMetrics serves GET /healthz and GET /metrics (package ops) on
// metrics.addr; with none configured it does nothing.
func startMetrics(_ context.Context, s *server) (func() error, error) {
	if s.cfg.Metrics.Addr == "" {
		return func() error { return nil }, nil
	}
	h := ops.Handler(s.metrics,
		ops.Check{Name: "gateway", Check: s.gatewayUp},
		ops.Check{Name: "database", Check: s.databaseOpen})
	srv, err := ops.Listen(s.cfg.Metrics.Addr, h, s.log)
	if err != nil {
		return nil, err
	}
	s.log.Info("serving /healthz and /metrics", "addr", srv.Addr())
	return srv.Close, nil
}

// gatewayUp is the health check of the Discord gateway connection.
func (s *server) gatewayUp() error {
	if b := s.bot.Load(); b == nil || !b.Connected() {
		return errors.New("not connected")
	}
	return nil
}

// databaseOpen is the health check of the database: its statistics read.
func (s *server) databaseOpen() error {
	if _, err := s.db.Stats(); err != nil {
		return errors.New("not readable")
	}
	return nil
}

// startControl lets the command line hand its work to this process over the
// socket beside the database (package control), when discord.admin_socket
// is on.
func startControl(ctx context.Context, s *server) (func() error, error) {
	srv, err := control.Serve(ctx, s.db, s.cfg, RunForwarded, control.Options{Logger: s.log})
	if err != nil {
		return nil, err
	}
	return srv.Close, nil
}

// startWatch ingests new and changed files of the ingest.watch folders
// (package watch); with none configured it does nothing.
func startWatch(ctx context.Context, s *server) (func() error, error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		watch.Run(ctx, s.db, s.cfg, s.log)
	}()
	return func() error { cancel(); <-done; return nil }, nil
}

// serveSignals returns the context serve runs in: done at SIGINT or
// SIGTERM. Tests replace it.
var serveSignals = func(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}

// runServe connects the bot to Discord and answers until SIGINT or
// SIGTERM: `baobot serve`. Then it stops taking new work, finishes the
// replies in flight, closes the gateway, stops the services and closes the
// database. A second signal stops it at once.
func runServe(a *app, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	if rest, err := parseFlags(fs, args); err != nil {
		return err
	} else if len(rest) > 0 {
		return usagef("serve takes no arguments")
	}
	token := strings.TrimSpace(a.cfg.Discord.Token)
	if token == "" {
		fmt.Fprint(a.env.Stderr, noTokenHelp)
		return errReported
	}
	log := slog.New(a.cfg.Log.Handler(a.env.Stderr))
	if _, set := os.LookupEnv("GOGC"); !set { // the runtime read it from the process environment
		debug.SetGCPercent(a.cfg.Discord.GCPercent)
	}
	ctx, stopSignals := serveSignals(a.ctx)
	defer stopSignals()
	go func() {
		<-ctx.Done()
		stopSignals() // the next signal gets its default effect: stop now
	}()

	db, err := a.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if db.NeedsReindex() {
		return fmt.Errorf("%s: run `baobot reindex` first", storage.ErrNeedsReindex)
	}
	s := &server{cfg: a.cfg, db: db.DB, log: log}
	s.metrics = ops.NewMetrics(func() bool { return s.gatewayUp() == nil })
	log.Debug("configuration", "config", a.cfg)

	var stops []func() error
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			if err := stops[i](); err != nil {
				log.Error("stopping a service", "service", services[i].name, "err", err)
			}
		}
	}()
	for _, svc := range services {
		stop, err := svc.start(ctx, s)
		if err != nil {
			return fmt.Errorf("starting the %s: %w", svc.name, err)
		}
		stops = append(stops, stop)
	}

	cfg := botConfig(a, token, log)
	cfg.Metrics = s.metrics
	if a.cfg.Discord.ShardID == 0 { // one process posts digests, not one per shard
		if cfg.Digests, err = newDigestScheduler(a, s.db, log); err != nil {
			return err
		}
	}
	b, err := bot.New(cfg, s.db)
	if err != nil {
		return err
	}
	s.bot.Store(b)
	digestsCtx, stopDigests := context.WithCancel(ctx)
	digestsDone := make(chan error, 1)
	go func() { digestsDone <- b.RunDigests(digestsCtx) }()
	defer func() { // before the database closes
		stopDigests()
		if err := <-digestsDone; err != nil && !errors.Is(err, context.Canceled) {
			log.Error("digests stopped", "err", err)
		}
	}()
	log.Info("connecting to Discord", "api", a.cfg.Discord.APIURL, "database", a.cfg.Database.Path)
	if err := b.Run(ctx, serveGrace); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

// botConfig is the bot's configuration from baobot's.
func botConfig(a *app, token string, log *slog.Logger) bot.Config {
	d := a.cfg.Discord
	guilds := make([]string, len(d.GuildIDs))
	for i, id := range d.GuildIDs {
		guilds[i] = strconv.FormatInt(id, 10)
	}
	return bot.Config{
		Token: token, APIURL: d.APIURL, GuildIDs: guilds,
		ShardID: d.ShardID, ShardCount: d.ShardCount,
		RateLimit: d.RateLimitQuestions, RateWindow: d.RateLimitWindow,
		Params: a.params(), Results: a.cfg.Retrieval.Results,
		MaxFileBytes: a.cfg.Ingest.MaxFileBytes,
		Version:      buildVersion(), Logger: log,
	}
}

// buildVersion is the version of this binary: its module version, or the
// VCS revision it was built from.
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	version := info.Main.Version
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				modified = "+dirty"
			}
		}
	}
	if (version == "" || version == "(devel)") && rev != "" {
		return "dev-" + rev[:min(len(rev), 12)] + modified
	}
	if version == "" {
		return "dev"
	}
	return version
}
