package discordtest_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/bwmarrin/discordgo"
)

// interactions opens a session that forwards every interaction it receives.
func interactions(t *testing.T, srv *discordtest.Server) (*discordgo.Session, <-chan *discordgo.InteractionCreate) {
	t.Helper()
	var ch <-chan *discordgo.InteractionCreate
	dg := open(t, srv, func(dg *discordgo.Session) { ch = events[*discordgo.InteractionCreate](dg) })
	return dg, ch
}

// received waits for the interaction sent to arrive at the session.
func received(t *testing.T, ch <-chan *discordgo.InteractionCreate, sent *discordgo.Interaction) *discordgo.Interaction {
	t.Helper()
	for {
		if in := next(t, ch, "interaction "+sent.ID).Interaction; in.ID == sent.ID {
			return in
		}
	}
}

// TestInteractions shares one server and session among its subtests: each
// discordgo session costs a second to close.
func TestInteractions(t *testing.T) {
	t.Parallel()
	srv := discordtest.New(t)
	dg, ins := interactions(t, srv)
	for _, tc := range []struct {
		name string
		run  func(*testing.T, *discordtest.Server, *discordgo.Session, <-chan *discordgo.InteractionCreate)
	}{
		{"slash command, respond, follow up, edit", testSlashRespondFollowupEdit},
		{"DM interaction, deferred then edited", testDMInteraction},
		{"button click updates its message", testButtonClick},
		{"autocomplete", testAutocomplete},
		{"slow callback", testSlowCallback},
		{"commands bulk overwrite", testCommandsBulkOverwrite},
		{"options of every type, modal", testOptionsAndModal},
		{"attachment option and its download", testAttachment},
		{"callback rules", testCallbackRules}, // moves the clock: keep near the end
		{"late callbacks rejected", testRejectLateCallbacks},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, srv, dg, ins) })
	}
}

var noPings = &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}

