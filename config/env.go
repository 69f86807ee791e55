package config

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Environment variables that are not options.
const (
	// EnvConfig names the config file when Load is given no path.
	EnvConfig = "BAOBOT_CONFIG"
)

// applyEnv overrides c with every option's environment variable that env
// reports set. An empty value sets a string to "" and a list to empty; it is
// an error for other kinds. All bad variables are reported, joined.
func applyEnv(c *Config, env func(string) (string, bool)) error {
	var errs []error
	v := reflect.ValueOf(c).Elem()
	for _, o := range options() {
		name := o.env
		s, ok := env(o.env)
		for _, a := range o.aliases {
			as, aok := env(a)
			switch {
			case !aok:
			case !ok:
				name, s, ok = a, as, true
			case as != s:
				errs = append(errs, fmt.Errorf("%s and %s are both set, to different values; set only one", name, a))
			}
		}
		if !ok {
			continue
		}
		if err := setFromEnv(v.FieldByIndex(o.index), o.kind, s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w; expected %s", name, err, o.kind.envForm()))
		}
	}
	return errors.Join(errs...)
}

// setFromEnv parses s, written in the environment form of k, into f. Its
// errors say what is wrong without the expected form, which the caller adds.
func setFromEnv(f reflect.Value, k kind, s string) error {
	t := strings.TrimSpace(s)
	if t == "" && k != kindString && k != kindStrings && k != kindInt64s {
		return errors.New("empty")
	}
	switch k {
	case kindString:
		f.SetString(s)
	case kindBool:
		b, err := strconv.ParseBool(t)
		if err != nil {
			return fmt.Errorf("%s is not true or false", safeQuote(s))
		}
		f.SetBool(b)
	case kindInt:
		n, err := strconv.ParseInt(t, 10, f.Type().Bits())
		if err != nil {
			return fmt.Errorf("%s is not a whole number%s", safeQuote(s), rangeHint(err))
		}
		f.SetInt(n)
	case kindFloat:
		x, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			return fmt.Errorf("%s is not a finite number", safeQuote(s))
		}
		f.SetFloat(x)
	case kindDuration:
		d, err := time.ParseDuration(t)
		if err != nil {
			hint := ""
			if _, nerr := strconv.ParseFloat(t, 64); nerr == nil {
				hint = " (a duration needs a unit)"
			}
			return fmt.Errorf("%s is not a duration%s", safeQuote(s), hint)
		}
		f.SetInt(int64(d))
	case kindStrings:
		items := splitList(s)
		f.Set(reflect.ValueOf(items))
	case kindInt64s:
		items := splitList(t)
		ns := make([]int64, 0, len(items))
		for i, it := range items {
			n, err := strconv.ParseInt(it, 10, 64)
			if err != nil {
				return fmt.Errorf("item %d, %s, is not a whole number%s", i+1, safeQuote(it), rangeHint(err))
			}
			ns = append(ns, n)
		}
		f.Set(reflect.ValueOf(ns))
	default:
		panic(fmt.Sprintf("config: kind %d has no environment form", k))
	}
	return nil
}

// splitList splits a comma-separated list, trimming spaces around items and
// dropping empty items, so "a, b," is [a b] and "" is empty.
func splitList(s string) []string {
	var out []string
	for it := range strings.SplitSeq(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

func rangeHint(err error) string {
	if errors.Is(err, strconv.ErrRange) {
		return " in range"
	}
	return ""
}

// EnvNames returns every environment variable Load reads, sorted: each
// option's, its aliases and BAOBOT_CONFIG.
func EnvNames() []string {
	names := []string{EnvConfig}
	for _, o := range options() {
		names = append(names, o.env)
		names = append(names, o.aliases...)
	}
	slices.Sort(names)
	return names
}

// UnknownEnv returns the names of the BAOBOT_ variables in environ (as from
// os.Environ, "NAME=value") that Load does not read: likely typos, such as
// BAOBOT_DISCORD_TOKN, worth a warning. Values are never returned.
func UnknownEnv(environ []string) []string {
	known := EnvNames()
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, envPrefix) {
			if _, found := slices.BinarySearch(known, name); !found {
				out = append(out, name)
			}
		}
	}
	return out
}
