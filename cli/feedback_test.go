package cli

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/baobot/baobot/retrieval"
	"github.com/baobot/baobot/storage"
)

func TestFeedbackExport(t *testing.T) {
	env := dbEnv(t)
	out, _, code := run(t, env, "feedback", "export")
	if code != ExitOK || out != strings.Join(feedbackHeader, ",")+"\n" {
		t.Fatalf("export of no votes: exit %d, %q", code, out)
	}

	db, err := storage.Open(env["BAOBOT_DB"], storage.Options{Analyzer: retrieval.NewAnalyzer()})
	if err != nil {
		t.Fatal(err)
	}
	first, _ := db.SaveShown(storage.ShownAnswer{Question: "Ngoại trưởng Mỹ là ai?", Lang: "vi",
		Articles: []string{"seed-000_motegi_blinken_call", "seed-001_kishida_biden_summit"}})
	second, _ := db.SaveShown(storage.ShownAnswer{Question: `A "quoted", question`, Lang: "en", Offset: 3, Articles: []string{"gone"}})
	for _, f := range []storage.Feedback{
		{Shown: first, Voter: "v1", Helpful: true},
		{Shown: first, Voter: "v2", Helpful: false},
		{Shown: second, Voter: "v1", Helpful: true},
	} {
		if _, err := db.PutFeedback(f); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()

	out, errOut, code := run(t, env, "feedback", "export")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows:\n%s", len(rows), out)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	check := func(row []string, name, want string) {
		t.Helper()
		if got := row[col[name]]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	check(rows[1], "vote", "up")
	check(rows[1], "question", "Ngoại trưởng Mỹ là ai?")
	check(rows[1], "article_id", "seed-000_motegi_blinken_call")
	check(rows[1], "shown_article_ids", "seed-000_motegi_blinken_call seed-001_kishida_biden_summit")
	check(rows[1], "first_result", "1")
	check(rows[1], "voter", "v1")
	check(rows[2], "vote", "down")
	check(rows[3], "question", `A "quoted", question`)
	check(rows[3], "first_result", "4")
	check(rows[3], "article_title", "")
	if rows[1][col["article_title"]] == "" || rows[1][col["voted_at"]] == "" || rows[1][col["shown_at"]] == "" {
		t.Errorf("row %q lacks a title or a time", rows[1])
	}

	if _, _, code := run(t, env, "feedback"); code != ExitUsage {
		t.Errorf("feedback without export: exit %d, want %d", code, ExitUsage)
	}
}