func testSlashRespondFollowupEdit(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {

	sent := srv.SlashCommand(discordtest.Slash{
		Name: "ask",
		Options: []*discordgo.ApplicationCommandInteractionDataOption{
			discordtest.StringOption("question", "ai là thủ tướng Nhật Bản?"),
			discordtest.IntegerOption("limit", 3),
			discordtest.BooleanOption("public", true),
		},
		From: discordtest.From{Locale: discordgo.Vietnamese, Permissions: discordgo.PermissionManageGuild},
	})
	in := received(t, ins, sent)
	if in.ID != sent.ID || in.Token != sent.Token || in.AppID != srv.AppID() || in.Type != discordgo.InteractionApplicationCommand {
		t.Fatalf("interaction %+v, sent %+v", in, sent)
	}
	data := in.ApplicationCommandData()
	if data.Name != "ask" || data.GetOption("question").StringValue() != "ai là thủ tướng Nhật Bản?" ||
		data.GetOption("limit").IntValue() != 3 || !data.GetOption("public").BoolValue() {
		t.Errorf("data %+v", data)
	}
	if in.Locale != discordgo.Vietnamese || in.GuildID != srv.GuildID() || in.ChannelID != srv.ChannelID() {
		t.Errorf("locale %q guild %q channel %q", in.Locale, in.GuildID, in.ChannelID)
	}
	if in.Member == nil || in.Member.User == nil || in.Member.User.ID != srv.User().ID ||
		in.Member.Permissions&discordgo.PermissionManageGuild == 0 || in.Member.JoinedAt.IsZero() {
		t.Errorf("member %+v", in.Member)
	}
	if in.User != nil || in.AppPermissions&discordgo.PermissionSendMessages == 0 {
		t.Errorf("user %+v app permissions %d", in.User, in.AppPermissions)
	}
	// The member's permissions also come out of REST (guild, roles, member).
	perms, err := newSession(t, srv, srv.Token()).UserChannelPermissions(srv.User().ID, srv.ChannelID())
	if err != nil || perms&discordgo.PermissionManageGuild == 0 {
		t.Errorf("UserChannelPermissions = %d, %v", perms, err)
	}

	err = dg.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Embeds:          []*discordgo.MessageEmbed{{Title: "Trả lời", Description: "«Shinzo Abe»"}},
			AllowedMentions: noPings,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := srv.WaitForReply(sent, wait)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Kind != discordtest.KindResponse || len(reply.Embeds) != 1 || reply.Embeds[0].Title != "Trả lời" ||
		!reply.MentionsSuppressed() || reply.InteractionID != in.ID || reply.ChannelID != srv.ChannelID() {
		t.Errorf("reply %+v", reply)
	}
	cb, ok := srv.Callback(in.ID)
	if !ok || cb.Type != discordgo.InteractionResponseChannelMessageWithSource || cb.Late || cb.Latency <= 0 {
		t.Errorf("callback %+v", cb)
	}

	var cbData discordgo.InteractionResponseData
	if err := cb.Decode(&cbData); err != nil || len(cbData.Embeds) != 1 || cbData.Embeds[0].Description != "«Shinzo Abe»" {
		t.Errorf("callback data %+v, %v", cbData, err)
	}

	follow, err := dg.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "nguồn: NHK", AllowedMentions: noPings, Flags: discordgo.MessageFlagsEphemeral})
	if err != nil || follow.ID == "" || follow.Content != "nguồn: NHK" {
		t.Fatalf("follow-up = %+v, %v", follow, err)
	}
	content := "«Shinzo Abe» (sửa)"
	edited, err := dg.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &content})
	if err != nil || edited.Content != content || edited.EditedTimestamp == nil {
		t.Fatalf("edit = %+v, %v", edited, err)
	}
	if _, err := dg.FollowupMessageEdit(in, follow.ID, &discordgo.WebhookEdit{Content: &content}); err != nil {
		t.Fatal(err)
	}
	orig, err := dg.InteractionResponse(in)
	if err != nil || orig.ID != reply.ID {
		t.Errorf("GET @original = %+v, %v", orig, err)
	}
	got, _ := srv.Message(reply.ID)
	if got.Content != content || got.Edits != 1 || len(got.Embeds) != 1 {
		t.Errorf("edited original %+v", got)
	}
	f, _ := srv.Message(follow.ID)
	if f.Kind != discordtest.KindFollowup || f.InteractionID != in.ID || f.Edits != 1 || !f.MentionsSuppressed() || !f.Ephemeral() {
		t.Errorf("follow-up %+v", f)
	}
	edits := 0
	for _, r := range srv.RequestsTo(discordtest.RouteWebhookMessageEdit) {
		if strings.Contains(r.Path, in.Token) {
			edits++
		}
	}
	if edits != 2 {
		t.Errorf("%d edit requests, want 2", edits)
	}
}

func testDMInteraction(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	sent := srv.SlashCommand(discordtest.Slash{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.StringOption("question", "x"),
	}, From: discordtest.From{DM: true}})
	in := received(t, ins, sent)
	if in.Member != nil || in.User == nil || in.User.ID != srv.User().ID || in.GuildID != "" || in.Locale != discordgo.EnglishUS {
		t.Errorf("DM interaction member %+v user %+v guild %q locale %q", in.Member, in.User, in.GuildID, in.Locale)
	}
	if in.ChannelID != srv.DMChannelID(srv.User().ID) {
		t.Errorf("channel %s", in.ChannelID)
	}
	// Deferred, then edited: the reply is the edit.
	if err := dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
		t.Fatal(err)
	}
	if m, err := srv.WaitForMessage(func(m discordtest.Message) bool { return m.InteractionID == in.ID }, wait); err != nil || !m.Deferred {
		t.Errorf("message after deferral %+v, %v", m, err)
	}
	content := "done"
	if _, err := dg.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &content}); err != nil {
		t.Fatal(err)
	}
	reply, err := srv.WaitForReply(in, wait)
	if err != nil || reply.Content != "done" || reply.Deferred {
		t.Errorf("reply %+v, %v", reply, err)
	}
}

