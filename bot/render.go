package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// Rendering: what every reply looks like, as pure functions of what it
// shows. Article text is escaped for Markdown before anything is added to
// it, every length is cut to Discord's limits (at a sentence or a word, with
// an ellipsis), and no link is ever left bare in message content, so nothing
// unfurls into a preview.

// Discord's limits, in code points.
const (
	maxContent     = 2000
	maxEmbedTitle  = 256
	maxDescription = 4096
	maxFields      = 25
	maxFieldName   = 256
	maxFieldValue  = 1024
	maxFooter      = 2048
	maxEmbedTotal  = 6000
	maxLabel       = 80
	maxCustomID    = 100
	maxChoiceName  = 100
	maxChoiceValue = 100
)

// Shapes of baobot's own replies, within those limits.
const (
	maxQuote      = 700  // one quoted snippet
	maxTitleShown = 100  // an article title in a source line or a list
	maxSourceName = 60   // a source name
	maxWordShown  = 40   // a word of the question said to be misspelled
	maxLinkURL    = 300  // a longer URL is not linked: its characters are better spent on text
	maxLead       = 1500 // the lead of an article in /article
	articlesShown = 10   // articles per /articles page
	searchShown   = 10   // articles in a /search reply
	embedColor    = 0x2f6fb3
)

// reply is a message the bot sends, whichever way it goes out (interaction
// response, follow-up, edit, channel message): see send.go.
type reply struct {
	content    string
	embeds     []*discordgo.MessageEmbed
	components []discordgo.MessageComponent
	ephemeral  bool
}

// textReply is a reply of plain text, cut to the content limit.
func textReply(text string, ephemeral bool) reply {
	return reply{content: cut(text, maxContent), ephemeral: ephemeral}
}

// page says which part of an answer a reply shows and how to go on.
type page struct {
	offset int    // results shown before this page
	shown  uint64 // the storage.ShownAnswer behind the buttons; 0: no buttons
	more   bool   // more results exist after this page
}

// renderAnswer renders a page of an answer: the question, then each result
// as a block quote with its matched words in bold and a source line. The
// first page of an answer that is not confident says so and lists the
// closest articles instead.
func renderAnswer(ans retrieval.Answer, p page, lang messages.Lang) reply {
	title := escapedWithin(ans.Question, maxEmbedTitle)
	switch {
	case len(ans.Results) == 0 && p.offset == 0:
		return reply{embeds: []*discordgo.MessageEmbed{{
			Title: title, Color: embedColor,
			Description: messages.Get(lang, messages.NoResults) + "\n" + messages.Get(lang, messages.TryOtherWords),
		}}}
	case len(ans.Results) == 0:
		return textReply(messages.Get(lang, messages.NoMoreResults), true)
	case !ans.Confident && p.offset == 0:
		return renderNotConfident(ans, title, lang)
	}
	n := len(ans.Results)
	said := corrections(ans.Corrections, lang)
	budget := (maxDescription - 2*(n-1)) / n
	if said != "" {
		budget = (maxDescription - 2*n - runes(said)) / n
	}
	blocks := make([]string, 0, n)
	titles := min(maxTitleShown, max(budget/4, 30)) // shorter titles when many results share the space
	for _, r := range ans.Results {
		source := sourceLine(r, lang, titles, true)
		if runes(source) > budget/2 {
			source = sourceLine(r, lang, titles, false)
		}
		quote := quoteWithin(r.Snippet, r.Marks, min(maxQuote, budget-runes(source)-4))
		blocks = append(blocks, "> "+quote+"\n"+source)
	}
	footer := messages.Get(lang, messages.AnswerPage, p.offset+1, p.offset+n)
	if said != "" {
		blocks = append([]string{said}, blocks...)
	}
	return reply{
		embeds: []*discordgo.MessageEmbed{{
			Title: title, Color: embedColor,
			Description: joinWithin(blocks, "\n\n", maxDescription),
			Footer:      &discordgo.MessageEmbedFooter{Text: footer},
		}},
		components: answerButtons(p, lang),
	}
}

