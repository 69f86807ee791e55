package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/digest"
	"github.com/baobot/baobot/digest/digesttest"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// digestEnv is a local Discord, a database with the seed articles, a
// Scheduler on a fake clock and a bot that uses it, shared by the subtests
// of TestDigests. Each subtest uses channels of its own and unsubscribes
// them when it ends.
type digestEnv struct {
	srv   *discordtest.Server
	db    *storage.DB
	clock *digesttest.Clock
	sched *digest.Scheduler
	bot   *Bot
	seq   int
}

const digestAttempts = 3

func TestDigests(t *testing.T) {
	srv := newServer(t)
	db := newDB(t)
	clock := digesttest.NewClock(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	l := newLogs(t)
	sched, err := digest.New(db, digest.Options{Clock: clock, MaxAttempts: digestAttempts, Backoff: time.Minute,
		Logger: slogTo(l)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := startBot(t, srv, db, func(c *Config) { c.Digests = sched }, nil)
	e := &digestEnv{srv: srv, db: db, clock: clock, sched: sched, bot: b}
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *digestEnv)
	}{
		{"/digest declared for admins, with its sub-commands", testDigestCommand},
		{"non-admin subscribe refused, nothing stored", testDigestNotAdmin},
		{"bad cron, zone or max refused with an example, nothing stored", testDigestBadInput},
		{"a channel the bot cannot see or post in is refused", testDigestCannotPost},
		{"subscribe, post at 08:00 Asia/Ho_Chi_Minh = 01:00 UTC, list, preview, now, unsubscribe", testDigestLifecycle},
		{"40 long articles stay within Discord's limits", testDigestLong},
		{"deleted channel (404) and lost permission (403): paused, no loop", testDigestPaused},
		{"a digest without a language is in the server's", testDigestServerLanguage},
		{"RunDigests sleeps on the clock and posts at the slot", testRunDigests},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, e) })
	}
	if strings.Contains(l.String(), testToken) {
		t.Error("the token appears in the scheduler's logs")
	}
}

func (e *digestEnv) admin(t *testing.T) discordtest.From {
	return discordtest.From{User: newUser(t, e.srv), Permissions: discordgo.PermissionManageGuild}
}

// channel adds a text channel for one subtest; its subscription goes when
// the subtest ends.
func (e *digestEnv) channel(t *testing.T, name string) string {
	id := e.srv.AddChannel(name)
	t.Cleanup(func() { _ = e.sched.Unsubscribe(id) })
	return id
}

// digestCmd sends /digest sub with options and returns the visible reply.
func (e *digestEnv) digestCmd(t *testing.T, from discordtest.From, sub string, opts ...*discordgo.ApplicationCommandInteractionDataOption) discordtest.Message {
	t.Helper()
	_, reply := slash(t, e.srv, "digest", from, discordtest.SubCommand(sub, opts...))
	return reply
}

// ingest stores articles made by make(i) for i = 1..n and returns their IDs.
func (e *digestEnv) ingest(t *testing.T, n int, make func(i int, a *retrieval.Article)) []string {
	t.Helper()
	var arts []retrieval.Article
	var ids []string
	for i := 1; i <= n; i++ {
		e.seq++
		a := retrieval.Article{ID: fmt.Sprintf("digest-%03d", e.seq), Language: "en", Source: "Digest Test",
			Title: fmt.Sprintf("Digest article %d", e.seq), Body: fmt.Sprintf("Digest article %d reports the news of the day. More follows.", e.seq)}
		if make != nil {
			make(i, &a)
		}
		arts = append(arts, a)
		ids = append(ids, a.ID)
	}
	if _, err := e.db.Put(arts); err != nil {
		t.Fatal(err)
	}
	return ids
}

// digestTitle is the title ingest gives the article id.
func digestTitle(id string) string {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "digest-"))
	return fmt.Sprintf("Digest article %d", n)
}