func testCallbackRules(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	respond := func(in *discordgo.Interaction) error {
		return dg.InteractionRespond(in, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "ok"},
		})
	}

	in := received(t, ins, srv.SlashCommand(discordtest.Slash{Name: "articles"}))
	// A follow-up before the interaction is acknowledged has no webhook yet.
	_, err := dg.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Content: "early"})
	restError(t, err, http.StatusNotFound, 10015)
	if err := respond(in); err != nil {
		t.Fatal(err)
	}
	restError(t, respond(in), http.StatusBadRequest, 40060)

	// Late: past 3 s the callback is accepted but marked (Advance, not sleep).
	late := received(t, ins, srv.SlashCommand(discordtest.Slash{Name: "articles"}))
	srv.Advance(4 * time.Second)
	if err := respond(late); err != nil {
		t.Fatal(err)
	}
	if cb, _ := srv.Callback(late.ID); !cb.Late || cb.Latency < 4*time.Second {
		t.Errorf("late callback %+v", cb)
	}

	// The token lasts 15 minutes.
	srv.Advance(16 * time.Minute)
	_, err = dg.FollowupMessageCreate(late, true, &discordgo.WebhookParams{Content: "too late"})
	restError(t, err, http.StatusUnauthorized, 50027)

	// An empty message and an unknown interaction.
	fresh := received(t, ins, srv.SlashCommand(discordtest.Slash{Name: "articles"}))
	err = dg.InteractionRespond(fresh, &discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{}})
	restError(t, err, http.StatusBadRequest, 50006)
	err = dg.InteractionRespond(&discordgo.Interaction{ID: "1", Token: "nope"}, &discordgo.InteractionResponse{Type: 5})
	restError(t, err, http.StatusNotFound, 10062)
	// Autocomplete results are not a slash command's answer.
	err = dg.InteractionRespond(fresh, &discordgo.InteractionResponse{Type: 8, Data: &discordgo.InteractionResponseData{}})
	re := restError(t, err, http.StatusBadRequest, 50035)
	if code := formErrorCode(t, re.ResponseBody, "type"); code != "INTERACTION_RESPONSE_TYPE_INVALID" {
		t.Errorf("code %s", code)
	}
}

func testRejectLateCallbacks(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	srv.RejectLateCallbacks(true)
	defer srv.RejectLateCallbacks(false)
	in := received(t, ins, srv.SlashCommand(discordtest.Slash{Name: "ask"}))
	srv.Advance(3*time.Second + time.Millisecond)
	err := dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: 5})
	restError(t, err, http.StatusNotFound, 10062)
}

func testSlowCallback(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	in := received(t, ins, srv.SlashCommand(discordtest.Slash{Name: "ask"}))
	srv.DelayNext(discordtest.RouteInteractionCallback, 300*time.Millisecond)
	start := time.Now()
	if err := dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: 5}); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 300*time.Millisecond {
		t.Errorf("InteractionRespond returned after %v, before the injected delay", took)
	}
	req, err := srv.WaitForRequest(func(r discordtest.Request) bool { return strings.Contains(r.Path, in.Token) }, wait)
	if err != nil || req.Route != discordtest.RouteInteractionCallback || req.Fault == "" || req.Status != http.StatusNoContent {
		t.Errorf("callback request %+v, %v", req, err)
	}
}

