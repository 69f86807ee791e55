package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Load returns the configuration: [Default], overlaid by the TOML file at path,
// overridden by the environment, and validated.
//
// If path is "", the file is the one named by BAOBOT_CONFIG, or none if that is
// unset or empty. A named file that does not exist is an error (matching
// fs.ErrNotExist). A key the file does not know, a value of the wrong form, a
// bad environment variable and a value [Config.Validate] refuses are errors that
// name the key or variable and the expected form. Load stops at the first of
// these stages (file, environment, validation) that fails, reporting every
// problem of that stage, one a line.
//
// env looks up an environment variable, like os.LookupEnv, which it defaults
// to when nil. The returned warnings are for a person to read, such as a file
// holding discord.token that group or others may read. Neither the warnings
// nor the error ever contain the token.
func Load(path string, env func(string) (string, bool)) (Config, []string, error) {
	if env == nil {
		env = os.LookupEnv
	}
	c := Default()
	var warnings []string
	// Every token seen, to scrub from errors whatever their origin.
	var secrets []string

	if path == "" {
		if p, ok := env(EnvConfig); ok && p != "" {
			path = p
		}
	}
	if path != "" {
		w, err := loadFile(path, &c)
		secrets = append(secrets, c.secrets()...)
		warnings = append(warnings, w...)
		if err != nil {
			return Config{}, warnings, scrub(err, secrets)
		}
	}

	err := applyEnv(&c, env)
	secrets = append(secrets, c.secrets()...)
	if err != nil {
		return Config{}, warnings, scrub(err, secrets)
	}
	c.normalize()
	if err := c.Validate(); err != nil {
		return Config{}, warnings, scrub(err, secrets)
	}
	return c, warnings, nil
}

// loadFile overlays c with the TOML file at path.
func loadFile(path string, c *Config) (warnings []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	if info.IsDir() {
		return nil, fmt.Errorf("config file %s: is a directory", path)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	if err := decode(data, c); err != nil {
		return nil, prefixEach("config file "+path+": ", err)
	}
	if len(c.secrets()) > 0 && info.Mode().Perm()&0o044 != 0 && runtime.GOOS != "windows" {
		warnings = append(warnings, fmt.Sprintf(
			"config file %s holds discord.token and is readable by group or others (mode %#o): run chmod 600 on it, or set BAOBOT_DISCORD_TOKEN instead",
			path, info.Mode().Perm()))
	}
	return warnings, nil
}

// decode overlays c with TOML data, refusing unknown keys and values of the
// wrong form.
func decode(data []byte, c *Config) error {
	// A first decode into plain values finds syntax errors, and lets the
	// values be checked against the options' kinds with clear messages.
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return syntaxError(data, err)
	}
	var errs []error
	checkTable(reflect.TypeFor[Config](), raw, "", &errs)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}

	md, err := toml.Decode(string(data), c)
	if err != nil {
		// checkTable should have caught it; never echo the library's text
		// verbatim, which may quote a value.
		return syntaxError(data, err)
	}
	return unknownKeys(md)
}

// unknownKeys reports the keys the file holds that Config does not: those
// md.Undecoded reports, and those decoded only by ignoring case.
func unknownKeys(md toml.MetaData) error {
	known := knownKeys()
	var bad []string
	for _, k := range md.Undecoded() {
		bad = append(bad, k.String())
	}
	for _, k := range md.Keys() {
		if s := k.String(); !known[s] && !slices.Contains(bad, s) {
			bad = append(bad, s)
		}
	}
	var errs []error
	for _, k := range bad {
		if parentIn(k, bad) {
			continue // inside an unknown table, already reported
		}
		msg := "unknown key " + safeQuote(k)
		if s := suggest(k); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		errs = append(errs, errors.New(msg))
	}
	return errors.Join(errs...)
}

// prefixEach prefixes err, or each error joined in it, with prefix.
func prefixEach(prefix string, err error) error {
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return fmt.Errorf("%s%w", prefix, err)
	}
	var errs []error
	for _, e := range joined.Unwrap() {
		errs = append(errs, fmt.Errorf("%s%w", prefix, e))
	}
	return errors.Join(errs...)
}

func parentIn(k string, keys []string) bool {
	for _, p := range keys {
		if strings.HasPrefix(k, p+".") {
			return true
		}
	}
	return false
}