// renderNotConfident is the short reply for an answer nothing in the
// collection supports well: it says so, names the closest articles and
// suggests /search or other words.
func renderNotConfident(ans retrieval.Answer, title string, lang messages.Lang) reply {
	lines := []string{messages.Get(lang, messages.NotConfidentShort), "", "**" + messages.Get(lang, messages.ClosestArticles) + "**"}
	if said := corrections(ans.Corrections, lang); said != "" {
		lines = append([]string{said}, lines...)
	}
	seen := map[string]bool{}
	for _, r := range ans.Results {
		if seen[r.Article.ID] {
			continue
		}
		seen[r.Article.ID] = true
		line := "• " + maskedLink(escapedWithin(r.Article.DisplayTitle(), maxTitleShown), r.Article.URL)
		if r.Article.Source != "" {
			line += " · " + escapedWithin(r.Article.Source, maxSourceName)
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", messages.Get(lang, messages.TryOtherWords))
	return reply{embeds: []*discordgo.MessageEmbed{{
		Title: title, Color: embedColor, Description: joinWithin(lines, "\n", maxDescription),
	}}}
}

// corrections says, a line each, which words of the question no article
// holds and what was searched instead; "" when none.
func corrections(cs []retrieval.Correction, lang messages.Lang) string {
	lines := make([]string, 0, len(cs))
	for _, c := range cs {
		lines = append(lines, messages.Get(lang, messages.ReadAs, escapedWithin(c.Typed, maxWordShown), escapedWithin(c.Read, maxWordShown)))
	}
	return strings.Join(lines, "\n")
}

// sourceLine names where a result comes from: the article title (at most
// maxTitle code points, escaped), linked to its URL when there is one and
// link is set, its source, date and passage number.
func sourceLine(r retrieval.Result, lang messages.Lang, maxTitle int, link bool) string {
	title := escapedWithin(r.Article.DisplayTitle(), maxTitle)
	if link {
		title = maskedLink(title, r.Article.URL)
	}
	parts := []string{title}
	parts = append(parts, articleFacts(r.Article.Source, r.Article.Published)...)
	parts = append(parts, messages.Get(lang, messages.PassageLabel, r.Passage))
	return "— " + strings.Join(parts, " · ")
}

// articleFacts are the source and date of an article, those that are known.
func articleFacts(source string, published time.Time) []string {
	var out []string
	if source = strings.TrimSpace(source); source != "" {
		out = append(out, escapedWithin(source, maxSourceName))
	}
	if !published.IsZero() {
		out = append(out, published.Format("2006-01-02"))
	}
	return out
}

// answerButtons are "More results" (when there are more) and the two
// feedback buttons, for a page saved as a ShownAnswer.
func answerButtons(p page, lang messages.Lang) []discordgo.MessageComponent {
	if p.shown == 0 {
		return nil
	}
	var row []discordgo.MessageComponent
	if p.more {
		row = append(row, discordgo.Button{
			Label: cut(messages.Get(lang, messages.MoreResults), maxLabel), Style: discordgo.PrimaryButton,
			CustomID: moreID(p.shown),
		})
	}
	row = append(row,
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👍"}, Style: discordgo.SecondaryButton, CustomID: voteID(p.shown, true)},
		discordgo.Button{Emoji: &discordgo.ComponentEmoji{Name: "👎"}, Style: discordgo.SecondaryButton, CustomID: voteID(p.shown, false)},
	)
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: row}}
}

