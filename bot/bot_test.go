package bot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// TestBot runs the end-to-end tests that can share one local Discord, one
// database (with the seed articles) and one bot: each bot costs a second to
// shut down. Subtests run in order; those that add articles use words no
// other subtest asks about, and each uses users of its own.
func TestBot(t *testing.T) {
	srv := newServer(t)
	db := newDB(t)
	b, logs := startBot(t, srv, db, nil, nil)
	shared := &env{srv: srv, db: db, bot: b}
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *env)
	}{
		{"commands registered once, within Discord's rules", testCommandsRegistered},
		{"gateway intents", testIntents},
		{"ask answers with the Blinken snippet and its source", testAskBlinken},
		{"ask without accents", testAskWithoutAccents},
		{"ask says which misspelled word it read as which", testAskMisspelled},
		{"vi locale gets Vietnamese", testVietnameseLocale},
		{"not confident", testNotConfident},
		{"direct message answered", testDirectMessage},
		{"mention answered with a reply", testMention},
		{"bad questions get a clear reply", testBadQuestions},
		{"rate limit", testRateLimit},
		{"article with @everyone pings nobody", testEveryone},
		{"non-admin add refused, nothing changes", testAddRefused},
		{"admin add answerable at once, remove", testAddAndRemove},
		{"add: unsupported, bad lines, deferred, failure after deferral", testAddEdgeCases},
		{"articles, article, autocomplete", testBrowse},
		{"help and about", testHelpAbout},
		{"429 on the callback still delivers the reply", testRateLimitedCallback},
		{"server errors retried, then given up", testServerErrors},
		{"no permission to post", testNoPermission},
		{"dropped websocket resumed", testDroppedConnection},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, shared) })
	}
	if out := logs.String(); strings.Contains(out, testToken) {
		t.Errorf("the token appears in the logs")
	}
	for _, r := range srv.Requests() {
		if strings.Contains(string(r.Body), testToken) || strings.Contains(r.Path, testToken) {
			t.Errorf("%s %s carries the token in its body or path", r.Method, r.Path)
		}
	}
}

type env struct {
	srv *discordtest.Server
	db  *storage.DB
	bot *Bot
}

func (e *env) user(t *testing.T) discordtest.From {
	return discordtest.From{User: newUser(t, e.srv)}
}

func (e *env) admin(t *testing.T) discordtest.From {
	return discordtest.From{User: newUser(t, e.srv), Permissions: discordgo.PermissionManageGuild}
}

var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func testCommandsRegistered(t *testing.T, e *env) {
	cmds, err := e.srv.WaitForCommands("", wait)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.RequestsTo(discordtest.RouteGlobalCommandsOverwrite)); n != 1 {
		t.Errorf("%d bulk overwrites, want 1", n)
	}
	var names []string
	checkName := func(what, name string) {
		if !commandName.MatchString(name) || strings.ToLower(name) != name {
			t.Errorf("%s: name %q breaks Discord's rule", what, name)
		}
	}
	checkDesc := func(what, desc string) {
		if n := runes(desc); n < 1 || n > 100 {
			t.Errorf("%s: description of %d characters", what, n)
		}
	}
	for _, c := range cmds {
		names = append(names, c.Name)
		checkName(c.Name, c.Name)
		checkDesc(c.Name, c.Description)
		if c.NameLocalizations == nil || (*c.NameLocalizations)[discordgo.Vietnamese] == "" ||
			c.DescriptionLocalizations == nil || (*c.DescriptionLocalizations)[discordgo.Vietnamese] == "" {
			t.Errorf("%s: no Vietnamese name or description", c.Name)
			continue
		}
		checkName(c.Name+" (vi)", (*c.NameLocalizations)[discordgo.Vietnamese])
		checkDesc(c.Name+" (vi)", (*c.DescriptionLocalizations)[discordgo.Vietnamese])
		for _, o := range c.Options {
			checkName(c.Name+" "+o.Name, o.Name)
			checkName(c.Name+" "+o.Name+" (vi)", o.NameLocalizations[discordgo.Vietnamese])
			checkDesc(c.Name+" "+o.Name, o.Description)
			checkDesc(c.Name+" "+o.Name+" (vi)", o.DescriptionLocalizations[discordgo.Vietnamese])
		}
		admin := c.Name == "add" || c.Name == "remove" || c.Name == "digest"
		switch {
		case admin && (c.DefaultMemberPermissions == nil || *c.DefaultMemberPermissions != discordgo.PermissionManageGuild):
			t.Errorf("%s: default_member_permissions %v, want Manage Server", c.Name, c.DefaultMemberPermissions)
		case !admin && c.DefaultMemberPermissions != nil:
			t.Errorf("%s: default_member_permissions %v, want none", c.Name, *c.DefaultMemberPermissions)
		}
	}
	if got, want := strings.Join(names, " "), "ask search articles article help about add remove digest"; got != want {
		t.Errorf("commands %q, want %q", got, want)
	}
}

