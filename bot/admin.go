package bot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/baobot/baobot/ingest"
	"github.com/baobot/baobot/load"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

// Admin commands: /add and /remove. onInteraction lets only members with
// the Manage Server permission reach these handlers.

// maxFailuresShown bounds how many refused items an /add reply names.
const maxFailuresShown = 10

// cmdAdd answers /add file:<attachment>: the file goes through the same
// ingest as `baobot ingest`, and what it adds is answerable at once.
func (b *Bot) cmdAdd(r *request) {
	var att *discordgo.MessageAttachment
	if id := r.str("file"); id != "" {
		if res := r.in.ApplicationCommandData().Resolved; res != nil {
			att = res.Attachments[id]
		}
	}
	switch {
	case att == nil:
		b.replyNow(r, textReply(messages.Get(r.lang, messages.AddNoFile), true))
		return
	case !ingest.Supported(att.Filename):
		b.replyNow(r, textReply(messages.Get(r.lang, messages.AddUnsupported, codeSpan(cut(att.Filename, 100)), ".txt, .md, .html, .jsonl"), true))
		return
	case int64(att.Size) > b.cfg.MaxFileBytes:
		b.replyNow(r, textReply(messages.Get(r.lang, messages.AddTooLarge, codeSpan(cut(att.Filename, 100)), humanSize(b.cfg.MaxFileBytes)), true))
		return
	}
	b.respond(r, true, func() (reply, error) {
		data, err := b.download(att.URL)
		switch {
		case errors.Is(err, ingest.ErrTooLarge):
			return textReply(messages.Get(r.lang, messages.AddTooLarge, codeSpan(cut(att.Filename, 100)), humanSize(b.cfg.MaxFileBytes)), true), nil
		case err != nil:
			r.log.Warn("downloading an attachment", "file", att.Filename, "err", b.safe(err))
			return textReply(messages.Get(r.lang, messages.AddDownloadFailed, codeSpan(cut(att.Filename, 100))), true), nil
		}
		added := b.ingestFile(r.log, att.Filename, data, r.lang)
		r.log.Info("articles added through /add", "file", att.Filename, "user", userKey(r.user), "guild", r.in.GuildID)
		return added, nil
	})
}

// attachmentHosts are the hosts Discord serves attachments from.
var attachmentHosts = map[string]bool{"cdn.discordapp.com": true, "media.discordapp.net": true}

// maxRedirects bounds the redirects an attachment download follows.
const maxRedirects = 3

// checkAttachmentURL refuses any URL /add must not fetch. /add downloads
// nothing but the file attached to the command, so the only URLs allowed
// are Discord's: https on its CDN hosts, or the configured API host with
// the API URL's scheme (where a proxy, or the local Discord of the tests,
// serves them). No user info, no other host, no other scheme: the bot is
// never made to fetch an arbitrary address (its own network included).
func (b *Bot) checkAttachmentURL(u *url.URL) error {
	if u.User != nil {
		return errors.New("attachment URL with user info")
	}
	if u.Scheme == "https" && attachmentHosts[strings.ToLower(u.Host)] {
		return nil
	}
	if api, err := url.Parse(b.cfg.APIURL); err == nil && api.Host != "" &&
		u.Scheme == api.Scheme && strings.EqualFold(u.Host, api.Host) {
		return nil
	}
	return fmt.Errorf("attachment URL not on Discord's CDN: %s://%s", u.Scheme, u.Host)
}

// download fetches an attachment from Discord's CDN, without the bot token
// (it needs none), refusing a URL checkAttachmentURL refuses (redirects
// included) and more than MaxFileBytes, the latter with ingest.ErrTooLarge.
func (b *Bot) download(raw string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, err
	}
	if err := b.checkAttachmentURL(req.URL); err != nil {
		return nil, err
	}
	client := *b.downloads
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		return b.checkAttachmentURL(req.URL)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("attachment download: HTTP %d", resp.StatusCode)
	}
	if resp.ContentLength > b.cfg.MaxFileBytes {
		return nil, ingest.ErrTooLarge
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, b.cfg.MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > b.cfg.MaxFileBytes {
		return nil, ingest.ErrTooLarge
	}
	return data, nil
}

