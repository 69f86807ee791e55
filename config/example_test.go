package config

import (
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

const examplePath = "../config.example.toml"

// TestExampleIsDefault keeps config.example.toml and Default from drifting.
func TestExampleIsDefault(t *testing.T) {
	got, warnings, err := Load(examplePath, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) > 0 {
		t.Errorf("warnings: %q", warnings)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Errorf("config.example.toml differs from Default():\n got %s\nwant %s", got, want)
	}
}

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

var (
	exampleSection = regexp.MustCompile(`^\[([a-z_.]+)\]$`)
	exampleKey     = regexp.MustCompile(`^([a-z_0-9]+) = `)
)

// TestExampleDocumentsEveryOption checks that every option of Config has a
// key in config.example.toml, preceded by a comment naming its environment
// variable, and that the file has no key twice.
func TestExampleDocumentsEveryOption(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	section := ""
	var comment []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "#"):
			comment = append(comment, line)
			continue
		case exampleSection.MatchString(line):
			section = exampleSection.FindStringSubmatch(line)[1]
		case exampleKey.MatchString(line):
			key := section + "." + exampleKey.FindStringSubmatch(line)[1]
			if seen[key] {
				t.Errorf("%s is set twice", key)
			}
			seen[key] = true
			env := envOf(key)
			if env == "" {
				t.Errorf("%s is not an option", key)
			}
			doc := strings.Join(comment, "\n")
			if len(comment) < 2 || !strings.Contains(doc, "Env: "+env) {
				t.Errorf("%s is not preceded by a comment explaining it and naming %s:\n%s", key, env, doc)
			}
		}
		comment = nil
	}
	for _, o := range options() {
		if !seen[o.key] {
			t.Errorf("option %s (field %s) is missing from config.example.toml", o.key, fieldName(o.index))
		}
		for _, a := range o.aliases {
			if !strings.Contains(string(data), a) {
				t.Errorf("alias %s of %s is not documented", a, o.key)
			}
		}
	}
}

// TestExampleSubscription uncomments the [[digest.subscription]] example and
// checks that it is valid and sets every field of Subscription.
func TestExampleSubscription(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	var block []string
	in := false
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if line == "# [[digest.subscription]]" {
			in = true
		}
		if in && !strings.HasPrefix(line, "# ") {
			break
		}
		if in {
			block = append(block, strings.TrimPrefix(line, "# "))
		}
	}
	if len(block) == 0 {
		t.Fatal("no commented [[digest.subscription]] example")
	}
	path := writeConfig(t, string(data)+"\n"+strings.Join(block, "\n")+"\n", 0o600)
	c, _, err := Load(path, noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Digest.Subscriptions) != 1 {
		t.Fatalf("got %d subscriptions, want 1", len(c.Digest.Subscriptions))
	}
	s := reflect.ValueOf(c.Digest.Subscriptions[0])
	for i := range s.NumField() {
		if s.Field(i).IsZero() {
			t.Errorf("the example does not set subscription field %s", s.Type().Field(i).Name)
		}
	}
}

// fieldName is the Go path of a field index from Config, such as "Discord.Token".
func fieldName(index []int) string {
	t := reflect.TypeFor[Config]()
	var names []string
	for _, i := range index {
		f := t.Field(i)
		names = append(names, f.Name)
		t = f.Type
	}
	return strings.Join(names, ".")
}

// TestOptionsCoverEveryField checks that the reflection walk reaches every
// field, derives distinct environment variables, and follows BAOBOT_<SECTION>_<KEY>.
func TestOptionsCoverEveryField(t *testing.T) {
	var leaves int
	var count func(reflect.Type)
	count = func(t reflect.Type) {
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Type.Kind() == reflect.Struct && f.Type != durationType {
				count(f.Type)
			} else if f.Type.Kind() != reflect.Slice || f.Type.Elem().Kind() != reflect.Struct {
				leaves++
			}
		}
	}
	count(reflect.TypeFor[Config]())
	if got := len(options()); got != leaves {
		t.Errorf("options() has %d options, Config has %d leaf fields", got, leaves)
	}
	envs := map[string]string{}
	for _, o := range options() {
		if prev, dup := envs[o.env]; dup {
			t.Errorf("%s and %s share %s", prev, o.key, o.env)
		}
		envs[o.env] = o.key
		if want := "BAOBOT_" + strings.ToUpper(strings.ReplaceAll(o.key, ".", "_")); o.env != want {
			t.Errorf("%s: env %s, want %s", o.key, o.env, want)
		}
	}
	for _, want := range []string{"BAOBOT_DISCORD_TOKEN", "BAOBOT_DATABASE_PATH", "BAOBOT_RETRIEVAL_K1"} {
		if _, ok := envs[want]; !ok {
			t.Errorf("no option has %s", want)
		}
	}
}
