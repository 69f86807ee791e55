package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/baobot/baobot/digest"
	"github.com/baobot/baobot/digest/schedule"
	"github.com/baobot/baobot/messages"
	"github.com/baobot/baobot/storage"
)

// runDigest prints a digest in the terminal: `baobot digest preview
// [--since 24h] [--max N] [--lang vi|en]` lists the articles added in the
// last --since, newest first, as a channel's digest would (package digest
// chooses them and their lead lines), with times in digest.timezone.
func runDigest(a *app, args []string) error {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	since := fs.Duration("since", 24*time.Hour, "how far back to look")
	maxArticles := fs.Int("max", a.cfg.Digest.DefaultMax, "most articles listed")
	lang := fs.String("lang", string(messages.Vietnamese), "language: vi or en")
	rest, err := parseFlags(fs, args)
	switch {
	case err != nil:
		return err
	case len(rest) != 1 || rest[0] != "preview":
		return usagef("want preview [--since 24h] [--max N] [--lang vi|en]")
	case *since <= 0:
		return usagef("--since must be a duration > 0, such as 24h or 90m")
	case *maxArticles < 1 || *maxArticles > digest.MaxMax:
		return usagef("--max must be from 1 to %d", digest.MaxMax)
	case *lang != string(messages.Vietnamese) && *lang != string(messages.English):
		return usagef("--lang must be vi or en")
	}
	zone, err := schedule.LoadZone(a.cfg.Digest.Timezone)
	if err != nil {
		return fmt.Errorf("digest.timezone: %w", err)
	}
	db, err := a.openDB()
	if err != nil {
		return err
	}
	defer db.Close()
	now := time.Now()
	d, err := digest.Collect(db.DB, now.Add(-*since), *maxArticles)
	if err != nil {
		return err
	}
	d.Lang, d.Zone, d.Until = messages.Lang(*lang), zone, now
	writeDigest(a.env.Stdout, d)
	return nil
}

// writeDigest prints d as text: a heading with the count and the period,
// then each article (title, link, lead line, source and date) and how many
// more were left out.
func writeDigest(w io.Writer, d digest.Digest) {
	fmt.Fprintln(w, messages.Get(d.Lang, messages.DigestTitle, d.Total))
	if d.Since.IsZero() {
		fmt.Fprintln(w, messages.Get(d.Lang, messages.DigestFromStart))
	} else {
		fmt.Fprintln(w, messages.Get(d.Lang, messages.DigestSince, d.Since.In(d.Zone).Format("2006-01-02 15:04 MST")))
	}
	for i, art := range d.Articles {
		fmt.Fprintf(w, "\n%d. %s\n", i+1, oneLine(art.Title))
		if art.URL != "" {
			fmt.Fprintf(w, "   %s\n", oneLine(art.URL))
		}
		if art.Lead != "" {
			fmt.Fprintf(w, "   %s\n", art.Lead)
		}
		facts := []string{art.Date(d.Zone)}
		if s := oneLine(art.Source); s != "" {
			facts = append([]string{s}, facts...)
		}
		fmt.Fprintf(w, "   %s\n", strings.Join(facts, " · "))
	}
	if more := d.More(); more > 0 {
		fmt.Fprintf(w, "\n%s\n", messages.Get(d.Lang, messages.DigestMore, more))
	}
}

// newDigestScheduler is the digest Scheduler of the configuration on db,
// for serve: the [[digest.subscription]] tables are stored, the /digest
// subscriptions kept. serve hands it to the bot (bot.Config.Digests) and
// runs it with bot.RunDigests for as long as the bot runs.
func newDigestScheduler(a *app, db *storage.DB, log *slog.Logger) (*digest.Scheduler, error) {
	opts, err := digest.OptionsFrom(a.cfg.Digest)
	if err != nil {
		return nil, fmt.Errorf("digest: %w", err)
	}
	opts.Logger = log
	return digest.New(db, opts)
}

// oneLine is s with its white space runs, line breaks included, made one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
