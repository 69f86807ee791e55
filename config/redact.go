package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// redacted replaces a secret value wherever it would be shown.
const redacted = "[redacted]"

// String returns c as TOML with the Discord token redacted: the effective
// configuration, fit to print or log.
func (c Config) String() string {
	return encodeTOML(withEmptyLists(redact(c)))
}

// LogValue returns c as a slog group per section, with the Discord token
// redacted, so slog.Any("config", c) is safe.
func (c Config) LogValue() slog.Value {
	return structValue(reflect.ValueOf(c))
}

// String returns the [discord] options as TOML with the token redacted.
func (d Discord) String() string {
	return encodeTOML(withEmptyLists(redact(Config{Discord: d})).Discord)
}

// GoString is String for %#v, which would otherwise show the token, also
// when d is a field of a Config.
func (d Discord) GoString() string {
	type plain Discord // without methods, so %#v formats its fields
	s := fmt.Sprintf("%#v", plain(redact(Config{Discord: d}).Discord))
	return strings.Replace(s, "plain{", "Discord{", 1)
}

// LogValue returns the [discord] options as a slog group with the token redacted.
func (d Discord) LogValue() slog.Value {
	return structValue(reflect.ValueOf(d))
}

// redact returns c with every non-empty secret option replaced by [redacted].
func redact(c Config) Config {
	v := reflect.ValueOf(&c).Elem()
	for _, o := range options() {
		if f := v.FieldByIndex(o.index); o.secret && f.String() != "" {
			f.SetString(redacted)
		}
	}
	return c
}

// withEmptyLists returns c with nil lists made empty, so that the TOML
// encoder writes them rather than leaving them out.
func withEmptyLists(c Config) Config {
	v := reflect.ValueOf(&c).Elem()
	for _, o := range options() {
		if f := v.FieldByIndex(o.index); f.Kind() == reflect.Slice && f.IsNil() {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
	return c
}

func encodeTOML(v any) string {
	var b bytes.Buffer
	enc := toml.NewEncoder(&b)
	enc.Indent = ""
	if err := enc.Encode(v); err != nil {
		return fmt.Sprintf("config: %v", err)
	}
	return b.String()
}

// structValue is the slog group of a struct of options, keyed by TOML name.
func structValue(v reflect.Value) slog.Value {
	t := v.Type()
	attrs := make([]slog.Attr, 0, t.NumField())
	for i := range t.NumField() {
		f, fv := t.Field(i), v.Field(i)
		name := tomlName(f)
		switch kindOf(f.Type) {
		case kindTable:
			attrs = append(attrs, slog.Attr{Key: name, Value: structValue(fv)})
		case kindTables:
			items := make([]slog.Attr, fv.Len())
			for j := range items {
				items[j] = slog.Attr{Key: strconv.Itoa(j), Value: structValue(fv.Index(j))}
			}
			attrs = append(attrs, slog.Attr{Key: name, Value: slog.GroupValue(items...)})
		default:
			if f.Tag.Get("secret") == "true" && fv.String() != "" {
				attrs = append(attrs, slog.String(name, redacted))
				continue
			}
			attrs = append(attrs, slog.Any(name, fv.Interface()))
		}
	}
	return slog.GroupValue(attrs...)
}

// scrub returns err with every secret replaced by [redacted]: the last line of
// defence, for a message that quotes a value after all.
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, redacted)
			changed = true
		}
	}
	if !changed {
		return err
	}
	// The wrapped errors still hold the secret, so they are dropped.
	return errors.New(msg)
}

// safeQuote quotes a value for an error message, unless it looks like a
// secret (a long run of token characters), and shortens a long one.
func safeQuote(s string) string {
	if looksSecret(s) {
		return "(a value hidden because it looks like a token)"
	}
	if r := []rune(s); len(r) > 64 {
		return strconv.Quote(string(r[:60]) + "…")
	}
	return strconv.Quote(s)
}

// looksSecret reports whether s could be a Discord token or a similar key:
// 32 or more characters, all base64url or dots, mixing upper case, lower case
// and digits.
func looksSecret(s string) bool {
	if len(s) < 32 {
		return false
	}
	var upper, lower, digit bool
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= '0' && r <= '9':
			digit = true
		case r == '-' || r == '_' || r == '.':
		default:
			return false
		}
	}
	return upper && lower && digit
}
