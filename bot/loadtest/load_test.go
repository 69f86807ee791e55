// Package loadtest puts baobot under load: 200 people ask questions on a
// local Discord (bot/discordtest) while 5,000 articles are ingested into
// the same database, and the test records how fast every interaction was
// acknowledged and answered, and how long a read waited while the writer
// wrote. It asserts that every interaction was acknowledged and answered;
// it never asserts a timing (the machine may be busy): it logs them, and
// writes them as JSON to the file BAOBOT_LOAD_REPORT names, if set.
//
//	go test -count=1 -v -run Load ./bot/loadtest
//
// BAOBOT_LOAD_ASKERS (200), BAOBOT_LOAD_ARTICLES (5000), BAOBOT_LOAD_BATCH
// (100, articles per write transaction) and BAOBOT_LOAD_THINK (500: an
// asker waits between 0 and twice that many milliseconds between two
// questions, as a person reads the answer) change the run.
// It is skipped under -short; under -race it ingests 1,000 articles unless
// told otherwise.
package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot"
	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/internal/testcorpus"
	"github.com/baobot/baobot/load"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/seeds"
	"github.com/baobot/baobot/storage"
)

// deadline is how long Discord gives a bot to acknowledge an interaction.
const deadline = 3 * time.Second

// wait bounds every wait for the bot: far beyond Discord's deadline, so
// that a slow answer is measured rather than lost.
const wait = 30 * time.Second

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v, ok := os.LookupEnv(name)
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a whole number of at least 1", name, v)
	}
	return n
}

// articles generates n small articles.
func articles(n int, seed uint64) []retrieval.Article {
	return testcorpus.Articles(rand.New(rand.NewPCG(seed, 11)), n, "load", "loadtest")
}

// questions are what the askers ask, in turn: about the seed articles and
// the generated ones, with accents and without.
var questions = []string{
	"Ngoại trưởng Mỹ là ai?",
	"Ngoai truong My la ai?",
	"Cuộc điện đàm kéo dài bao lâu?",
	"giá vàng tăng khi nào?",
	"lai suat ngan hang",
	"thủ tướng nói gì về xuất khẩu cà phê?",
	"what did the government say about exports?",
	"mưa lớn ở Huế",
}

// stats summarises durations.
type stats struct {
	N                  int
	P50, P90, P99, Max time.Duration
}