// renderSearch lists the articles that match a query, each with its best
// snippet, one field per article.
func renderSearch(query string, results []retrieval.Result, cs []retrieval.Correction, lang messages.Lang) reply {
	title := escapedWithin(messages.Get(lang, messages.SearchTitle, query), maxEmbedTitle)
	if len(results) == 0 {
		return reply{embeds: []*discordgo.MessageEmbed{{
			Title: title, Color: embedColor,
			Description: messages.Get(lang, messages.NoResults) + "\n" + messages.Get(lang, messages.TryOtherWords),
		}}}
	}
	results = results[:min(len(results), searchShown, maxFields)]
	n := len(results)
	// The fields share what the title and the corrections leave of the
	// embed's total.
	said := corrections(cs, lang)
	budget := (maxEmbedTotal - runes(title) - runes(said) - 100) / n
	fields := make([]*discordgo.MessageEmbedField, 0, n)
	for i, r := range results {
		name := fmt.Sprintf("%d. ", i+1) + escapedWithin(r.Article.DisplayTitle(), maxTitleShown)
		room := min(maxFieldValue, budget-runes(name))
		facts := articleFacts(r.Article.Source, r.Article.Published)
		facts = append(facts, messages.Get(lang, messages.PassageLabel, r.Passage))
		meta := "— " + strings.Join(facts, " · ")
		if u := linkURL(r.Article.URL); u != "" && runes(meta)+runes(u) < room/2 {
			meta += " · [🔗](" + u + ")"
		}
		quote := quoteWithin(r.Snippet, r.Marks, max(room-runes(meta)-3, 40))
		fields = append(fields, &discordgo.MessageEmbedField{Name: name, Value: "> " + quote + "\n" + meta})
	}
	return reply{embeds: []*discordgo.MessageEmbed{{Title: title, Color: embedColor, Description: said, Fields: fields}}}
}

// renderArticles is one page of the list of articles, newest first.
func renderArticles(infos []storage.ArticleInfo, total, pageNo, pages int, lang messages.Lang) reply {
	title := messages.Get(lang, messages.ArticlesHeader, total)
	if total == 0 {
		return reply{embeds: []*discordgo.MessageEmbed{{Title: title, Color: embedColor,
			Description: messages.Get(lang, messages.ArticlesEmpty)}}, ephemeral: true}
	}
	lines := make([]string, 0, len(infos))
	budget := maxDescription/max(len(infos), 1) - 1
	for _, info := range infos {
		head := codeSpan(cut(info.ID, 60)) + " · "
		tail := articleFacts(info.Source, info.Published)
		tail = append(tail, messages.Get(lang, messages.PassagesLabel)+" "+strconv.Itoa(info.Passages))
		rest := " · " + strings.Join(tail, " · ")
		line := codeSpan(cut(info.ID, 60)) + rest
		if title := strings.TrimSpace(info.Title); title != "" {
			name := escapedWithin(title, min(maxTitleShown, budget-runes(head)-runes(rest)))
			if line = head + maskedLink(name, info.URL) + rest; runes(line) > budget {
				line = head + name + rest
			}
		}
		lines = append(lines, line)
	}
	return reply{
		embeds: []*discordgo.MessageEmbed{{
			Title: title, Color: embedColor, Description: joinWithin(lines, "\n", maxDescription),
			Footer: &discordgo.MessageEmbedFooter{Text: messages.Get(lang, messages.ArticlesPage, pageNo, pages)},
		}},
		ephemeral: true,
	}
}

// renderArticle shows one article: title (linked), id, source, date,
// passage count and its lead.
func renderArticle(a retrieval.Article, info storage.ArticleInfo, lang messages.Lang) reply {
	e := &discordgo.MessageEmbed{
		Title: escapedWithin(a.DisplayTitle(), maxEmbedTitle), URL: linkURL(a.URL), Color: embedColor,
		Description: escapedWithin(lead(a), maxLead),
	}
	field := func(label messages.Key, value string) {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: messages.Get(lang, label), Value: value, Inline: true})
	}
	field(messages.IDLabel, codeSpan(cut(a.ID, 200)))
	if a.Source != "" {
		field(messages.SourceLabel, escapedWithin(a.Source, 200))
	}
	if !a.Published.IsZero() {
		field(messages.PublishedLabel, a.Published.Format("2006-01-02 15:04 MST"))
	}
	field(messages.PassagesLabel, strconv.Itoa(info.Passages))
	return reply{embeds: []*discordgo.MessageEmbed{e}}
}

