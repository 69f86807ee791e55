package bot

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/digest"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/storage"
)

// Rendering of digests and of the /digest replies, as pure functions of
// what they show.

// Shapes of a digest post.
const (
	maxDigestLead   = 400 // a lead line (at most digest.LeadChars) once escaped
	digestTitleRoom = 100 // reserved in every message for its embed title
	digestFootRoom  = 200 // reserved in every message for the footer
	digestDateFmt   = "2006-01-02 15:04 MST"
)

// renderDigest renders d in lang as the messages of one digest post: each
// article a block (its title in bold, linked when it has a URL; its lead
// line; its source and date), packed in order into embed descriptions, as
// many embeds to a message and as many messages as Discord's limits need.
// The first embed is titled with the count; the last block says how many
// more articles were left out; every message's footer names the period. A
// digest without articles is one embed saying so.
func renderDigest(d digest.Digest, lang messages.Lang) []reply {
	footer := &discordgo.MessageEmbedFooter{Text: digestPeriod(d, lang)}
	title := messages.Get(lang, messages.DigestTitle, d.Total)
	if len(d.Articles) == 0 {
		return []reply{{embeds: []*discordgo.MessageEmbed{{
			Title: title, Color: embedColor, Description: messages.Get(lang, messages.DigestEmpty), Footer: footer,
		}}}}
	}
	blocks := make([]string, 0, len(d.Articles)+1)
	for i, a := range d.Articles {
		blocks = append(blocks, digestBlock(i+1, a, d.Zone))
	}
	if more := d.More(); more > 0 {
		blocks = append(blocks, "*"+messages.Get(lang, messages.DigestMore, more)+"*")
	}

	pages := packDigest(blocks)
	out := make([]reply, len(pages))
	for i, descs := range pages {
		embeds := make([]*discordgo.MessageEmbed, len(descs))
		for j, desc := range descs {
			embeds[j] = &discordgo.MessageEmbed{Color: embedColor, Description: desc}
		}
		embeds[0].Title = title
		if i > 0 {
			embeds[0].Title = messages.Get(lang, messages.DigestContinued, i+1, len(pages))
		}
		embeds[len(embeds)-1].Footer = footer
		out[i] = reply{embeds: embeds}
	}
	return out
}

// digestBlock is how a digest shows its n-th article.
func digestBlock(n int, a digest.Article, zone *time.Location) string {
	title := maskedLink(escapedWithin(a.Title, maxTitleShown), a.URL)
	lines := []string{fmt.Sprintf("**%d. %s**", n, title)}
	if a.Lead != "" {
		lines = append(lines, escapedWithin(a.Lead, maxDigestLead))
	}
	facts := a.Date(zone)
	if s := strings.TrimSpace(a.Source); s != "" {
		facts = escapedWithin(s, maxSourceName) + " · " + facts
	}
	return strings.Join(append(lines, "*"+facts+"*"), "\n")
}

// digestPeriod names the period a digest covers, for its footer.
func digestPeriod(d digest.Digest, lang messages.Lang) string {
	if d.Since.IsZero() {
		return messages.Get(lang, messages.DigestFromStart)
	}
	zone := d.Zone
	if zone == nil {
		zone = time.UTC
	}
	return messages.Get(lang, messages.DigestSince, d.Since.In(zone).Format(digestDateFmt))
}

// packDigest packs blocks, in order, into messages of embed descriptions:
// each description at most maxDescription code points, at most ten embeds
// and maxEmbedTotal code points (less the room kept for a title and a
// footer) to a message. Blocks are joined by blank lines and never split;
// one too long for a description alone (renderers keep them far shorter)
// is cut.
func packDigest(blocks []string) [][]string {
	const sep = "\n\n"
	budget := maxEmbedTotal - digestTitleRoom - digestFootRoom
	var pages [][]string
	var page []string     // the descriptions of the message being filled
	var desc []string     // the blocks of the description being filled
	descLen, used := 0, 0 // code points of desc joined; of page plus desc
	flushDesc := func() {
		if len(desc) > 0 {
			page = append(page, strings.Join(desc, sep))
			desc, descLen = nil, 0
		}
	}
	flushPage := func() {
		flushDesc()
		if len(page) > 0 {
			pages = append(pages, page)
			page, used = nil, 0
		}
	}
	for _, b := range blocks {
		b = cut(b, maxDescription)
		n := runes(b)
		add := n
		if len(desc) > 0 {
			add += runes(sep)
		}
		if len(desc) > 0 && descLen+add > maxDescription {
			flushDesc()
			add = n
		}
		if used+add > budget || (len(desc) == 0 && len(page) == 10) {
			flushPage()
			add = n
		}
		desc = append(desc, b)
		descLen += add
		used += add
	}
	flushPage()
	return pages
}

// renderDigestList lists subscriptions for /digest list: channel, schedule,
// zone, max and language; when the next digest is due and what the last
// one posted; paused and failing ones saying why. defaultMax and zone are
// what subscriptions that set none use.
func renderDigestList(subs []digest.Status, defaultMax int, zone string, lang messages.Lang) reply {
	title := messages.Get(lang, messages.DigestListTitle)
	if len(subs) == 0 {
		return reply{embeds: []*discordgo.MessageEmbed{{Title: title, Color: embedColor,
			Description: messages.Get(lang, messages.DigestListEmpty)}}, ephemeral: true}
	}
	entries := make([]string, 0, len(subs))
	for _, st := range subs {
		facts := []string{codeSpan(cut(st.Schedule, 100)), escapedWithin(orDefault(st.Timezone, zone), 64)}
		if st.Max > 0 {
			facts = append(facts, "max "+strconv.Itoa(st.Max))
		} else {
			facts = append(facts, "max "+strconv.Itoa(defaultMax))
		}
		if st.Lang != "" {
			facts = append(facts, st.Lang)
		}
		if st.Origin == storage.FromConfig {
			facts = append(facts, messages.Get(lang, messages.DigestListFromConfig))
		}
		lines := []string{channelMention(st.Channel) + " — " + strings.Join(facts, " · ")}

		var when []string
		if !st.Next.IsZero() {
			when = append(when, messages.Get(lang, messages.DigestListNext, discordTime(st.Next)))
		}
		if st.State.LastPosted.IsZero() {
			when = append(when, messages.Get(lang, messages.DigestListNever))
		} else {
			when = append(when, messages.Get(lang, messages.DigestListLast, discordTime(st.State.LastPosted), st.State.LastTotal))
		}
		lines = append(lines, strings.Join(when, " · "))

		if problem := st.Problem(); problem != nil {
			reason := postReason(lang, problem)
			if st.State.Paused {
				lines = append(lines, messages.Get(lang, messages.DigestListPaused, st.State.Attempts, reason))
			} else {
				lines = append(lines, messages.Get(lang, messages.DigestListFailing, reason))
			}
		}
		entries = append(entries, strings.Join(lines, "\n"))
	}
	return reply{embeds: []*discordgo.MessageEmbed{{
		Title: title, Color: embedColor, Description: joinWithin(entries, "\n\n", maxDescription),
	}}, ephemeral: true}
}

// orDefault is s, or def when s is empty.
func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}
