package retrieval_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/seeds"
)

func seedArticles(t *testing.T) []retrieval.Article {
	t.Helper()
	arts, err := seeds.Articles()
	if err != nil || len(arts) == 0 {
		t.Fatalf("seeds: %d articles, %v", len(arts), err)
	}
	return arts
}

// TestLeadLineSeeds: the lead of a seed article is one of its own sentences,
// not its title (the seeds' titles are their first sentences), within 200
// characters.
func TestLeadLineSeeds(t *testing.T) {
	starts := map[string]string{ // the sentence the articles are about
		"seed-000_motegi_blinken_call":  "Ông Motegi và ông Blinken cũng chia sẻ quan ngại",
		"seed-001_kishida_biden_summit": "Cuộc gặp giữa Thủ tướng Nhật Bản và Tổng thống Mỹ",
	}
	for _, a := range seedArticles(t) {
		lead := retrieval.LeadLine(a, 200)
		if !strings.HasPrefix(lead, starts[a.ID]) {
			t.Errorf("%s: lead %q, want the sentence starting %q", a.ID, lead, starts[a.ID])
		}
		if lead == "" || utf8.RuneCountInString(lead) > 200 {
			t.Errorf("%s: lead %q", a.ID, lead)
		}
		if strings.HasPrefix(a.Body, strings.TrimSuffix(lead, "…")) {
			t.Errorf("%s: lead %q repeats the first sentence, the title", a.ID, lead)
		}
		if !strings.Contains(strings.Join(strings.Fields(a.Body), " "), strings.TrimSuffix(lead, "…")) {
			t.Errorf("%s: lead %q is not the article's text", a.ID, lead)
		}
	}
}