// slogTo is a logger writing to l.
func slogTo(l *logs) *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// runAt moves the clock to at and runs the digests due.
func (e *digestEnv) runAt(t *testing.T, at time.Time) {
	t.Helper()
	e.clock.Set(at)
	if _, err := e.sched.RunDue(context.Background(), e.bot); err != nil {
		t.Fatal(err)
	}
}

// posted returns the messages the bot posted in a channel.
func (e *digestEnv) posted(channel string) []discordtest.Message {
	var out []discordtest.Message
	for _, m := range e.srv.Messages() {
		if m.ChannelID == channel && m.Kind == discordtest.KindChannel {
			out = append(out, m)
		}
	}
	return out
}

func testDigestCommand(t *testing.T, e *digestEnv) {
	var def *discordgo.ApplicationCommand
	for _, c := range e.srv.Commands("") {
		if c.Name == "digest" {
			def = c
		}
	}
	if def == nil {
		t.Fatal("/digest is not registered")
	}
	if def.DefaultMemberPermissions == nil || *def.DefaultMemberPermissions != discordgo.PermissionManageGuild {
		t.Errorf("default_member_permissions %v, want Manage Server", def.DefaultMemberPermissions)
	}
	var subs []string
	for _, o := range def.Options {
		subs = append(subs, o.Name)
		if o.Type != discordgo.ApplicationCommandOptionSubCommand {
			t.Errorf("%s: type %v, want a sub-command", o.Name, o.Type)
		}
		for _, oo := range append([]*discordgo.ApplicationCommandOption{o}, o.Options...) {
			for _, name := range []string{oo.Name, oo.NameLocalizations[discordgo.Vietnamese]} {
				if !commandName.MatchString(name) || strings.ToLower(name) != name {
					t.Errorf("option name %q breaks Discord's rules", name)
				}
			}
		}
	}
	if got := strings.Join(subs, " "); got != "subscribe unsubscribe list preview now" {
		t.Errorf("sub-commands %q", got)
	}
}

func testDigestNotAdmin(t *testing.T, e *digestEnv) {
	ch := e.channel(t, "not-admin")
	for _, perms := range []int64{0, discordgo.PermissionSendMessages | discordgo.PermissionManageMessages} {
		from := discordtest.From{User: newUser(t, e.srv), Permissions: perms}
		reply := e.digestCmd(t, from, "subscribe", discordtest.ChannelOption("channel", ch), discordtest.StringOption("schedule", "hourly"))
		if !strings.Contains(reply.Content, "Manage Server") || !reply.Ephemeral() {
			t.Errorf("permissions %d: reply %q", perms, reply.Content)
		}
	}
	if _, err := e.sched.Get(ch); !errors.Is(err, digest.ErrNotSubscribed) {
		t.Errorf("a refused subscription was stored: %v", err)
	}
}

func testDigestBadInput(t *testing.T, e *digestEnv) {
	ch := e.channel(t, "bad-input")
	tests := []struct {
		name string
		opts []*discordgo.ApplicationCommandInteractionDataOption
		from discordtest.From
		want []string
	}{
		{"bad cron", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("schedule", "0 25 * * *")},
			e.admin(t), []string{"`0 25 * * *`", `"daily 08:00"`, `"0 8 * * 1-5"`}},
		{"bad cron, in Vietnamese", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("schedule", "mỗi sáng")},
			discordtest.From{User: newUser(t, e.srv), Permissions: discordgo.PermissionManageGuild, Locale: discordgo.Vietnamese},
			[]string{"Lịch `mỗi sáng` không hợp lệ", `"daily 08:00"`}},
		{"bad time", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("schedule", "daily 8am")},
			e.admin(t), []string{"24-hour time", `"daily 08:00"`}},
		{"bad zone", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("schedule", "daily 08:00"), discordtest.StringOption("timezone", "Mars/Olympus")},
			e.admin(t), []string{"`Mars/Olympus`", `"Asia/Ho_Chi_Minh"`}},
		{"max too large", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("schedule", "daily 08:00"), discordtest.IntegerOption("max", 500)},
			e.admin(t), []string{"from 1 to 50"}},
	}
	for _, tt := range tests {
		opts := append([]*discordgo.ApplicationCommandInteractionDataOption{discordtest.ChannelOption("channel", ch)}, tt.opts...)
		reply := e.digestCmd(t, tt.from, "subscribe", opts...)
		for _, w := range tt.want {
			if !strings.Contains(reply.Content, w) {
				t.Errorf("%s: reply %q lacks %q", tt.name, reply.Content, w)
			}
		}
	}
	if _, err := e.sched.Get(ch); !errors.Is(err, digest.ErrNotSubscribed) {
		t.Errorf("a refused subscription was stored: %v", err)
	}
}

