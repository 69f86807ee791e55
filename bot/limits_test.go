package bot

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/retrieval"
)

// hugeArticles are articles built to break every limit: a passage of 20,000
// characters with no sentence end, titles, sources and URLs far too long,
// and Markdown characters everywhere, which escaping doubles.
func hugeArticles() []retrieval.Article {
	var arts []retrieval.Article
	long := strings.Repeat("kangaroo *jumps* over the _fence_ near `Sydney` | ", 400)
	arts = append(arts, retrieval.Article{
		ID: "huge", Language: "en", Title: strings.Repeat("Kangaroo [title] ", 40), Source: strings.Repeat("Source*", 60),
		URL:  "https://example.com/" + strings.Repeat("kangaroo/", 150),
		Body: long,
	})
	for i := range 30 {
		arts = append(arts, retrieval.Article{
			ID: fmt.Sprintf("kangaroo-%02d-%s", i, strings.Repeat("x", 90)), Language: "en",
			Title: fmt.Sprintf("Kangaroo report %d: %s", i, strings.Repeat("**bold** ", 30)),
			URL:   fmt.Sprintf("https://example.com/k/%d?q=(a)&r=<b>", i), Source: "Outback ~~News~~",
			Body: fmt.Sprintf("Report %d. %s The kangaroo population near the fence grew again this year.", i, strings.Repeat("@everyone <@&1> ", 80)),
		})
	}
	return arts
}

// TestLimits: answers, searches and lists made of such articles, with many
// results per page and snippets allowed to be as long as passages, are all
// accepted by the local Discord, which checks every limit.
func TestLimits(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	db := newDB(t)
	if _, err := db.Put(hugeArticles()); err != nil {
		t.Fatal(err)
	}
	startBot(t, srv, db, func(c *Config) {
		c.Results = 25
		c.Params.SnippetChars = 30000
		c.Params.MinConfidence = 0 // every answer confident: all results quoted
	}, nil)
	from := discordtest.From{User: newUser(t, srv)}
	_, reply := ask(t, srv, from, "Did the kangaroo population near the fence grow again this year?")
	if len(reply.Embeds) != 1 || !strings.Contains(reply.Embeds[0].Description, "kangaroo") {
		t.Errorf("answer:\n%s", text(reply))
	}
	if n := strings.Count("\n\n"+reply.Embeds[0].Description, "\n\n> "); n < 10 {
		t.Errorf("only %d results shown:\n%s", n, text(reply))
	}
	_, reply = slash(t, srv, "search", from, discordtest.StringOption("query", "kangaroo population"))
	if n := len(reply.Embeds[0].Fields); n != searchShown {
		t.Errorf("search shows %d articles, want %d", n, searchShown)
	}
	_, reply = slash(t, srv, "articles", from)
	_, reply = slash(t, srv, "article", from, discordtest.StringOption("id", "huge"))
	if reply.Embeds == nil {
		t.Errorf("/article huge: %+v", reply)
	}
	m := srv.DirectMessage(discordtest.Msg{Content: "Did the kangaroo population near the fence grow again this year?", From: from})
	if reply, err := srv.WaitForReplyTo(m, wait); err != nil || reply.Embeds == nil {
		t.Errorf("DM: %+v, %v", reply, err)
	}
	for _, r := range srv.Requests() {
		if r.Status == http.StatusBadRequest {
			t.Errorf("%s %s refused: %s", r.Method, r.Path, r.Response)
		}
	}
}