func testAutocomplete(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	in := received(t, ins, srv.Autocomplete(discordtest.Slash{Name: "article", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.StringOption("title", "thủ"),
	}}))
	data := in.ApplicationCommandData()
	if in.Type != discordgo.InteractionApplicationCommandAutocomplete || !data.Options[0].Focused || data.Options[0].StringValue() != "thủ" {
		t.Fatalf("autocomplete %+v %+v", in, data.Options[0])
	}
	choices := func(n int) []*discordgo.ApplicationCommandOptionChoice {
		var out []*discordgo.ApplicationCommandOptionChoice
		for i := range n {
			out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: fmt.Sprintf("bài %d", i), Value: fmt.Sprint(i)})
		}
		return out
	}
	err := dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices(26)}})
	re := restError(t, err, http.StatusBadRequest, 50035)
	if code := formErrorCode(t, re.ResponseBody, "data", "choices"); code != "BASE_TYPE_MAX_LENGTH" {
		t.Errorf("code %s", code)
	}
	err = dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices(25)}})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := srv.WaitForCallback(in, wait)
	if err != nil || len(cb.Choices) != 25 || cb.Choices[24].Name != "bài 24" {
		t.Errorf("callback %+v, %v", cb, err)
	}
}

func testButtonClick(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	posted, err := dg.ChannelMessageSendComplex(srv.ChannelID(), &discordgo.MessageSend{
		Content: "trang 1",
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "Tiếp", Style: discordgo.PrimaryButton, CustomID: "page:2"},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	sent := srv.Button(discordtest.Click{CustomID: "page:2"})
	in := received(t, ins, sent)
	if in.Type != discordgo.InteractionMessageComponent || in.MessageComponentData().CustomID != "page:2" ||
		in.Message == nil || in.Message.ID != posted.ID || len(in.Message.Components) != 1 {
		t.Fatalf("component interaction %+v", in)
	}
	err = dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Content: "trang 2"}})
	if err != nil {
		t.Fatal(err)
	}
	reply, err := srv.WaitForReply(sent, wait)
	if err != nil || reply.ID != posted.ID || reply.Content != "trang 2" || reply.Edits != 1 {
		t.Errorf("reply %+v, %v", reply, err)
	}
}

