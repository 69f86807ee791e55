package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/baobot/baobot/messages"
)

// run runs the command line in-process against a database in dir, with no
// configuration file and only the environment given.
func run(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(args, Env{
		Stdout: &out, Stderr: &errOut,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	return out.String(), errOut.String(), code
}

func dbEnv(t *testing.T) map[string]string {
	return map[string]string{"BAOBOT_DB": filepath.Join(t.TempDir(), "baobot.db")}
}

func askJSON(t *testing.T, env map[string]string, question string) answerJSON {
	t.Helper()
	out, errOut, code := run(t, env, "ask", "--json", question)
	if code != ExitOK {
		t.Fatalf("ask %q: exit %d, stderr %q", question, code, errOut)
	}
	var ans answerJSON
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("ask --json printed %q: %v", out, err)
	}
	return ans
}

// The seed questions of the foundation issue: the fact must be in the first
// snippet, with accents and without.
func TestAskSeedQuestions(t *testing.T) {
	env := dbEnv(t)
	tests := []struct{ question, fact string }{
		{"Ngoại trưởng Mỹ là ai?", "Antony Blinken"},
		{"Ngoai truong My la ai?", "Antony Blinken"},
		{"Cuộc điện đàm kéo dài bao lâu?", "15 phút"},
		{"Cuoc dien dam keo dai bao lau?", "15 phút"},
		{"Nhật Bản dự kiến thành lập trụ sở chung khi nào?", "cuối tháng 3/2025"},
		{"Nhat Ban du kien thanh lap tru so chung khi nao?", "cuối tháng 3/2025"},
	}
	for _, tt := range tests {
		ans := askJSON(t, env, tt.question)
		if !ans.Confident || len(ans.Results) == 0 {
			t.Errorf("%q: confident=%v, %d results", tt.question, ans.Confident, len(ans.Results))
			continue
		}
		first := ans.Results[0]
		if !strings.Contains(first.Snippet, tt.fact) {
			t.Errorf("%q: first snippet %q lacks %q", tt.question, first.Snippet, tt.fact)
		}
		if first.Source == "" || first.Title == "" || first.Passage < 1 || len(first.Marks) == 0 {
			t.Errorf("%q: incomplete result %+v", tt.question, first)
		}
		for _, m := range first.Marks {
			if m[0] < 0 || m[1] > len(first.Snippet) || m[0] >= m[1] {
				t.Errorf("%q: mark %v outside snippet of %d bytes", tt.question, m, len(first.Snippet))
			}
		}
	}
}

func TestAskOffTopicIsNotConfident(t *testing.T) {
	ans := askJSON(t, dbEnv(t), "Giá vàng SJC hôm nay bao nhiêu?")
	if ans.Confident {
		t.Errorf("an off-topic question was answered confidently: %+v", ans.Results)
	}
}

func TestAskTextOutput(t *testing.T) {
	out, _, code := run(t, dbEnv(t), "ask", "Ngoại trưởng Mỹ là ai?")
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Antony Blinken", "**", "baobot seed articles", "đoạn "} {
		if !strings.Contains(out, want) {
			t.Errorf("text answer lacks %q:\n%s", want, out)
		}
	}
}

