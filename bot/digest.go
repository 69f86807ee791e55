package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/digest"
	"github.com/baobot/baobot/messages"
)

// Digests on Discord: the /digest admin command and the digest.Poster that
// posts a digest in a channel. Package digest decides what to post and
// when, from the subscriptions it keeps in storage; Config.Digests is the
// Scheduler, and RunDigests runs it with this bot as its Poster.

var _ digest.Poster = (*Bot)(nil)

// RunDigests posts the scheduled digests until ctx is done (see
// digest.Scheduler.Run); without Config.Digests it returns at once.
// Posting needs no gateway connection: it may start before Start.
func (b *Bot) RunDigests(ctx context.Context) error {
	if b.cfg.Digests == nil {
		return nil
	}
	return b.cfg.Digests.Run(ctx, b)
}

// digestPerms are the permissions a digest needs in its channel.
const digestPerms = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks

// canPostDigests reports whether permissions in a channel let the bot post
// digests there.
func canPostDigests(perms int64) bool { return perms&digestPerms == digestPerms }

// PostDigest posts d in a channel, as one or more messages that ping
// nobody, in d.Lang or, when it has none, the server's preferred locale. It
// implements digest.Poster: a 404 from Discord wraps digest.ErrChannelGone
// and a 403 digest.ErrForbidden. A failure after the first message leaves
// the messages already posted.
func (b *Bot) PostDigest(ctx context.Context, channelID string, d digest.Digest) error {
	lang := d.Lang
	if lang == "" {
		lang = b.guildLang(ctx, channelID)
	}
	for _, rep := range renderDigest(d, lang) {
		cctx, cancel := context.WithTimeout(ctx, restTimeout)
		_, err := b.session.ChannelMessageSendComplex(channelID, rep.message(nil), discordgo.WithContext(cctx))
		cancel()
		if err != nil {
			return b.postError(err)
		}
	}
	b.metrics.DigestPosted()
	return nil
}

// postError is err of posting a digest, wrapping the digest error for a
// channel that is gone or forbidden, without secrets.
func (b *Bot) postError(err error) error {
	var re *discordgo.RESTError
	if errors.As(err, &re) && re.Response != nil {
		switch re.Response.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("%w (%v)", digest.ErrChannelGone, b.safe(err))
		case http.StatusForbidden:
			return fmt.Errorf("%w (%v)", digest.ErrForbidden, b.safe(err))
		}
	}
	return fmt.Errorf("posting a digest: %w", b.safe(err))
}

// guildLang is the language of the server a channel is in: its preferred
// locale, Vietnamese when it cannot be told.
func (b *Bot) guildLang(ctx context.Context, channelID string) messages.Lang {
	cctx, cancel := context.WithTimeout(ctx, restTimeout)
	defer cancel()
	ch, err := b.session.Channel(channelID, discordgo.WithContext(cctx))
	if err != nil || ch.GuildID == "" {
		return messages.Vietnamese
	}
	g, err := b.session.Guild(ch.GuildID, discordgo.WithContext(cctx))
	if err != nil || g.PreferredLocale == "" {
		return messages.Vietnamese
	}
	return messages.ForLocale(g.PreferredLocale)
}

