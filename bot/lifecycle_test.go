package bot

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/storage"
)

// waitFor polls cond until it holds, failing the test after wait.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(wait); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func click(t *testing.T, srv *discordtest.Server, customID, messageID string, from discordtest.From) discordtest.Message {
	t.Helper()
	in := srv.Button(discordtest.Click{CustomID: customID, MessageID: messageID, From: from})
	reply, err := srv.WaitForReply(in, wait)
	if err != nil {
		t.Fatalf("click %s: %v", customID, err)
	}
	checkReply(t, reply)
	return reply
}

// TestRestartKeepsButtons asks a question, votes, shuts the bot down while
// a reply is in flight, closes the database, and starts a new bot on the
// same file: the buttons under the old answer still work, and the votes
// are all there.
func TestRestartKeepsButtons(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	path := filepath.Join(t.TempDir(), "baobot.db")
	db := openDB(t, path)
	onePerPage := func(c *Config) { c.Results = 1 }
	b1, _ := startBot(t, srv, db, onePerPage, nil)

	asker, other := discordtest.From{User: newUser(t, srv)}, discordtest.From{User: newUser(t, srv)}
	_, first := ask(t, srv, asker, "Ngoại trưởng Mỹ là ai?")
	if !strings.Contains(text(first), "Antony Blinken") || first.Embeds[0].Footer.Text != "Kết quả 1–1" {
		t.Fatalf("first page:\n%s", text(first))
	}
	more, up, down := button(t, first, "more:"), button(t, first, "vote:+:"), button(t, first, "vote:-:")
	if len(more) > maxCustomID || len(up) > maxCustomID {
		t.Errorf("custom IDs %q %q", more, up)
	}
	if reply := click(t, srv, up, first.ID, asker); reply.Content != messages.Get(messages.English, messages.FeedbackThanks) || !reply.Ephemeral() {
		t.Errorf("👍: %q (ephemeral %v)", reply.Content, reply.Ephemeral())
	}

	// Shut down with an /add in flight: it is answered; an interaction
	// arriving meanwhile is told to come back.
	admin := discordtest.From{User: newUser(t, srv), Permissions: discordgo.PermissionManageGuild}
	file := srv.AddAttachment("rua.txt", "text/plain", []byte("Rùa biển\nRùa biển đẻ trứng trên bãi cát Côn Đảo vào mùa hè.\n"))
	srv.DelayNext(discordtest.RouteAttachment, time.Second)
	waitFor(t, "the handlers of the vote to return", func() bool { return b1.busy.Load() == 0 })
	add := srv.SlashCommand(discordtest.Slash{Name: "add", From: admin,
		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.AttachmentOption("file", file)}})
	waitFor(t, "the /add to be in flight", func() bool { return b1.busy.Load() > 0 })
	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		stopped <- b1.Shutdown(ctx)
	}()
	waitFor(t, "shutdown to begin", func() bool { b1.mu.Lock(); defer b1.mu.Unlock(); return b1.closing })
	if _, reply := slash(t, srv, "help", other); reply.Content != messages.Get(messages.English, messages.ShuttingDown) {
		t.Errorf("during shutdown: %q", reply.Content)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
	if reply, err := srv.WaitForReply(add, time.Millisecond); err != nil || !strings.Contains(reply.Content, "rua.txt") {
		t.Errorf("the /add in flight at shutdown: %q, %v", reply.Content, err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// A new process: the same file, a new gateway session, and commands
	// registered in the guild this time; every interaction is deferred.
	db = openDB(t, path)
	startBot(t, srv, db, func(c *Config) {
		c.Results = 1
		c.GuildIDs = []string{srv.GuildID()}
	}, func(b *Bot) { b.ackAfter = 0 })
	if cmds, err := srv.WaitForCommands(srv.GuildID(), wait); err != nil || len(cmds) != len(commandTable(0)) {
		t.Errorf("guild commands: %d, %v", len(cmds), err)
	}

	second := click(t, srv, more, first.ID, other)
	got := text(second)
	if !strings.Contains(got, "Kết quả 2–2") || strings.Contains(got, "Antony Blinken") || second.Ephemeral() {
		t.Errorf("second page, after the restart:\n%s", got)
	}
	if ids := buttons(second); len(ids) != 2 || ids[0] == up {
		t.Errorf("second page buttons %v: want new 👍 👎 and no more results", ids)
	}
	if reply := click(t, srv, down, first.ID, other); reply.Content != messages.Get(messages.English, messages.FeedbackThanks) {
		t.Errorf("👎 after the restart: %q", reply.Content)
	}
	counts, err := db.FeedbackCounts()
	if err != nil || counts != (storage.FeedbackCounts{Helpful: 1, NotHelpful: 1}) {
		t.Errorf("feedback %+v, %v: want the vote from before the restart and the one after", counts, err)
	}
	// Changing one's mind replaces the vote.
	click(t, srv, down, first.ID, asker)
	if counts, _ := db.FeedbackCounts(); counts != (storage.FeedbackCounts{NotHelpful: 2}) {
		t.Errorf("feedback %+v after a change of mind", counts)
	}
	if _, reply := slash(t, srv, "about", other); !strings.Contains(text(reply), "👍 0 · 👎 2") {
		t.Errorf("/about:\n%s", text(reply))
	}
	// A button whose answer is gone says so.
	if reply := click(t, srv, button(t, second, "vote:+:"), second.ID, other); reply.Content != messages.Get(messages.English, messages.FeedbackThanks) {
		t.Errorf("vote on page 2: %q", reply.Content)
	}
	if n, err := db.ForgetShown(time.Now().Add(time.Hour)); err != nil || n != 0 {
		t.Errorf("ForgetShown: %d, %v (every page has a vote)", n, err)
	}
}

// TestGatewayRefusesForGood closes the gateway with 4004 and refuses every
// handshake after it: the bot stops with a clear error instead of
// reconnecting forever.
func TestGatewayRefusesForGood(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	b, logs := startBot(t, srv, newDB(t), nil, nil)
	if err := srv.WaitForHeartbeat(wait); err != nil {
		t.Fatal(err)
	}
	srv.RejectHandshakes(4004, 100)
	srv.CloseGateway(4004)
	select {
	case err := <-b.Fatal():
		for _, want := range []string{"4004", "Reset Token"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("fatal error %q lacks %q", err, want)
			}
		}
	case <-time.After(wait):
		t.Fatal("no fatal error after 4004")
	}
	select {
	case <-b.supervised:
	case <-time.After(wait):
		t.Fatal("the bot is still trying to reconnect")
	}
	if n := countEvents(srv, discordtest.GatewayResume); n != 1 {
		t.Errorf("%d resume attempts, want 1", n)
	}
	if !strings.Contains(logs.String(), "refused the gateway connection for good") {
		t.Errorf("logs:\n%s", logs)
	}
}

// TestStartRefused: a close Discord means for good, at start, is an error
// saying what to do, without the token.
func TestStartRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		setup func(*discordtest.Server)
		token string
		want  []string
	}{
		{"disallowed intents", func(s *discordtest.Server) { s.RejectHandshakes(4014, 1) }, testToken, []string{"4014", "disallowed intents"}},
		{"wrong token", nil, testToken + "x", []string{"4004", "Reset Token"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			if tc.setup != nil {
				tc.setup(srv)
			}
			b, err := New(Config{Token: tc.token, APIURL: srv.URL()}, newDB(t))
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			err = b.Start(ctx)
			if err == nil {
				t.Fatal("Start succeeded")
			}
			for _, want := range tc.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the error shows the token")
			}
		})
	}
	if _, err := New(Config{APIURL: "https://discord.com"}, nil); err == nil {
		t.Error("New without a token succeeded")
	}
	if _, err := New(Config{Token: testToken, APIURL: "discord.com"}, nil); err == nil {
		t.Error("New with a relative API URL succeeded")
	}
}