// lead is what /article quotes of an article: its summary, else its first
// paragraph.
func lead(a retrieval.Article) string {
	if s := strings.TrimSpace(a.Summary); s != "" {
		return s
	}
	body := strings.TrimSpace(a.Body)
	if i := strings.IndexByte(body, '\n'); i >= 0 {
		body = body[:i]
	}
	return body
}

// displayTitle is an article's title as lists show it.
func displayTitle(info storage.ArticleInfo) string {
	if t := strings.TrimSpace(info.Title); t != "" {
		return t
	}
	return info.ID
}

// codeSpan shows s verbatim in a code span; text holding a backtick is
// escaped instead, since a code span cannot hold one.
func codeSpan(s string) string {
	if s == "" || strings.ContainsAny(s, "`\n") {
		return escapeMarkdown(s)
	}
	return "`" + s + "`"
}

// helpEntry is a command as /help lists it.
type helpEntry struct {
	usage, description string
}

// renderHelp explains what baobot does and lists its commands.
func renderHelp(entries []helpEntry, lang messages.Lang) reply {
	lines := []string{messages.Get(lang, messages.HelpIntro), ""}
	for _, e := range entries {
		lines = append(lines, "`"+e.usage+"` — "+e.description)
	}
	lines = append(lines, "", messages.Get(lang, messages.HelpMessages))
	return reply{embeds: []*discordgo.MessageEmbed{{
		Title: messages.Get(lang, messages.HelpTitle), Color: embedColor,
		Description: joinWithin(lines, "\n", maxDescription),
	}}, ephemeral: true}
}

// about is what /about reports.
type about struct {
	stats    retrieval.Stats
	feedback storage.FeedbackCounts
	version  string
	uptime   time.Duration
}

// renderAbout reports the collection, the feedback, the version and the
// uptime.
func renderAbout(a about, lang messages.Lang) reply {
	fields := []*discordgo.MessageEmbedField{
		{Name: messages.Get(lang, messages.AboutCollection), Value: messages.Get(lang, messages.AboutCollectionSize, a.stats.Articles, a.stats.Passages), Inline: true},
		{Name: messages.Get(lang, messages.AboutFeedback), Value: fmt.Sprintf("👍 %d · 👎 %d", a.feedback.Helpful, a.feedback.NotHelpful), Inline: true},
		{Name: messages.Get(lang, messages.AboutVersion), Value: escapedWithin(a.version, 100), Inline: true},
		{Name: messages.Get(lang, messages.AboutUptime), Value: formatUptime(a.uptime), Inline: true},
	}
	return reply{embeds: []*discordgo.MessageEmbed{{
		Title: messages.Get(lang, messages.AboutTitle), Color: embedColor,
		Description: messages.Get(lang, messages.HelpIntro), Fields: fields,
	}}, ephemeral: true}
}

// formatUptime writes d as days, hours and minutes ("3d 4h 5m", "12m").
func formatUptime(d time.Duration) string {
	d = d.Round(time.Minute)
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh %dm", days, hours, mins)
	case hours > 0:
		return fmt.Sprintf("%dh %dm", hours, mins)
	}
	return fmt.Sprintf("%dm", mins)
}

// joinWithin joins parts with sep, leaving out the last parts that would
// take it over max code points (and cutting the first if it alone does).
func joinWithin(parts []string, sep string, max int) string {
	var b strings.Builder
	n := 0
	for i, p := range parts {
		add := runes(p)
		if i > 0 {
			add += runes(sep)
		}
		if n+add > max {
			if i == 0 {
				return cut(p, max)
			}
			break
		}
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(p)
		n += add
	}
	return b.String()
}
