package bot

import (
	"errors"
	"log/slog"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// Questions: /ask, /search, "More results", and the checks every question
// goes through wherever it comes from (a slash command, a direct message, a
// mention).

// cleanQuestion replaces control characters (a pasted NUL, a bell, a
// direction mark) with spaces: they carry no words, and are no reason to
// refuse the words around them.
func cleanQuestion(q string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return ' '
		}
		return r
	}, q)
}

// checkQuestion returns what to tell a user whose question cannot be
// answered now (rate limited, empty, too long, no words), or "".
func (b *Bot) checkQuestion(user, question string, lang messages.Lang) string {
	if err := retrieval.CheckQuestion(question, b.cfg.Params.MaxQuestion); err != nil {
		return messages.QuestionProblem(lang, question, err)
	}
	if ok, wait := b.limiter.allow(user); !ok {
		return messages.Get(lang, messages.RateLimited, int(math.Ceil(max(wait, time.Second).Seconds())))
	}
	return ""
}

// cmdAsk answers /ask question:<text> [private:<bool>].
func (b *Bot) cmdAsk(r *request) {
	question := cleanQuestion(r.str("question"))
	lang := r.langFor(question)
	if problem := b.checkQuestion(userKey(r.user), question, lang); problem != "" {
		b.replyNow(r, textReply(problem, true))
		return
	}
	var a answered
	b.respond(r, r.boolean("private"), func() (reply, error) {
		rep, confident, err := b.answerPage(r.log, question, lang, 0)
		a = answered{ok: err == nil, confident: confident}
		return rep, err
	})
	b.countAnswer(viaAsk, r.start, a)
}

// answered is what the work of answering a question tells Metrics: whether
// it produced an answer, and a confident one. The work writes it; its
// handler reads it once respond has returned (respond waits for the work).
type answered struct{ ok, confident bool }

// countAnswer reports an answered question to Metrics, with the time since
// it arrived.
func (b *Bot) countAnswer(via string, start time.Time, a answered) {
	if a.ok {
		b.metrics.QuestionAnswered(via, a.confident, time.Since(start))
	}
}

// answerPage answers question, showing the page of results after offset.
// A confident page is saved as a ShownAnswer so that its buttons work (a
// failure to save costs the buttons, not the answer). confident is the
// answer's.
func (b *Bot) answerPage(log *slog.Logger, question string, lang messages.Lang, offset int) (rep reply, confident bool, err error) {
	n := b.cfg.Results
	ans, err := b.searcher.Ask(question, offset+n+1)
	if err != nil {
		return reply{}, false, err
	}
	more := len(ans.Results) > offset+n
	ans.Results = ans.Results[min(offset, len(ans.Results)):min(offset+n, len(ans.Results))]
	p := page{offset: offset, more: more}
	if len(ans.Results) > 0 && (ans.Confident || offset > 0) {
		ids := make([]string, len(ans.Results))
		for i, res := range ans.Results {
			ids[i] = res.Article.ID
		}
		p.shown, err = b.db.SaveShown(storage.ShownAnswer{Question: ans.Question, Lang: string(lang), Offset: offset, Articles: ids})
		if err != nil {
			log.Error("saving a shown answer: its buttons are left out", "err", err)
			p.shown = 0
		}
	}
	return renderAnswer(ans, p, lang), ans.Confident, nil
}

// moreResults answers "More results" under a ShownAnswer with the next
// page, as a new message (private when the clicked one was).
func (b *Bot) moreResults(r *request, shownID uint64) {
	shown, err := b.db.Shown(shownID)
	if err != nil {
		if !errors.Is(err, retrieval.ErrNotFound) {
			r.log.Error("reading a shown answer", "shown", shownID, "err", err)
		}
		b.replyNow(r, textReply(messages.Get(r.lang, messages.AnswerExpired), true))
		return
	}
	lang := messages.ForLocale(shown.Lang)
	ephemeral := r.in.Message != nil && r.in.Message.Flags&discordgo.MessageFlagsEphemeral != 0
	var a answered
	b.respond(r, ephemeral, func() (reply, error) {
		rep, confident, err := b.answerPage(r.log, shown.Question, lang, shown.Offset+len(shown.Articles))
		a = answered{ok: err == nil, confident: confident}
		return rep, err
	})
	b.countAnswer(viaMore, r.start, a)
}

// cmdSearch answers /search query:<text>: the matching articles, each with
// its best snippet.
func (b *Bot) cmdSearch(r *request) {
	query := cleanQuestion(r.str("query"))
	lang := r.langFor(query)
	if problem := b.checkQuestion(userKey(r.user), query, lang); problem != "" {
		b.replyNow(r, textReply(problem, true))
		return
	}
	var a answered
	b.respond(r, false, func() (reply, error) {
		ans, err := b.searcher.Ask(query, 2*searchShown)
		if err != nil {
			return reply{}, err
		}
		a = answered{ok: true, confident: ans.Confident}
		// One entry per article, whatever retrieval.max_per_article says.
		seen := map[string]bool{}
		var results []retrieval.Result
		for _, res := range ans.Results {
			if !seen[res.Article.ID] {
				seen[res.Article.ID] = true
				results = append(results, res)
			}
		}
		return renderSearch(ans.Question, results, ans.Corrections, lang), nil
	})
	b.countAnswer(viaSearch, r.start, a)
}