func testDigestCannotPost(t *testing.T, e *digestEnv) {
	hourly := discordtest.StringOption("schedule", "hourly")
	reply := e.digestCmd(t, e.admin(t), "subscribe", discordtest.ChannelOption("channel", "4242"), hourly)
	if !strings.Contains(reply.Content, "can't see the channel") || !strings.Contains(reply.Content, "Nothing was saved") {
		t.Errorf("unknown channel: %q", reply.Content)
	}
	ch := e.channel(t, "forbidden")
	e.srv.FailNext(discordtest.RouteChannel, http.StatusForbidden)
	reply = e.digestCmd(t, e.admin(t), "subscribe", discordtest.ChannelOption("channel", ch), hourly)
	if !strings.Contains(reply.Content, "can't see the channel <#"+ch+">") {
		t.Errorf("Discord refuses the channel: %q", reply.Content)
	}
	if _, err := e.sched.Get(ch); !errors.Is(err, digest.ErrNotSubscribed) {
		t.Errorf("stored: %v", err)
	}
	if !canPostDigests(digestPerms) || canPostDigests(digestPerms&^discordgo.PermissionSendMessages) ||
		canPostDigests(discordgo.PermissionViewChannel|discordgo.PermissionSendMessages) {
		t.Error("canPostDigests")
	}
}

func testDigestLifecycle(t *testing.T, e *digestEnv) {
	ch := e.channel(t, "news")
	admin := e.admin(t)
	reply := e.digestCmd(t, admin, "subscribe", discordtest.ChannelOption("channel", ch), discordtest.StringOption("schedule", "Daily 08:00"))
	next := time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)
	for _, w := range []string{"<#" + ch + "> now gets a digest", "`daily 08:00`", "Asia/Ho_Chi_Minh", "at most 10", fmt.Sprintf("<t:%d:f>", next.Unix())} {
		if !strings.Contains(reply.Content, w) || !reply.Ephemeral() {
			t.Errorf("subscribe: reply %q lacks %q", reply.Content, w)
		}
	}
	st, err := e.sched.Get(ch)
	if err != nil || st.Guild != e.srv.GuildID() || st.Lang != "en" || st.CreatedBy != admin.User.ID || !st.Next.Equal(next) {
		t.Fatalf("stored %+v, %v", st, err)
	}

	ids := e.ingest(t, 2, nil)
	e.runAt(t, next.Add(-time.Second))
	if got := e.posted(ch); len(got) != 0 {
		t.Fatalf("posted before 01:00 UTC: %d messages", len(got))
	}
	e.runAt(t, next)
	got := e.posted(ch)
	if len(got) != 1 {
		t.Fatalf("%d messages at 01:00 UTC, want 1", len(got))
	}
	checkReply(t, got[0])
	body := text(got[0])
	newer, older := strings.Index(body, "**1. "+digestTitle(ids[1])+"**"), strings.Index(body, "**2. "+digestTitle(ids[0])+"**")
	if !strings.Contains(body, "New articles (2)") || newer < 0 || older < newer {
		t.Errorf("digest, want both articles newest first:\n%s", body)
	}
	e.runAt(t, next.Add(time.Minute))
	if n := len(e.posted(ch)); n != 1 {
		t.Errorf("%d messages after the slot, want no more", n)
	}

	list := unescape(text(e.digestCmd(t, admin, "list")))
	for _, w := range []string{"<#" + ch + "> — `daily 08:00` · Asia/Ho_Chi_Minh · max 10 · en", "last <t:", "(articles: 2)"} {
		if !strings.Contains(list, w) {
			t.Errorf("list lacks %q:\n%s", w, list)
		}
	}

	fresh := e.ingest(t, 1, nil)
	preview := e.digestCmd(t, admin, "preview", discordtest.ChannelOption("channel", ch))
	if !preview.Ephemeral() || !strings.Contains(preview.Content, "Preview of the next digest of <#"+ch+">") ||
		!strings.Contains(text(preview), "New articles (1)") {
		t.Errorf("preview:\n%s", text(preview))
	}
	if n := len(e.posted(ch)); n != 1 {
		t.Errorf("the preview posted in the channel")
	}
	reply = e.digestCmd(t, admin, "now", discordtest.ChannelOption("channel", ch))
	if !strings.Contains(reply.Content, "Posted the digest in <#"+ch+"> (articles: 1)") {
		t.Errorf("now: %q", reply.Content)
	}
	if got := e.posted(ch); len(got) != 2 || !strings.Contains(text(got[1]), digestTitle(fresh[0])) {
		t.Errorf("now posted %d messages", len(got))
	}
	reply = e.digestCmd(t, admin, "now", discordtest.ChannelOption("channel", ch))
	if !strings.Contains(reply.Content, "No new articles") {
		t.Errorf("now, again: %q", reply.Content)
	}

	reply = e.digestCmd(t, admin, "unsubscribe", discordtest.ChannelOption("channel", ch))
	if !strings.Contains(reply.Content, "no longer gets a digest") {
		t.Errorf("unsubscribe: %q", reply.Content)
	}
	reply = e.digestCmd(t, admin, "unsubscribe", discordtest.ChannelOption("channel", ch))
	if !strings.Contains(reply.Content, "has no digest") {
		t.Errorf("unsubscribe again: %q", reply.Content)
	}
}