func summarize(ds []time.Duration) stats {
	if len(ds) == 0 {
		return stats{}
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	at := func(q float64) time.Duration { return ds[min(len(ds)-1, int(q*float64(len(ds))))] }
	return stats{N: len(ds), P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: ds[len(ds)-1]}
}

func (s stats) String() string {
	r := func(d time.Duration) time.Duration {
		if d < time.Millisecond {
			return d.Round(time.Microsecond)
		}
		return d.Round(100 * time.Microsecond)
	}
	return fmt.Sprintf("n=%d p50=%v p90=%v p99=%v max=%v", s.N, r(s.P50), r(s.P90), r(s.P99), r(s.Max))
}

// report is what the test measured.
type report struct {
	Askers, Interactions, DuringIngest int
	Articles, Batch                    int
	Think                              time.Duration // mean pause between an asker's questions
	Ingest                             time.Duration
	Ack                                stats // dispatch → the first callback (Discord's 3 s)
	Answer                             stats // dispatch → the reply visible
	Read                               stats // one small read transaction while the writer writes
	Commit                             stats // one batch written (analysis and commit)
	Deferred, Late                     int   // acknowledged by a deferral; after 3 s
}

// TestLoadAskersDuringIngest: askers ask again and again, each as a user of
// their own, until the ingest has finished (and at least twice each).
func TestLoadAskersDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("200 askers and an ingest of 5,000 articles: not under -short")
	}
	askers := envInt(t, "BAOBOT_LOAD_ASKERS", 200)
	n := envInt(t, "BAOBOT_LOAD_ARTICLES", 5000)
	if raceEnabled && os.Getenv("BAOBOT_LOAD_ARTICLES") == "" {
		n = 1000 // the timings of a -race run mean little anyway
	}
	batch := envInt(t, "BAOBOT_LOAD_BATCH", 100)
	think := time.Duration(envInt(t, "BAOBOT_LOAD_THINK", 500)) * time.Millisecond

	srv := discordtest.New(t)
	db, err := storage.Open(filepath.Join(t.TempDir(), "baobot.db"), storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	seed, err := seeds.Articles()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Put(seed); err != nil {
		t.Fatal(err)
	}
	b, err := bot.New(bot.Config{
		Token: srv.Token(), APIURL: srv.URL(), Params: retrieval.DefaultParams(), Version: "loadtest",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, db)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.WaitForHeartbeat(2 * time.Second)
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := b.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	users := make([]*discordgo.User, askers)
	for i := range users {
		users[i] = srv.AddUser(fmt.Sprintf("asker%03d", i))
	}

	rep := report{Askers: askers, Articles: n, Batch: batch, Think: think}
	var ingesting atomic.Bool
	ingesting.Store(true)
	start := make(chan struct{})

	// The writer: package load, as `baobot ingest` and /add store.
	var commits []time.Duration
	ingestDone := make(chan error, 1)
	go func() {
		<-start
		began := time.Now()
		last := began
		l := &load.Loader{DB: db, BatchSize: batch, Written: func([]string, []storage.Outcome) {
			now := time.Now()
			commits = append(commits, now.Sub(last))
			last = now
		}}
		var err error
		for i, a := range articles(n, 1) {
			if err = l.Add(ingest.Record{Origin: "load:" + strconv.Itoa(i+1), Article: a}); err != nil {
				break
			}
		}
		if err == nil {
			err = l.Flush()
		}
		if err == nil && l.Summary.Added != n {
			err = fmt.Errorf("ingest: %s, want %d added", l.Summary, n)
		}
		rep.Ingest = time.Since(began)
		ingesting.Store(false)
		ingestDone <- err
	}()

	// A reader beside the bot: how long a small read transaction takes
	// while the writer writes (bbolt: readers never wait for the writer).
	var reads []time.Duration
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		<-start
		for ingesting.Load() {
			t0 := time.Now()
			if _, _, err := db.List(0, 5); err != nil {
				t.Errorf("reading during the ingest: %v", err)
				return
			}
			reads = append(reads, time.Since(t0))
			time.Sleep(2 * time.Millisecond)
		}
	}()

	// The askers.
	type result struct {
		ack, answer time.Duration
		during      bool
		deferred    bool
		late        bool
	}
	var mu sync.Mutex
	var results []result
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 3))
			<-start
			for k := 0; k < 2 || ingesting.Load(); k++ {
				time.Sleep(time.Duration(rng.Int64N(int64(2*think) + 1)))
				q := questions[(i+k)%len(questions)]
				during := ingesting.Load()
				t0 := time.Now()
				in := srv.SlashCommand(discordtest.Slash{Name: "ask",
					Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("question", q)},
					From:    discordtest.From{User: u, Locale: discordgo.Vietnamese}})
				cb, err := srv.WaitForCallback(in, wait)
				if err != nil {
					fail("asker %d, %q: no acknowledgement: %v", i, q, err)
					return
				}
				reply, err := srv.WaitForReply(in, wait)
				if err != nil {
					fail("asker %d, %q: acknowledged, never answered: %v", i, q, err)
					return
				}
				if len(reply.Embeds) == 0 && reply.Content == "" {
					fail("asker %d, %q: an empty reply", i, q)
				}
				r := result{ack: cb.Latency, answer: time.Since(t0), during: during,
					deferred: cb.Type == discordgo.InteractionResponseDeferredChannelMessageWithSource, late: cb.Latency > deadline}
				mu.Lock()
				results = append(results, r)
				mu.Unlock()
			}
		})
	}

	close(start)
	wg.Wait()
	if err := <-ingestDone; err != nil {
		t.Fatal(err)
	}
	<-readerDone
	for _, f := range failures {
		t.Error(f)
	}

	var acks, answers []time.Duration
	for _, r := range results {
		acks = append(acks, r.ack)
		answers = append(answers, r.answer)
		if r.during {
			rep.DuringIngest++
		}
		if r.deferred {
			rep.Deferred++
		}
		if r.late {
			rep.Late++
		}
	}
	rep.Interactions = len(results)
	rep.Ack, rep.Answer = summarize(acks), summarize(answers)
	rep.Read, rep.Commit = summarize(reads), summarize(commits)

	// Every interaction answered; the database holds every article.
	if want := 2 * askers; rep.Interactions < want && len(failures) == 0 {
		t.Errorf("%d interactions answered, want at least %d", rep.Interactions, want)
	}
	if st, err := db.Stats(); err != nil || st.Articles != uint64(n+len(seed)) {
		t.Errorf("after the ingest: %+v, %v", st, err)
	}

	t.Logf("%d askers pausing %v on average, %d interactions (%d while %d articles were ingested in batches of %d, in %v)",
		askers, think, rep.Interactions, rep.DuringIngest, n, batch, rep.Ingest.Round(time.Millisecond))
	t.Logf("acknowledged: %v (%d deferred, %d after %v)", rep.Ack, rep.Deferred, rep.Late, deadline)
	t.Logf("answered:     %v", rep.Answer)
	t.Logf("read during the ingest: %v", rep.Read)
	t.Logf("batch written: %v", rep.Commit)
	if path := os.Getenv("BAOBOT_LOAD_REPORT"); path != "" {
		data, err := json.MarshalIndent(rep, "", "  ")
		if err == nil {
			err = os.WriteFile(path, append(data, '\n'), 0o644)
		}
		if err != nil {
			t.Errorf("writing the report: %v", err)
		}
	}
}