// digestOptions are the sub-commands of /digest.
func digestOptions() []option {
	channel := func(required bool) option {
		return option{name: loc{"channel", "kênh"}, desc: loc{"The channel that gets the digest", "Kênh nhận bản tin"},
			typ: discordgo.ApplicationCommandOptionChannel, required: required}
	}
	return []option{
		{name: loc{"subscribe", "đăng-ký"}, desc: loc{"Post a digest of new articles in a channel on a schedule", "Đăng bản tin các bài mới vào một kênh theo lịch"},
			typ: discordgo.ApplicationCommandOptionSubCommand, options: []option{
				channel(true),
				{name: loc{"schedule", "lịch"}, desc: loc{`"daily 08:00", "weekdays 18:30", "hourly" or cron "0 8 * * 1-5"`, `"daily 08:00", "weekdays 18:30", "hourly" hoặc cron "0 8 * * 1-5"`},
					typ: discordgo.ApplicationCommandOptionString, required: true, maxLength: 100},
				{name: loc{"timezone", "múi-giờ"}, desc: loc{"IANA time zone, such as Asia/Ho_Chi_Minh (the default)", "Múi giờ IANA, ví dụ Asia/Ho_Chi_Minh (mặc định)"},
					typ: discordgo.ApplicationCommandOptionString, maxLength: 64},
				{name: loc{"max", "tối-đa"}, desc: loc{"Most articles listed in one digest", "Số bài tối đa trong một bản tin"},
					typ: discordgo.ApplicationCommandOptionInteger, minValue: &one},
				{name: loc{"lang", "ngôn-ngữ"}, desc: loc{"vi or en; the server's language by default", "vi hoặc en; mặc định là ngôn ngữ của máy chủ"},
					typ: discordgo.ApplicationCommandOptionString, maxLength: 8},
				{name: loc{"last", "gần-nhất"}, desc: loc{"Also list the last N articles in the first digest", "Đưa thêm N bài gần nhất vào bản tin đầu tiên"},
					typ: discordgo.ApplicationCommandOptionInteger, minValue: &one},
			}},
		{name: loc{"unsubscribe", "hủy"}, desc: loc{"Stop a channel's digest", "Dừng bản tin của một kênh"},
			typ: discordgo.ApplicationCommandOptionSubCommand, options: []option{channel(true)}},
		{name: loc{"list", "danh-sách"}, desc: loc{"The digests of this server, paused ones included", "Các bản tin của máy chủ này, kể cả bản tin tạm dừng"},
			typ: discordgo.ApplicationCommandOptionSubCommand},
		{name: loc{"preview", "xem-trước"}, desc: loc{"What a channel's next digest would hold now, shown to you only", "Bản tin tiếp theo của một kênh nếu đăng bây giờ, chỉ mình bạn thấy"},
			typ: discordgo.ApplicationCommandOptionSubCommand, options: []option{
				{name: loc{"channel", "kênh"}, desc: loc{"The channel; this one by default", "Kênh; mặc định là kênh này"},
					typ: discordgo.ApplicationCommandOptionChannel},
			}},
		{name: loc{"now", "gửi-ngay"}, desc: loc{"Post a channel's digest now", "Đăng bản tin của một kênh ngay bây giờ"},
			typ: discordgo.ApplicationCommandOptionSubCommand, options: []option{channel(true)}},
	}
}

// digestRequest is a /digest invocation: its sub-command and options.
type digestRequest struct {
	*request
	sub *discordgo.ApplicationCommandInteractionDataOption
}

func (d digestRequest) opt(name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range d.sub.Options {
		if o.Name == name {
			return o
		}
	}
	return nil
}