func testDigestLong(t *testing.T, e *digestEnv) {
	ch := e.channel(t, "long")
	admin := e.admin(t)
	e.digestCmd(t, admin, "subscribe", discordtest.ChannelOption("channel", ch), discordtest.StringOption("schedule", "daily 06:00"),
		discordtest.IntegerOption("max", 40))
	long := strings.Repeat("Tin dài có **đậm**, _nghiêng_ và @everyone ", 40)
	e.ingest(t, 40, func(i int, a *retrieval.Article) {
		a.Title = fmt.Sprintf("%d: %s", i, long)
		a.URL = "https://example.com/" + strings.Repeat("x", 250) + fmt.Sprint(i)
		a.Source = "Nguồn " + long
		a.Summary = long
	})
	reply := e.digestCmd(t, admin, "now", discordtest.ChannelOption("channel", ch))
	if !strings.Contains(reply.Content, "(articles: 40)") {
		t.Fatalf("now: %q", reply.Content)
	}
	msgs := e.posted(ch)
	if len(msgs) < 2 {
		t.Fatalf("%d messages: 40 long articles should not fit one", len(msgs))
	}
	for _, r := range e.srv.RequestsTo(discordtest.RouteMessageCreate) {
		if strings.Contains(r.Path, ch) && r.Status != http.StatusOK {
			t.Errorf("Discord answered %d: %s", r.Status, r.Response)
		}
	}
	var all strings.Builder
	for _, m := range msgs {
		checkReply(t, m)
		all.WriteString(text(m))
	}
	for i := 1; i <= 40; i++ {
		if n := strings.Count(all.String(), fmt.Sprintf("**%d. [%d: ", 41-i, i)); n != 1 {
			t.Errorf("article %d shown %d times", i, n)
		}
	}
}

