package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve on hosts without a zoneinfo database

	"github.com/baobot/baobot/digest/schedule"
)

// Validate reports every option of c that is out of range or malformed, each
// error naming the key, its environment variable and the expected form. It
// never includes the Discord token. The token itself is not required: only
// serve needs it, and checks it there.
func (c Config) Validate() error {
	var v validator

	d := c.Database
	v.check(d.Path != "", "database.path", "must not be empty")
	v.positiveDuration("database.lock_timeout", d.LockTimeout)
	v.atLeast("database.batch_size", d.BatchSize, 1)

	r := c.Retrieval
	v.check(finite(r.K1) && r.K1 >= 0, "retrieval.k1",
		"must be a number >= 0, such as 1.2; got %v", r.K1)
	v.check(finite(r.B) && r.B >= 0 && r.B <= 1, "retrieval.b",
		"must be a number from 0 to 1, such as 0.75; got %v", r.B)
	v.atLeast("retrieval.results", r.Results, 1)
	v.atLeast("retrieval.max_per_article", r.MaxPerArticle, 1)
	v.check(finite(r.MinConfidence) && r.MinConfidence >= 0 && r.MinConfidence <= 1, "retrieval.min_confidence",
		"must be a number from 0 to 1, such as 0.35; got %v", r.MinConfidence)
	v.atLeast("retrieval.max_question_chars", r.MaxQuestionChars, 1)
	v.atLeast("retrieval.snippet_chars", r.SnippetChars, 1)

	in := c.Ingest
	v.check(in.MaxFileBytes >= 1, "ingest.max_file_bytes",
		"must be a whole number >= 1, such as 33554432; got %d", in.MaxFileBytes)
	for i, w := range in.Watch {
		v.check(strings.TrimSpace(w) != "", "ingest.watch",
			"item %d is empty; expected a folder path", i+1)
	}
	v.positiveDuration("ingest.watch_interval", in.WatchInterval)

	dc := c.Discord
	if u, err := url.Parse(dc.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.add("discord.api_url", "must be an absolute http or https URL, such as \"https://discord.com\"; got %s", safeQuote(dc.APIURL))
	}
	for i, id := range dc.GuildIDs {
		v.check(id > 0, "discord.guild_ids",
			"item %d is %d; expected a guild id, a whole number > 0", i+1, id)
	}
	v.atLeast("discord.shard_count", dc.ShardCount, 1)
	v.check(dc.ShardID >= 0 && dc.ShardID < max(dc.ShardCount, 1), "discord.shard_id",
		"must be from 0 to shard_count-1 (%d); got %d", max(dc.ShardCount, 1)-1, dc.ShardID)
	v.atLeast("discord.rate_limit_questions", dc.RateLimitQuestions, 0)
	v.atLeast("discord.gc_percent", dc.GCPercent, 10)
	v.positiveDuration("discord.rate_limit_window", dc.RateLimitWindow)

	dg := c.Digest
	v.timezone("digest.timezone", dg.Timezone, false)
	v.check(dg.DefaultMax >= 1 && dg.DefaultMax <= MaxDigestArticles, "digest.default_max",
		"must be from 1 to %d; got %d", MaxDigestArticles, dg.DefaultMax)
	v.atLeast("digest.max_attempts", dg.MaxAttempts, 1)
	for i, s := range dg.Subscriptions {
		p := fmt.Sprintf("digest.subscription[%d].", i)
		if n, err := strconv.ParseUint(s.Channel, 10, 64); err != nil || n == 0 {
			v.add(p+"channel", "must be a Discord channel id, digits in a string such as \"123456789012345678\"; got %s", safeQuote(s.Channel))
		}
		if err := checkSchedule(s.Schedule); err != nil {
			v.add(p+"schedule", "%v", err)
		}
		v.timezone(p+"timezone", s.Timezone, true)
		v.check(s.Max >= 0 && s.Max <= MaxDigestArticles, p+"max",
			"must be a whole number from 0 to %d (0 = digest.default_max); got %d", MaxDigestArticles, s.Max)
		v.check(s.Lang == "" || langCode.MatchString(s.Lang), p+"lang",
			"must be a language code such as \"vi\" or \"en\", or empty; got %s", safeQuote(s.Lang))
	}

	l := c.Log
	v.check(l.Level == "debug" || l.Level == "info" || l.Level == "warn" || l.Level == "error", "log.level",
		"must be debug, info, warn or error; got %s", safeQuote(l.Level))
	v.check(l.Format == "text" || l.Format == "json", "log.format",
		"must be text or json; got %s", safeQuote(l.Format))

	if a := c.Metrics.Addr; a != "" {
		if _, port, err := net.SplitHostPort(a); err != nil || port == "" {
			v.add("metrics.addr", "must be host:port, such as \"127.0.0.1:9090\", or empty for no metrics; got %s", safeQuote(a))
		}
	}

	return scrub(errors.Join(v.errs...), c.secrets())
}

// langCode matches a BCP 47 language tag in its common short forms.
var langCode = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// checkSchedule accepts what digest schedules accept (package
// digest/schedule, the one parser of schedules): a 5-field cron expression
// or a friendly form such as "daily HH:MM".
func checkSchedule(s string) error {
	_, err := schedule.Parse(s, time.UTC)
	var se *schedule.Error
	if errors.As(err, &se) {
		return fmt.Errorf("%s; got %s", se.Want(), safeQuote(s))
	}
	return err
}

// validator collects validation errors.
type validator struct{ errs []error }

// add records a problem with key, naming its environment variable if it has one.
func (v *validator) add(key, format string, args ...any) {
	name := key
	if env := envOf(key); env != "" {
		name = fmt.Sprintf("%s (%s)", key, env)
	}
	v.errs = append(v.errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
}

func (v *validator) check(ok bool, key, format string, args ...any) {
	if !ok {
		v.add(key, format, args...)
	}
}

func (v *validator) atLeast(key string, n, least int) {
	v.check(n >= least, key, "must be a whole number >= %d; got %d", least, n)
}

func (v *validator) positiveDuration(key string, d time.Duration) {
	v.check(d > 0, key, "must be a duration > 0, such as \"1s\" or \"30s\"; got %q", d.String())
}

func (v *validator) timezone(key, tz string, emptyOK bool) {
	if tz == "" && emptyOK {
		return
	}
	// time.LoadLocation takes "" and "UTC" for UTC and "Local" for the host's
	// zone; only "UTC" among them is a name a config should hold.
	if _, err := time.LoadLocation(tz); err != nil || tz == "" || tz == "Local" {
		v.add(key, "must be an IANA time zone name, such as \"Asia/Ho_Chi_Minh\" or \"UTC\"; got %s", safeQuote(tz))
	}
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