func testIntents(t *testing.T, e *env) {
	ev, err := e.srv.WaitForGateway(func(ev discordtest.GatewayEvent) bool { return ev.Kind == discordtest.GatewayIdentify }, wait)
	if err != nil {
		t.Fatal(err)
	}
	if want := discordgo.IntentsGuildMessages | discordgo.IntentsDirectMessages; ev.Intents != want {
		t.Errorf("intents %b, want guild and direct messages only (%b)", ev.Intents, want)
	}
}

func testAskBlinken(t *testing.T, e *env) {
	in, reply := ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ là ai?")
	if len(reply.Embeds) != 1 || reply.Ephemeral() {
		t.Fatalf("reply %+v: want one public embed", reply)
	}
	em := reply.Embeds[0]
	first := strings.SplitN(em.Description, "\n\n", 2)[0]
	for _, want := range []string{"> ", "Antony Blinken", "**Ngoại trưởng**", "**Mỹ**",
		"— Cuộc điện đàm diễn ra sau khi ông Fumio Kishida", "· baobot seed articles · đoạn 2"} {
		if !strings.Contains(first, want) {
			t.Errorf("first result lacks %q:\n%s", want, first)
		}
	}
	if em.Title != "Ngoại trưởng Mỹ là ai?" || em.Footer == nil || em.Footer.Text != "Kết quả 1–2" {
		t.Errorf("title %q footer %+v", em.Title, em.Footer)
	}
	if ids := buttons(reply); len(ids) != 2 || !strings.HasPrefix(ids[0], "vote:+:") || !strings.HasPrefix(ids[1], "vote:-:") {
		t.Errorf("buttons %v, want 👍 and 👎 (no more results)", ids)
	}
	if cb, _ := e.srv.Callback(in.ID); cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Late {
		t.Errorf("callback %+v: want an immediate message", cb)
	}
}

func testAskWithoutAccents(t *testing.T, e *env) {
	_, reply := ask(t, e.srv, e.user(t), "Ngoai truong My la ai?")
	if first := strings.SplitN(reply.Embeds[0].Description, "\n\n", 2)[0]; !strings.Contains(first, "Antony Blinken") {
		t.Errorf("first result lacks the Blinken snippet:\n%s", first)
	}
	if reply.Embeds[0].Footer.Text != "Kết quả 1–2" {
		t.Errorf("footer %q: a question without accents is still Vietnamese", reply.Embeds[0].Footer.Text)
	}
}

func testAskMisspelled(t *testing.T, e *env) {
	readAs := messages.Get(messages.Vietnamese, messages.ReadAs, "Blinkin", "Blinken")
	_, reply := ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ Blinkin là ai?")
	if len(reply.Embeds) != 1 {
		t.Fatalf("reply %+v: want one embed", reply)
	}
	blocks := strings.Split(reply.Embeds[0].Description, "\n\n")
	if blocks[0] != readAs {
		t.Errorf("description starts with %q, want the correction %q:\n%s", blocks[0], readAs, reply.Embeds[0].Description)
	}
	if len(blocks) < 2 || !strings.HasPrefix(blocks[1], "> ") || !strings.Contains(blocks[1], "Antony **Blinken**") {
		t.Errorf("the first result is not the Blinken snippet with the word read marked:\n%s", reply.Embeds[0].Description)
	}
	if strings.Count(reply.Embeds[0].Description, "Blinkin") != 1 {
		t.Errorf("the correction is not said once:\n%s", reply.Embeds[0].Description)
	}

	// Asked by DM with nothing but the misspelled word: not confident, and
	// the short reply still says what was searched.
	// (A message is answered in the language its text reads as.)
	const short = "Blinkin là ai?"
	lang := messages.ForText(short, messages.English)
	m := e.srv.DirectMessage(discordtest.Msg{Content: short, From: e.user(t)})
	dm, err := e.srv.WaitForReplyTo(m, wait)
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, dm)
	if len(dm.Embeds) != 1 {
		t.Fatalf("DM reply %+v: want one embed", dm)
	}
	lines := strings.Split(dm.Embeds[0].Description, "\n")
	if lines[0] != messages.Get(lang, messages.ReadAs, "Blinkin", "Blinken") || len(lines) < 2 || lines[1] != messages.Get(lang, messages.NotConfidentShort) {
		t.Errorf("DM reply: want the correction, then not confident:\n%s", dm.Embeds[0].Description)
	}

	// Spelled right: no correction.
	_, reply = ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ là ai?")
	if got := text(reply); strings.Contains(got, "Không bài nào có từ") {
		t.Errorf("a correction where none is due:\n%s", got)
	}
}