func testCommandsBulkOverwrite(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, _ <-chan *discordgo.InteractionCreate) {
	vi := map[discordgo.Locale]string{discordgo.Vietnamese: "hỏi"}
	viDesc := map[discordgo.Locale]string{discordgo.Vietnamese: "Hỏi về các bài báo"}
	maxLen := 500
	cmds := []*discordgo.ApplicationCommand{
		{Name: "ask", NameLocalizations: &vi, Description: "Ask about the articles", DescriptionLocalizations: &viDesc,
			Options: []*discordgo.ApplicationCommandOption{{Type: discordgo.ApplicationCommandOptionString, Name: "question",
				Description: "Your question", Required: true, MaxLength: maxLen}}},
		{Name: "article", Description: "Show an article", Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "Title", Required: true, Autocomplete: true}}},
	}
	got, err := dg.ApplicationCommandBulkOverwrite(srv.AppID(), srv.GuildID(), cmds)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID == "" || got[0].GuildID != srv.GuildID() || got[0].ApplicationID != srv.AppID() ||
		(*got[0].NameLocalizations)[discordgo.Vietnamese] != "hỏi" {
		t.Errorf("overwrite answered %+v", got)
	}
	listed, err := srv.WaitForCommands(srv.GuildID(), wait)
	if err != nil || len(listed) != 2 || listed[0].Options[0].MaxLength != maxLen {
		t.Errorf("registered %+v, %v", listed, err)
	}
	if global := srv.Commands(""); len(global) != 0 {
		t.Errorf("global commands %+v", global)
	}
	// Overwriting keeps the ids of commands that stay.
	again, err := dg.ApplicationCommandBulkOverwrite(srv.AppID(), srv.GuildID(), cmds[:1])
	if err != nil || len(again) != 1 || again[0].ID != got[0].ID {
		t.Errorf("second overwrite %+v, %v", again, err)
	}
	// A slash command for a registered name carries its id.
	sent := srv.SlashCommand(discordtest.Slash{Name: "ask", Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("question", "q")}})
	if sent.ApplicationCommandData().ID != got[0].ID {
		t.Errorf("interaction command id %s, want %s", sent.ApplicationCommandData().ID, got[0].ID)
	}

	bad := []struct {
		name string
		cmd  *discordgo.ApplicationCommand
		path []string
		code string
	}{
		{"upper case", &discordgo.ApplicationCommand{Name: "Ask", Description: "d"}, []string{"0", "name"}, "APPLICATION_COMMAND_INVALID_NAME"},
		{"space", &discordgo.ApplicationCommand{Name: "ask me", Description: "d"}, []string{"0", "name"}, "STRING_TYPE_REGEX"},
		{"33 letters", &discordgo.ApplicationCommand{Name: strings.Repeat("a", 33), Description: "d"}, []string{"0", "name"}, "STRING_TYPE_REGEX"},
		{"no description", &discordgo.ApplicationCommand{Name: "ask"}, []string{"0", "description"}, "BASE_TYPE_BAD_LENGTH"},
		{"long description", &discordgo.ApplicationCommand{Name: "ask", Description: strings.Repeat("é", 101)}, []string{"0", "description"}, "BASE_TYPE_BAD_LENGTH"},
		{"long localized description", &discordgo.ApplicationCommand{Name: "ask", Description: "d",
			DescriptionLocalizations: &map[discordgo.Locale]string{discordgo.Vietnamese: strings.Repeat("ệ", 101)}},
			[]string{"0", "description_localizations", "vi"}, "BASE_TYPE_BAD_LENGTH"},
		{"26 options", &discordgo.ApplicationCommand{Name: "ask", Description: "d", Options: manyOptions(26)}, []string{"0", "options"}, "BASE_TYPE_MAX_LENGTH"},
		{"max_length 6001", &discordgo.ApplicationCommand{Name: "ask", Description: "d", Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: "q", Description: "q", MaxLength: 6001}}}, []string{"0", "options", "0", "max_length"}, "NUMBER_TYPE_MAX"},
		{"26 choices", &discordgo.ApplicationCommand{Name: "ask", Description: "d", Options: []*discordgo.ApplicationCommandOption{{
			Type: discordgo.ApplicationCommandOptionString, Name: "q", Description: "q", Choices: manyChoices(26)}}}, []string{"0", "options", "0", "choices"}, "BASE_TYPE_MAX_LENGTH"},
	}
	for _, tc := range bad {
		_, err := dg.ApplicationCommandBulkOverwrite(srv.AppID(), "", []*discordgo.ApplicationCommand{tc.cmd})
		re := restError(t, err, http.StatusBadRequest, 50035)
		if code := formErrorCode(t, re.ResponseBody, tc.path...); code != tc.code {
			t.Errorf("%s: code %s, want %s", tc.name, code, tc.code)
		}
	}
	if len(srv.Commands("")) != 0 {
		t.Error("a refused overwrite registered commands")
	}
	// Names in other scripts are fine when lower case.
	if _, err := dg.ApplicationCommandBulkOverwrite(srv.AppID(), "", []*discordgo.ApplicationCommand{{Name: "hỏi", Description: "d"}, {Name: "पूछो", Description: "d"}}); err != nil {
		t.Error(err)
	}
}

