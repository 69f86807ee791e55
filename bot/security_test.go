package bot

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/messages"
)

// TestAdminCheckedByTheBot forges what Discord's default_member_permissions
// would normally hide: admin commands sent by members holding every
// permission but Manage Server and Administrator. The bot refuses each from
// the member's permissions in the interaction, changes nothing and
// downloads nothing; autocomplete of an admin command suggests nothing.
// Administrator alone is enough.
func TestAdminCheckedByTheBot(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	db := newDB(t)
	startBot(t, srv, db, nil, nil)
	almostAll := int64(discordgo.PermissionAll) &^ (discordgo.PermissionManageGuild | discordgo.PermissionAdministrator)
	from := func() discordtest.From {
		return discordtest.From{User: newUser(t, srv), Permissions: almostAll}
	}
	if isAdmin(&discordgo.Member{Permissions: almostAll}) {
		t.Fatal("isAdmin without Manage Server")
	}

	before, _ := db.Stats()
	file := srv.AddAttachment("forged.txt", "text/plain", []byte(txt))
	channel := discordtest.ChannelOption("channel", srv.ChannelID())
	for _, c := range []struct {
		name string
		opts []*discordgo.ApplicationCommandInteractionDataOption
	}{
		{"add", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.AttachmentOption("file", file)}},
		{"remove", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("id", "seed-000_motegi_blinken_call")}},
		{"digest", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.SubCommand("subscribe", channel, discordtest.StringOption("schedule", "daily 08:00"))}},
		{"digest", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.SubCommand("now", channel)}},
		{"digest", []*discordgo.ApplicationCommandInteractionDataOption{discordtest.SubCommand("list")}},
	} {
		_, reply := slash(t, srv, c.name, from(), c.opts...)
		if reply.Content != messages.Get(messages.English, messages.AdminOnly) || !reply.Ephemeral() {
			t.Errorf("forged /%s: %q (ephemeral %v), want the admin-only refusal", c.name, reply.Content, reply.Ephemeral())
		}
	}
	if after, _ := db.Stats(); after != before {
		t.Errorf("the collection changed: %+v → %+v", before, after)
	}
	if n := len(srv.RequestsTo(discordtest.RouteAttachment)); n != 0 {
		t.Errorf("%d attachment downloads for forged commands", n)
	}
	for _, m := range srv.Messages() {
		if m.Kind == discordtest.KindChannel {
			t.Errorf("a forged command made the bot post in channel %s: %q", m.ChannelID, text(m))
		}
	}

	ac := srv.Autocomplete(discordtest.Slash{Name: "remove", From: from(),
		Options: []*discordgo.ApplicationCommandInteractionDataOption{discordtest.StringOption("id", "điện đàm")}})
	if cb, err := srv.WaitForCallback(ac, wait); err != nil || len(cb.Choices) != 0 {
		t.Errorf("forged /remove autocomplete: %d choices, %v; want none", len(cb.Choices), err)
	}

	admin := discordtest.From{User: newUser(t, srv), Permissions: discordgo.PermissionAdministrator}
	if _, reply := slash(t, srv, "remove", admin, discordtest.StringOption("id", "nope")); reply.Content != messages.Get(messages.English, messages.NoSuchArticle, "`nope`") {
		t.Errorf("/remove by an Administrator: %q", reply.Content)
	}
}

// TestAttachmentURLs: /add fetches nothing but Discord attachments. Any
// other host, scheme or port, user info, or a redirect leaving Discord is
// refused before a request is made; a file over the limit is refused
// whether or not its length is announced.
func TestAttachmentURLs(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		_, _ = w.Write([]byte("secret"))
	}))
	defer other.Close()
	const limit = 64
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/attachments/1/2/ok.txt":
			_, _ = w.Write([]byte("Tiêu đề\nMột câu.\n"))
		case "/attachments/1/2/away.txt":
			http.Redirect(w, r, other.URL+"/x.txt", http.StatusFound)
		case "/attachments/1/2/big.txt":
			w.Header().Set("Content-Length", "65")
			_, _ = w.Write([]byte(strings.Repeat("x", 65)))
		case "/attachments/1/2/unannounced.txt":
			w.(http.Flusher).Flush() // chunked: no Content-Length
			_, _ = w.Write([]byte(strings.Repeat("x", 65)))
		default:
			http.NotFound(w, r)
		}
	}))
	defer api.Close()
	b, err := New(Config{Token: testToken, APIURL: api.URL, MaxFileBytes: limit}, newDB(t))
	if err != nil {
		t.Fatal(err)
	}

	if data, err := b.download(api.URL + "/attachments/1/2/ok.txt"); err != nil || !strings.HasPrefix(string(data), "Tiêu đề") {
		t.Errorf("an attachment on the API host: %q, %v", data, err)
	}
	for _, raw := range []string{
		api.URL + "/attachments/1/2/big.txt",
		api.URL + "/attachments/1/2/unannounced.txt",
	} {
		if _, err := b.download(raw); !errors.Is(err, ingest.ErrTooLarge) {
			t.Errorf("%s: %v, want ErrTooLarge", raw, err)
		}
	}
	apiURL, _ := url.Parse(api.URL)
	otherURL, _ := url.Parse(other.URL)
	for _, raw := range []string{
		other.URL + "/x.txt", // another port of the same machine
		"http://" + strings.Replace(apiURL.Host, "127.0.0.1", "localhost", 1) + "/attachments/1/2/ok.txt", // another name for it
		"https://" + apiURL.Host + "/attachments/1/2/ok.txt",                                              // another scheme
		"http://cdn.discordapp.com/attachments/1/2/ok.txt",                                                // Discord's CDN without TLS
		"https://cdn.discordapp.com.evil.example/attachments/1/2/ok.txt",
		"https://user:pass@cdn.discordapp.com/attachments/1/2/ok.txt",
		"http://" + apiURL.Host + "@" + otherURL.Host + "/x.txt",
		"file:///etc/passwd",
		"http://169.254.169.254/latest/meta-data/",
		api.URL + "/attachments/1/2/away.txt", // a redirect off Discord
	} {
		if _, err := b.download(raw); err == nil {
			t.Errorf("%s was downloaded", raw)
		}
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("%d requests reached a host that is not Discord's", n)
	}
	for _, raw := range []string{
		"https://cdn.discordapp.com/ephemeral-attachments/1/2/a.txt",
		"https://media.discordapp.net/attachments/1/2/a.txt",
		"https://CDN.discordapp.com/attachments/1/2/a.txt",
	} {
		u, _ := url.Parse(raw)
		if err := b.checkAttachmentURL(u); err != nil {
			t.Errorf("%s refused: %v", raw, err)
		}
	}
}