func testVietnameseLocale(t *testing.T, e *env) {
	vi, en := e.user(t), e.user(t)
	vi.Locale = discordgo.Vietnamese
	_, reply := slash(t, e.srv, "help", vi)
	if got := text(reply); !strings.Contains(got, messages.Get(messages.Vietnamese, messages.HelpIntro)) || !strings.Contains(got, "/hỏi câu-hỏi [riêng-tư]") {
		t.Errorf("help in vi:\n%s", got)
	}
	_, reply = slash(t, e.srv, "help", en)
	if got := text(reply); !strings.Contains(got, messages.Get(messages.English, messages.HelpIntro)) || !strings.Contains(got, "/ask question [private]") {
		t.Errorf("help in en-US:\n%s", got)
	}
	// An English question from a Vietnamese client is answered in Vietnamese.
	_, reply = ask(t, e.srv, vi, "Who is the Japanese foreign minister?")
	if got := text(reply); !strings.Contains(got, "Kết quả") && !strings.Contains(got, messages.Get(messages.Vietnamese, messages.NotConfidentShort)) {
		t.Errorf("English question, vi locale:\n%s", got)
	}
	// And an English question from an English client in English.
	_, reply = ask(t, e.srv, en, "Who is the Japanese foreign minister?")
	if got := text(reply); strings.Contains(got, "Kết quả") || strings.Contains(got, messages.Get(messages.Vietnamese, messages.NotConfidentShort)) {
		t.Errorf("English question, en-US locale:\n%s", got)
	}
}

func testNotConfident(t *testing.T, e *env) {
	_, reply := ask(t, e.srv, e.user(t), "Giá vàng SJC hôm nay bao nhiêu?")
	got := text(reply)
	for _, want := range []string{
		messages.Get(messages.Vietnamese, messages.NotConfidentShort),
		messages.Get(messages.Vietnamese, messages.ClosestArticles),
		messages.Get(messages.Vietnamese, messages.TryOtherWords),
		"• ", "baobot seed articles",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("not-confident reply lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "> ") || len(buttons(reply)) != 0 {
		t.Errorf("a not-confident reply quotes snippets or has buttons:\n%s %v", got, buttons(reply))
	}
}

// reference returns the message_reference of the bot's channel message
// created in answer to m.
func reference(t *testing.T, srv *discordtest.Server, reply discordtest.Message) map[string]any {
	t.Helper()
	for _, r := range srv.RequestsTo(discordtest.RouteMessageCreate) {
		var body struct {
			Reference map[string]any `json:"message_reference"`
		}
		var resp struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(r.Response, &resp) == nil && resp.ID == reply.ID {
			_ = r.Decode(&body)
			return body.Reference
		}
	}
	t.Fatalf("no request created message %s", reply.ID)
	return nil
}

func testDirectMessage(t *testing.T, e *env) {
	m := e.srv.DirectMessage(discordtest.Msg{Content: "Cuộc điện đàm kéo dài bao lâu?", From: e.user(t)})
	reply, err := e.srv.WaitForReplyTo(m, wait)
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, reply)
	if got := text(reply); !strings.Contains(got, "15 phút") {
		t.Errorf("DM answer lacks \"15 phút\":\n%s", got)
	}
	if ref := reference(t, e.srv, reply); ref["message_id"] != m.ID {
		t.Errorf("reply references %v, want message %s", ref, m.ID)
	}
}

