package config

import (
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadNoFile(t *testing.T) {
	c, warnings, err := Load("", noEnv)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("warnings %q, err %v", warnings, err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("got %s, want defaults", c)
	}
}

func TestLoadMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nope.toml")
	_, _, err := Load(path, noEnv)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
	wantErr(t, err, path)
	_, _, err = Load(t.TempDir(), noEnv)
	wantErr(t, err, "is a directory")
}

func TestLoadFile(t *testing.T) {
	path := writeConfig(t, `
[database]
path = "data/news.db"
lock_timeout = "2s"

[retrieval]
k1 = 2          # an integer is a fine float
b = 0.5

[ingest]
watch = ["articles", "feeds"]

[discord]
guild_ids = [123456789012345678]
rate_limit_questions = 0

[[digest.subscription]]
channel = "111111111111111111"
schedule = "daily 08:00"

[[digest.subscription]]
channel = "222222222222222222"
schedule = "0 7 * * 1-5"
timezone = "UTC"
max = 3
lang = "en"
`, 0o600)
	got, warnings, err := Load(path, noEnv)
	if err != nil || len(warnings) > 0 {
		t.Fatalf("warnings %q, err %v", warnings, err)
	}
	want := Default()
	want.Database.Path = "data/news.db"
	want.Database.LockTimeout = 2 * time.Second
	want.Retrieval.K1, want.Retrieval.B = 2, 0.5
	want.Ingest.Watch = []string{"articles", "feeds"}
	want.Discord.GuildIDs = []int64{123456789012345678}
	want.Discord.RateLimitQuestions = 0
	want.Digest.Subscriptions = []Subscription{
		{Channel: "111111111111111111", Schedule: "daily 08:00"},
		{Channel: "222222222222222222", Schedule: "0 7 * * 1-5", Timezone: "UTC", Max: 3, Lang: "en"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if r := got.Digest.Resolve(got.Digest.Subscriptions[0]); r.Timezone != "Asia/Ho_Chi_Minh" || r.Max != 10 {
		t.Errorf("Resolve = %+v, want the digest defaults filled in", r)
	}
	if r := got.Digest.Resolve(got.Digest.Subscriptions[1]); r != got.Digest.Subscriptions[1] {
		t.Errorf("Resolve = %+v, want it unchanged", r)
	}
}

func TestLoadUnknownKeys(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string
		notWant    string
	}{
		{"typo in key", "[discord]\ntokn = \"x\"\n",
			[]string{`unknown key "discord.tokn"`, `did you mean "discord.token"?`}, ""},
		{"typo in section", "[databse]\npath = \"x.db\"\n",
			[]string{`unknown key "databse"`, `did you mean "database"?`}, "databse.path"},
		{"wrong case", "[Discord]\ntoken = \"\"\n",
			[]string{`unknown key "Discord"`, `did you mean "discord"?`}, ""},
		{"wrong case key", "[retrieval]\nK1 = 1.0\n",
			[]string{`unknown key "retrieval.K1"`, `did you mean "retrieval.k1"?`}, ""},
		{"top level", "results = 3\n",
			[]string{`unknown key "results"`}, ""},
		{"far from anything", "[retrieval]\nflux_capacitor = 3\n",
			[]string{`unknown key "retrieval.flux_capacitor"`}, "did you mean"},
		{"in a subscription", "[[digest.subscription]]\nchanel = \"1\"\n",
			[]string{`unknown key "digest.subscription.chanel"`, `"digest.subscription.channel"`}, ""},
		{"several", "[log]\nlevl = \"info\"\nformt = \"json\"\n",
			[]string{`"log.levl"`, `"log.formt"`}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file, 0o600)
			_, _, err := Load(path, noEnv)
			wantErr(t, err, tt.want...)
			for line := range strings.Lines(err.Error()) {
				if !strings.HasPrefix(line, "config file "+path+": ") {
					t.Errorf("line %q does not name the file", line)
				}
			}
			if tt.notWant != "" && strings.Contains(err.Error(), tt.notWant) {
				t.Errorf("error %q contains %q", err, tt.notWant)
			}
		})
	}
}