func testDigestPaused(t *testing.T, e *digestEnv) {
	for _, status := range []int{http.StatusNotFound, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			ch := e.channel(t, fmt.Sprintf("paused-%d", status))
			admin := e.admin(t)
			e.digestCmd(t, admin, "subscribe", discordtest.ChannelOption("channel", ch), discordtest.StringOption("schedule", "hourly"))
			e.ingest(t, 1, nil)
			e.srv.InjectREST(discordtest.RESTFault{Route: discordtest.RouteMessageCreate, Status: status, Times: 1000})
			defer e.srv.ClearFaults()

			// Run as Run would, every ten seconds for three hours.
			start := e.clock.Now().Truncate(time.Hour).Add(time.Hour)
			for at := start; at.Before(start.Add(3 * time.Hour)); at = at.Add(10 * time.Second) {
				e.runAt(t, at)
			}
			tries := 0
			for _, r := range e.srv.RequestsTo(discordtest.RouteMessageCreate) {
				if strings.Contains(r.Path, "/"+ch+"/") {
					tries++
				}
			}
			if tries != digestAttempts {
				t.Errorf("%d attempts to post, want %d", tries, digestAttempts)
			}
			st, err := e.sched.Get(ch)
			if err != nil || !st.State.Paused {
				t.Fatalf("not paused: %+v, %v", st.State, err)
			}
			reason := "the channel no longer exists"
			if status == http.StatusForbidden {
				reason = "I lost the permission to post there"
			}
			list := text(e.digestCmd(t, admin, "list"))
			if want := fmt.Sprintf("⏸ PAUSED after %d failed attempts: %s.", digestAttempts, reason); !strings.Contains(list, want) {
				t.Errorf("list lacks %q:\n%s", want, list)
			}
		})
	}
}

func testDigestServerLanguage(t *testing.T, e *digestEnv) {
	ch := e.channel(t, "language")
	if err := e.bot.PostDigest(context.Background(), ch, digest.Digest{Zone: time.UTC}); err != nil {
		t.Fatal(err)
	}
	got := e.posted(ch)
	if len(got) != 1 || !strings.Contains(text(got[0]), "New articles (0)") { // the guild's locale is en-US
		t.Errorf("posted %d messages: %v", len(got), got)
	}
	err := e.bot.PostDigest(context.Background(), "4242", digest.Digest{Lang: messages.Vietnamese})
	if !errors.Is(err, digest.ErrChannelGone) {
		t.Errorf("posting in an unknown channel: %v, want ErrChannelGone", err)
	}
}

// goldenMessages compares the payloads reps become (channel messages, as
// sent) with testdata/name.golden, and checks that the renderer kept within
// Discord's limits by itself.
func goldenMessages(t *testing.T, name string, reps []reply) {
	t.Helper()
	var payloads []*discordgo.MessageSend
	for _, r := range reps {
		payloads = append(payloads, r.message(nil))
		if cut := withinLimits(r); !reflect.DeepEqual(cut, r) {
			t.Errorf("%s: the renderer left something over Discord's limits", name)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(payloads); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from the rendering (go test ./bot -run %s -update rewrites it); got:\n%s", path, t.Name(), buf.Bytes())
	}
}

func TestRenderDigestGolden(t *testing.T) {
	hcm, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		t.Fatal(err)
	}
	added := time.Date(2026, 11, 27, 0, 30, 0, 0, time.UTC)
	d := digest.Digest{
		Channel: "1", Zone: hcm, Since: time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC), Until: added.Add(time.Hour), Total: 5,
		Articles: []digest.Article{
			{ID: "vnexpress-4731", Title: "Ngoại trưởng Nhật điện đàm với Ngoại trưởng Mỹ", URL: "https://vnexpress.net/ngoai-truong-4731.html",
				Source: "VnExpress", Published: published, AddedAt: added,
				Lead: "Ông Motegi và ông Blinken cũng chia sẻ quan ngại về chương trình hạt nhân và tên lửa đạn đạo của Triều Tiên."},
			{ID: "club", Title: "@everyone: *họp* [khẩn](https://evil.example)", URL: "javascript:alert(1)", Source: "CLB `cờ` vua",
				AddedAt: added.Add(-time.Hour), Lead: "# Không phải tiêu đề <@123> ||spoiler||"},
			{ID: "untitled", Title: "Liên quan đến Triều Tiên, Thủ tướng Kishida bày tỏ mong muốn…", AddedAt: added.Add(-2 * time.Hour)},
		},
	}
	for _, lang := range []messages.Lang{messages.Vietnamese, messages.English} {
		goldenMessages(t, "digest_"+string(lang), renderDigest(d, lang))
	}
	goldenMessages(t, "digest_empty_en", renderDigest(digest.Digest{Zone: hcm}, messages.English))
}

