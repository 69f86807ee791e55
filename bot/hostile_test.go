package bot

import (
	"strings"
	"testing"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/bot/discordtest"
	"github.com/baobot/baobot/retrieval"
)

// hostileArticles hold what people paste into news: mentions, Markdown,
// links to scripts, zalgo and right-to-left text. (Control characters never
// reach the database: ingest drops them, see ingest/controls_test.go.)
func hostileArticles() []retrieval.Article {
	return []retrieval.Article{
		{ID: "club", Language: "vi", Title: "@everyone họp khẩn <@&123>", Source: "CLB `cờ` ||vua||", URL: "javascript:alert(1)",
			Body: "Câu lạc bộ cờ vua thông báo @everyone @here <@&123> <@456> <#789> họp ||bí mật|| tại phòng `A1`, xem [đây](javascript:alert(1)) hoặc [kia](https://evil.example/@everyone) **ngay** __bây giờ__ ~~không~~ > trích\n# tiêu đề giả"},
		{ID: "zalgo", Language: "vi", Title: "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇", Body: "Văn bản zalgo: b̷̢͠ã̴o̸ ̶l̵ũ̷ ̸ở̶ ̵H̷u̴ế̸ gây ngập nặng ở nhiều phường."},
		{ID: "rtl", Title: "مرحبا بالعالم", Body: "هذا نص عربي عن الطقس في القاهرة والأمطار الغزيرة. שלום עולם, גשם כבד בתל אביב \u202eגשם."},
		{ID: "hail", Language: "vi", Title: "Mưa đá ở Sa Pa", Body: "Mưa đá bất thường ở Sa Pa làm hỏng hoa màu."},
	}
}

// safeReply fails t unless m is safe to show: it pings nobody (allowed
// mentions), every "@" of its text is escaped, its links go to http(s)
// URLs only, and it holds no control character but line breaks.
func safeReply(t *testing.T, m discordtest.Message) {
	t.Helper()
	checkReply(t, m)
	texts := []string{m.Content}
	for _, e := range m.Embeds {
		texts = append(texts, e.Title, e.Description)
		for _, f := range e.Fields {
			texts = append(texts, f.Name, f.Value)
		}
		if e.Footer != nil {
			texts = append(texts, e.Footer.Text)
		}
	}
	for _, s := range texts {
		text, targets := linkTargets(s)
		if i := unescaped(text, "@"); i >= 0 {
			t.Errorf("an unescaped @ at %d of %q", i, text)
		}
		for _, target := range targets {
			if !strings.HasPrefix(target, "https://") && !strings.HasPrefix(target, "http://") {
				t.Errorf("a link to %q in %q", target, s)
			}
		}
		if i := strings.IndexFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' }); i >= 0 {
			t.Errorf("a control character at %d of %q", i, s)
		}
	}
}

// TestHostileQuestions asks, by /ask and by direct message, what people
// type or paste; each gets a safe answer or a clear message, in Vietnamese.
func TestHostileQuestions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	db := newDB(t)
	if _, err := db.Put(hostileArticles()); err != nil {
		t.Fatal(err)
	}
	startBot(t, srv, db, func(c *Config) { c.RateLimit = 0 }, nil)
	from := discordtest.From{User: newUser(t, srv), Locale: discordgo.Vietnamese}
	tests := []struct {
		name, question string
		want           string // in the reply
	}{
		{"invalid UTF-8 (JSON carries it as U+FFFD)", "\xff\xfe mưa đá Sa Pa \xc3\x28", "Sa Pa"},
		{"NUL and control characters", "mưa\x00 đá\a Sa Pa\x1b[2J\u009b", "Sa Pa"},
		{"6,000 characters, Discord's most for an option", strings.Repeat("mua da ", 858)[:6000], "quá dài"},
		{"zalgo", "b̷̢͠ã̴o̸ l̵ũ̷ ở Huế", "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇"},
		{"right-to-left", "الأمطار الغزيرة في القاهرة", "القاهرة"},
		{"a right-to-left override", "\u202eגשם כבד", "גשם"},
		{"emoji only", "🙂🙂🙂", "chữ"},
		{"mentions and Markdown", "@everyone <@&123> `x` ||y|| [a](javascript:alert(1)) câu lạc bộ cờ vua họp", "cờ vua"},
		{"a question that is a heading and a quote", "# > **cờ vua** họp ở đâu?", "A1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, reply := ask(t, srv, from, tt.question)
			safeReply(t, reply)
			if got := unescape(text(reply)); !strings.Contains(got, tt.want) {
				t.Errorf("reply lacks %q:\n%s", tt.want, got)
			}
		})
	}
	// A direct message may be longer than an option: 4,000 characters
	// (Discord's most, with Nitro).
	m := srv.DirectMessage(discordtest.Msg{Content: strings.Repeat("mua da ", 572)[:4000], From: from})
	reply, err := srv.WaitForReplyTo(m, wait)
	if err != nil {
		t.Fatal(err)
	}
	safeReply(t, reply)
	if !strings.Contains(text(reply), "quá dài") {
		t.Errorf("a 4,000-character DM: %s", text(reply))
	}
	// What the hostile articles look like elsewhere: /search, /articles,
	// /article.
	_, reply = slash(t, srv, "search", from, discordtest.StringOption("query", "cờ vua"))
	safeReply(t, reply)
	_, reply = slash(t, srv, "articles", from)
	safeReply(t, reply)
	for _, a := range hostileArticles() {
		_, reply = slash(t, srv, "article", from, discordtest.StringOption("id", a.ID))
		safeReply(t, reply)
	}
}