func testMention(t *testing.T, e *env) {
	m := e.srv.Mention(discordtest.Msg{Content: "Nhật Bản dự kiến thành lập trụ sở chung khi nào?", From: e.user(t)})
	reply, err := e.srv.WaitForReplyTo(m, wait)
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, reply)
	if reply.AllowedMentions.RepliedUser {
		t.Error("the reply pings the author")
	}
	if got := text(reply); !strings.Contains(got, "cuối tháng 3/2025") {
		t.Errorf("mention answer lacks the date:\n%s", got)
	}
	if ref := reference(t, e.srv, reply); ref["message_id"] != m.ID {
		t.Errorf("reply references %v, want message %s", ref, m.ID)
	}

	// A mention with no question says how to ask.
	m = e.srv.Mention(discordtest.Msg{Content: "  ", From: e.user(t)})
	if reply, err = e.srv.WaitForReplyTo(m, wait); err != nil {
		t.Fatal(err)
	}
	if reply.Content != messages.Get(messages.English, messages.MentionEmpty) {
		t.Errorf("empty mention: %q", reply.Content)
	}
	// A message that does not mention the bot is not its business (and
	// its content does not even reach the bot).
	quiet := e.srv.GuildMessage(discordtest.Msg{Content: "Ngoại trưởng Mỹ là ai?", From: e.user(t)})
	ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ là ai?") // anything after it, to be sure it was handled
	for _, r := range e.srv.RequestsTo(discordtest.RouteMessageCreate) {
		if strings.Contains(string(r.JSON), quiet.ID) {
			t.Errorf("the bot answered a message that did not mention it")
		}
	}
}

func testBadQuestions(t *testing.T, e *env) {
	from := e.user(t)
	long := strings.Repeat("why ", 300) + "?"
	for _, tc := range []struct{ question, want string }{
		{"", messages.Get(messages.English, messages.QuestionEmpty)},
		{"   \t ", messages.Get(messages.English, messages.QuestionEmpty)},
		{"\x00\x07\x1b", messages.Get(messages.English, messages.QuestionEmpty)},
		{"😀🎉👍", messages.Get(messages.English, messages.QuestionNoWords)},
		{"?!…", messages.Get(messages.English, messages.QuestionNoWords)},
		{long, messages.Get(messages.English, messages.QuestionTooLong, runes(strings.TrimSpace(long)), 1000)},
	} {
		_, reply := ask(t, e.srv, from, tc.question)
		if reply.Content != tc.want || !reply.Ephemeral() {
			t.Errorf("question %q: reply %q (ephemeral %v), want %q", cut(tc.question, 20), reply.Content, reply.Ephemeral(), tc.want)
		}
	}
	// Control characters among words are not a reason to refuse them.
	_, reply := ask(t, e.srv, from, "Ngoại trưởng\x00 Mỹ\u200e là ai?")
	if !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("question with control characters:\n%s", text(reply))
	}
	// Refused questions do not count towards the rate limit: 6 were
	// refused, this is the 2nd counted.
	_, reply = ask(t, e.srv, from, "Ngoại trưởng Mỹ là ai?")
	if !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("refused questions counted towards the rate limit:\n%s", text(reply))
	}
}

func testRateLimit(t *testing.T, e *env) {
	from := e.user(t)
	for i := range 5 {
		if _, reply := ask(t, e.srv, from, "Ngoại trưởng Mỹ là ai?"); !strings.Contains(text(reply), "Blinken") {
			t.Fatalf("question %d refused: %s", i+1, text(reply))
		}
	}
	_, reply := ask(t, e.srv, from, "Ngoại trưởng Mỹ là ai?")
	var seconds int
	if _, err := fmt.Sscanf(reply.Content, "Bạn hỏi hơi nhanh: hãy thử lại sau %d giây.", &seconds); err != nil || seconds < 1 || seconds > 30 || !reply.Ephemeral() {
		t.Errorf("6th question in 30 s: %q (ephemeral %v)", reply.Content, reply.Ephemeral())
	}
	// Someone else is not slowed down, nor are direct messages of others.
	if _, reply := ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ là ai?"); !strings.Contains(text(reply), "Blinken") {
		t.Errorf("another user was rate limited: %s", text(reply))
	}
	m := e.srv.DirectMessage(discordtest.Msg{Content: "Ngoại trưởng Mỹ là ai?", From: from})
	if reply, err := e.srv.WaitForReplyTo(m, wait); err != nil || !strings.Contains(reply.Content, "thử lại sau") {
		t.Errorf("the same user by DM: %q, %v", reply.Content, err)
	}
}