// A word no article holds is read as the nearest word of the collection,
// and the answer says so: in --json as "corrections" (always an array), in
// text as a line before the results.
func TestAskReadsMisspelledWords(t *testing.T) {
	env := dbEnv(t)
	// askRaw returns the --json answer, and its corrections as printed.
	askRaw := func(question string) (answerJSON, string) {
		t.Helper()
		out, errOut, code := run(t, env, "ask", "--json", question)
		if code != ExitOK {
			t.Fatalf("ask %q: exit %d, stderr %q", question, code, errOut)
		}
		var ans answerJSON
		var raw map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &ans); err != nil {
			t.Fatalf("ask --json printed %q: %v", out, err)
		}
		if err := json.Unmarshal([]byte(out), &raw); err != nil {
			t.Fatalf("ask --json printed %q: %v", out, err)
		}
		c, ok := raw["corrections"]
		if !ok {
			t.Fatalf("ask --json %q has no \"corrections\" field: %s", question, out)
		}
		return ans, string(c)
	}

	ans, _ := askRaw("Ngoại trưởng Mỹ Blinkin là ai?")
	if want := []correctionJSON{{Typed: "Blinkin", Read: "Blinken"}}; len(ans.Corrections) != 1 || ans.Corrections[0] != want[0] {
		t.Errorf("corrections %+v, want %+v", ans.Corrections, want)
	}
	if len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, "Antony Blinken") {
		t.Errorf("first result of the misspelled question lacks Antony Blinken: %+v", ans.Results)
	} else if first := ans.Results[0]; !strings.Contains(markSnippet(first.Snippet, first.Marks, "[", "]"), "[Blinken]") {
		t.Errorf("the word read for Blinkin is not marked: %q %v", first.Snippet, first.Marks)
	}

	// A word typed only wrong: found through the guess, never confidently.
	ans, _ = askRaw("Blinkin là ai?")
	if len(ans.Corrections) != 1 || ans.Corrections[0] != (correctionJSON{Typed: "Blinkin", Read: "Blinken"}) {
		t.Errorf("Blinkin alone: corrections %+v", ans.Corrections)
	}
	if ans.Confident || len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, "Antony Blinken") {
		t.Errorf("Blinkin alone: confident=%v, results %+v; want the Blinken passage, not confident", ans.Confident, ans.Results)
	}

	// Spelled right: nothing corrected, and the field is still an array.
	ans, raw := askRaw("Ngoại trưởng Mỹ là ai?")
	if raw != "[]" || len(ans.Corrections) != 0 {
		t.Errorf("a correctly spelled question: corrections %s, want []", raw)
	}
	if !ans.Confident || len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, "Antony Blinken") {
		t.Errorf("a correctly spelled question: confident=%v, results %+v", ans.Confident, ans.Results)
	}

	// A word near no word of the collection is left as it is.
	for _, q := range []string{"Zyxwvq", "Ngoại trưởng Mỹ Zyxwvq là ai?"} {
		ans, raw = askRaw(q)
		if raw != "[]" {
			t.Errorf("%q: corrections %s, want []", q, raw)
		}
	}
	if len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, "Antony Blinken") {
		t.Errorf("a word near nothing spoilt the rest of the question: %+v", ans.Results)
	}

	// In text, the correction comes first, in the question's language.
	out, _, code := run(t, env, "ask", "Ngoại trưởng Mỹ Blinkin là ai?")
	want := messages.Get(messages.Vietnamese, messages.ReadAs, "Blinkin", "Blinken") + "\n"
	if code != ExitOK || !strings.HasPrefix(out, want) || strings.Count(out, want) != 1 || !strings.Contains(out, "Antony **Blinken**") {
		t.Errorf("exit %d; text answer does not start with %q (once) and mark Blinken:\n%s", code, want, out)
	}
	out, _, code = run(t, env, "ask", "Who is Blinkin?")
	want = "No article has the word “Blinkin”: searched for “Blinken” instead.\n"
	if code != ExitOK || !strings.HasPrefix(out, want) {
		t.Errorf("exit %d; English text answer does not start with %q:\n%s", code, want, out)
	}
	for _, q := range []string{"Ngoại trưởng Mỹ là ai?", "Zyxwvq"} {
		out, _, code = run(t, env, "ask", q)
		if code != ExitOK || strings.Contains(out, "Không bài nào có từ") {
			t.Errorf("%q: exit %d, a correction line where none is due:\n%s", q, code, out)
		}
	}
}

// Bad questions get a clear message in the asker's language and exit 2.
func TestAskBadQuestions(t *testing.T) {
	env := dbEnv(t)
	tests := []struct {
		name, question, want string
	}{
		{"empty", "", "Câu hỏi đang trống"},
		{"whitespace", "   \t ", "Câu hỏi đang trống"},
		{"too long vi", strings.Repeat("Nhật Bản ", 200), "quá dài"},
		{"too long en", strings.Repeat("the question is long ", 60), "too long"},
		{"emoji only", "🙂🙂🙂", "không có chữ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := run(t, env, "ask", tt.question)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.want)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "%!") {
				t.Errorf("stderr leaks internals: %q", errOut)
			}
		})
	}
}

