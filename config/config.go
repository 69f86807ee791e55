// Package config is the whole configuration of baobot as one typed struct.
//
// A Config starts from [Default], is overlaid by an optional TOML file, and is
// then overridden by environment variables, so that no secret needs a file:
//
//	defaults  <  config file (path argument or BAOBOT_CONFIG)  <  BAOBOT_<SECTION>_<KEY>
//
// The environment variable of an option is derived from its TOML key: the key
// retrieval.k1 is BAOBOT_RETRIEVAL_K1, discord.token is BAOBOT_DISCORD_TOKEN.
// BAOBOT_DB is a short alias of BAOBOT_DATABASE_PATH. The [[digest.subscription]]
// tables are the only options without environment variables.
//
// Every option is listed, commented and set to its default in
// config.example.toml at the root of the repository; a test keeps the two equal.
//
// The Discord token never appears in a String, GoString or slog value of a
// Config or Discord, nor in an error returned by [Load] or [Config.Validate].
package config

import (
	"time"
)

// MaxDigestArticles is the most articles one digest may list.
const MaxDigestArticles = 50

// Config is the whole configuration of baobot, one field per TOML section.
type Config struct {
	// Database is the bbolt database file.
	Database Database `toml:"database"`
	// Retrieval tunes ranking and the shape of answers.
	Retrieval Retrieval `toml:"retrieval"`
	// Ingest limits and watches article sources.
	Ingest Ingest `toml:"ingest"`
	// Discord connects the bot to Discord.
	Discord Discord `toml:"discord"`
	// Digest schedules posts listing new articles.
	Digest Digest `toml:"digest"`
	// Log configures log/slog output.
	Log Log `toml:"log"`
	// Metrics configures the metrics HTTP listener.
	Metrics Metrics `toml:"metrics"`
}

// Database is the [database] section.
type Database struct {
	// Path is the bbolt database file, relative to the working directory.
	Path string `toml:"path" envalias:"BAOBOT_DB"`
	// Seed fills an empty database with the embedded seed articles.
	Seed bool `toml:"seed"`
	// LockTimeout is how long to wait for the database file lock held by another process.
	LockTimeout time.Duration `toml:"lock_timeout"`
	// BatchSize is the number of articles per write transaction during ingest.
	BatchSize int `toml:"batch_size"`
}

// Retrieval is the [retrieval] section.
type Retrieval struct {
	// K1 is the BM25 term-frequency saturation, a number >= 0.
	K1 float64 `toml:"k1"`
	// B is the BM25 length normalization, from 0 (none) to 1 (full).
	B float64 `toml:"b"`
	// Results is the number of results (snippets) per answer.
	Results int `toml:"results"`
	// MaxPerArticle is the most results one article may have in the top results.
	MaxPerArticle int `toml:"max_per_article"`
	// MinConfidence is the confidence, from 0 to 1, below which an answer says it found nothing confident.
	MinConfidence float64 `toml:"min_confidence"`
	// MaxQuestionChars is the longest question accepted, in characters.
	MaxQuestionChars int `toml:"max_question_chars"`
	// SnippetChars is the target length of a snippet, in characters.
	SnippetChars int `toml:"snippet_chars"`
}

// Ingest is the [ingest] section.
type Ingest struct {
	// MaxFileBytes is the largest article source file read, in bytes.
	MaxFileBytes int64 `toml:"max_file_bytes"`
	// Watch lists folders that serve watches for new or changed article files.
	Watch []string `toml:"watch"`
	// WatchInterval is how often serve scans the watched folders.
	WatchInterval time.Duration `toml:"watch_interval"`
}

