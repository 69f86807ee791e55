package bot

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"
)

// The one place replies become discordgo payloads. Every payload the bot
// sends is built here, so every one carries allowed_mentions {"parse": []}
// (nobody is ever pinged, whatever an article or a question contains) and
// passes through withinLimits.

// restTimeout bounds one REST call of the bot, its retries included:
// discordgo waits out a 429 and tries again for as long as Discord asks, and
// no reply is worth waiting longer than this.
const restTimeout = 30 * time.Second

// bounded is the request option that gives up a REST call after
// restTimeout; call cancel once the call has returned.
func bounded() (opt discordgo.RequestOption, cancel context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), restTimeout)
	return discordgo.WithContext(ctx), cancel
}

// noMentions is the allowed_mentions of every message the bot sends.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func (r reply) flags() discordgo.MessageFlags {
	if r.ephemeral {
		return discordgo.MessageFlagsEphemeral
	}
	return 0
}

// response is r as an interaction response of type typ (4 for a new
// message, 7 to update the message of a component).
func (r reply) response(typ discordgo.InteractionResponseType) *discordgo.InteractionResponse {
	r = withinLimits(r)
	return &discordgo.InteractionResponse{Type: typ, Data: &discordgo.InteractionResponseData{
		Content: r.content, Embeds: r.embeds, Components: nonNil(r.components),
		AllowedMentions: noMentions(), Flags: r.flags(),
	}}
}

// deferral acknowledges an interaction whose reply comes later by editing
// @original; ephemeral decides, now, whether that reply will be private.
func deferral(ephemeral bool) *discordgo.InteractionResponse {
	r := reply{ephemeral: ephemeral}
	return &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{AllowedMentions: noMentions(), Flags: r.flags()},
	}
}

// edit is r as an edit of a deferred response: it replaces the whole
// message. Whether it is ephemeral was decided by the deferral.
func (r reply) edit() *discordgo.WebhookEdit {
	r = withinLimits(r)
	embeds, components := nonNil(r.embeds), nonNil(r.components)
	return &discordgo.WebhookEdit{
		Content: &r.content, Embeds: &embeds, Components: &components, AllowedMentions: noMentions(),
	}
}

// message is r as a channel message replying to the message ref names.
func (r reply) message(ref *discordgo.MessageReference) *discordgo.MessageSend {
	r = withinLimits(r)
	return &discordgo.MessageSend{
		Content: r.content, Embeds: r.embeds, Components: r.components,
		AllowedMentions: noMentions(), Reference: ref,
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// withinLimits is the safety net under rendering: it returns r cut to every
// limit Discord enforces, so that no reply is ever refused for its size.
// Renderers already stay within them; text cut here may lose formatting.
func withinLimits(r reply) reply {
	r.content = cut(r.content, maxContent)
	if len(r.embeds) > 10 {
		r.embeds = r.embeds[:10]
	}
	total := 0
	embeds := make([]*discordgo.MessageEmbed, 0, len(r.embeds))
	for _, e := range r.embeds {
		c := *e
		c.Title = cut(c.Title, maxEmbedTitle)
		c.Description = cut(c.Description, maxDescription)
		if c.Footer != nil {
			f := *c.Footer
			f.Text = cut(f.Text, maxFooter)
			c.Footer = &f
		}
		// What is left of the total goes to the title and footer first,
		// then the description, then the fields.
		room := maxEmbedTotal - total
		c.Title = cut(c.Title, room)
		size := runes(c.Title)
		if c.Footer != nil {
			if c.Footer.Text = cut(c.Footer.Text, room-size); c.Footer.Text == "" {
				c.Footer = nil
			} else {
				size += runes(c.Footer.Text)
			}
		}
		c.Description = cut(c.Description, room-size)
		size += runes(c.Description)
		c.Fields = nil
		for _, f := range e.Fields {
			if len(c.Fields) == maxFields {
				break
			}
			field := *f
			field.Name, field.Value = cut(field.Name, maxFieldName), cut(field.Value, maxFieldValue)
			if field.Name == "" || field.Value == "" {
				continue
			}
			if total+size+runes(field.Name)+runes(field.Value) > maxEmbedTotal {
				break
			}
			size += runes(field.Name) + runes(field.Value)
			c.Fields = append(c.Fields, &field)
		}
		if size == 0 && len(c.Fields) == 0 {
			break // nothing of it fits
		}
		total += size
		embeds = append(embeds, &c)
	}
	r.embeds = embeds
	if len(r.embeds) == 0 {
		r.embeds = nil
	}
	r.components = buttonsWithinLimits(r.components)
	return r
}

// buttonsWithinLimits keeps at most five rows of five buttons, with labels
// cut and any button whose custom ID is too long left out.
func buttonsWithinLimits(rows []discordgo.MessageComponent) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	for _, c := range rows {
		row, ok := c.(discordgo.ActionsRow)
		if !ok || len(out) == 5 {
			continue
		}
		var kept []discordgo.MessageComponent
		for _, c := range row.Components {
			b, ok := c.(discordgo.Button)
			if !ok || len(kept) == 5 || len(b.CustomID) > maxCustomID || runes(b.CustomID) > maxCustomID {
				continue
			}
			b.Label = cut(b.Label, maxLabel)
			kept = append(kept, b)
		}
		if len(kept) > 0 {
			out = append(out, discordgo.ActionsRow{Components: kept})
		}
	}
	return out
}