func (d digestRequest) str(name string) string {
	if o := d.opt(name); o != nil {
		if s, ok := o.Value.(string); ok {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

func (d digestRequest) integer(name string) int {
	if o := d.opt(name); o != nil {
		if f, ok := o.Value.(float64); ok {
			return int(f)
		}
	}
	return 0
}

// channel is the channel option's id and what Discord resolved of it (nil
// when it did not).
func (d digestRequest) channel() (string, *discordgo.Channel) {
	id := d.str("channel")
	if id == "" {
		return "", nil
	}
	if res := d.in.ApplicationCommandData().Resolved; res != nil {
		return id, res.Channels[id]
	}
	return id, nil
}

// cmdDigest answers /digest: onInteraction lets only members with the
// Manage Server permission reach it, in a server.
func (b *Bot) cmdDigest(r *request) {
	data := r.in.ApplicationCommandData()
	switch {
	case b.cfg.Digests == nil:
		b.replyNow(r, textReply(messages.Get(r.lang, messages.DigestDisabled), true))
		return
	case len(data.Options) != 1:
		b.replyNow(r, textReply(messages.Get(r.lang, messages.UnknownCommand), true))
		return
	}
	d := digestRequest{request: r, sub: data.Options[0]}
	switch d.sub.Name {
	case "subscribe":
		b.digestSubscribe(d)
	case "unsubscribe":
		b.digestUnsubscribe(d)
	case "list":
		b.respond(r, true, func() (reply, error) { return b.digestList(d) })
	case "preview":
		b.respond(r, true, func() (reply, error) { return b.digestPreview(d) })
	case "now":
		b.respond(r, true, func() (reply, error) { return b.digestNow(d) })
	default:
		b.replyNow(r, textReply(messages.Get(r.lang, messages.UnknownCommand), true))
	}
}

// digestSubscribe answers /digest subscribe: the channel must be a text
// channel of this server where the bot can post; the schedule, zone and
// max must be good. Nothing is stored otherwise, and the reply says why.
func (b *Bot) digestSubscribe(d digestRequest) {
	id, ch := d.channel()
	if refusal := b.checkDigestChannel(d, id, ch); refusal != "" {
		b.replyNow(d.request, textReply(refusal, true))
		return
	}
	b.respond(d.request, true, func() (reply, error) {
		if refusal, err := b.checkCanPost(d, id); refusal != "" || err != nil {
			return textReply(refusal, true), err
		}
		lang := d.str("lang")
		if lang == "" && d.in.GuildLocale != nil {
			lang = string(*d.in.GuildLocale)
		}
		st, replaced, err := b.cfg.Digests.Subscribe(digest.Subscription{
			Channel: id, Guild: d.in.GuildID, Schedule: d.str("schedule"), Timezone: d.str("timezone"),
			Max: d.integer("max"), Lang: lang, By: userKey(d.user),
		}, d.integer("last"))
		if msg := digestProblem(d.lang, id, err); msg != "" {
			return textReply(msg, true), nil
		}
		if err != nil {
			return reply{}, err
		}
		d.log.Info("digest subscribed through /digest", "channel", id, "user", userKey(d.user), "guild", d.in.GuildID)
		key := messages.DigestSubscribed
		if replaced {
			key = messages.DigestResubscribed
		}
		return textReply(messages.Get(d.lang, key, channelMention(id), codeSpan(st.Schedule), b.digestZone(st.Timezone),
			b.digestMax(st), discordTime(st.Next)), true), nil
	})
}

// checkDigestChannel refuses a channel option that is missing, of another
// server or not a text channel, from what Discord resolved of it.
func (b *Bot) checkDigestChannel(d digestRequest, id string, ch *discordgo.Channel) string {
	switch {
	case id == "":
		return messages.Get(d.lang, messages.DigestOtherGuild)
	case ch == nil:
		return messages.Get(d.lang, messages.DigestUnknownChannel, channelMention(id))
	case ch.GuildID != "" && ch.GuildID != d.in.GuildID:
		return messages.Get(d.lang, messages.DigestOtherGuild)
	case ch.Type != discordgo.ChannelTypeGuildText && ch.Type != discordgo.ChannelTypeGuildNews:
		return messages.Get(d.lang, messages.DigestNotText, channelMention(id))
	}
	return ""
}

// checkCanPost asks Discord for the bot's permissions in the channel and
// returns a refusal when it cannot post a digest there.
func (b *Bot) checkCanPost(d digestRequest, channelID string) (refusal string, err error) {
	user, _ := b.self()
	opt, cancel := d.bounded()
	defer cancel()
	perms, err := b.session.UserChannelPermissions(user, channelID, opt)
	var re *discordgo.RESTError
	switch {
	case errors.As(err, &re) && re.Response != nil &&
		(re.Response.StatusCode == http.StatusNotFound || re.Response.StatusCode == http.StatusForbidden):
		return messages.Get(d.lang, messages.DigestUnknownChannel, channelMention(channelID)), nil
	case err != nil:
		return "", b.safe(err)
	case !canPostDigests(perms):
		d.log.Info("refused a digest subscription: the bot cannot post there", "channel", channelID, "permissions", perms)
		return messages.Get(d.lang, messages.DigestCannotPost, channelMention(channelID)), nil
	}
	return "", nil
}

// digestProblem is what to tell an admin about an error of the Scheduler,
// or "" when err is nil or unexpected.
func digestProblem(lang messages.Lang, channelID string, err error) string {
	if err == nil {
		return ""
	}
	if msg := messages.ScheduleProblem(lang, err, func(s string) string { return codeSpan(cut(s, 100)) }); msg != "" {
		return msg
	}
	switch {
	case errors.Is(err, digest.ErrMax):
		return messages.Get(lang, messages.DigestBadMax, digest.MaxMax)
	case errors.Is(err, digest.ErrConfigured):
		return messages.Get(lang, messages.DigestConfigured, channelMention(channelID))
	case errors.Is(err, digest.ErrNotSubscribed):
		return messages.Get(lang, messages.DigestNotSubscribed, channelMention(channelID))
	}
	return ""
}

// digestUnsubscribe answers /digest unsubscribe.
func (b *Bot) digestUnsubscribe(d digestRequest) {
	id, _ := d.channel()
	b.respond(d.request, true, func() (reply, error) {
		err := b.cfg.Digests.Unsubscribe(id)
		if msg := digestProblem(d.lang, id, err); msg != "" {
			return textReply(msg, true), nil
		}
		if err != nil {
			return reply{}, err
		}
		d.log.Info("digest unsubscribed through /digest", "channel", id, "user", userKey(d.user), "guild", d.in.GuildID)
		return textReply(messages.Get(d.lang, messages.DigestUnsubscribed, channelMention(id)), true), nil
	})
}

// digestList answers /digest list: the subscriptions of this server (those
// of the configuration file whose channel is here included), paused ones
// saying why.
func (b *Bot) digestList(d digestRequest) (reply, error) {
	all, err := b.cfg.Digests.List()
	if err != nil {
		return reply{}, err
	}
	var here map[string]bool // the server's channels, fetched when needed
	var subs []digest.Status
	for _, st := range all {
		if st.Guild == "" && here == nil {
			here = map[string]bool{}
			opt, cancel := d.bounded()
			chans, err := b.session.GuildChannels(d.in.GuildID, opt)
			cancel()
			if err != nil {
				return reply{}, b.safe(err)
			}
			for _, c := range chans {
				here[c.ID] = true
			}
		}
		if st.Guild == d.in.GuildID || (st.Guild == "" && here[st.Channel]) {
			subs = append(subs, st)
		}
	}
	return renderDigestList(subs, b.cfg.Digests.DefaultMax(), b.cfg.Digests.Zone().String(), d.lang), nil
}

// digestPreview answers /digest preview: what the channel's next digest
// would hold now or, for a channel without one, the articles of the last
// day. Only the first message of a long digest is shown.
func (b *Bot) digestPreview(d digestRequest) (reply, error) {
	id, _ := d.channel()
	if id == "" {
		id = d.in.ChannelID
	}
	dg, err := b.cfg.Digests.Preview(id)
	note := messages.Get(d.lang, messages.DigestPreviewNext, channelMention(id))
	if errors.Is(err, digest.ErrNotSubscribed) {
		const window = 24 * time.Hour
		dg, err = b.cfg.Digests.Recent(window, 0, d.lang)
		note = messages.Get(d.lang, messages.DigestPreviewRecent, int(window.Hours()))
	}
	if err != nil {
		return reply{}, err
	}
	lang := dg.Lang
	if lang == "" {
		lang = d.lang
	}
	rep := renderDigest(dg, lang)[0]
	rep.content, rep.ephemeral = note, true
	return rep, nil
}

// digestNow answers /digest now: the channel's digest is posted at once.
func (b *Bot) digestNow(d digestRequest) (reply, error) {
	id, _ := d.channel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*restTimeout)
	defer cancel()
	dg, err := b.cfg.Digests.PostNow(ctx, b, id)
	if msg := digestProblem(d.lang, id, err); msg != "" {
		return textReply(msg, true), nil
	}
	switch {
	case err != nil:
		d.log.Warn("posting a digest on request", "channel", id, "err", err)
		return textReply(messages.Get(d.lang, messages.DigestPostFailed, channelMention(id), postReason(d.lang, err)), true), nil
	case dg.Empty():
		return textReply(messages.Get(d.lang, messages.DigestNothingNew, channelMention(id)), true), nil
	}
	d.log.Info("digest posted through /digest now", "channel", id, "user", userKey(d.user))
	return textReply(messages.Get(d.lang, messages.DigestPostedNow, channelMention(id), dg.Total), true), nil
}

// postReason says, for people, why posting failed.
func postReason(lang messages.Lang, err error) string {
	switch {
	case errors.Is(err, digest.ErrChannelGone):
		return messages.Get(lang, messages.DigestReasonGone)
	case errors.Is(err, digest.ErrForbidden):
		return messages.Get(lang, messages.DigestReasonForbidden)
	}
	return messages.Get(lang, messages.DigestReasonOther)
}

// digestMax is the most articles a subscription lists.
func (b *Bot) digestMax(st digest.Status) int {
	if st.Max > 0 {
		return st.Max
	}
	return b.cfg.Digests.DefaultMax()
}

// digestZone is a subscription's zone: its own, or the default one.
func (b *Bot) digestZone(tz string) string {
	if tz != "" {
		return tz
	}
	return b.cfg.Digests.Zone().String()
}

// channelMention shows a channel as Discord links it; it pings nobody.
func channelMention(id string) string {
	if _, err := strconv.ParseUint(id, 10, 64); err != nil {
		return codeSpan(cut(id, 30))
	}
	return "<#" + id + ">"
}

// discordTime shows t in each reader's own time zone and language; "" for
// the zero time.
func discordTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return fmt.Sprintf("<t:%d:f>", t.Unix())
}