func TestIngestBatchWithBadFile(t *testing.T) {
	env := dbEnv(t)
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good.txt", "Lễ hội pháo hoa Đà Nẵng\nLễ hội pháo hoa quốc tế Đà Nẵng năm nay kéo dài ba tuần với tám đội tham gia.\n")
	write("empty.txt", "")
	write("news.jsonl", `{"id":"n1","title":"Giá xăng giảm","body":"Giá xăng RON95 giảm 500 đồng mỗi lít từ chiều nay."}`+"\n{broken\n")

	out, errOut, code := run(t, env, "ingest", dir)
	if code != ExitFailure {
		t.Errorf("exit %d, want 1 when a file failed", code)
	}
	if !strings.Contains(out, "added 2, replaced 0, unchanged 0, failed 2") {
		t.Errorf("summary %q", out)
	}
	if !strings.Contains(errOut, "empty.txt") || !strings.Contains(errOut, "news.jsonl:2") {
		t.Errorf("failures not named: %q", errOut)
	}
	ans := askJSON(t, env, "pháo hoa Đà Nẵng kéo dài bao lâu")
	if len(ans.Results) == 0 || !strings.Contains(ans.Results[0].Snippet, "ba tuần") {
		t.Errorf("ingested article not answerable: %+v", ans)
	}

	out, _, code = run(t, env, "ingest", dir)
	if !strings.Contains(out, "added 0, replaced 0, unchanged 2") {
		t.Errorf("re-ingest: exit %d, %q", code, out)
	}
}

func TestArticlesListShowRemove(t *testing.T) {
	env := dbEnv(t)
	out, _, code := run(t, env, "articles", "list")
	if code != ExitOK || !strings.Contains(out, "2 articles") || !strings.Contains(out, "seed-000_motegi_blinken_call") {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	out, _, code = run(t, env, "articles", "show", "seed-000_motegi_blinken_call")
	if code != ExitOK || !strings.Contains(out, "Antony Blinken") {
		t.Fatalf("show: exit %d\n%s", code, out)
	}
	if _, errOut, code := run(t, env, "articles", "show", "nope"); code != ExitFailure || !strings.Contains(errOut, "nope") {
		t.Errorf("show of a missing id: exit %d, %q", code, errOut)
	}
	if _, _, code := run(t, env, "articles", "rm", "seed-000_motegi_blinken_call"); code != ExitOK {
		t.Fatalf("rm: exit %d", code)
	}
	// The removed seed is not seeded again: seeding happens once, on creation.
	out, _, _ = run(t, env, "articles", "list")
	if !strings.Contains(out, "1 articles") {
		t.Errorf("after rm:\n%s", out)
	}
	ans := askJSON(t, env, "Ngoại trưởng Mỹ là ai?")
	for _, r := range ans.Results {
		if r.ArticleID == "seed-000_motegi_blinken_call" {
			t.Errorf("removed article still answers")
		}
	}
}

func TestForeignFileRefusedUnchanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.db")
	content := []byte("these are my notes, not a database\n")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := run(t, map[string]string{}, "--db", path, "ask", "Ngoại trưởng Mỹ là ai?")
	if code != ExitFailure || !strings.Contains(errOut, "not a baobot") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	got, _ := os.ReadFile(path)
	if !bytes.Equal(got, content) {
		t.Errorf("a foreign file was modified")
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"frobnicate"}, {"ask", "-k", "0", "x"}, {"articles", "show"}, {"eval", "squad"}, {"ingest"}} {
		if _, _, code := run(t, dbEnv(t), args...); code != ExitUsage {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
}

// A damaged database makes ingest fail with a clear message and a hint, not
// a crash. Tried: each 4 KB page of a seeded database overwritten with junk
// until an ingest reports the damage.
func TestIngestIntoDamagedDatabase(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.db")
	if _, errOut, code := run(t, map[string]string{"BAOBOT_DB": clean}, "articles", "list"); code != ExitOK {
		t.Fatalf("creating the database: exit %d, %s", code, errOut)
	}
	data, err := os.ReadFile(clean)
	if err != nil {
		t.Fatal(err)
	}
	article := filepath.Join(dir, "new.txt")
	if err := os.WriteFile(article, []byte("Hòa bình\n\nMột bài viết mới về hòa bình và hợp tác giữa hai nước láng giềng.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const pageSize = 4096
	for page := 2; page < len(data)/pageSize; page++ {
		broken := bytes.Clone(data)
		for i := page * pageSize; i < (page+1)*pageSize; i++ {
			broken[i] = byte(i*13 + 5)
		}
		path := filepath.Join(dir, "broken.db")
		if err := os.WriteFile(path, broken, 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := run(t, map[string]string{"BAOBOT_DB": path}, "ingest", article)
		if code == ExitOK || !strings.Contains(errOut, "damaged") || strings.Contains(errOut, "not a baobot") {
			continue
		}
		if code != ExitFailure || !strings.Contains(errOut, "baobot check") {
			t.Errorf("page %d: exit %d, stderr %q; want exit 1 and the check hint", page, code, errOut)
		}
		return
	}
	t.Error("no damaged page made ingest report the damage")
}