func testEveryone(t *testing.T, e *env) {
	_, err := e.db.Put([]retrieval.Article{{
		ID: "everyone-test", Title: "@everyone: họp <@&1234> khẩn", Source: "Câu lạc bộ *cờ vua*",
		Body: "Ban chủ nhiệm câu lạc bộ cờ vua nhắn @everyone và @here cùng <@&1234> rằng buổi họp thường niên dời sang thứ bảy.",
	}})
	if err != nil {
		t.Fatal(err)
	}
	_, reply := ask(t, e.srv, e.user(t), "Buổi họp thường niên của câu lạc bộ cờ vua dời sang ngày nào?")
	desc := reply.Embeds[0].Description
	for _, want := range []string{`\@everyone`, `\@here`, `\<\@&1234\>`, `Câu lạc bộ \*cờ vua\*`, `\@everyone: họp`} {
		if !strings.Contains(desc, want) {
			t.Errorf("reply lacks %q:\n%s", want, desc)
		}
	}
	// The same through a mention, as a channel message.
	m := e.srv.Mention(discordtest.Msg{Content: "Buổi họp thường niên của câu lạc bộ cờ vua dời sang ngày nào?", From: e.user(t)})
	reply, err = e.srv.WaitForReplyTo(m, wait)
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, reply)
	if !strings.Contains(text(reply), `\@everyone`) {
		t.Errorf("mention reply:\n%s", text(reply))
	}
}

// txt is a text article file for /add.
const txt = "Hươu cao cổ ở Kenya\nĐàn hươu cao cổ lớn nhất châu Phi vừa được phát hiện tại công viên quốc gia Tsavo của Kenya.\n"

func testAddRefused(t *testing.T, e *env) {
	before, _ := e.db.Stats()
	downloads := len(e.srv.RequestsTo(discordtest.RouteAttachment))
	id := e.srv.AddAttachment("huou.txt", "text/plain", []byte(txt))
	for _, from := range []discordtest.From{e.user(t), {User: newUser(t, e.srv), Permissions: discordgo.PermissionSendMessages}} {
		_, reply := slash(t, e.srv, "add", from, discordtest.AttachmentOption("file", id))
		if reply.Content != messages.Get(messages.English, messages.AdminOnly) || !reply.Ephemeral() {
			t.Errorf("non-admin /add: %q (ephemeral %v)", reply.Content, reply.Ephemeral())
		}
	}
	_, reply := slash(t, e.srv, "remove", e.user(t), discordtest.StringOption("id", "seed-000_motegi_blinken_call"))
	if reply.Content != messages.Get(messages.English, messages.AdminOnly) {
		t.Errorf("non-admin /remove: %q", reply.Content)
	}
	if after, _ := e.db.Stats(); after != before {
		t.Errorf("collection changed: %+v → %+v", before, after)
	}
	if n := len(e.srv.RequestsTo(discordtest.RouteAttachment)); n != downloads {
		t.Errorf("the attachment was downloaded for a non-admin")
	}
	// In a DM there is no server to manage.
	in := e.srv.SlashCommand(discordtest.Slash{Name: "add", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.AttachmentOption("file", id)}, From: discordtest.From{User: newUser(t, e.srv), DM: true}})
	if reply, err := e.srv.WaitForReply(in, wait); err != nil || reply.Content != messages.Get(messages.English, messages.GuildOnly) {
		t.Errorf("/add in a DM: %q, %v", reply.Content, err)
	}
}

func testAddAndRemove(t *testing.T, e *env) {
	admin := e.admin(t)
	id := e.srv.AddAttachment("huou.txt", "text/plain", []byte(txt))
	_, reply := slash(t, e.srv, "add", admin, discordtest.AttachmentOption("file", id))
	if want := messages.Get(messages.English, messages.AddSummary, "`huou.txt`", 1, 0, 0, 0); !strings.HasPrefix(reply.Content, want) || !reply.Ephemeral() {
		t.Errorf("/add: %q, want %q…", reply.Content, want)
	}
	_, reply = ask(t, e.srv, e.user(t), "Đàn hươu cao cổ lớn nhất châu Phi được phát hiện ở đâu?")
	if !strings.Contains(text(reply), "Tsavo") {
		t.Fatalf("the added article is not answered:\n%s", text(reply))
	}
	// The same file again changes nothing.
	_, reply = slash(t, e.srv, "add", admin, discordtest.AttachmentOption("file", id))
	if want := messages.Get(messages.English, messages.AddSummary, "`huou.txt`", 0, 0, 1, 0); reply.Content != want {
		t.Errorf("/add again: %q, want %q", reply.Content, want)
	}

	// /remove, with autocomplete by title.
	ac := e.srv.Autocomplete(discordtest.Slash{Name: "remove", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.StringOption("id", "hươu cao")}, From: admin})
	cb, err := e.srv.WaitForCallback(ac, wait)
	if err != nil || len(cb.Choices) == 0 || cb.Choices[0].Value != "huou" || cb.Choices[0].Name != "Hươu cao cổ ở Kenya" {
		t.Fatalf("autocomplete: %+v, %v", cb.Choices, err)
	}
	_, reply = slash(t, e.srv, "remove", admin, discordtest.StringOption("id", "huou"))
	if reply.Content != messages.Get(messages.English, messages.Removed, "`huou`") {
		t.Errorf("/remove: %q", reply.Content)
	}
	_, reply = slash(t, e.srv, "remove", admin, discordtest.StringOption("id", "huou"))
	if reply.Content != messages.Get(messages.English, messages.NoSuchArticle, "`huou`") {
		t.Errorf("/remove again: %q", reply.Content)
	}
	_, reply = ask(t, e.srv, e.user(t), "Đàn hươu cao cổ lớn nhất châu Phi được phát hiện ở đâu?")
	if strings.Contains(text(reply), "Tsavo") {
		t.Errorf("the removed article is still answered")
	}
}

