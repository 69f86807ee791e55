package messages

import (
	"strings"
	"testing"
)

func TestEveryMessageInBothLanguages(t *testing.T) {
	for k := Key(0); k < keyCount; k++ {
		m, ok := catalog[k]
		if !ok || strings.TrimSpace(m[0]) == "" || strings.TrimSpace(m[1]) == "" {
			t.Errorf("message %d: %q", k, m)
			continue
		}
		if strings.Count(m[0], "%") != strings.Count(m[1], "%") {
			t.Errorf("message %d: the two languages take different arguments: %q", k, m)
		}
	}
	if len(catalog) != int(keyCount) {
		t.Errorf("catalog has %d messages for %d keys", len(catalog), keyCount)
	}
}

func TestLanguageChoice(t *testing.T) {
	for _, tc := range []struct {
		locale string
		want   Lang
	}{{"vi", Vietnamese}, {"en-US", English}, {"fr", English}, {"", English}} {
		if got := ForLocale(tc.locale); got != tc.want {
			t.Errorf("ForLocale(%q) = %q, want %q", tc.locale, got, tc.want)
		}
	}
	if got := ForText("Ngoại trưởng Mỹ là ai?", English); got != Vietnamese {
		t.Errorf("ForText(Vietnamese) = %q", got)
	}
	if got := ForText("Who is the US Secretary of State?", Vietnamese); got != English {
		t.Errorf("ForText(English) = %q", got)
	}
}