// suggest returns the known key closest to k, if it is close.
func suggest(k string) string {
	best, bestD := "", 3
	for known := range knownKeys() {
		if strings.EqualFold(known, k) {
			return known
		}
		if d := editDistance(known, k); d < bestD || d == bestD && known < best {
			best, bestD = known, d
		}
	}
	if bestD >= 3 {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// checkTable checks the values of table raw against the fields of struct type
// t, appending an error for each value of the wrong form.
func checkTable(t reflect.Type, raw map[string]any, prefix string, errs *[]error) {
	for i := range t.NumField() {
		f := t.Field(i)
		name := tomlName(f)
		v, ok := raw[name]
		if !ok {
			continue
		}
		key := prefix + name
		k := kindOf(f.Type)
		switch k {
		case kindTable:
			if m, ok := v.(map[string]any); ok {
				checkTable(f.Type, m, key+".", errs)
				continue
			}
		case kindTables:
			if tables, ok := asTables(v); ok {
				for j, m := range tables {
					checkTable(f.Type.Elem(), m, fmt.Sprintf("%s[%d].", key, j), errs)
				}
				continue
			}
		default:
			if problem := checkValue(k, v); problem == "" {
				continue
			} else if problem != "wrong type" {
				*errs = append(*errs, fmt.Errorf("%s: %s; expected %s", key, problem, k.tomlForm()))
				continue
			}
		}
		*errs = append(*errs, fmt.Errorf("%s: expected %s, got %s", key, k.tomlForm(), tomlType(v)))
	}
}

// asTables returns v as an array of tables, as the TOML decoder produces it
// from [[x]] or from an inline array of inline tables.
func asTables(v any) ([]map[string]any, bool) {
	switch v := v.(type) {
	case []map[string]any:
		return v, true
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, true
	}
	return nil, false
}

// checkValue returns "" if the decoded TOML value v has the form of k,
// "wrong type" if its type is wrong, or else what is wrong with it.
func checkValue(k kind, v any) string {
	switch k {
	case kindString:
		if _, ok := v.(string); ok {
			return ""
		}
	case kindBool:
		if _, ok := v.(bool); ok {
			return ""
		}
	case kindInt:
		if _, ok := v.(int64); ok {
			return ""
		}
	case kindFloat:
		switch v.(type) {
		case float64, int64:
			return ""
		}
	case kindDuration:
		switch v := v.(type) {
		case string:
			if _, err := time.ParseDuration(v); err != nil {
				return fmt.Sprintf("%s is not a duration", safeQuote(v))
			}
			return ""
		case int64:
			return "a bare number would be nanoseconds"
		}
	case kindStrings, kindInt64s:
		arr, ok := v.([]any)
		if !ok {
			return "wrong type"
		}
		for i, e := range arr {
			var ok bool
			if k == kindStrings {
				_, ok = e.(string)
			} else {
				_, ok = e.(int64)
			}
			if !ok {
				return fmt.Sprintf("item %d is %s", i+1, tomlType(e))
			}
		}
		return ""
	}
	return "wrong type"
}

// tomlType names the TOML type of a decoded value, never the value itself.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case int64:
		return "a whole number"
	case float64:
		return "a fractional number"
	case time.Time:
		return "a date-time"
	case map[string]any:
		return "a table"
	case []map[string]any:
		return "an array of tables"
	case []any:
		return "an array"
	}
	return fmt.Sprintf("a %T", v)
}

// longQuoted matches quoted fragments long enough to be part of a secret.
var longQuoted = regexp.MustCompile(`"[^"\s]{9,}"|'[^'\s]{9,}'`)

// syntaxError rewrites a TOML error so it cannot show a secret value: the
// details of an error on a line naming a secret key are dropped, and long
// quoted fragments are elided elsewhere.
func syntaxError(data []byte, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return errors.New(longQuoted.ReplaceAllString(strings.TrimPrefix(err.Error(), "toml: "), `"…"`))
	}
	line := pe.Position.Line
	if line == 0 {
		line = pe.Line
	}
	msg := longQuoted.ReplaceAllString(pe.Message, `"…"`)
	lines := strings.Split(string(data), "\n")
	for _, n := range []int{line - 1, line, line + 1} {
		if n >= 1 && n <= len(lines) && mentionsSecret(lines[n-1]) {
			msg = "invalid TOML (details hidden, since the line may hold a secret)"
		}
	}
	return fmt.Errorf("line %d: %s", line, msg)
}

// mentionsSecret reports whether a line of TOML names a secret option's key.
func mentionsSecret(line string) bool {
	for _, o := range options() {
		if o.secret {
			name := o.key[strings.LastIndexByte(o.key, '.')+1:]
			if strings.Contains(line, name) {
				return true
			}
		}
	}
	return false
}