func testAddEdgeCases(t *testing.T, e *env) {
	admin := e.admin(t)
	before, _ := e.db.Stats()
	downloads := len(e.srv.RequestsTo(discordtest.RouteAttachment))

	pdf := e.srv.AddAttachment("report.pdf", "application/pdf", []byte("%PDF-1.4"))
	_, reply := slash(t, e.srv, "add", admin, discordtest.AttachmentOption("file", pdf))
	if want := messages.Get(messages.English, messages.AddUnsupported, "`report.pdf`", ".txt, .md, .html, .jsonl"); reply.Content != want {
		t.Errorf("/add .pdf: %q, want %q", reply.Content, want)
	}
	big := e.srv.AddAttachment("big.txt", "text/plain", []byte(strings.Repeat("x", 1<<20+1)))
	_, reply = slash(t, e.srv, "add", admin, discordtest.AttachmentOption("file", big))
	if want := messages.Get(messages.English, messages.AddTooLarge, "`big.txt`", "1 MB"); reply.Content != want {
		t.Errorf("/add of 1 MiB + 1: %q, want %q", reply.Content, want)
	}
	if n := len(e.srv.RequestsTo(discordtest.RouteAttachment)); n != downloads {
		t.Errorf("refused attachments were downloaded")
	}

	// A JSON Lines file with a bad line: the good ones land, the bad is named.
	lines := `{"id":"ngua-1","title":"Ngựa vằn di cư","body":"Hàng triệu con ngựa vằn di cư qua sông Mara mỗi năm."}
{"title":"no id"}
{"id":"ngua-2","title":"Ngựa vằn con","body":"Ngựa vằn con đứng được sau mười lăm phút."}
`
	jl := e.srv.AddAttachment("ngua.jsonl", "", []byte(lines))
	_, reply = slash(t, e.srv, "add", admin, discordtest.AttachmentOption("file", jl))
	for _, want := range []string{messages.Get(messages.English, messages.AddSummary, "`ngua.jsonl`", 2, 0, 0, 1), "`ngua.jsonl:2` — malformed"} {
		if !strings.Contains(reply.Content, want) {
			t.Errorf("/add .jsonl lacks %q:\n%s", want, reply.Content)
		}
	}

	// A slow download: the interaction is deferred, then the reply edited in.
	slow := e.srv.AddAttachment("cham.md", "text/markdown", []byte("---\nid: cham\ntitle: Rùa biển\n---\nRùa biển đẻ trứng trên bãi cát Côn Đảo.\n"))
	e.srv.DelayNext(discordtest.RouteAttachment, e.bot.ackAfter+500*time.Millisecond)
	in, reply := slash(t, e.srv, "add", admin, discordtest.AttachmentOption("file", slow))
	if cb, _ := e.srv.Callback(in.ID); cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || cb.Late {
		t.Errorf("slow /add: callback %+v, want an early deferral", cb)
	}
	if want := messages.Get(messages.English, messages.AddSummary, "`cham.md`", 1, 0, 0, 0); !strings.HasPrefix(reply.Content, want) || !reply.Ephemeral() {
		t.Errorf("slow /add: %q (ephemeral %v)", reply.Content, reply.Ephemeral())
	}

	// When the edit after a deferral is refused, an apology still shows.
	slow2 := e.srv.AddAttachment("cham2.md", "text/markdown", []byte("---\nid: cham2\ntitle: Rùa biển 2\n---\nRùa biển con bò ra biển lúc nửa đêm.\n"))
	e.srv.DelayNext(discordtest.RouteAttachment, e.bot.ackAfter+500*time.Millisecond)
	e.srv.FailNext(discordtest.RouteWebhookMessageEdit, http.StatusBadRequest)
	_, reply = slash(t, e.srv, "add", admin, discordtest.AttachmentOption("file", slow2))
	if reply.Content != messages.Get(messages.English, messages.Internal) {
		t.Errorf("failed edit: %q, want the apology", reply.Content)
	}

	for _, id := range []string{"ngua-1", "ngua-2", "cham", "cham2"} {
		if err := e.db.Remove(id); err != nil {
			t.Error(err)
		}
	}
	if after, _ := e.db.Stats(); after != before {
		t.Errorf("collection %+v, want %+v", after, before)
	}
}