func TestRenderDigestListGolden(t *testing.T) {
	next := time.Date(2026, 11, 28, 1, 0, 0, 0, time.UTC)
	subs := []digest.Status{
		{DigestSubscription: storage.DigestSubscription{Channel: "101", Schedule: "daily 08:00", Lang: "vi", Origin: storage.FromDiscord,
			State: storage.DigestState{LastPosted: next.Add(-24 * time.Hour), LastTotal: 3}}, Next: next},
		{DigestSubscription: storage.DigestSubscription{Channel: "102", Schedule: "0 18 * * 1-5", Timezone: "Europe/Berlin", Max: 5, Origin: storage.FromConfig,
			State: storage.DigestState{Attempts: 1, LastError: "posting a digest: HTTP 500"}}, Next: next.Add(time.Minute)},
		{DigestSubscription: storage.DigestSubscription{Channel: "103", Schedule: "hourly", Lang: "en", Origin: storage.FromDiscord,
			State: storage.DigestState{Attempts: 5, Paused: true, LastError: digest.ErrChannelGone.Error()}}},
	}
	for _, lang := range []messages.Lang{messages.Vietnamese, messages.English} {
		golden(t, "digest_list_"+string(lang), renderDigestList(subs, 10, "Asia/Ho_Chi_Minh", lang))
	}
	golden(t, "digest_list_empty_vi", renderDigestList(nil, 10, "Asia/Ho_Chi_Minh", messages.Vietnamese))
}

// TestPackDigest: blocks stay whole and in order, and every message keeps
// within ten embeds, 4,096 code points a description and 6,000 in all.
func TestPackDigest(t *testing.T) {
	for _, n := range []int{1, 10, 100, 500} {
		var blocks []string
		for i := range n {
			blocks = append(blocks, fmt.Sprintf("%d %s", i, strings.Repeat("ê", 50+i%700)))
		}
		pages := packDigest(blocks)
		var got []string
		for _, page := range pages {
			if len(page) > 10 {
				t.Errorf("%d blocks: %d embeds in a message", n, len(page))
			}
			total := 0
			for _, desc := range page {
				if runes(desc) > maxDescription {
					t.Errorf("%d blocks: a description of %d", n, runes(desc))
				}
				total += runes(desc)
				got = append(got, strings.Split(desc, "\n\n")...)
			}
			if total > maxEmbedTotal-digestTitleRoom-digestFootRoom {
				t.Errorf("%d blocks: %d code points in a message", n, total)
			}
		}
		if !reflect.DeepEqual(got, blocks) {
			t.Errorf("%d blocks: packed %d, not the same in order", n, len(got))
		}
	}
}

func testRunDigests(t *testing.T, e *digestEnv) {
	ch := e.channel(t, "running")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.bot.RunDigests(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if err := e.clock.WaitForWaiters(1, wait); err != nil {
		t.Fatal(err)
	}
	e.digestCmd(t, e.admin(t), "subscribe", discordtest.ChannelOption("channel", ch), discordtest.StringOption("schedule", "hourly"))
	ids := e.ingest(t, 1, nil)
	slot := e.clock.Now().Truncate(time.Hour).Add(time.Hour)
	for e.clock.Now().Before(slot) {
		if err := e.clock.WaitForWaiters(1, wait); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(time.Minute)
	}
	m, err := e.srv.WaitForMessage(func(m discordtest.Message) bool { return m.ChannelID == ch }, wait)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text(m), digestTitle(ids[0])) || !m.MentionsSuppressed() {
		t.Errorf("posted:\n%s", text(m))
	}
}