func testOptionsAndModal(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	role := srv.AddRole("readers", 0)
	sent := srv.SlashCommand(discordtest.Slash{Name: "digest", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.SubCommandGroup("schedule", discordtest.SubCommand("add",
			discordtest.ChannelOption("channel", srv.ChannelID()),
			discordtest.RoleOption("role", role),
			discordtest.UserOption("owner", srv.User().ID),
			discordtest.NumberOption("hours", 1.5),
		)),
	}, From: discordtest.From{Roles: []string{role}}})
	in := received(t, ins, sent)
	data := in.ApplicationCommandData()
	add := data.Options[0].Options[0]
	if add.Name != "add" || add.GetOption("channel").ChannelValue(nil).ID != srv.ChannelID() ||
		add.GetOption("role").RoleValue(nil, "").ID != role || add.GetOption("owner").UserValue(nil).ID != srv.User().ID ||
		add.GetOption("hours").FloatValue() != 1.5 {
		t.Errorf("options %+v", add)
	}
	r := data.Resolved
	if r == nil || r.Channels[srv.ChannelID()] == nil || r.Roles[role] == nil || r.Users[srv.User().ID] == nil || r.Members[srv.User().ID] == nil {
		t.Errorf("resolved %+v", r)
	}
	if !strings.Contains(strings.Join(in.Member.Roles, ","), role) {
		t.Errorf("member roles %v", in.Member.Roles)
	}

	modal := func(title string) error {
		return dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal,
			Data: &discordgo.InteractionResponseData{CustomID: "digest:new", Title: title, Components: []discordgo.MessageComponent{
				discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.TextInput{CustomID: "cron", Label: "Cron", Style: discordgo.TextInputShort}}},
			}}})
	}
	re := restError(t, modal(strings.Repeat("t", 46)), http.StatusBadRequest, 50035)
	if code := formErrorCode(t, re.ResponseBody, "data", "title"); code != "BASE_TYPE_BAD_LENGTH" {
		t.Errorf("code %s", code)
	}
	if err := modal("Lịch tóm tắt"); err != nil {
		t.Fatal(err)
	}
	if cb, err := srv.WaitForCallback(in, wait); err != nil || cb.Type != discordgo.InteractionResponseModal {
		t.Errorf("callback %+v, %v", cb, err)
	}

	// Autocomplete focuses the named option inside sub-commands.
	ac := received(t, ins, srv.Autocomplete(discordtest.Slash{Name: "digest", Focused: "channel", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.SubCommand("remove", discordtest.StringOption("channel", "gen"), discordtest.StringOption("other", "x")),
	}}))
	if opts := ac.ApplicationCommandData().Options[0].Options; !opts[0].Focused || opts[1].Focused {
		t.Errorf("focus %+v %+v", opts[0], opts[1])
	}
}

func manyOptions(n int) []*discordgo.ApplicationCommandOption {
	var out []*discordgo.ApplicationCommandOption
	for i := range n {
		out = append(out, &discordgo.ApplicationCommandOption{Type: discordgo.ApplicationCommandOptionString, Name: fmt.Sprintf("o%d", i), Description: "d"})
	}
	return out
}

func manyChoices(n int) []*discordgo.ApplicationCommandOptionChoice {
	var out []*discordgo.ApplicationCommandOptionChoice
	for i := range n {
		out = append(out, &discordgo.ApplicationCommandOptionChoice{Name: fmt.Sprint(i), Value: fmt.Sprint(i)})
	}
	return out
}

func testAttachment(t *testing.T, srv *discordtest.Server, dg *discordgo.Session, ins <-chan *discordgo.InteractionCreate) {
	data := []byte("Tiêu đề\nNội dung bài báo.\n")
	id := srv.AddAttachment("bai.txt", "text/plain; charset=utf-8", data)
	sent := srv.SlashCommand(discordtest.Slash{Name: "add", Options: []*discordgo.ApplicationCommandInteractionDataOption{
		discordtest.AttachmentOption("file", id),
	}})
	in := received(t, ins, sent)
	opt := in.ApplicationCommandData().GetOption("file")
	if opt == nil || opt.Type != discordgo.ApplicationCommandOptionAttachment {
		t.Fatalf("option %+v", opt)
	}
	a := in.ApplicationCommandData().Resolved.Attachments[opt.Value.(string)]
	if a == nil || a.Filename != "bai.txt" || a.Size != len(data) || a.URL == "" {
		t.Fatalf("resolved attachment %+v", a)
	}
	// The CDN needs no token: a plain client downloads it.
	resp, err := http.Get(a.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(got) != string(data) || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("download: %d %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), got)
	}
	if r := srv.RequestsTo(discordtest.RouteAttachment); len(r) != 1 || r[0].Status != http.StatusOK {
		t.Errorf("attachment requests %+v", r)
	}
	if resp, err := http.Get(srv.URL() + "/attachments/uploads/" + id + "/other.txt"); err != nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("wrong file name: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	_ = dg.InteractionRespond(in, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Content: "ok"}})
}