func testBrowse(t *testing.T, e *env) {
	vi := e.user(t)
	vi.Locale = discordgo.Vietnamese
	_, reply := slash(t, e.srv, "articles", vi)
	got := text(reply)
	for _, want := range []string{"`seed-000_motegi_blinken_call`", "`seed-001_kishida_biden_summit`", "baobot seed articles", "Trang 1/1"} {
		if !strings.Contains(got, want) {
			t.Errorf("/articles lacks %q:\n%s", want, got)
		}
	}
	_, reply = slash(t, e.srv, "articles", vi, discordtest.IntegerOption("page", 7))
	if !strings.Contains(text(reply), "Trang 1/1") {
		t.Errorf("/articles page 7 of 1:\n%s", text(reply))
	}

	_, reply = slash(t, e.srv, "article", e.user(t), discordtest.StringOption("id", "seed-000_motegi_blinken_call"))
	got = text(reply)
	for _, want := range []string{"Cuộc điện đàm diễn ra sau khi ông Fumio Kishida", "Passages", "baobot seed articles", "`seed-000_motegi_blinken_call`"} {
		if !strings.Contains(got, want) {
			t.Errorf("/article lacks %q:\n%s", want, got)
		}
	}
	_, reply = slash(t, e.srv, "article", e.user(t), discordtest.StringOption("id", "nope"))
	if reply.Content != messages.Get(messages.English, messages.NoSuchArticle, "`nope`") {
		t.Errorf("/article nope: %q", reply.Content)
	}

	for _, typed := range []string{"điện đàm", "dien dam ngoai truong", ""} {
		ac := e.srv.Autocomplete(discordtest.Slash{Name: "article", Options: []*discordgo.ApplicationCommandInteractionDataOption{
			discordtest.StringOption("id", typed)}, From: e.user(t)})
		cb, err := e.srv.WaitForCallback(ac, wait)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range cb.Choices {
			found = found || c.Value == "seed-000_motegi_blinken_call"
		}
		if !found || len(cb.Choices) > 25 {
			t.Errorf("autocomplete %q: %+v", typed, cb.Choices)
		}
	}
}

func testHelpAbout(t *testing.T, e *env) {
	_, reply := slash(t, e.srv, "help", e.user(t))
	for _, c := range e.bot.commands {
		if !strings.Contains(text(reply), "/"+c.name.en) {
			t.Errorf("/help does not list /%s", c.name.en)
		}
	}
	votes, err := e.db.FeedbackCounts()
	if err != nil {
		t.Fatal(err)
	}
	_, reply = slash(t, e.srv, "about", e.user(t))
	got := text(reply)
	stats, _ := e.db.Stats()
	for _, want := range []string{
		messages.Get(messages.English, messages.AboutCollectionSize, stats.Articles, stats.Passages),
		fmt.Sprintf("👍 %d · 👎 %d", votes.Helpful, votes.NotHelpful), "test",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("/about lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, testToken) || strings.Contains(got, e.srv.URL()) {
		t.Errorf("/about shows configuration:\n%s", got)
	}
}

// callbacks returns the requests made to an interaction's callback.
func callbacks(srv *discordtest.Server, in *discordgo.Interaction) []discordtest.Request {
	var out []discordtest.Request
	for _, r := range srv.RequestsTo(discordtest.RouteInteractionCallback) {
		if strings.Contains(r.Path, "/"+in.ID+"/") {
			out = append(out, r)
		}
	}
	return out
}

func testRateLimitedCallback(t *testing.T, e *env) {
	e.srv.RateLimitNext(discordtest.RouteInteractionCallback, 700*time.Millisecond, false)
	in, reply := ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ là ai?")
	if !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("reply after a 429:\n%s", text(reply))
	}
	if cbs := callbacks(e.srv, in); len(cbs) != 2 || cbs[0].Status != http.StatusTooManyRequests || cbs[1].Status != http.StatusNoContent {
		t.Errorf("callbacks %v, want a 429 then a 204", statuses(cbs))
	}
}

