package config

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

func TestEnvOverrides(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want func(*Config)
	}{
		{"string", map[string]string{"BAOBOT_DATABASE_PATH": "/var/lib/baobot/news.db"},
			func(c *Config) { c.Database.Path = "/var/lib/baobot/news.db" }},
		{"string keeps spaces", map[string]string{"BAOBOT_DISCORD_TOKEN": " " + testToken},
			func(c *Config) { c.Discord.Token = " " + testToken }},
		{"empty string", map[string]string{"BAOBOT_METRICS_ADDR": ""},
			func(c *Config) { c.Metrics.Addr = "" }},
		{"short alias BAOBOT_DB", map[string]string{"BAOBOT_DB": "short.db"},
			func(c *Config) { c.Database.Path = "short.db" }},
		{"alias and name agreeing", map[string]string{"BAOBOT_DB": "same.db", "BAOBOT_DATABASE_PATH": "same.db"},
			func(c *Config) { c.Database.Path = "same.db" }},
		{"bool false", map[string]string{"BAOBOT_DATABASE_SEED": "false"},
			func(c *Config) { c.Database.Seed = false }},
		{"bool 0", map[string]string{"BAOBOT_DISCORD_ADMIN_SOCKET": "0"},
			func(c *Config) { c.Discord.AdminSocket = false }},
		{"bool TRUE", map[string]string{"BAOBOT_DIGEST_POST_EMPTY": "TRUE"},
			func(c *Config) { c.Digest.PostEmpty = true }},
		{"int", map[string]string{"BAOBOT_RETRIEVAL_RESULTS": "5"},
			func(c *Config) { c.Retrieval.Results = 5 }},
		{"int with spaces", map[string]string{"BAOBOT_DISCORD_SHARD_COUNT": " 4 ", "BAOBOT_DISCORD_SHARD_ID": "3"},
			func(c *Config) { c.Discord.ShardCount, c.Discord.ShardID = 4, 3 }},
		{"int64", map[string]string{"BAOBOT_INGEST_MAX_FILE_BYTES": "1048576"},
			func(c *Config) { c.Ingest.MaxFileBytes = 1 << 20 }},
		{"float", map[string]string{"BAOBOT_RETRIEVAL_K1": "1.5"},
			func(c *Config) { c.Retrieval.K1 = 1.5 }},
		{"float integral", map[string]string{"BAOBOT_RETRIEVAL_B": "1"},
			func(c *Config) { c.Retrieval.B = 1 }},
		{"float zero", map[string]string{"BAOBOT_RETRIEVAL_MIN_CONFIDENCE": "0"},
			func(c *Config) { c.Retrieval.MinConfidence = 0 }},
		{"duration", map[string]string{"BAOBOT_DATABASE_LOCK_TIMEOUT": "250ms"},
			func(c *Config) { c.Database.LockTimeout = 250 * time.Millisecond }},
		{"duration compound", map[string]string{"BAOBOT_DISCORD_RATE_LIMIT_WINDOW": "1m30s"},
			func(c *Config) { c.Discord.RateLimitWindow = 90 * time.Second }},
		{"strings", map[string]string{"BAOBOT_INGEST_WATCH": "articles, feeds/vn ,"},
			func(c *Config) { c.Ingest.Watch = []string{"articles", "feeds/vn"} }},
		{"strings one", map[string]string{"BAOBOT_INGEST_WATCH": "articles"},
			func(c *Config) { c.Ingest.Watch = []string{"articles"} }},
		{"strings empty", map[string]string{"BAOBOT_INGEST_WATCH": ""},
			func(c *Config) {}},
		{"int64s", map[string]string{"BAOBOT_DISCORD_GUILD_IDS": "123456789012345678, 234567890123456789"},
			func(c *Config) { c.Discord.GuildIDs = []int64{123456789012345678, 234567890123456789} }},
		{"int64s empty", map[string]string{"BAOBOT_DISCORD_GUILD_IDS": " "},
			func(c *Config) {}},
		{"unrelated variables ignored", map[string]string{"HOME": "/root", "BAOBOT_NOPE": "1"},
			func(c *Config) {}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := Load("", envMap(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			want := Default()
			tt.want(&want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if tt.name == "string keeps spaces" && got.Discord.Token != " "+testToken {
				t.Error("token not set")
			}
		})
	}
}

func TestEnvOverridesFile(t *testing.T) {
	path := writeConfig(t, "[retrieval]\nk1 = 2.0\nresults = 4\n[ingest]\nwatch = [\"a\"]\n", 0o600)
	got, _, err := Load(path, envMap(map[string]string{
		"BAOBOT_RETRIEVAL_K1": "1.5",
		"BAOBOT_INGEST_WATCH": "",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Retrieval.K1 != 1.5 || got.Retrieval.Results != 4 || got.Ingest.Watch != nil {
		t.Errorf("got k1 %v results %d watch %q; want 1.5 (env) 4 (file) [] (env)",
			got.Retrieval.K1, got.Retrieval.Results, got.Ingest.Watch)
	}
}

func TestEnvBadValues(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"float word", map[string]string{"BAOBOT_RETRIEVAL_K1": "high"},
			[]string{"BAOBOT_RETRIEVAL_K1", `"high" is not a finite number`, "expected a number, such as 0.75"}},
		{"float NaN", map[string]string{"BAOBOT_RETRIEVAL_K1": "NaN"},
			[]string{"BAOBOT_RETRIEVAL_K1", "not a finite number"}},
		{"negative k1", map[string]string{"BAOBOT_RETRIEVAL_K1": "-0.5"},
			[]string{"retrieval.k1 (BAOBOT_RETRIEVAL_K1)", "must be a number >= 0", "got -0.5"}},
		{"b above 1", map[string]string{"BAOBOT_RETRIEVAL_B": "1.5"},
			[]string{"retrieval.b (BAOBOT_RETRIEVAL_B)", "from 0 to 1", "got 1.5"}},
		{"b below 0", map[string]string{"BAOBOT_RETRIEVAL_B": "-0.1"},
			[]string{"retrieval.b (BAOBOT_RETRIEVAL_B)", "from 0 to 1"}},
		{"bool", map[string]string{"BAOBOT_DATABASE_SEED": "yes"},
			[]string{"BAOBOT_DATABASE_SEED", "expected true or false"}},
		{"int fraction", map[string]string{"BAOBOT_DATABASE_BATCH_SIZE": "1.5"},
			[]string{"BAOBOT_DATABASE_BATCH_SIZE", "not a whole number", "expected a whole number"}},
		{"int overflow", map[string]string{"BAOBOT_DISCORD_SHARD_ID": "99999999999999999999"},
			[]string{"BAOBOT_DISCORD_SHARD_ID", "not a whole number in range"}},
		{"int empty", map[string]string{"BAOBOT_RETRIEVAL_RESULTS": ""},
			[]string{"BAOBOT_RETRIEVAL_RESULTS: empty", "expected a whole number"}},
		{"duration without unit", map[string]string{"BAOBOT_DATABASE_LOCK_TIMEOUT": "5"},
			[]string{"BAOBOT_DATABASE_LOCK_TIMEOUT", "needs a unit", "expected a duration, such as 30s"}},
		{"duration word", map[string]string{"BAOBOT_INGEST_WATCH_INTERVAL": "often"},
			[]string{"BAOBOT_INGEST_WATCH_INTERVAL", `"often" is not a duration`}},
		{"duration zero", map[string]string{"BAOBOT_DISCORD_RATE_LIMIT_WINDOW": "0s"},
			[]string{"discord.rate_limit_window (BAOBOT_DISCORD_RATE_LIMIT_WINDOW)", "must be a duration > 0"}},
		{"int64s item", map[string]string{"BAOBOT_DISCORD_GUILD_IDS": "123,abc"},
			[]string{"BAOBOT_DISCORD_GUILD_IDS", "item 2", "comma-separated whole numbers"}},
		{"alias conflict", map[string]string{"BAOBOT_DB": "a.db", "BAOBOT_DATABASE_PATH": "b.db"},
			[]string{"BAOBOT_DATABASE_PATH and BAOBOT_DB are both set"}},
		{"every bad variable", map[string]string{"BAOBOT_RETRIEVAL_K1": "x", "BAOBOT_LOG_FORMAT": "xml", "BAOBOT_LOG_LEVEL": "loud"},
			[]string{"BAOBOT_RETRIEVAL_K1"}},
		{"every bad value", map[string]string{"BAOBOT_LOG_FORMAT": "xml", "BAOBOT_LOG_LEVEL": "loud"},
			[]string{"log.level (BAOBOT_LOG_LEVEL)", "log.format (BAOBOT_LOG_FORMAT)", `got "xml"`}},
		{"shard out of range", map[string]string{"BAOBOT_DISCORD_SHARD_ID": "2", "BAOBOT_DISCORD_SHARD_COUNT": "2"},
			[]string{"discord.shard_id (BAOBOT_DISCORD_SHARD_ID)", "from 0 to shard_count-1 (1)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Load("", envMap(tt.env))
			wantErr(t, err, tt.want...)
		})
	}
}

func TestConfigFileFromEnv(t *testing.T) {
	a := writeConfig(t, "[retrieval]\nresults = 7\n", 0o600)
	b := writeConfig(t, "[retrieval]\nresults = 9\n", 0o600)

	c, _, err := Load("", envMap(map[string]string{EnvConfig: a}))
	if err != nil || c.Retrieval.Results != 7 {
		t.Errorf("BAOBOT_CONFIG: results %d, err %v; want 7", c.Retrieval.Results, err)
	}
	c, _, err = Load(b, envMap(map[string]string{EnvConfig: a}))
	if err != nil || c.Retrieval.Results != 9 {
		t.Errorf("path and BAOBOT_CONFIG: results %d, err %v; want 9 from the path", c.Retrieval.Results, err)
	}
	c, _, err = Load("", envMap(map[string]string{EnvConfig: ""}))
	if err != nil || !reflect.DeepEqual(c, Default()) {
		t.Errorf("empty BAOBOT_CONFIG: err %v, want defaults", err)
	}
	_, _, err = Load("", envMap(map[string]string{EnvConfig: a + ".missing"}))
	wantErr(t, err, "baobot.toml.missing")
}

func TestEnvNamesAndUnknownEnv(t *testing.T) {
	names := EnvNames()
	for _, want := range []string{"BAOBOT_CONFIG", "BAOBOT_DB", "BAOBOT_DATABASE_PATH", "BAOBOT_DISCORD_TOKEN", "BAOBOT_RETRIEVAL_K1"} {
		if !slices.Contains(names, want) {
			t.Errorf("EnvNames lacks %s", want)
		}
	}
	got := UnknownEnv([]string{
		"HOME=/root",
		"BAOBOT_DISCORD_TOKN=" + testToken,
		"BAOBOT_DISCORD_TOKEN=" + testToken,
		"BAOBOT_DB=x.db",
		"BAOBOT_RETRIEVAL_KI=1",
		"BAOBOT_EMPTY",
	})
	want := []string{"BAOBOT_DISCORD_TOKN", "BAOBOT_RETRIEVAL_KI", "BAOBOT_EMPTY"}
	if !slices.Equal(got, want) {
		t.Errorf("UnknownEnv = %q, want %q", got, want)
	}
}