func TestLoadBadValues(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string
	}{
		{"string for float", "[retrieval]\nk1 = \"high\"\n",
			[]string{"retrieval.k1: expected a number, such as 0.75, got a string"}},
		{"negative k1", "[retrieval]\nk1 = -1.0\n",
			[]string{"retrieval.k1 (BAOBOT_RETRIEVAL_K1): must be a number >= 0", "got -1"}},
		{"b above 1", "[retrieval]\nb = 2\n",
			[]string{"retrieval.b (BAOBOT_RETRIEVAL_B): must be a number from 0 to 1", "got 2"}},
		{"float for int", "[retrieval]\nresults = 2.5\n",
			[]string{"retrieval.results: expected a whole number, such as 5, got a fractional number"}},
		{"zero results", "[retrieval]\nresults = 0\n",
			[]string{"retrieval.results (BAOBOT_RETRIEVAL_RESULTS): must be a whole number >= 1; got 0"}},
		{"string for bool", "[database]\nseed = \"yes\"\n",
			[]string{"database.seed: expected true or false, got a string"}},
		{"integer duration", "[database]\nlock_timeout = 5\n",
			[]string{"database.lock_timeout: a bare number would be nanoseconds", `expected a duration string, such as "30s"`}},
		{"bad duration", "[database]\nlock_timeout = \"5 seconds\"\n",
			[]string{`database.lock_timeout: "5 seconds" is not a duration`, "expected a duration string"}},
		{"negative duration", "[ingest]\nwatch_interval = \"-1m\"\n",
			[]string{"ingest.watch_interval (BAOBOT_INGEST_WATCH_INTERVAL): must be a duration > 0", `got "-1m0s"`}},
		{"string for strings", "[ingest]\nwatch = \"articles\"\n",
			[]string{"ingest.watch: expected an array of strings", "got a string"}},
		{"string guild id", "[discord]\nguild_ids = [\"123456789012345678\"]\n",
			[]string{"discord.guild_ids: item 1 is a string", "expected an array of whole numbers"}},
		{"negative guild id", "[discord]\nguild_ids = [-5]\n",
			[]string{"discord.guild_ids (BAOBOT_DISCORD_GUILD_IDS): item 1 is -5"}},
		{"value for section", "database = 5\n",
			[]string{"database: expected a table, got a whole number"}},
		{"date for string", "[log]\nlevel = 2024-01-01\n",
			[]string{"log.level: expected a string in quotes", "got a date-time"}},
		{"bad api url", "[discord]\napi_url = \"discord.com\"\n",
			[]string{"discord.api_url (BAOBOT_DISCORD_API_URL): must be an absolute http or https URL", `got "discord.com"`}},
		{"bad metrics addr", "[metrics]\naddr = \"9090\"\n",
			[]string{"metrics.addr (BAOBOT_METRICS_ADDR): must be host:port"}},
		{"bad time zone", "[digest]\ntimezone = \"Mars/Olympus\"\n",
			[]string{"digest.timezone (BAOBOT_DIGEST_TIMEZONE): must be an IANA time zone name", `got "Mars/Olympus"`}},
		{"local time zone", "[digest]\ntimezone = \"Local\"\n",
			[]string{"digest.timezone (BAOBOT_DIGEST_TIMEZONE)"}},
		{"subscription types", "[[digest.subscription]]\nchannel = 5\nmax = \"ten\"\n",
			[]string{"digest.subscription[0].channel: expected a string", "digest.subscription[0].max: expected a whole number"}},
		{"subscription values", `
[[digest.subscription]]
channel = "123"
schedule = "0 8 * * 1-5"
[[digest.subscription]]
channel = "#news"
schedule = "daily 25:00"
timezone = "Asia/Hanoi"
max = -1
lang = "Vietnamese"
`, []string{
			`digest.subscription[1].channel: must be a Discord channel id`, `got "#news"`,
			`digest.subscription[1].schedule: must be "daily HH:MM"`,
			`digest.subscription[1].timezone: must be an IANA time zone name`,
			`digest.subscription[1].max: must be a whole number from 0 to 50`,
			`digest.subscription[1].lang: must be a language code`,
		}},
		{"bad cron", "[[digest.subscription]]\nchannel = \"1\"\nschedule = \"every morning\"\n",
			[]string{"digest.subscription[0].schedule: must be a 5-field cron expression"}},
		{"empty schedule", "[[digest.subscription]]\nchannel = \"1\"\n",
			[]string{"digest.subscription[0].schedule: must be a 5-field cron expression"}},
		{"cron with time zone", "[[digest.subscription]]\nchannel = \"1\"\nschedule = \"CRON_TZ=UTC 0 8 * * *\"\n",
			[]string{"digest.subscription[0].schedule: must not name a time zone"}},
		{"syntax", "[retrieval\nk1 = 1\n",
			[]string{"line 2:", "to end table name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file, 0o600)
			_, _, err := Load(path, noEnv)
			wantErr(t, err, tt.want...)
		})
	}
}

func TestLoadWarnsGroupReadableToken(t *testing.T) {
	tests := []struct {
		name  string
		file  string
		mode  uint32
		warns bool
	}{
		{"token, 0644", "[discord]\ntoken = \"" + testToken + "\"\n", 0o644, true},
		{"token, 0640", "[discord]\ntoken = \"" + testToken + "\"\n", 0o640, true},
		{"token, 0604", "[discord]\ntoken = \"" + testToken + "\"\n", 0o604, true},
		{"token, 0600", "[discord]\ntoken = \"" + testToken + "\"\n", 0o600, false},
		{"token, 0400", "[discord]\ntoken = \"" + testToken + "\"\n", 0o400, false},
		{"empty token, 0644", "[discord]\ntoken = \"\"\n", 0o644, false},
		{"no token, 0644", "[log]\nlevel = \"debug\"\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeConfig(t, tt.file, fs.FileMode(tt.mode))
			c, warnings, err := Load(path, noEnv)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(warnings) > 0; got != tt.warns {
				t.Fatalf("warnings %q, want a warning: %v", warnings, tt.warns)
			}
			for _, w := range warnings {
				if strings.Contains(w, testToken) {
					t.Errorf("warning shows the token: %q", w)
				}
				for _, want := range []string{path, "discord.token", "chmod 600", "BAOBOT_DISCORD_TOKEN"} {
					if !strings.Contains(w, want) {
						t.Errorf("warning %q lacks %q", w, want)
					}
				}
			}
			if strings.Contains(tt.file, testToken) && c.Discord.Token != testToken {
				t.Errorf("token not loaded")
			}
		})
	}
}