func statuses(rs []discordtest.Request) []int {
	var out []int
	for _, r := range rs {
		out = append(out, r.Status)
	}
	return out
}

func testServerErrors(t *testing.T, e *env) {
	e.srv.FailNext(discordtest.RouteInteractionCallback, http.StatusInternalServerError)
	in, reply := ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ là ai?")
	if !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("reply after a 500:\n%s", text(reply))
	}
	if cbs := callbacks(e.srv, in); len(cbs) != 2 || cbs[0].Status != http.StatusInternalServerError {
		t.Errorf("callbacks %v, want a 500 then a 204", statuses(cbs))
	}

	// An error that persists is tried a bounded number of times.
	e.srv.InjectREST(discordtest.RESTFault{Route: discordtest.RouteInteractionCallback, Status: http.StatusServiceUnavailable, Times: 10})
	defer e.srv.ClearFaults()
	in = e.srv.SlashCommand(discordtest.Slash{Name: "help", From: e.user(t)})
	for deadline := time.Now().Add(wait); len(callbacks(e.srv, in)) < 3; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("callbacks %v, want 3 attempts", statuses(callbacks(e.srv, in)))
		}
	}
	e.srv.ClearFaults()
	// The next interaction goes through: nothing was left retrying.
	if _, reply := slash(t, e.srv, "help", e.user(t)); reply.Embeds == nil {
		t.Errorf("help after giving up: %+v", reply)
	}
	if n := len(callbacks(e.srv, in)); n != 3 {
		t.Errorf("%d callbacks for the interaction, want 3 (1 + 2 retries)", n)
	}
}

func testNoPermission(t *testing.T, e *env) {
	from := e.user(t)
	creates := len(e.srv.RequestsTo(discordtest.RouteMessageCreate))
	e.srv.FailNext(discordtest.RouteMessageCreate, http.StatusForbidden)
	m := e.srv.Mention(discordtest.Msg{Content: "Ngoại trưởng Mỹ là ai?", From: from})
	dm := e.srv.DMChannelID(from.User.ID)
	notice, err := e.srv.WaitForMessage(func(msg discordtest.Message) bool {
		return msg.ChannelID == dm && msg.Kind == discordtest.KindChannel
	}, wait)
	if err != nil {
		t.Fatal(err)
	}
	checkReply(t, notice)
	if notice.Content != messages.Get(messages.Vietnamese, messages.CannotPostHere) {
		t.Errorf("notice %q", notice.Content)
	}
	// One refused reply, one notice: no retrying, no loop.
	if n := len(e.srv.RequestsTo(discordtest.RouteMessageCreate)) - creates; n != 2 {
		t.Errorf("%d channel messages attempted, want 2", n)
	}
	for _, msg := range e.srv.Messages() {
		if msg.ChannelID == m.ChannelID && msg.Kind == discordtest.KindChannel && msg.CreatedAt.After(m.Timestamp) {
			t.Errorf("a message was posted where the bot may not post")
		}
	}
}

func testDroppedConnection(t *testing.T, e *env) {
	if err := e.srv.WaitForHeartbeat(wait); err != nil {
		t.Fatal(err)
	}
	resumes := countEvents(e.srv, discordtest.GatewayResumed)
	if e.srv.DropConnections() == 0 {
		t.Fatal("no connection to drop")
	}
	// Dispatched while the bot is away: replayed when it resumes.
	_, reply := ask(t, e.srv, e.user(t), "Ngoại trưởng Mỹ là ai?")
	if !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("answer after the drop:\n%s", text(reply))
	}
	if n := countEvents(e.srv, discordtest.GatewayResumed); n != resumes+1 {
		t.Errorf("%d resumes, want %d", n, resumes+1)
	}
	if n := countEvents(e.srv, discordtest.GatewayIdentify); n != 1 {
		t.Errorf("%d identifies: the session was not resumed", n)
	}
	// And the next question too.
	if _, reply := ask(t, e.srv, e.user(t), "Ngoai truong My la ai?"); !strings.Contains(text(reply), "Antony Blinken") {
		t.Errorf("the next answer:\n%s", text(reply))
	}
}

func countEvents(srv *discordtest.Server, kind discordtest.GatewayEventKind) int {
	n := 0
	for _, ev := range srv.GatewayEvents() {
		if ev.Kind == kind {
			n++
		}
	}
	return n
}
