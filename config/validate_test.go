package config

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	sub := func(s Subscription) func(*Config) {
		return func(c *Config) { c.Digest.Subscriptions = []Subscription{s} }
	}
	tests := []struct {
		name   string
		change func(*Config)
		want   string // "" = valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"b = 0", func(c *Config) { c.Retrieval.B = 0 }, ""},
		{"b = 1", func(c *Config) { c.Retrieval.B = 1 }, ""},
		{"k1 = 0", func(c *Config) { c.Retrieval.K1 = 0 }, ""},
		{"no rate limit", func(c *Config) { c.Discord.RateLimitQuestions = 0 }, ""},
		{"no metrics", func(c *Config) { c.Metrics.Addr = "" }, ""},
		{"metrics on all interfaces", func(c *Config) { c.Metrics.Addr = ":9090" }, ""},
		{"http api url", func(c *Config) { c.Discord.APIURL = "http://127.0.0.1:41234" }, ""},
		{"UTC", func(c *Config) { c.Digest.Timezone = "UTC" }, ""},
		{"cron weekdays", sub(Subscription{Channel: "1", Schedule: "30 7 * * 1-5"}), ""},
		{"cron descriptor", sub(Subscription{Channel: "1", Schedule: "@daily", Lang: "en-GB"}), ""},
		{"daily", sub(Subscription{Channel: "1", Schedule: "daily 23:59", Timezone: "Europe/Paris"}), ""},

		{"empty path", func(c *Config) { c.Database.Path = "" }, "database.path (BAOBOT_DATABASE_PATH): must not be empty"},
		{"zero lock timeout", func(c *Config) { c.Database.LockTimeout = 0 }, "database.lock_timeout (BAOBOT_DATABASE_LOCK_TIMEOUT): must be a duration > 0"},
		{"zero batch", func(c *Config) { c.Database.BatchSize = 0 }, "database.batch_size (BAOBOT_DATABASE_BATCH_SIZE): must be a whole number >= 1; got 0"},
		{"negative k1", func(c *Config) { c.Retrieval.K1 = -1 }, "retrieval.k1 (BAOBOT_RETRIEVAL_K1): must be a number >= 0, such as 1.2; got -1"},
		{"b above 1", func(c *Config) { c.Retrieval.B = 1.01 }, "retrieval.b (BAOBOT_RETRIEVAL_B): must be a number from 0 to 1"},
		{"zero results", func(c *Config) { c.Retrieval.Results = 0 }, "retrieval.results"},
		{"zero per article", func(c *Config) { c.Retrieval.MaxPerArticle = 0 }, "retrieval.max_per_article"},
		{"confidence above 1", func(c *Config) { c.Retrieval.MinConfidence = 2 }, "retrieval.min_confidence"},
		{"zero question", func(c *Config) { c.Retrieval.MaxQuestionChars = 0 }, "retrieval.max_question_chars"},
		{"zero snippet", func(c *Config) { c.Retrieval.SnippetChars = 0 }, "retrieval.snippet_chars"},
		{"zero file bytes", func(c *Config) { c.Ingest.MaxFileBytes = 0 }, "ingest.max_file_bytes"},
		{"empty watch folder", func(c *Config) { c.Ingest.Watch = []string{"a", " "} }, "ingest.watch (BAOBOT_INGEST_WATCH): item 2 is empty"},
		{"zero watch interval", func(c *Config) { c.Ingest.WatchInterval = 0 }, "ingest.watch_interval"},
		{"relative api url", func(c *Config) { c.Discord.APIURL = "/api" }, "discord.api_url"},
		{"ftp api url", func(c *Config) { c.Discord.APIURL = "ftp://discord.com" }, "discord.api_url"},
		{"zero guild", func(c *Config) { c.Discord.GuildIDs = []int64{0} }, "discord.guild_ids"},
		{"zero shards", func(c *Config) { c.Discord.ShardCount = 0 }, "discord.shard_count"},
		{"negative shard", func(c *Config) { c.Discord.ShardID = -1 }, "discord.shard_id"},
		{"shard past count", func(c *Config) { c.Discord.ShardID = 1 }, "discord.shard_id (BAOBOT_DISCORD_SHARD_ID): must be from 0 to shard_count-1 (0); got 1"},
		{"negative rate limit", func(c *Config) { c.Discord.RateLimitQuestions = -1 }, "discord.rate_limit_questions"},
		{"garbage collection target too low", func(c *Config) { c.Discord.GCPercent = 5 }, "discord.gc_percent"},
		{"zero rate window", func(c *Config) { c.Discord.RateLimitWindow = 0 }, "discord.rate_limit_window"},
		{"empty time zone", func(c *Config) { c.Digest.Timezone = "" }, "digest.timezone"},
		{"zero default max", func(c *Config) { c.Digest.DefaultMax = 0 }, "digest.default_max"},
		{"default max above what a digest lists", func(c *Config) { c.Digest.DefaultMax = MaxDigestArticles + 1 }, "digest.default_max"},
		{"zero attempts", func(c *Config) { c.Digest.MaxAttempts = 0 }, "digest.max_attempts"},
		{"daily without time", sub(Subscription{Channel: "1", Schedule: "daily"}), "digest.subscription[0].schedule"},
		{"daily 8:00", sub(Subscription{Channel: "1", Schedule: "daily 8:00"}), "digest.subscription[0].schedule"},
		{"six cron fields", sub(Subscription{Channel: "1", Schedule: "0 0 8 * * *"}), "digest.subscription[0].schedule"},
		{"empty channel", sub(Subscription{Schedule: "daily 08:00"}), "digest.subscription[0].channel: must be a Discord channel id"},
		{"bad level", func(c *Config) { c.Log.Level = "INFO" }, `log.level (BAOBOT_LOG_LEVEL): must be debug, info, warn or error; got "INFO"`},
		{"bad format", func(c *Config) { c.Log.Format = "" }, "log.format"},
		{"bad metrics", func(c *Config) { c.Metrics.Addr = "localhost" }, "metrics.addr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Default()
			tt.change(&c)
			err := c.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			wantErr(t, err, tt.want)
		})
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := Default()
	c.Retrieval.K1 = -1
	c.Retrieval.B = 2
	c.Log.Format = "xml"
	err := c.Validate()
	wantErr(t, err, "retrieval.k1", "retrieval.b", "log.format")
	if n := strings.Count(err.Error(), "\n") + 1; n != 3 {
		t.Errorf("%d lines, want 3:\n%v", n, err)
	}
}

func TestLog(t *testing.T) {
	for name, want := range map[string]slog.Level{
		"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError, "": slog.LevelInfo,
	} {
		if got := (Log{Level: name}).SlogLevel(); got != want {
			t.Errorf("SlogLevel(%q) = %v, want %v", name, got, want)
		}
	}
	var b bytes.Buffer
	lg := slog.New(Log{Level: "warn", Format: "json"}.Handler(&b))
	lg.Info("hidden")
	lg.Warn("shown", "after", time.Second)
	if s := b.String(); strings.Contains(s, "hidden") || !strings.HasPrefix(s, `{"time":`) || !strings.Contains(s, `"msg":"shown"`) {
		t.Errorf("json handler wrote %q", s)
	}
	b.Reset()
	slog.New(Default().Log.Handler(&b)).Info("shown")
	if s := b.String(); !strings.Contains(s, "level=INFO msg=shown") {
		t.Errorf("text handler wrote %q", s)
	}
}
