package discordtest_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/bwmarrin/discordgo"
)

func TestMessageLimits(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	dg := newSession(t, srv, srv.Token())
	ch := srv.ChannelID()
	field := func(name, value string) *discordgo.MessageEmbedField {
		return &discordgo.MessageEmbedField{Name: name, Value: value}
	}
	cases := []struct {
		name string
		msg  *discordgo.MessageSend
		path []string // where the error is; nil: accepted
		code string
	}{
		{"2000 code points", &discordgo.MessageSend{Content: strings.Repeat("ệ", 2000)}, nil, ""},
		{"2001 code points", &discordgo.MessageSend{Content: strings.Repeat("ệ", 2001)}, []string{"content"}, "BASE_TYPE_MAX_LENGTH"},
		{"description 4097", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Description: strings.Repeat("a", 4097)}}},
			[]string{"embeds", "0", "description"}, "BASE_TYPE_MAX_LENGTH"},
		{"title 257", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Title: strings.Repeat("a", 257)}}},
			[]string{"embeds", "0", "title"}, "BASE_TYPE_MAX_LENGTH"},
		{"11 embeds", &discordgo.MessageSend{Embeds: make11Embeds()}, []string{"embeds"}, "BASE_TYPE_MAX_LENGTH"},
		{"field value 1025", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{field("n", strings.Repeat("v", 1025))}}}},
			[]string{"embeds", "0", "fields", "0", "value"}, "BASE_TYPE_MAX_LENGTH"},
		{"empty field name", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{field("", "v")}}}},
			[]string{"embeds", "0", "fields", "0", "name"}, "BASE_TYPE_REQUIRED"},
		{"footer 2049", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Footer: &discordgo.MessageEmbedFooter{Text: strings.Repeat("f", 2049)}}}},
			[]string{"embeds", "0", "footer", "text"}, "BASE_TYPE_MAX_LENGTH"},
		{"author 257", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Author: &discordgo.MessageEmbedAuthor{Name: strings.Repeat("a", 257)}}}},
			[]string{"embeds", "0", "author", "name"}, "BASE_TYPE_MAX_LENGTH"},
		{"6001 over two embeds", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{
			{Description: strings.Repeat("a", 4000)}, {Description: strings.Repeat("b", 2001)}}}, []string{"embeds"}, "MAX_EMBED_SIZE_EXCEEDED"},
		{"26 fields", &discordgo.MessageSend{Embeds: []*discordgo.MessageEmbed{{Fields: make26Fields()}}},
			[]string{"embeds", "0", "fields"}, "BASE_TYPE_MAX_LENGTH"},
		{"6 action rows", &discordgo.MessageSend{Content: "x", Components: rows(6, 1)}, []string{"components"}, "BASE_TYPE_MAX_LENGTH"},
		{"6 buttons in a row", &discordgo.MessageSend{Content: "x", Components: rows(1, 6)}, []string{"components", "0", "components"}, "BASE_TYPE_MAX_LENGTH"},
		{"5x5 buttons", &discordgo.MessageSend{Content: "x", Components: rows(5, 5)}, nil, ""},
		{"label 81", &discordgo.MessageSend{Content: "x", Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: strings.Repeat("l", 81), CustomID: "c"}}}}}, []string{"components", "0", "components", "0", "label"}, "BASE_TYPE_MAX_LENGTH"},
		{"custom_id 101", &discordgo.MessageSend{Content: "x", Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "l", CustomID: strings.Repeat("c", 101)}}}}}, []string{"components", "0", "components", "0", "custom_id"}, "BASE_TYPE_BAD_LENGTH"},
		{"button without custom_id", &discordgo.MessageSend{Content: "x", Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "l"}}}}}, []string{"components", "0", "components", "0", "custom_id"}, "BASE_TYPE_REQUIRED"},
		{"allowed_mentions exclusive", &discordgo.MessageSend{Content: "x", AllowedMentions: &discordgo.MessageAllowedMentions{
			Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}, Users: []string{"1"}}}, []string{"allowed_mentions", "parse"}, "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE"},
	}
	for _, tc := range cases {
		_, err := dg.ChannelMessageSendComplex(ch, tc.msg)
		if tc.path == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		re := restError(t, err, http.StatusBadRequest, 50035)
		if re.Message.Message != "Invalid Form Body" {
			t.Errorf("%s: message %q", tc.name, re.Message.Message)
		}
		if code := formErrorCode(t, re.ResponseBody, tc.path...); code != tc.code {
			t.Errorf("%s: code %s, want %s", tc.name, code, tc.code)
		}
	}
	_, err := dg.ChannelMessageSendComplex(ch, &discordgo.MessageSend{})
	restError(t, err, http.StatusBadRequest, 50006)
	_, err = dg.ChannelMessageSend("404", "x")
	restError(t, err, http.StatusNotFound, 10003)
	if n := len(srv.Messages()); n != 2 {
		t.Errorf("%d messages recorded, want the 2 accepted", n)
	}
}

