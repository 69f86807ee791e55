package seeds

import (
	"strings"
	"testing"
)

func TestArticles(t *testing.T) {
	arts, err := Articles()
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 {
		t.Fatalf("got %d seed articles, want 2", len(arts))
	}
	for _, a := range arts {
		if !strings.HasPrefix(a.ID, "seed-") || a.Source != Source || a.Language != "vi" {
			t.Errorf("seed %q: source %q, language %q", a.ID, a.Source, a.Language)
		}
		if a.Title == "" || a.URL != "" || !a.Published.IsZero() {
			t.Errorf("seed %q: title %q, url %q, published %v: metadata must not be invented", a.ID, a.Title, a.URL, a.Published)
		}
		if strings.Count(a.Body, "\n") < 5 {
			t.Errorf("seed %q: body lost its paragraphs", a.ID)
		}
	}
}
