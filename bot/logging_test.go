package bot

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
)

// TestLogsNameTheInteraction captures the bot's logs as JSON while
// interactions and a direct message meet faults that make the bot log:
// every line of an interaction's handling carries its id (the transport's
// retry lines included), every line of a message's handling the message's
// id, and no other line is logged but the bot's own life (connecting,
// reconnecting, shutting down).
func TestLogsNameTheInteraction(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	db := newDB(t)
	out := newLogs(t)
	b, _ := startBot(t, srv, db, func(c *Config) {
		c.Logger = slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}, nil)
	admin := discordtest.From{User: newUser(t, srv), Permissions: discordgo.PermissionManageGuild}
	addFile := func(from discordtest.From, name, body string) *discordgo.Interaction {
		id := srv.AddAttachment(name, "text/plain", []byte(body))
		return srv.SlashCommand(discordtest.Slash{Name: "add", From: from,
			Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.AttachmentOption("file", id)}})
	}

	// What each interaction or message must have logged, by id.
	want := map[string][]string{}
	srv.FailNext(discordtest.RouteInteractionCallback, http.StatusInternalServerError)
	in := srv.SlashCommand(discordtest.Slash{Name: "ask", From: discordtest.From{User: newUser(t, srv)},
		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("question", question)}})
	want[in.ID] = []string{"Discord answered a server error; retrying"}
	if _, err := srv.WaitForReply(in, wait); err != nil {
		t.Fatal(err)
	}
	in = addFile(discordtest.From{User: newUser(t, srv)}, "a.txt", txt)
	want[in.ID] = []string{"refused an admin command"}
	if _, err := srv.WaitForReply(in, wait); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(discordtest.RouteAttachment, http.StatusNotFound)
	in = addFile(admin, "b.txt", txt)
	want[in.ID] = []string{"downloading an attachment"}
	if _, err := srv.WaitForReply(in, wait); err != nil {
		t.Fatal(err)
	}
	in = addFile(admin, "huou.txt", txt)
	want[in.ID] = []string{"articles added through /add"}
	if _, err := srv.WaitForReply(in, wait); err != nil {
		t.Fatal(err)
	}
	srv.FailNext(discordtest.RouteMessageCreate, http.StatusServiceUnavailable)
	m := srv.DirectMessage(discordtest.Msg{Content: question, From: discordtest.From{User: newUser(t, srv)}})
	want[m.ID] = []string{"Discord answered a server error; retrying"}
	if _, err := srv.WaitForReplyTo(m, wait); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the handlers to return", func() bool { return b.busy.Load() == 0 })

	// The bot's own life, logged without an interaction or a message.
	own := []string{"connected to Discord", "gateway connection", "reconnecting to the gateway", "forgot old answers", "forgetting old answers"}
	got := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("not a JSON log line: %q", line)
			continue
		}
		msg, _ := rec["msg"].(string)
		id, _ := rec["interaction"].(string)
		if id == "" {
			id, _ = rec["message"].(string)
		}
		if id == "" {
			ok := false
			for _, prefix := range own {
				ok = ok || strings.HasPrefix(msg, prefix)
			}
			if !ok {
				t.Errorf("a line names no interaction or message: %s", line)
			}
			continue
		}
		if _, known := want[id]; !known {
			t.Errorf("a line names %s, which the test never sent: %s", id, line)
		}
		got[id] = append(got[id], msg)
	}
	for id, msgs := range want {
		for _, msg := range msgs {
			found := false
			for _, g := range got[id] {
				found = found || g == msg
			}
			if !found {
				t.Errorf("%s: no line %q with its id; its lines: %q", id, msg, got[id])
			}
		}
	}
	if err := db.Remove("huou"); err != nil {
		t.Error(err)
	}
}
