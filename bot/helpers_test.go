package bot

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/seeds"
	"github.com/baobot/baobot/storage"
)

// wait bounds every wait of these tests: generous for -race on a slow
// machine, short enough to fail fast.
const wait = 10 * time.Second

// testToken looks like a real bot token, so that a leak would show.
const testToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"

// newServer starts a local Discord that accepts testToken.
func newServer(t *testing.T) *discordtest.Server {
	t.Helper()
	return discordtest.New(t, discordtest.WithToken(testToken))
}

// openDB opens (creating it when needed) the database at path, loading the
// seed articles into a new one. It is closed when the test ends unless the
// test closed it.
func openDB(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	if db.Created() {
		arts, err := seeds.Articles()
		if err == nil {
			_, err = db.Put(arts)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// newDB is openDB on a new file in a temporary directory.
func newDB(t *testing.T) *storage.DB {
	t.Helper()
	return openDB(t, filepath.Join(t.TempDir(), "baobot.db"))
}

// logs collects a bot's log lines, and shows them in the test log while the
// test runs.
type logs struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
	buf  bytes.Buffer
}

func newLogs(t testing.TB) *logs {
	l := &logs{t: t}
	t.Cleanup(func() {
		l.mu.Lock()
		l.done = true
		l.mu.Unlock()
	})
	return l
}

func (l *logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if !l.done {
		l.t.Logf("bot: %s", bytes.TrimRight(p, "\n"))
	}
	return len(p), nil
}

func (l *logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// startBot connects a bot answering from db to srv. configure, when not
// nil, changes its configuration first; tune changes the bot before Start.
// The bot is shut down when the test ends (before srv closes).
func startBot(t *testing.T, srv *discordtest.Server, db *storage.DB, configure func(*Config), tune func(*Bot)) (*Bot, *logs) {
	t.Helper()
	l := newLogs(t)
	cfg := Config{
		Token: srv.Token(), APIURL: srv.URL(), RateLimit: 5, RateWindow: 30 * time.Second,
		Params: retrieval.DefaultParams(), Version: "test", MaxFileBytes: 1 << 20,
		Logger: slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if configure != nil {
		configure(&cfg)
	}
	b, err := New(cfg, db)
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(b)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := b.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { stopBot(t, srv, b) })
	return b, l
}

// stopBot shuts b down, first letting its connection send a heartbeat (see
// discordtest.WaitForHeartbeat).
func stopBot(t *testing.T, srv *discordtest.Server, b *Bot) {
	t.Helper()
	b.gw.Lock()
	closed := b.gwClosed
	b.gw.Unlock()
	if !closed {
		_ = srv.WaitForHeartbeat(2 * time.Second)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := b.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// userSeq numbers the users tests make.
var userSeq struct {
	sync.Mutex
	n int
}

// newUser registers a user of its own for a test, so that the per-user
// rate limit of a shared bot never crosses tests.
func newUser(t *testing.T, srv *discordtest.Server) *discordgo.User {
	userSeq.Lock()
	userSeq.n++
	n := userSeq.n
	userSeq.Unlock()
	return srv.AddUser("user" + strconv.Itoa(n))
}

// ask sends /ask as user (with locale) and returns the visible reply.
func ask(t *testing.T, srv *discordtest.Server, from discordtest.From, question string, opts ...*discordgo.ApplicationCommandInteractionDataOption) (*discordgo.Interaction, discordtest.Message) {
	t.Helper()
	options := append([]*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("question", question)}, opts...)
	return slash(t, srv, "ask", from, options...)
}

// slash sends a slash command and returns the visible reply.
func slash(t *testing.T, srv *discordtest.Server, name string, from discordtest.From, options ...*discordgo.ApplicationCommandInteractionDataOption) (*discordgo.Interaction, discordtest.Message) {
	t.Helper()
	in := srv.SlashCommand(discordtest.Slash{Name: name, Options: options, From: from})
	reply, err := srv.WaitForReply(in, wait)
	if err != nil {
		t.Fatalf("/%s: %v", name, err)
	}
	checkReply(t, reply)
	return in, reply
}

// checkReply asserts what every message of the bot must be: pinging nobody.
func checkReply(t *testing.T, m discordtest.Message) {
	t.Helper()
	if !m.MentionsSuppressed() {
		t.Errorf("message %s has allowed_mentions %s, want {\"parse\":[]}", m.ID, m.AllowedMentionsJSON)
	}
}

// text is everything a message shows: content, embed titles, descriptions,
// fields and footers, and button labels.
func text(m discordtest.Message) string {
	var b strings.Builder
	b.WriteString(m.Content)
	for _, e := range m.Embeds {
		b.WriteString("\n" + e.Title + "\n" + e.Description)
		for _, f := range e.Fields {
			b.WriteString("\n" + f.Name + "\n" + f.Value)
		}
		if e.Footer != nil {
			b.WriteString("\n" + e.Footer.Text)
		}
	}
	for _, c := range m.Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, c := range row.Components {
				if bt, ok := c.(*discordgo.Button); ok {
					b.WriteString("\n[" + bt.Label + "]")
				}
			}
		}
	}
	return b.String()
}

// buttons returns the custom IDs of a message's buttons.
func buttons(m discordtest.Message) []string {
	var out []string
	for _, c := range m.Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, c := range row.Components {
				if bt, ok := c.(*discordgo.Button); ok {
					out = append(out, bt.CustomID)
				}
			}
		}
	}
	return out
}

// button returns the custom ID of the button whose custom ID starts with prefix.
func button(t *testing.T, m discordtest.Message, prefix string) string {
	t.Helper()
	for _, id := range buttons(m) {
		if strings.HasPrefix(id, prefix) {
			return id
		}
	}
	t.Fatalf("message %s has no button %s…; it has %v", m.ID, prefix, buttons(m))
	return ""
}

// unescape removes Markdown escapes and bold, to compare with article text.
func unescape(s string) string {
	s = strings.ReplaceAll(s, "**", "")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
