package bot

import (
	"errors"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"
	"golang.org/x/text/unicode/norm"

	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
)

// Browsing the collection: /articles, /article, /help, /about, and the
// autocomplete of article ids by title.

// cmdArticles answers /articles [page].
func (b *Bot) cmdArticles(r *request) {
	pageNo := max(int(r.integer("page")), 1)
	b.respond(r, true, func() (reply, error) {
		infos, total, err := b.db.List((pageNo-1)*articlesShown, articlesShown)
		if err != nil {
			return reply{}, err
		}
		pages := max((total+articlesShown-1)/articlesShown, 1)
		if pageNo > pages && total > 0 {
			pageNo = pages
			if infos, total, err = b.db.List((pageNo-1)*articlesShown, articlesShown); err != nil {
				return reply{}, err
			}
		}
		return renderArticles(infos, total, pageNo, pages, r.lang), nil
	})
}

// cmdArticle answers /article id.
func (b *Bot) cmdArticle(r *request) {
	id := strings.TrimSpace(r.str("id"))
	b.respond(r, false, func() (reply, error) {
		a, err := b.db.Article(id)
		if errors.Is(err, retrieval.ErrNotFound) {
			return textReply(messages.Get(r.lang, messages.NoSuchArticle, codeSpan(cut(id, 200))), true), nil
		}
		if err != nil {
			return reply{}, err
		}
		info, err := b.db.Info(id)
		if err != nil {
			return reply{}, err
		}
		return renderArticle(a, info, r.lang), nil
	})
}

// Autocomplete of article ids looks at this many of the newest articles'
// titles, then at what a search for the typed words finds.
const completeScan = 5000

// completeArticle offers articles whose title or id holds what was typed
// (ignoring case), newest first, then articles a search for the typed words
// finds (so that typing without accents finds them too); at most 25, named
// by title, with ids Discord can carry (100 characters at most).
func (b *Bot) completeArticle(r *request, typed string) []*discordgo.ApplicationCommandOptionChoice {
	typed = strings.TrimSpace(typed)
	want := fold(typed)
	var choices []*discordgo.ApplicationCommandOptionChoice
	seen := map[string]bool{}
	add := func(id, title string) {
		if seen[id] || runes(id) > maxChoiceValue || len(choices) == 25 {
			return
		}
		seen[id] = true
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: cut(title, maxChoiceName), Value: id})
	}
	limit := completeScan
	if typed == "" {
		limit = 25
	}
	infos, _, err := b.db.List(0, limit)
	if err != nil {
		r.log.Warn("listing articles for autocomplete", "err", err)
	}
	for _, info := range infos {
		if want == "" || strings.Contains(fold(info.Title), want) || strings.Contains(fold(info.ID), want) {
			add(info.ID, displayTitle(info))
		}
	}
	if len(choices) < 25 && retrieval.CheckQuestion(typed, b.cfg.Params.MaxQuestion) == nil {
		ans, err := b.searcher.Ask(typed, 25)
		if err != nil {
			r.log.Warn("searching for autocomplete", "err", err)
		}
		for _, res := range ans.Results {
			add(res.Article.ID, res.Article.DisplayTitle())
		}
	}
	return choices
}

// fold is s in NFC and lower case, for matching what was typed.
func fold(s string) string { return strings.ToLower(norm.NFC.String(s)) }

// cmdHelp answers /help.
func (b *Bot) cmdHelp(r *request) {
	entries := make([]helpEntry, len(b.commands))
	for i, c := range b.commands {
		entries[i] = helpEntry{usage: c.usage(r.lang), description: c.desc.in(r.lang)}
	}
	b.replyNow(r, renderHelp(entries, r.lang))
}

// cmdAbout answers /about: collection size, feedback, version and uptime.
// It never shows configuration, let alone the token.
func (b *Bot) cmdAbout(r *request) {
	b.respond(r, true, func() (reply, error) {
		stats, err := b.db.Stats()
		if err != nil {
			return reply{}, err
		}
		votes, err := b.db.FeedbackCounts()
		if err != nil {
			return reply{}, err
		}
		version := b.cfg.Version
		if version == "" {
			version = "dev"
		}
		return renderAbout(about{stats: stats, feedback: votes, version: version, uptime: time.Since(b.started)}, r.lang), nil
	})
}