// ingestFile parses a file and stores its articles through the same path as
// `baobot ingest` (package load), and says what became of them.
func (b *Bot) ingestFile(log *slog.Logger, name string, data []byte, lang messages.Lang) reply {
	var failed []string
	loader := &load.Loader{DB: b.db, Failed: func(origin string, err error) {
		failed = append(failed, failure(origin, err, lang))
	}}
	err := ingest.Parse(name, bytes.NewReader(data), ingest.Options{MaxFileBytes: b.cfg.MaxFileBytes}, loader.Add)
	if err == nil {
		err = loader.Flush()
	}
	if err != nil {
		log.Error("storing articles from /add", "file", name, "err", err)
		return textReply(messages.Get(lang, messages.Internal), true)
	}
	sum := loader.Summary
	lines := []string{messages.Get(lang, messages.AddSummary, codeSpan(cut(name, 100)), sum.Added, sum.Replaced, sum.Unchanged, sum.Failed)}
	if sum.Added+sum.Replaced > 0 {
		lines = append(lines, messages.Get(lang, messages.AddAnswerable))
	}
	if len(failed) > 0 {
		lines = append(lines, "", messages.Get(lang, messages.AddFailedItem))
		for i, f := range failed {
			if i == maxFailuresShown {
				lines = append(lines, fmt.Sprintf("… (+%d)", len(failed)-i))
				break
			}
			lines = append(lines, "• "+f)
		}
	}
	return reply{content: joinWithin(lines, "\n", maxContent), ephemeral: true}
}

// ingestReasons name, in the user's language, why an item was refused.
var ingestReasons = []struct {
	err error
	key messages.Key
}{
	{ingest.ErrUnsupported, messages.ReasonUnsupported},
	{ingest.ErrEmpty, messages.ReasonEmpty},
	{ingest.ErrTooLarge, messages.ReasonTooLarge},
	{ingest.ErrNotText, messages.ReasonNotText},
	{ingest.ErrMalformed, messages.ReasonMalformed},
	{ingest.ErrTruncated, messages.ReasonTruncated},
	{storage.ErrInvalidArticle, messages.ReasonInvalid},
}

// failure describes a refused item: where it is, why in the user's
// language, and the detail ingest or storage gave.
func failure(origin string, err error, lang messages.Lang) string {
	reason, detail := "", err.Error()
	for _, ir := range ingestReasons {
		if errors.Is(err, ir.err) {
			reason = messages.Get(lang, ir.key)
			if i := strings.Index(detail, ir.err.Error()+": "); i >= 0 {
				detail = detail[i+len(ir.err.Error())+2:]
			} else if strings.HasSuffix(detail, ir.err.Error()) {
				detail = ""
			}
			break
		}
	}
	line := codeSpan(cut(origin, 120)) + " — " + reason
	if detail = strings.TrimSpace(detail); detail != "" {
		if reason != "" {
			line += ": "
		}
		line += escapedWithin(detail, 200)
	}
	return line
}

// humanSize writes a byte count for people: "512 B", "3.2 KB", "32 MB".
func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<20))) + " MB"
	case n >= 1<<10:
		return trimZero(fmt.Sprintf("%.1f", float64(n)/(1<<10))) + " KB"
	}
	return fmt.Sprintf("%d B", n)
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// cmdRemove answers /remove id.
func (b *Bot) cmdRemove(r *request) {
	id := strings.TrimSpace(r.str("id"))
	b.respond(r, true, func() (reply, error) {
		err := b.db.Remove(id)
		if errors.Is(err, retrieval.ErrNotFound) {
			return textReply(messages.Get(r.lang, messages.NoSuchArticle, codeSpan(cut(id, 200))), true), nil
		}
		if err != nil {
			return reply{}, err
		}
		r.log.Info("article removed through /remove", "id", id, "user", userKey(r.user), "guild", r.in.GuildID)
		return textReply(messages.Get(r.lang, messages.Removed, codeSpan(cut(id, 200))), true), nil
	})
}
