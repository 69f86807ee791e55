package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/messages"
)

// Interactions: how slash commands, autocomplete and button clicks are
// dispatched and acknowledged.

// request is one interaction being answered.
type request struct {
	in    *discordgo.Interaction
	lang  messages.Lang // from the user's client locale
	user  *discordgo.User
	start time.Time    // when the bot received it
	log   *slog.Logger // the bot's, with the interaction id (logging.go)
}

func (b *Bot) newRequest(in *discordgo.Interaction) *request {
	r := &request{in: in, lang: messages.ForLocale(string(in.Locale)), user: in.User, start: time.Now(),
		log: b.log.With("interaction", in.ID)}
	if in.Member != nil && in.Member.User != nil {
		r.user = in.Member.User
	}
	return r
}

// option returns the option named name of a slash command, or nil.
func (r *request) option(name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range r.in.ApplicationCommandData().Options {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// str returns a string option, "" when absent or of another type.
func (r *request) str(name string) string {
	if o := r.option(name); o != nil {
		if s, ok := o.Value.(string); ok {
			return s
		}
	}
	return ""
}

// integer returns an integer option, 0 when absent.
func (r *request) integer(name string) int64 {
	if o := r.option(name); o != nil {
		if f, ok := o.Value.(float64); ok {
			return int64(f)
		}
	}
	return 0
}

// boolean returns a boolean option, false when absent.
func (r *request) boolean(name string) bool {
	if o := r.option(name); o != nil {
		if v, ok := o.Value.(bool); ok {
			return v
		}
	}
	return false
}

// langFor is the language to answer text in: Vietnamese when the user's
// locale is, or text reads as Vietnamese; English otherwise.
func (r *request) langFor(text string) messages.Lang {
	if r.lang == messages.Vietnamese {
		return r.lang
	}
	return messages.ForText(text, r.lang)
}

// onInteraction dispatches an interaction to its command, autocomplete or
// component handler.
func (b *Bot) onInteraction(_ *discordgo.Session, e *discordgo.InteractionCreate) {
	in := e.Interaction
	r := b.newRequest(in)
	if !b.enter() {
		if in.Type != discordgo.InteractionApplicationCommandAutocomplete {
			b.replyNow(r, textReply(messages.Get(r.lang, messages.ShuttingDown), true))
		}
		return
	}
	defer b.leave()
	defer func() {
		if p := recover(); p != nil {
			r.log.Error("panic handling an interaction", "panic", p, "stack", string(debug.Stack()))
		}
	}()
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		cmd := b.byName[in.ApplicationCommandData().Name]
		switch {
		case cmd == nil:
			b.replyNow(r, textReply(messages.Get(r.lang, messages.UnknownCommand), true))
		case cmd.admin && in.Member == nil:
			b.replyNow(r, textReply(messages.Get(r.lang, messages.GuildOnly), true))
		case cmd.admin && !isAdmin(in.Member):
			r.log.Info("refused an admin command", "command", cmd.name.en, "user", userKey(r.user), "guild", in.GuildID)
			b.replyNow(r, textReply(messages.Get(r.lang, messages.AdminOnly), true))
		default:
			cmd.handle(b, r)
		}
	case discordgo.InteractionApplicationCommandAutocomplete:
		b.autocomplete(r)
	case discordgo.InteractionMessageComponent:
		b.onComponent(r)
	}
}

// isAdmin reports whether a member may use admin commands: the permissions
// Discord computed for them in the channel include Manage Server (which
// Administrator implies).
func isAdmin(m *discordgo.Member) bool {
	return m != nil && (m.Permissions&manageServer != 0 || m.Permissions&discordgo.PermissionAdministrator != 0)
}

// autocomplete answers the focused option of a command with choices.
func (b *Bot) autocomplete(r *request) {
	data := r.in.ApplicationCommandData()
	cmd := b.byName[data.Name]
	var typed string
	for _, o := range data.Options {
		if o.Focused {
			typed, _ = o.Value.(string)
		}
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if cmd != nil && cmd.complete != nil && (!cmd.admin || isAdmin(r.in.Member)) {
		choices = cmd.complete(b, r, typed)
	}
	if len(choices) > 25 {
		choices = choices[:25]
	}
	opt, cancel := r.bounded()
	defer cancel()
	err := b.session.InteractionRespond(r.in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionApplicationCommandAutocompleteResult,
		Data: &discordgo.InteractionResponseData{Choices: choices},
	}, opt)
	if err != nil {
		r.log.Warn("answering autocomplete", "command", data.Name, "err", b.safe(err))
	}
}

// replyNow answers an interaction at once with rep as a new message. When
// Discord refuses rep, it tries a short apology instead, once.
func (b *Bot) replyNow(r *request, rep reply) {
	opt, cancel := r.bounded()
	defer cancel()
	err := b.session.InteractionRespond(r.in, rep.response(discordgo.InteractionResponseChannelMessageWithSource), opt)
	if err == nil {
		return
	}
	b.logREST("answering an interaction", r, err)
	if !refused(err) {
		return
	}
	apology := textReply(messages.Get(r.lang, messages.Internal), true)
	if err := b.session.InteractionRespond(r.in, apology.response(discordgo.InteractionResponseChannelMessageWithSource), opt); err != nil {
		b.logREST("answering an interaction with an apology", r, err)
	}
}

// respond answers an interaction with what work returns, within Discord's
// three seconds: when work is done within ackAfter the reply is sent at
// once; otherwise the interaction is deferred (ephemeral decides, then,
// whether the reply will be private) and the reply replaces the deferred
// message when work is done. A work error or panic, and a reply Discord
// refuses, end in a friendly apology instead: the user always sees
// something.
func (b *Bot) respond(r *request, ephemeral bool, work func() (reply, error)) {
	done := make(chan reply, 1)
	go func() {
		rep, err := b.safely(work)
		if err != nil {
			r.log.Error("answering an interaction", "err", b.safe(err))
			rep = textReply(messages.Get(r.lang, messages.Internal), true)
		}
		rep.ephemeral = rep.ephemeral || ephemeral
		done <- rep
	}()
	timer := time.NewTimer(b.ackAfter)
	defer timer.Stop()
	select {
	case rep := <-done:
		b.replyNow(r, rep)
		return
	case <-timer.C:
	}
	opt, cancel := r.bounded()
	err := b.session.InteractionRespond(r.in, deferral(ephemeral), opt)
	cancel()
	if err != nil {
		b.logREST("deferring an interaction", r, err)
		<-done
		return
	}
	rep := <-done
	opt, cancel = r.bounded()
	defer cancel()
	if _, err := b.session.InteractionResponseEdit(r.in, rep.edit(), opt); err != nil {
		b.logREST("editing a deferred reply", r, err)
		apology := textReply(messages.Get(r.lang, messages.Internal), true)
		if _, err := b.session.InteractionResponseEdit(r.in, apology.edit(), opt); err != nil {
			b.logREST("editing a deferred reply with an apology", r, err)
		}
	}
}

// safely runs work, turning a panic into an error.
func (b *Bot) safely(work func() (reply, error)) (rep reply, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return work()
}

// refused reports whether Discord refused a request for what it held (a
// 400): trying again with a simpler message may work.
func refused(err error) bool {
	var re *discordgo.RESTError
	return errors.As(err, &re) && re.Response != nil && re.Response.StatusCode == http.StatusBadRequest
}

// logREST logs a failed REST call of an interaction, without secrets.
func (b *Bot) logREST(what string, r *request, err error) {
	r.log.Error(what, "channel", r.in.ChannelID, "guild", r.in.GuildID, "err", b.safe(err))
}

// Custom IDs of the buttons under an answer.
const (
	moreIDPrefix = "more:"
	voteIDPrefix = "vote:"
)

// moreID is the custom ID of "More results" under the ShownAnswer shown.
func moreID(shown uint64) string { return moreIDPrefix + formatID(shown) }

// voteID is the custom ID of 👍 (helpful) or 👎 under the ShownAnswer shown.
func voteID(shown uint64, helpful bool) string {
	if helpful {
		return voteIDPrefix + "+:" + formatID(shown)
	}
	return voteIDPrefix + "-:" + formatID(shown)
}

// onComponent dispatches a button click by its custom ID.
func (b *Bot) onComponent(r *request) {
	id := r.in.MessageComponentData().CustomID
	switch {
	case strings.HasPrefix(id, moreIDPrefix):
		if shown, ok := parseID(strings.TrimPrefix(id, moreIDPrefix)); ok {
			b.moreResults(r, shown)
			return
		}
	case strings.HasPrefix(id, voteIDPrefix+"+:"), strings.HasPrefix(id, voteIDPrefix+"-:"):
		if shown, ok := parseID(id[len(voteIDPrefix)+2:]); ok {
			b.vote(r, shown, id[len(voteIDPrefix)] == '+')
			return
		}
	}
	r.log.Warn("a button with an unknown custom ID", "custom_id", cut(id, maxCustomID))
	b.replyNow(r, textReply(messages.Get(r.lang, messages.AnswerExpired), true))
}
