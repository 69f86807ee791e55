package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestFormattingRedactsToken(t *testing.T) {
	c := Default()
	c.Discord.Token = testToken
	c.Digest.Subscriptions = []Subscription{{Channel: "1", Schedule: "daily 08:00"}}

	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("loaded", "config", c, "discord", c.Discord)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("loaded", "config", &c, "discord", &c.Discord)

	outputs := map[string]string{
		"String":           c.String(),
		"%v":               fmt.Sprintf("%v", c),
		"%+v":              fmt.Sprintf("%+v", c),
		"%#v":              fmt.Sprintf("%#v", c),
		"%v pointer":       fmt.Sprintf("%v", &c),
		"%#v pointer":      fmt.Sprintf("%#v", &c),
		"%s":               fmt.Sprintf("%s", c),
		"Discord String":   c.Discord.String(),
		"Discord %+v":      fmt.Sprintf("%+v", c.Discord),
		"Discord %#v":      fmt.Sprintf("%#v", c.Discord),
		"slog text":        text.String(),
		"slog json":        js.String(),
		"slog LogValue":    c.LogValue().String(),
		"Discord LogValue": c.Discord.LogValue().String(),
	}
	for name, out := range outputs {
		if strings.Contains(out, testToken) || strings.Contains(out, testToken[:24]) {
			t.Errorf("%s shows the token:\n%s", name, out)
		}
		if !strings.Contains(out, redacted) {
			t.Errorf("%s does not show %s where the token is:\n%s", name, redacted, out)
		}
	}
	if !strings.Contains(text.String(), "config.retrieval.k1=1.2") || !strings.Contains(text.String(), "config.digest.subscription.0.schedule=") {
		t.Errorf("slog text lacks options:\n%s", text.String())
	}
	if c.Discord.Token != testToken {
		t.Error("formatting changed the token")
	}
	if s := fmt.Sprintf("%#v", c.Discord); !strings.HasPrefix(s, "config.Discord{") {
		t.Errorf("%%#v = %s", s)
	}

	// An empty token shows as empty, so a log tells whether it is set.
	if s := Default().String(); !strings.Contains(s, `token = ""`) || strings.Contains(s, redacted) {
		t.Errorf("String of an empty token:\n%s", s)
	}
}

// TestStringIsLoadable checks that String is a config file Load reads back.
func TestStringIsLoadable(t *testing.T) {
	c := Default()
	c.Ingest.Watch = []string{"a"}
	c.Digest.Subscriptions = []Subscription{{Channel: "1", Schedule: "daily 08:00", Lang: "en"}}
	path := writeConfig(t, c.String(), 0o600)
	got, _, err := Load(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != c.String() {
		t.Errorf("round trip:\n%s\nwant\n%s", got, c)
	}
}

// TestErrorsNeverShowToken provokes every kind of error with a token known
// from the file or the environment, or pasted where it does not belong.
func TestErrorsNeverShowToken(t *testing.T) {
	tok := testToken
	tests := []struct {
		name string
		file string // "" = no file
		env  map[string]string
	}{
		{"syntax error on the token line", "[discord]\ntoken = \"" + tok + "\n", nil},
		{"unquoted token", "[discord]\ntoken = " + tok + "\n", nil},
		{"token as a number", "[discord]\nshard_id = " + tok + "\n", nil},
		{"token in a string elsewhere, unterminated", "[log]\nlevel = \"" + tok + "\n", nil},
		{"token in an array", "[discord]\nguild_ids = [\"" + tok + "\"]\n", nil},
		{"token pasted as the api url", "[discord]\napi_url = \"" + tok + "\"\n", nil},
		{"token pasted as a time zone", "[digest]\ntimezone = \"" + tok + "\"\n", nil},
		{"token pasted as a schedule", "[[digest.subscription]]\nchannel = \"1\"\nschedule = \"" + tok + "\"\n", nil},
		{"token as a duration", "[database]\nlock_timeout = \"" + tok + "\"\n", nil},
		{"file token, bad file value", "[discord]\ntoken = \"" + tok + "\"\n[log]\nlevel = \"" + tok + "\"\n", nil},
		{"file token, bad env", "[discord]\ntoken = \"" + tok + "\"\n", map[string]string{"BAOBOT_METRICS_ADDR": tok}},
		{"env token, bad file", "[log]\nformat = \"" + tok + "\"\n", map[string]string{"BAOBOT_DISCORD_TOKEN": tok}},
		{"env token, bad env", "", map[string]string{"BAOBOT_DISCORD_TOKEN": tok, "BAOBOT_LOG_LEVEL": tok}},
		{"token pasted in an int variable", "", map[string]string{"BAOBOT_DISCORD_SHARD_ID": tok}},
		{"token pasted in a float variable", "", map[string]string{"BAOBOT_RETRIEVAL_K1": tok}},
		{"token pasted in a bool variable", "", map[string]string{"BAOBOT_DATABASE_SEED": tok}},
		{"token pasted in a duration variable", "", map[string]string{"BAOBOT_DATABASE_LOCK_TIMEOUT": tok}},
		{"token pasted in a list variable", "", map[string]string{"BAOBOT_DISCORD_GUILD_IDS": "1," + tok}},
		{"token pasted as the time zone variable", "", map[string]string{"BAOBOT_DIGEST_TIMEZONE": tok}},
		{"token pasted as BAOBOT_DB, conflicting", "", map[string]string{"BAOBOT_DB": tok, "BAOBOT_DATABASE_PATH": "x"}},
		{"token as a key", "[discord]\n" + tok + " = 1\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeConfig(t, tt.file, 0o644)
			}
			_, warnings, err := Load(path, envMap(tt.env))
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range append(warnings, err.Error()) {
				if strings.Contains(s, tok) || strings.Contains(s, tok[:20]) {
					t.Errorf("shows the token: %s", s)
				}
			}
		})
	}

	// Validate on its own.
	c := Default()
	c.Discord.Token = tok
	c.Log.Level = tok
	c.Digest.Subscriptions = []Subscription{{Channel: tok, Schedule: tok, Lang: tok, Timezone: tok}}
	err := c.Validate()
	if err == nil || strings.Contains(err.Error(), tok) {
		t.Errorf("Validate: %v", err)
	}
}

func TestSafeQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Asia/Hanoi", `"Asia/Hanoi"`},
		{"America/Argentina/ComodRivadavia", `"America/Argentina/ComodRivadavia"`},
		{testToken, "(a value hidden because it looks like a token)"},
		{strings.Repeat("word ", 20), `"` + strings.Repeat("word ", 12) + `…"`},
	}
	for _, tt := range tests {
		if got := safeQuote(tt.in); got != tt.want {
			t.Errorf("safeQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