// Discord is the [discord] section. Its String, GoString and LogValue redact
// the token.
type Discord struct {
	// Token is the bot token, a secret: prefer BAOBOT_DISCORD_TOKEN to the file.
	Token string `toml:"token" secret:"true"`
	// APIURL is the base URL of the Discord REST API (a local fake in tests).
	APIURL string `toml:"api_url"`
	// GuildIDs registers commands only in these guilds, for instant updates while developing; empty = globally.
	GuildIDs []int64 `toml:"guild_ids"`
	// ShardID is this process's gateway shard, from 0 to ShardCount-1.
	ShardID int `toml:"shard_id"`
	// ShardCount is the total number of gateway shards.
	ShardCount int `toml:"shard_count"`
	// RateLimitQuestions is how many questions one user may ask per RateLimitWindow; 0 = no limit.
	RateLimitQuestions int `toml:"rate_limit_questions"`
	// RateLimitWindow is the period of the per-user question rate limit.
	RateLimitWindow time.Duration `toml:"rate_limit_window"`
	// AdminSocket lets CLI commands hand work to a running serve over a unix socket beside the database.
	AdminSocket bool `toml:"admin_socket"`
	// GCPercent is serve's garbage collection target: the heap may grow this many percent over its live size before a collection (GOGC, when set, wins).
	GCPercent int `toml:"gc_percent"`
}

// Digest is the [digest] section and its [[digest.subscription]] tables.
type Digest struct {
	// Timezone is the IANA time zone of schedules whose subscription names none.
	Timezone string `toml:"timezone"`
	// DefaultMax is the most articles listed in one digest whose subscription sets no max.
	DefaultMax int `toml:"default_max"`
	// PostEmpty posts a digest even when a period has no new articles.
	PostEmpty bool `toml:"post_empty"`
	// MaxAttempts is how many times a failed digest post is tried before it is given up.
	MaxAttempts int `toml:"max_attempts"`
	// Subscriptions are the digests configured in the file, besides those made with /digest.
	Subscriptions []Subscription `toml:"subscription"`
}

// Subscription is one [[digest.subscription]] table: a channel that gets a
// digest on a schedule. It has no environment variables.
type Subscription struct {
	// Channel is the Discord channel id, digits as a string.
	Channel string `toml:"channel"`
	// Schedule is a 5-field cron expression ("0 8 * * 1-5") or a friendly
	// form: "daily HH:MM", "weekdays HH:MM" or "hourly" (see digest/schedule).
	Schedule string `toml:"schedule"`
	// Timezone is the IANA time zone of Schedule; empty = digest.timezone.
	Timezone string `toml:"timezone"`
	// Max is the most articles listed in one digest; 0 = digest.default_max.
	Max int `toml:"max"`
	// Lang is the language the digest is written in, "vi" or "en"; empty = the server's preferred locale.
	Lang string `toml:"lang"`
}

// Log is the [log] section.
type Log struct {
	// Level is the least severe level logged: debug, info, warn or error.
	Level string `toml:"level"`
	// Format is the log line format: text or json.
	Format string `toml:"format"`
}

// Metrics is the [metrics] section.
type Metrics struct {
	// Addr is the host:port of the HTTP listener serving /healthz and /metrics (package ops); empty = off.
	Addr string `toml:"addr"`
}

// Default returns the configuration used when neither a file nor the
// environment sets an option. It is valid and equals config.example.toml.
func Default() Config {
	return Config{
		Database: Database{
			Path:        "baobot.db",
			Seed:        true,
			LockTimeout: time.Second,
			BatchSize:   500,
		},
		Retrieval: Retrieval{
			K1:               1.2,
			B:                0.75,
			Results:          3,
			MaxPerArticle:    1,
			MinConfidence:    0.35,
			MaxQuestionChars: 1000,
			SnippetChars:     320,
		},
		Ingest: Ingest{
			MaxFileBytes:  32 << 20,
			WatchInterval: 30 * time.Second,
		},
		Discord: Discord{
			APIURL:             "https://discord.com",
			ShardID:            0,
			ShardCount:         1,
			RateLimitQuestions: 5,
			RateLimitWindow:    30 * time.Second,
			AdminSocket:        true,
			GCPercent:          50,
		},
		Digest: Digest{
			Timezone:    "Asia/Ho_Chi_Minh",
			DefaultMax:  10,
			PostEmpty:   false,
			MaxAttempts: 5,
		},
		Log: Log{
			Level:  "info",
			Format: "text",
		},
		Metrics: Metrics{
			Addr: "127.0.0.1:9090",
		},
	}
}

// Resolve returns s with the digest defaults filled in: an empty Timezone
// becomes d.Timezone and a zero Max becomes d.DefaultMax.
func (d Digest) Resolve(s Subscription) Subscription {
	if s.Timezone == "" {
		s.Timezone = d.Timezone
	}
	if s.Max == 0 {
		s.Max = d.DefaultMax
	}
	return s
}