func make11Embeds() []*discordgo.MessageEmbed {
	var out []*discordgo.MessageEmbed
	for range 11 {
		out = append(out, &discordgo.MessageEmbed{Title: "t"})
	}
	return out
}

func make26Fields() []*discordgo.MessageEmbedField {
	var out []*discordgo.MessageEmbedField
	for range 26 {
		out = append(out, &discordgo.MessageEmbedField{Name: "n", Value: "v"})
	}
	return out
}

func rows(n, buttons int) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	id := 0
	for range n {
		var row []discordgo.MessageComponent
		for range buttons {
			id++
			row = append(row, discordgo.Button{Label: "b", CustomID: "b" + string(rune('a'+id%26)) + string(rune('a'+id/26))})
		}
		out = append(out, discordgo.ActionsRow{Components: row})
	}
	return out
}

func TestMultipartAndAllowedMentions(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	dg := newSession(t, srv, srv.Token())
	m, err := dg.ChannelMessageSendComplex(srv.ChannelID(), &discordgo.MessageSend{
		Content:         "digest",
		AllowedMentions: noPings,
		Files:           []*discordgo.File{{Name: "digest.txt", ContentType: "text/plain", Reader: bytes.NewReader([]byte("bài 1\nbài 2"))}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := srv.Message(m.ID)
	if got.Content != "digest" || len(got.Files) != 1 || string(got.Files[0].Data) != "bài 1\nbài 2" || !got.MentionsSuppressed() {
		t.Errorf("recorded %+v", got)
	}
	if string(got.AllowedMentionsJSON) != `{"parse":[],"replied_user":false}` {
		t.Errorf("allowed_mentions as sent: %s", got.AllowedMentionsJSON)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "digest.txt" {
		t.Errorf("answered attachments %+v", m.Attachments)
	}
	req := srv.RequestsTo(discordtest.RouteMessageCreate)[0]
	if !strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/form-data") || len(req.Files) != 1 || !bytes.Contains(req.JSON, []byte(`"content":"digest"`)) {
		t.Errorf("request %+v", req)
	}
	// payload_json is validated like a JSON body.
	_, err = dg.ChannelMessageSendComplex(srv.ChannelID(), &discordgo.MessageSend{
		Content: strings.Repeat("x", 2001),
		Files:   []*discordgo.File{{Name: "a.txt", Reader: strings.NewReader("a")}},
	})
	restError(t, err, http.StatusBadRequest, 50035)

	// Without allowed_mentions nothing is recorded, so a test can tell.
	plain, err := dg.ChannelMessageSend(srv.ChannelID(), "<@123> hi")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := srv.Message(plain.ID); got.AllowedMentions != nil || got.MentionsSuppressed() {
		t.Errorf("plain message allowed mentions %+v", got.AllowedMentions)
	}
}

func TestRateLimitRetried(t *testing.T) {
	t.Parallel()
	for _, global := range []bool{false, true} {
		srv := discordtest.New(t)
		dg := newSession(t, srv, srv.Token())
		const retryAfter = 200 * time.Millisecond
		srv.RateLimitNext(discordtest.RouteMessageCreate, retryAfter, global)
		if _, err := dg.ChannelMessageSend(srv.ChannelID(), "once"); err != nil {
			t.Fatalf("global=%v: %v", global, err)
		}
		reqs := srv.RequestsTo(discordtest.RouteMessageCreate)
		if len(reqs) != 2 || reqs[0].Status != http.StatusTooManyRequests || reqs[1].Status != http.StatusOK {
			t.Fatalf("global=%v: requests %+v", global, reqs)
		}
		if gap := reqs[1].At.Sub(reqs[0].At); gap < retryAfter {
			t.Errorf("global=%v: retried after %v, before retry_after", global, gap)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Errorf("global=%v: %d messages, want 1", global, n)
		}
	}
}

func TestServerErrors(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	dg := newSession(t, srv, srv.Token())
	srv.FailNext(discordtest.RouteMessageCreate, http.StatusInternalServerError)
	_, err := dg.ChannelMessageSend(srv.ChannelID(), "x")
	restError(t, err, http.StatusInternalServerError, 0)
	// discordgo retries a 502.
	srv.FailNext(discordtest.RouteMessageCreate, http.StatusBadGateway)
	if _, err := dg.ChannelMessageSend(srv.ChannelID(), "y"); err != nil {
		t.Fatal(err)
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Content != "y" {
		t.Errorf("messages %+v", msgs)
	}
	// A wrong token is refused; an unknown route is a 404 and recorded.
	_, err = newSession(t, srv, "wrong").Channel(srv.ChannelID())
	restError(t, err, http.StatusUnauthorized, 0)
	_, err = dg.GuildBans(srv.GuildID(), 0, "", "")
	restError(t, err, http.StatusNotFound, 0)
	if r := srv.Requests(); r[len(r)-1].Route != "" {
		t.Errorf("unknown route recorded as %q", r[len(r)-1].Route)
	}
}

func TestRESTReads(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	dg := newSession(t, srv, srv.Token())
	me, err := dg.User("@me")
	if err != nil || me.ID != srv.AppID() || !me.Bot {
		t.Errorf("@me = %+v, %v", me, err)
	}
	ch, err := dg.Channel(srv.ChannelID())
	if err != nil || ch.GuildID != srv.GuildID() || ch.Type != discordgo.ChannelTypeGuildText {
		t.Errorf("channel = %+v, %v", ch, err)
	}
	g, err := dg.Guild(srv.GuildID())
	if err != nil || len(g.Roles) < 2 {
		t.Errorf("guild = %+v, %v", g, err)
	}
	mem, err := dg.GuildMember(srv.GuildID(), srv.User().ID)
	if err != nil || mem.User.ID != srv.User().ID {
		t.Errorf("member = %+v, %v", mem, err)
	}
	digest := srv.AddChannel("digest")
	if _, err := dg.ChannelMessageSend(digest, "tin mới"); err != nil {
		t.Fatal(err)
	}
	gb, err := dg.GatewayBot()
	if err != nil || gb.URL != srv.GatewayURL()+"/" || gb.Shards != 1 {
		t.Errorf("gateway/bot = %+v, %v", gb, err)
	}
}

func TestRESTWrites(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t, discordtest.WithToken("other-token"), discordtest.WithWait(50*time.Millisecond))
	dg := newSession(t, srv, "other-token")

	// Messages: edit, read, delete.
	m, err := dg.ChannelMessageSend(srv.ChannelID(), "bản nháp")
	if err != nil {
		t.Fatal(err)
	}
	if err := dg.ChannelTyping(srv.ChannelID()); err != nil {
		t.Error(err)
	}
	edited, err := dg.ChannelMessageEdit(srv.ChannelID(), m.ID, "bản cuối")
	if err != nil || edited.Content != "bản cuối" || edited.EditedTimestamp == nil {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	read, err := dg.ChannelMessage(srv.ChannelID(), m.ID)
	if err != nil || read.Content != "bản cuối" {
		t.Errorf("read = %+v, %v", read, err)
	}
	if err := dg.ChannelMessageDelete(srv.ChannelID(), m.ID); err != nil {
		t.Fatal(err)
	}
	_, err = dg.ChannelMessage(srv.ChannelID(), m.ID)
	restError(t, err, http.StatusNotFound, 10008)
	if got, _ := srv.Message(m.ID); !got.Deleted || got.Edits != 1 {
		t.Errorf("recorded %+v", got)
	}

	// Users, roles, guild reads.
	u := srv.AddUser("reader")
	dm, err := dg.UserChannelCreate(u.ID)
	if err != nil || dm.Recipients[0].ID != u.ID {
		t.Errorf("DM channel = %+v, %v", dm, err)
	}
	_, err = dg.UserChannelCreate("42")
	restError(t, err, http.StatusNotFound, 10013)
	role := srv.AddRole("editors", discordgo.PermissionManageMessages)
	roles, err := dg.GuildRoles(srv.GuildID())
	if err != nil || roles[len(roles)-1].ID != role || roles[len(roles)-1].Permissions != discordgo.PermissionManageMessages {
		t.Errorf("roles = %+v, %v", roles, err)
	}
	chans, err := dg.GuildChannels(srv.GuildID())
	if err != nil || len(chans) != 1 {
		t.Errorf("channels = %+v, %v", chans, err)
	}
	_, err = dg.Guild("1")
	restError(t, err, http.StatusNotFound, 10004)
	app, err := dg.Application("@me")
	if err != nil || app.ID != srv.AppID() {
		t.Errorf("application = %+v, %v", app, err)
	}
	if bu := srv.BotUser(); bu.ID != srv.AppID() || !bu.Bot || !strings.HasPrefix(srv.URL(), "http://127.0.0.1:") {
		t.Errorf("bot user %+v, URL %s", bu, srv.URL())
	}

	// Single commands: create, list, delete.
	cmd, err := dg.ApplicationCommandCreate(srv.AppID(), "", &discordgo.ApplicationCommand{Name: "articles", Description: "List articles"})
	if err != nil || cmd.ID == "" {
		t.Fatalf("create = %+v, %v", cmd, err)
	}
	list, err := dg.ApplicationCommands(srv.AppID(), "")
	if err != nil || len(list) != 1 || list[0].ID != cmd.ID {
		t.Errorf("list = %+v, %v", list, err)
	}
	if err := dg.ApplicationCommandDelete(srv.AppID(), "", cmd.ID); err != nil {
		t.Error(err)
	}
	err = dg.ApplicationCommandDelete(srv.AppID(), "", cmd.ID)
	restError(t, err, http.StatusNotFound, 10063)
	_, err = dg.ApplicationCommandBulkOverwrite("1", "", nil)
	restError(t, err, http.StatusNotFound, 10002)

	// Select menus: at most 25 options, alone in their row.
	options := make([]discordgo.SelectMenuOption, 26)
	for i := range options {
		options[i] = discordgo.SelectMenuOption{Label: "o", Value: string(rune('a' + i))}
	}
	_, err = dg.ChannelMessageSendComplex(srv.ChannelID(), &discordgo.MessageSend{Content: "x", Components: []discordgo.MessageComponent{
		discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{CustomID: "pick", Options: options}}}}})
	re := restError(t, err, http.StatusBadRequest, 50035)
	if code := formErrorCode(t, re.ResponseBody, "components", "0", "components", "0", "options"); code != "BASE_TYPE_MAX_LENGTH" {
		t.Errorf("code %s", code)
	}
	_, err = dg.ChannelMessageSendComplex(srv.ChannelID(), &discordgo.MessageSend{Content: "x", Components: []discordgo.MessageComponent{
		discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.SelectMenu{CustomID: "pick", Options: options[:2]}, discordgo.Button{Label: "b", CustomID: "b"}}}}})
	restError(t, err, http.StatusBadRequest, 50035)

	// Without a gateway session, a dispatch gives up after WithWait.
	if err := srv.Dispatch("TYPING_START", map[string]any{"channel_id": srv.ChannelID()}); err == nil {
		t.Error("Dispatch without a session succeeded")
	}
	req := srv.RequestsTo(discordtest.RouteMessageEdit)[0]
	var body struct{ Content string }
	if err := req.Decode(&body); err != nil || body.Content != "bản cuối" {
		t.Errorf("edit payload %+v, %v", body, err)
	}
}
