package bot

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/messages"
)

// Messages: any text in a direct message is a question, and so is the text
// after a mention of the bot in a server channel. The answer is a reply to
// the message. The bot needs no message-content intent: Discord sends the
// content of these two kinds of messages without it.

// onMessage answers a direct message or a message that mentions the bot.
func (b *Bot) onMessage(_ *discordgo.Session, e *discordgo.MessageCreate) {
	m := e.Message
	self, _ := b.self()
	if m == nil || m.Author == nil || m.Author.Bot || m.Author.ID == self ||
		(m.Type != discordgo.MessageTypeDefault && m.Type != discordgo.MessageTypeReply) {
		return
	}
	dm := m.GuildID == ""
	if !dm && !mentions(m, self) {
		return
	}
	if !b.enter() {
		return
	}
	defer b.leave()
	start := time.Now()
	log := b.log.With("message", m.ID)
	defer func() {
		if p := recover(); p != nil {
			log.Error("panic answering a message", "panic", p, "stack", string(debug.Stack()))
		}
	}()

	question := cleanQuestion(withoutMention(m.Content, self))
	lang := messages.ForText(question, messages.English)
	var rep reply
	var a answered // written by the answering work, if it runs
	switch {
	case strings.TrimSpace(question) == "" && !dm:
		rep = textReply(messages.Get(lang, messages.MentionEmpty), false)
	default:
		if problem := b.checkQuestion(userKey(m.Author), question, lang); problem != "" {
			rep = textReply(problem, false)
			break
		}
		var err error
		rep, err = b.safely(func() (reply, error) {
			rep, confident, err := b.answerPage(log, question, lang, 0)
			a = answered{ok: err == nil, confident: confident}
			return rep, err
		})
		if err != nil {
			log.Error("answering a message", "channel", m.ChannelID, "err", b.safe(err))
			rep = textReply(messages.Get(lang, messages.Internal), false)
		}
	}
	b.replyTo(log, m, rep, lang)
	b.countAnswer(viaMessage, start, a)
}

// mentions reports whether m mentions the user.
func mentions(m *discordgo.Message, userID string) bool {
	for _, u := range m.Mentions {
		if u != nil && userID != "" && u.ID == userID {
			return true
		}
	}
	return false
}

// withoutMention is content without mentions of the user.
func withoutMention(content, userID string) string {
	if userID == "" {
		return content
	}
	return strings.NewReplacer("<@"+userID+">", " ", "<@!"+userID+">", " ").Replace(content)
}

// replyTo posts rep as a reply to m. When the bot may not post in m's
// channel it tells the author in a direct message, if it can, and logs the
// channel; it tries nothing else, so a channel it cannot post in costs one
// attempt per question, never a loop.
func (b *Bot) replyTo(log *slog.Logger, m *discordgo.Message, rep reply, lang messages.Lang) {
	ref := &discordgo.MessageReference{MessageID: m.ID, ChannelID: m.ChannelID, GuildID: m.GuildID, FailIfNotExists: new(bool)}
	opt, cancel := boundedFor(log)
	defer cancel()
	_, err := b.session.ChannelMessageSendComplex(m.ChannelID, rep.message(ref), opt)
	if err == nil {
		return
	}
	if !forbidden(err) {
		log.Error("replying to a message", "channel", m.ChannelID, "guild", m.GuildID, "err", b.safe(err))
		if refused(err) {
			apology := textReply(messages.Get(lang, messages.Internal), false)
			if _, err := b.session.ChannelMessageSendComplex(m.ChannelID, apology.message(ref), opt); err != nil {
				log.Error("replying to a message with an apology", "channel", m.ChannelID, "err", b.safe(err))
			}
		}
		return
	}
	log.Warn("no permission to post in a channel; telling the author privately", "channel", m.ChannelID, "guild", m.GuildID)
	if m.GuildID == "" {
		return // a DM the bot cannot answer in: nowhere else to say so
	}
	dm, err := b.session.UserChannelCreate(m.Author.ID, opt)
	if err == nil {
		_, err = b.session.ChannelMessageSendComplex(dm.ID, textReply(messages.Get(lang, messages.CannotPostHere), false).message(nil), opt)
	}
	if err != nil {
		log.Warn("could not tell the author privately either", "channel", m.ChannelID, "err", b.safe(err))
	}
}

// forbidden reports whether Discord refused a request for lack of access or
// permission.
func forbidden(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusForbidden
}
